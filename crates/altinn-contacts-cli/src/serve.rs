//! `altinn-contacts serve`: the Altinn 2 contract (`altinn-contacts-server`) over the backend
//! the global options describe, for systems that can change only their base URL.
//!
//! The callers' API keys are the operator's (`--gateway-api-key`, `ALTINN_GATEWAY_API_KEYS`,
//! `--gateway-api-keys-file`); the backend uses its own credentials (`--api-key`, certificate,
//! Maskinporten, or `--sandbox`). A caller's key is checked and dropped, never sent on.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use altinn_contacts::ContactsApi;
use altinn_contacts_server::{ApiKeys, Gateway, ServeError, TlsConfig};

use crate::args::{Format, Global, ServeArgs};
use crate::commands::{Connection, connect};
use crate::error::CliError;
use crate::output::{Kind, Shape};

/// A backend for the gateway, and what must live as long as it does (the embedded sandbox of
/// `--sandbox`).
pub(crate) struct Backend {
    pub(crate) api: Arc<dyn ContactsApi>,
    _connection: Connection,
}

/// The backend the global options describe: today Altinn 2 over HTTPS (or the embedded
/// sandbox with `--sandbox`). Another backend (`--backend altinn3`) is chosen here.
pub(crate) async fn backend(global: &Global) -> Result<Backend, CliError> {
    let connection = connect(global, None).await?;
    let api: Arc<dyn ContactsApi> = connection.client.shared_api();
    Ok(Backend {
        api,
        _connection: connection,
    })
}

/// The callers' keys from the flags, the environment and the file; at least one.
fn api_keys(args: &ServeArgs) -> Result<ApiKeys, CliError> {
    let mut keys: Vec<String> = args
        .gateway_api_key
        .iter()
        .map(|k| k.expose().trim().to_owned())
        .collect();
    if let Some(path) = &args.gateway_api_keys_file {
        keys.extend(read_keys_file(path)?);
    }
    ApiKeys::new(keys.iter().filter(|k| !k.is_empty())).map_err(|_| {
        CliError::Usage(
            "serve needs at least one API key for its callers: give --gateway-api-key, set \
             ALTINN_GATEWAY_API_KEYS (comma separated) or --gateway-api-keys-file"
                .into(),
        )
    })
}

/// One key a line; blank lines and lines starting with `#` are skipped.
fn read_keys_file(path: &Path) -> Result<Vec<String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the API keys file {}: {e}",
            path.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

fn read_pem(what: &str, path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("cannot read {what} {}: {e}", path.display())))
}

fn tls(args: &ServeArgs) -> Result<Option<TlsConfig>, CliError> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let mut config = TlsConfig::new(
        read_pem("the TLS certificate", cert)?,
        read_pem("the TLS key", key)?,
    );
    if let Some(ca) = &args.client_ca {
        config = config.client_ca(read_pem("the client CA", ca)?);
    }
    Ok(Some(config))
}

/// What `serve` prints about itself in the machine formats.
#[derive(serde::Serialize)]
struct ServeInfo<'a> {
    #[serde(rename = "BaseUrl")]
    base_url: &'a str,
    #[serde(rename = "ApiKeys")]
    api_keys: usize,
    #[serde(rename = "ClientCertificates")]
    client_certificates: bool,
}

/// Runs the gateway until Ctrl-C.
pub(crate) async fn run(global: &Global, args: ServeArgs) -> Result<(), CliError> {
    let keys = api_keys(&args)?;
    let key_count = keys.len();
    let tls = tls(&args)?;
    let client_certificates = tls
        .as_ref()
        .is_some_and(TlsConfig::requires_client_certificate);
    if let Some(url) = &args.public_url {
        let parsed = altinn_contacts::Url::parse(url)
            .map_err(|e| CliError::Usage(format!("invalid --public-url {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(CliError::Usage(format!(
                "invalid --public-url {url:?}: it must be an http(s) URL with a host"
            )));
        }
    }
    // The backend first: a bad backend configuration ends the command before it listens.
    let backend = backend(global).await?;
    let mut gateway = Gateway::new(Arc::clone(&backend.api), keys);
    if let Some(url) = &args.public_url {
        gateway = gateway.public_url(url.clone());
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::failed(&format!("cannot listen on {}", args.listen), e))?;
    let server = altinn_contacts_server::serve(listener, gateway, tls).map_err(|e| match e {
        ServeError::Tls(_) => CliError::usage(e),
        e => CliError::failed("cannot start the gateway", e),
    })?;
    let base_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| server.base_url().to_owned());
    let info = ServeInfo {
        base_url: &base_url,
        api_keys: key_count,
        client_certificates,
    };
    if global.format == Format::Table {
        let text = format!(
            "Altinn 2 contact API gateway at {}/api/serviceowner/ ({} API key{} accepted{}).\n\
             Stop it with Ctrl-C.\n",
            info.base_url,
            key_count,
            if key_count == 1 { "" } else { "s" },
            if client_certificates {
                ", client certificates required"
            } else {
                ""
            }
        );
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(CliError::stdout)?;
    } else {
        crate::commands::print_all(global, Kind::Serve, Shape::One, [&info])?;
    }
    let stopped = server.run_until(tokio::signal::ctrl_c()).await;
    drop(backend);
    stopped.map_err(|e| CliError::failed("waiting for Ctrl-C", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_flags_and_a_file() {
        let dir = std::env::temp_dir().join(format!("h13-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("keys");
        std::fs::write(&file, "# callers\n\nsystem-b-key\n  system-c-key  \n").unwrap();
        let args = ServeArgs::for_test(vec!["system-a-key".into()], Some(file.clone()));
        let keys = api_keys(&args).unwrap();
        assert_eq!(keys.len(), 3);
        assert!(keys.accepts(b"system-c-key"));
        assert!(!format!("{keys:?}").contains("system"));
        let none = ServeArgs::for_test(Vec::new(), None);
        assert!(matches!(api_keys(&none), Err(CliError::Usage(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
