//! The commands: validate what was typed, connect, call, print.
//!
//! Every command parses its arguments into validated identifiers *before* it connects, so
//! invalid input exits with code 2 and nothing is sent.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use altinn_contacts::{
    Certificate, Client, ConfigError, ContactPointSearch, ContactsApi, Environment, Expand,
    Identity, MaskinportenTokenProvider, OrderBy, OrganizationNumber, OrganizationsQuery, PersonId,
    PersonalContactsFilter, ReqwestContactsApi, RetryPolicy, SecretString, TokenError,
    TokenProvider,
};
use altinn_contacts_altinn3::{Altinn3Api, BuildError, OfficialContactsSource};
use altinn_contacts_sandbox::test_pki::{TestCa, TestIdentity};
use altinn_contacts_sandbox::{MaskinportenConfig, Sandbox};
use futures::StreamExt;
use serde::Serialize;

use crate::args::{
    BackendName, Cli, Command, ConfigCommand, EnvName, Format, Global, OrderByArg,
    OrganizationsArgs, PersonalContactsArgs, SandboxArgs, SearchArgs, SourceName,
};
use crate::error::CliError;
use crate::output::{Kind, Printer, Shape};

/// Runs the command line.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let Cli { global, command } = cli;
    match command {
        Command::Organizations(args) => organizations(&global, args).await,
        Command::Search(args) => search(&global, args).await,
        Command::Organization { orgnr } => {
            let org = parse_org(&orgnr)?;
            let conn = connect(&global, None).await?;
            let found = conn.client.organization(&org, Expand::None).await?;
            print_all(
                &global,
                Kind::Organization { expanded: false },
                Shape::One,
                [found],
            )
        }
        Command::OfficialContacts { orgnr } => {
            let org = parse_org(&orgnr)?;
            let conn = connect(&global, None).await?;
            let list = conn.client.official_contacts(&org).await?;
            if let Some(origin) = &list.address_origin
                && origin.as_str() != org.as_str()
            {
                // A sub-unit answered with its main unit's addresses (the Altinn 3 services and
                // the gateway over them): the user must know whose addresses these are.
                eprintln!(
                    "note: {org} has no addresses of its own; these are its main unit {origin}'s"
                );
            }
            print_all(
                &global,
                Kind::OfficialContact,
                Shape::List,
                list.into_items(),
            )
        }
        Command::PersonalContacts(args) => personal_contacts(&global, args).await,
        Command::Roles { orgnr, person_id } => {
            let org = parse_org(&orgnr)?;
            let person: PersonId = person_id.parse().map_err(CliError::usage)?;
            let conn = connect(&global, None).await?;
            let list = conn.client.roles(&org, &person).await?;
            print_all(&global, Kind::Role, Shape::List, list.into_items())
        }
        Command::Sandbox(args) => sandbox(&global, args).await,
        Command::Serve(args) => crate::serve::run(&global, args).await,
        Command::Bulk(command) => crate::bulk::run(&global, command).await,
        Command::Completions { shell } => crate::completions::run(shell),
        Command::Config(ConfigCommand::Show) => crate::profile::show(&global),
        Command::Doctor => crate::doctor::run(&global).await,
    }
}

/// The backend every command talks to, picked at run time by `--backend`.
pub(crate) type Api = Arc<dyn ContactsApi>;

/// A client over the chosen backend, and the embedded sandbox it talks to when `--sandbox` was
/// given (kept alive as long as the client is used).
pub(crate) struct Connection {
    pub(crate) client: Client<Api>,
    /// The Altinn 2 transport itself, for what only it has (`doctor`'s probe); `None` on altinn3.
    pub(crate) altinn2: Option<ReqwestContactsApi>,
    _sandbox: Option<Sandbox>,
}

/// Builds the client of `--backend` from the global options; `pool` is the idle connections
/// to keep (bulk, altinn2).
pub(crate) async fn connect(global: &Global, pool: Option<usize>) -> Result<Connection, CliError> {
    match global.backend {
        BackendName::Altinn2 => connect_altinn2(global, pool).await,
        BackendName::Altinn3 => connect_altinn3(global).await,
    }
}

/// The Altinn 2 client; `pool` is the idle connections to keep (bulk).
///
/// With Maskinporten on (`--maskinporten-client-id`), the first token is fetched here, before
/// any API request: a refused grant ends the command with Maskinporten's error and nothing is
/// sent to the API.
async fn connect_altinn2(global: &Global, pool: Option<usize>) -> Result<Connection, CliError> {
    let mut builder = Client::builder();
    let mut sandbox = None;
    let mp = &global.maskinporten;
    let mut maskinporten = None;
    if global.sandbox {
        // The embedded sandbox stands in for Altinn: its own URL and key, no certificate; with
        // Maskinporten, for Maskinporten too (a test certificate when no --cert is given).
        let mut sandbox_builder = Sandbox::builder();
        let mut identity = None;
        if let Some(client_id) = &mp.maskinporten_client_id {
            let (config, id) = sandbox_maskinporten(global, client_id)?;
            sandbox_builder = sandbox_builder.maskinporten(config);
            identity = id;
        }
        let started = sandbox_builder
            .start()
            .await
            .map_err(|e| CliError::failed("cannot start the embedded sandbox", e))?;
        builder = builder
            .base_url(started.base_url())
            .api_key(started.api_key());
        if mp.maskinporten_client_id.is_some() {
            let issuer = started.maskinporten_issuer();
            let exchange = started.exchange_url();
            let issuer = mp.maskinporten_url.clone().or(issuer);
            let exchange = mp.exchange_url.clone().or(exchange);
            maskinporten = Some(maskinporten_provider(
                global,
                identity,
                issuer.as_deref(),
                exchange.as_deref(),
            )?);
        }
        sandbox = Some(started);
    } else {
        let key = global.api_key.as_ref().ok_or_else(|| {
            CliError::Usage(
                "no API key: give --api-key or set ALTINN_API_KEY (or use --sandbox)".into(),
            )
        })?;
        builder = builder
            .api_key(key.expose())
            .environment(environment(global));
        if let Some(url) = &global.base_url {
            builder = builder.base_url(url.clone());
        }
        let identity = match &global.cert {
            Some(path) => {
                let password = global.cert_password.as_ref().map(|p| p.expose());
                Some(Identity::from_file(path, password).map_err(CliError::usage)?)
            }
            None => None,
        };
        if mp.maskinporten_client_id.is_some() {
            // The certificate signs the grant; it is not presented in TLS (and so no
            // ForceEIAuthentication is sent).
            maskinporten = Some(maskinporten_provider(
                global,
                identity,
                mp.maskinporten_url.as_deref(),
                mp.exchange_url.as_deref(),
            )?);
        } else if let Some(identity) = identity {
            builder = builder.certificate(identity);
        }
        if let Some(token) = &global.token {
            builder = builder.bearer_token(token.expose());
        }
        if let Some(path) = &global.ca_cert {
            builder = builder
                .add_root_certificate(Certificate::from_file(path).map_err(CliError::usage)?);
        }
    }
    if let Some(provider) = &maskinporten {
        builder = builder.token_provider(Arc::new(provider.clone()));
    }
    if let Some(timeout) = global.timeout {
        builder = builder.request_timeout(timeout);
    }
    if let Some(retries) = global.retries {
        builder = builder.retry(RetryPolicy::new().max_attempts(retries.saturating_add(1)));
    }
    if let Some(n) = pool {
        builder = builder.pool_max_idle_per_host(n);
    }
    if global.danger_allow_insecure_http {
        builder = builder.danger_allow_insecure_http(true);
    }
    let api = builder.build().map_err(config_error)?;
    if let Some(provider) = &maskinporten {
        first_token(provider).await?;
    }
    Ok(Connection {
        client: Client::from_api(Arc::new(api.clone())),
        altinn2: Some(api),
        _sandbox: sandbox,
    })
}

/// The altinn3 client: the Altinn token from Maskinporten with the Altinn exchange (or
/// `--token`), the certificate for KoFuVi, the subscription key and resource id as given.
/// Nothing else is required here: a call whose setting is missing fails naming it.
async fn connect_altinn3(global: &Global) -> Result<Connection, CliError> {
    // Altinn 2's own settings have no meaning here; saying so beats a run that silently goes
    // somewhere else than the user meant.
    if global.base_url.is_some() {
        eprintln!(
            "warning: --base-url (ALTINN_BASE_URL) is not used by --backend altinn3; \
             its URLs are --platform-url, --kofuvi-url and --enhetsregisteret-url"
        );
    }
    if global.api_key.is_some() {
        eprintln!(
            "warning: --api-key (ALTINN_API_KEY) is not used by --backend altinn3; \
             Altinn 3 takes a token and --subscription-key"
        );
    }
    let a3 = &global.altinn3;
    let mp = &global.maskinporten;
    let mut builder = Altinn3Api::builder()
        .environment(environment(global))
        .official_contacts_source(match a3.official_contacts_source {
            SourceName::Profile => OfficialContactsSource::Profile,
            SourceName::Kofuvi => OfficialContactsSource::Kofuvi,
        });
    let mut sandbox = None;
    let mut maskinporten = None;
    let identity = match &global.cert {
        Some(path) => {
            let password = global.cert_password.as_ref().map(|p| p.expose());
            Some(Identity::from_file(path, password).map_err(CliError::usage)?)
        }
        None => None,
    };
    if mp.maskinporten_client_id.is_some() && !mp.altinn_exchange {
        return Err(CliError::Usage(
            "--backend altinn3 needs an Altinn token, not a Maskinporten one: add \
             --altinn-exchange (or altinn_exchange = true in the profile)"
                .into(),
        ));
    }
    if global.sandbox {
        // The embedded sandbox stands in for every successor: its URLs, subscription key and
        // resource id unless given; its pre-issued Altinn token unless Maskinporten (with the
        // sandbox's exchange) or --token is asked for.
        let mut sandbox_builder = Sandbox::builder();
        let mut signer = None;
        if let Some(client_id) = &mp.maskinporten_client_id {
            let (config, id) = sandbox_maskinporten(global, client_id)?;
            sandbox_builder = sandbox_builder.maskinporten(config);
            signer = id;
        }
        let started = sandbox_builder
            .start()
            .await
            .map_err(|e| CliError::failed("cannot start the embedded sandbox", e))?;
        builder = builder
            .platform_url(started.platform_url())
            .kofuvi_url(started.kofuvi_url())
            .enhetsregisteret_url(started.enhetsregisteret_url())
            .resource_id(started.resource_id());
        if let Some(key) = started.subscription_key() {
            builder = builder.subscription_key(key);
        }
        if mp.maskinporten_client_id.is_some() {
            let issuer = mp
                .maskinporten_url
                .clone()
                .or(started.maskinporten_issuer());
            let exchange = mp
                .exchange_url
                .clone()
                .unwrap_or_else(|| started.successor_exchange_url());
            maskinporten = Some(maskinporten_provider(
                global,
                identity.clone().or(signer),
                issuer.as_deref(),
                Some(&exchange),
            )?);
        } else if global.token.is_none() {
            builder = builder.token_provider(Arc::new(StaticToken(SecretString::from(
                started.successor_token().to_owned(),
            ))));
        }
        sandbox = Some(started);
    } else if mp.maskinporten_client_id.is_some() {
        maskinporten = Some(maskinporten_provider(
            global,
            identity.clone(),
            mp.maskinporten_url.as_deref(),
            mp.exchange_url.as_deref(),
        )?);
    }
    if let Some(provider) = &maskinporten {
        builder = builder.token_provider(Arc::new(provider.clone()));
    } else if let Some(token) = &global.token {
        builder = builder.token_provider(Arc::new(StaticToken(SecretString::from(
            token.expose().to_owned(),
        ))));
    }
    // With --sandbox the sandbox's URLs stand (as --base-url is ignored on altinn2).
    if !global.sandbox {
        if let Some(url) = &a3.platform_url {
            builder = builder.platform_url(url.clone());
        }
        if let Some(url) = &a3.kofuvi_url {
            builder = builder.kofuvi_url(url.clone());
        }
        if let Some(url) = &a3.enhetsregisteret_url {
            builder = builder.enhetsregisteret_url(url.clone());
        }
    }
    if let Some(id) = &a3.resource_id {
        builder = builder.resource_id(id.clone());
    }
    if let Some(key) = &a3.subscription_key {
        builder = builder.subscription_key(key.expose());
    }
    if let Some(identity) = identity {
        builder = builder.identity(identity);
    }
    if let Some(path) = &global.ca_cert {
        builder =
            builder.add_root_certificate(Certificate::from_file(path).map_err(CliError::usage)?);
    }
    if let Some(timeout) = global.timeout {
        builder = builder.request_timeout(timeout);
    }
    if let Some(retries) = global.retries {
        builder = builder.retry(RetryPolicy::new().max_attempts(retries.saturating_add(1)));
    }
    if global.danger_allow_insecure_http {
        builder = builder.danger_allow_insecure_http(true);
    }
    let api = builder.build().map_err(build_error)?;
    if let Some(provider) = &maskinporten {
        first_token(provider).await?;
    }
    Ok(Connection {
        client: Client::from_api(Arc::new(api)),
        altinn2: None,
        _sandbox: sandbox,
    })
}

/// The scopes the altinn3 backend's Altinn token needs: Profile's correspondence lookups
/// (official and personal contacts) and Access Management's authorized parties (roles). Give
/// them with --maskinporten-scope; the embedded sandbox's Maskinporten grants them.
const ALTINN3_SCOPES: &str = "altinn:profile/correspondence.notificationsettings.read \
                              altinn:accessmanagement/authorizedparties.resourceowner";

fn build_error(e: BuildError) -> CliError {
    match e {
        BuildError::Transport(e) => config_error(e),
        e => CliError::usage(e),
    }
}

/// `--token` as the altinn3 backend's token provider (the altinn2 transport takes it as is).
struct StaticToken(SecretString);

#[async_trait::async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<SecretString, TokenError> {
        Ok(self.0.clone())
    }
}

fn environment(global: &Global) -> Environment {
    match global.env {
        EnvName::Production => Environment::Production,
        EnvName::Tt02 => Environment::Tt02,
    }
}

fn config_error(e: ConfigError) -> CliError {
    match e {
        ConfigError::InsecureHttp { .. } => CliError::Usage(format!(
            "{e} (the CLI's switch is --danger-allow-insecure-http)"
        )),
        e => CliError::usage(e),
    }
}

/// The Maskinporten token provider of the options: the grant signed with `identity` (the
/// certificate) or with `--maskinporten-key`; `issuer` and `exchange_url` override the
/// environment's.
pub(crate) fn maskinporten_provider(
    global: &Global,
    identity: Option<Identity>,
    issuer: Option<&str>,
    exchange_url: Option<&str>,
) -> Result<MaskinportenTokenProvider, CliError> {
    let mp = &global.maskinporten;
    let client_id = mp.maskinporten_client_id.as_deref().unwrap_or_default();
    // The default scope is Altinn 2's; the altinn3 backend's token needs the successors'.
    let default_scope = matches!(
        global.resolution.source("maskinporten_scope"),
        crate::profile::Source::Default | crate::profile::Source::Unset
    );
    let scope = if global.backend == BackendName::Altinn3 && default_scope {
        ALTINN3_SCOPES.to_owned()
    } else {
        mp.maskinporten_scope.clone()
    };
    let mut builder = MaskinportenTokenProvider::builder()
        .client_id(client_id)
        .scope(scope)
        .environment(environment(global))
        // The grant carries exactly aud, iss, scope, iat, exp and jti.
        .without_resource();
    if let Some(issuer) = issuer {
        builder = builder.issuer(issuer);
    }
    if mp.altinn_exchange {
        builder = builder.exchange(true);
        if let Some(url) = exchange_url {
            builder = builder.exchange_url(url);
        }
    }
    match (&mp.maskinporten_key, identity) {
        (Some(path), _) => {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::Usage(format!(
                    "cannot read the Maskinporten key {}: {e}",
                    path.display()
                ))
            })?;
            builder = builder.signing_key_pem(pem);
        }
        (None, Some(identity)) => builder = builder.identity(identity),
        (None, None) => {
            return Err(CliError::Usage(
                "Maskinporten needs a key to sign the grant: give --cert (its certificate is \
                 sent as x5c) or --maskinporten-key with --maskinporten-kid"
                    .into(),
            ));
        }
    }
    if let Some(kid) = &mp.maskinporten_kid {
        builder = builder.key_id(kid.clone());
    }
    if let Some(path) = &global.ca_cert {
        builder =
            builder.add_root_certificate(Certificate::from_file(path).map_err(CliError::usage)?);
    }
    if let Some(timeout) = global.timeout {
        builder = builder.timeout(timeout);
    }
    if global.danger_allow_insecure_http {
        builder = builder.danger_allow_insecure_http(true);
    }
    builder.build().map_err(config_error)
}

/// Fetches the first token. A refusal (a 4xx such as `invalid_grant`) ends the command before
/// any API request; a transient failure (5xx, 429, no connection) is left to the first call,
/// which retries it under the retry policy.
async fn first_token(provider: &MaskinportenTokenProvider) -> Result<(), CliError> {
    match provider.token().await {
        Ok(_) => Ok(()),
        Err(e) if e.is_transient() => {
            provider.clear();
            Ok(())
        }
        Err(e) => Err(CliError::Failed(e.to_string())),
    }
}

/// The sandbox's Maskinporten for `--sandbox`: it knows the client id and scope given, and the
/// key that signs: `--maskinporten-key` (registered under `--maskinporten-kid`), else `--cert`,
/// else a test certificate made now (returned as the identity to sign with).
fn sandbox_maskinporten(
    global: &Global,
    client_id: &str,
) -> Result<(MaskinportenConfig, Option<Identity>), CliError> {
    let mp = &global.maskinporten;
    let mut scopes: Vec<String> = mp
        .maskinporten_scope
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    scopes.push("altinn:serviceowner/organizations".to_owned());
    if global.backend == BackendName::Altinn3 {
        scopes.extend(ALTINN3_SCOPES.split_whitespace().map(str::to_owned));
    }
    let mut config = MaskinportenConfig::new(client_id).scopes(scopes);
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
    };
    let identity = match &global.cert {
        Some(path) => {
            let password = global.cert_password.as_ref().map(|p| p.expose());
            let identity = Identity::from_file(path, password).map_err(CliError::usage)?;
            if let (Some(kid), None) = (&mp.maskinporten_kid, &mp.maskinporten_key) {
                // The sandbox reads the certificate of a PEM file to register its key.
                config = config.registered_key(kid.clone(), read(path)?);
            }
            Some(identity)
        }
        None if mp.maskinporten_key.is_some() => None,
        None => {
            let ca = TestCa::new("altinn-contacts sandbox CA");
            let made = ca.client_identity();
            // As Maskinporten accepts only certificates from its CAs, the sandbox's accepts
            // only this one's.
            config = config.trusted_ca(ca.cert_pem().as_bytes().to_vec());
            if let Some(kid) = &mp.maskinporten_kid {
                config = config.registered_key(kid.clone(), made.cert_pem().as_bytes().to_vec());
            }
            Some(
                Identity::from_pem(made.cert_pem().as_bytes(), made.key_pem().as_bytes())
                    .map_err(|e| CliError::failed("cannot make a sandbox certificate", e))?,
            )
        }
    };
    if let (Some(path), Some(kid)) = (&mp.maskinporten_key, &mp.maskinporten_kid) {
        config = config.registered_key(kid.clone(), read(path)?);
    }
    Ok((config, identity))
}

pub(crate) fn parse_org(given: &str) -> Result<OrganizationNumber, CliError> {
    given.parse().map_err(CliError::usage)
}

fn printer(global: &Global, kind: Kind, shape: Shape) -> Printer<io::StdoutLock<'static>> {
    Printer::new(
        io::stdout().lock(),
        global.format,
        kind,
        shape,
        global.reveal_ssn,
    )
}

pub(crate) fn print_all<T: Serialize>(
    global: &Global,
    kind: Kind,
    shape: Shape,
    records: impl IntoIterator<Item = T>,
) -> Result<(), CliError> {
    let mut out = printer(global, kind, shape);
    for record in records {
        out.record(&record).map_err(CliError::stdout)?;
    }
    out.finish().map_err(CliError::stdout)
}

async fn organizations(global: &Global, args: OrganizationsArgs) -> Result<(), CliError> {
    let mut query = OrganizationsQuery::new();
    if let Some(code) = &args.type_code {
        query = query.organization_type(code.parse().map_err(CliError::usage)?);
    }
    if let Some(order) = args.order_by {
        query = query.order_by(match order {
            OrderByArg::Name => OrderBy::Name,
            OrderByArg::Number => OrderBy::OrganizationNumber,
        });
    }
    if let Some(top) = args.top {
        query = query.top(top);
    }
    if let Some(skip) = args.skip {
        query = query.skip(skip);
    }
    if args.with_official_contacts {
        query = query.with_official_contacts();
    }
    query.validate().map_err(CliError::usage)?;
    let kind = Kind::Organization {
        expanded: args.with_official_contacts,
    };
    let conn = connect(global, None).await?;
    if !args.all {
        let page = conn.client.organizations_page(&query).await?;
        return print_all(global, kind, Shape::List, page.into_items());
    }
    // Every page, printed as it arrives; on a failure, what came before stays well-formed.
    let mut stream = conn.client.organizations(query).stream();
    let mut out = printer(global, kind, Shape::List);
    let mut printed = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(org) => {
                out.record(&org).map_err(CliError::stdout)?;
                printed = true;
            }
            Err(e) => {
                if printed {
                    out.finish().map_err(CliError::stdout)?;
                }
                return Err(e.into());
            }
        }
    }
    out.finish().map_err(CliError::stdout)
}

async fn search(global: &Global, args: SearchArgs) -> Result<(), CliError> {
    let email = args
        .email
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(CliError::usage)?;
    let phone = args
        .phone
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(CliError::usage)?;
    let search = ContactPointSearch::new(email, phone).map_err(CliError::usage)?;
    let conn = connect(global, None).await?;
    let found = conn.client.search_organizations(&search).await?;
    print_all(
        global,
        Kind::Organization { expanded: false },
        Shape::List,
        found.into_items(),
    )
}

async fn personal_contacts(global: &Global, args: PersonalContactsArgs) -> Result<(), CliError> {
    let org = parse_org(&args.orgnr)?;
    let mut filter = PersonalContactsFilter::new();
    if let Some(role) = &args.role {
        filter = filter.role(role.parse().map_err(CliError::usage)?);
    }
    if let (Some(code), Some(edition)) = (&args.service_code, &args.service_edition) {
        filter = filter.service(
            code.parse().map_err(CliError::usage)?,
            edition.parse().map_err(CliError::usage)?,
        );
    }
    let conn = connect(global, None).await?;
    let list = conn.client.personal_contacts(&org, &filter).await?;
    print_all(
        global,
        Kind::PersonalContact,
        Shape::List,
        list.into_items(),
    )
}

/// What `sandbox` prints about itself in the machine formats (the Maskinporten fields only when
/// it serves Maskinporten).
#[derive(Serialize)]
struct SandboxInfo<'a> {
    #[serde(rename = "BaseUrl")]
    base_url: &'a str,
    #[serde(rename = "ApiKey")]
    api_key: &'a str,
    #[serde(rename = "Organizations")]
    organizations: usize,
    #[serde(rename = "MaskinportenIssuer", skip_serializing_if = "Option::is_none")]
    maskinporten_issuer: Option<String>,
    #[serde(
        rename = "MaskinportenClientId",
        skip_serializing_if = "Option::is_none"
    )]
    maskinporten_client_id: Option<&'a str>,
    #[serde(rename = "ExchangeUrl", skip_serializing_if = "Option::is_none")]
    exchange_url: Option<String>,
    #[serde(rename = "TestPki", skip_serializing_if = "Option::is_none")]
    test_pki: Option<String>,
}

/// The files `sandbox --write-test-pki DIR` writes.
const PKI_CA: &str = "ca.pem";
const PKI_P12: &str = "client.p12";
const PKI_PASSWORD: &str = "client.p12.password";
const PKI_PEM: &str = "client.pem";
const PKI_KEY: &str = "client-key.pem";

async fn sandbox(global: &Global, args: SandboxArgs) -> Result<(), CliError> {
    let mut builder = Sandbox::builder().listen(args.listen);
    if let Some(n) = args.organizations {
        builder = builder.organizations(n);
    }
    let served = sandbox_server_maskinporten(global, &args)?;
    let mut pki = None;
    if let Some(served) = &served {
        let (config, made) = sandbox_server_config(served, &args)?;
        builder = builder.maskinporten(config);
        pki = made;
    }
    let sandbox = builder.start().await.map_err(|e| match e {
        // A value the user typed (too many organizations, an unreadable key) is invalid
        // input: exit 2.
        altinn_contacts_sandbox::Error::Config(_) => CliError::usage(e),
        e => CliError::failed("cannot start the sandbox", e),
    })?;
    // Written once the sandbox runs, so a failed start leaves no key material behind.
    if let (Some(dir), Some((ca, identity))) = (&args.write_test_pki, &pki) {
        write_test_pki(dir, ca, identity)?;
    }
    let info = SandboxInfo {
        base_url: sandbox.base_url(),
        api_key: sandbox.api_key(),
        organizations: sandbox.organization_count(),
        maskinporten_issuer: sandbox.maskinporten_issuer(),
        maskinporten_client_id: served.as_ref().map(|m| m.client_id.as_str()),
        exchange_url: sandbox.exchange_url(),
        test_pki: args
            .write_test_pki
            .as_ref()
            .map(|d| d.display().to_string()),
    };
    if global.format == Format::Table {
        let mut text = format!(
            "Altinn sandbox at {} (API key: {}), {} organizations.\n",
            info.base_url, info.api_key, info.organizations
        );
        let mut try_line = format!(
            "altinn-contacts --base-url {} --api-key {}",
            info.base_url, info.api_key
        );
        if let (Some(issuer), Some(id)) = (&info.maskinporten_issuer, info.maskinporten_client_id) {
            let exchange = info.exchange_url.as_deref().unwrap_or_default();
            text.push_str(&format!(
                "Maskinporten issuer: {issuer} (client id {id}, token endpoint {issuer}token)\n\
                 Token exchange: {exchange}\n"
            ));
            let cert = match &info.test_pki {
                Some(dir) => {
                    let dir = Path::new(dir);
                    text.push_str(&format!(
                        "Test PKI written to {}: {PKI_CA}, {PKI_P12} (its password in \
                         {PKI_PASSWORD}), {PKI_PEM}, {PKI_KEY}\n",
                        dir.display()
                    ));
                    dir.join(PKI_PEM).display().to_string()
                }
                None => "YOUR-CERT".to_owned(),
            };
            try_line.push_str(&format!(
                " --maskinporten-url {issuer} --maskinporten-client-id {id} --cert {cert}"
            ));
        }
        text.push_str(&format!(
            "Try:  {try_line} official-contacts 910021451\nStop it with Ctrl-C.\n"
        ));
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(CliError::stdout)?;
    } else {
        print_all(global, Kind::Sandbox, Shape::One, [&info])?;
    }
    sandbox
        .run_until(tokio::signal::ctrl_c())
        .await
        .map_err(|e| CliError::failed("waiting for Ctrl-C", e))
}

/// The Maskinporten the `sandbox` command serves, from the flags and their environment
/// variables only (a profile describes a client, so its settings are not read here).
struct ServedMaskinporten {
    client_id: String,
    scope: Option<String>,
    kid: Option<String>,
    key: Option<std::path::PathBuf>,
}

/// The `sandbox` command's Maskinporten options, when `--maskinporten-client-id` turns it on.
/// Options the sandbox cannot use are refused (exit 2), not ignored.
fn sandbox_server_maskinporten(
    global: &Global,
    args: &SandboxArgs,
) -> Result<Option<ServedMaskinporten>, CliError> {
    use crate::profile::Source;
    let typed = |id: &str| matches!(global.resolution.source(id), Source::Flag | Source::Env(_));
    for (id, flag) in [
        ("maskinporten_url", "--maskinporten-url"),
        ("altinn_exchange", "--altinn-exchange"),
        ("exchange_url", "--exchange-url"),
    ] {
        if typed(id) {
            return Err(CliError::Usage(format!(
                "the sandbox command does not take {flag}: it serves its own Maskinporten issuer \
                 and token exchange (printed when it starts); give {flag} to the client"
            )));
        }
    }
    let mp = &global.maskinporten;
    let client_id = typed("maskinporten_client_id")
        .then(|| mp.maskinporten_client_id.clone())
        .flatten();
    let Some(client_id) = client_id else {
        for (id, flag) in [
            ("maskinporten_scope", "--maskinporten-scope"),
            ("maskinporten_kid", "--maskinporten-kid"),
            ("maskinporten_key", "--maskinporten-key"),
        ] {
            if typed(id) {
                return Err(CliError::Usage(format!(
                    "{flag} needs --maskinporten-client-id (the client the sandbox's \
                     Maskinporten serves)"
                )));
            }
        }
        if args.write_test_pki.is_some() {
            return Err(CliError::Usage(
                "--write-test-pki needs --maskinporten-client-id (the test PKI is for the \
                 sandbox's Maskinporten)"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let served = ServedMaskinporten {
        client_id,
        scope: typed("maskinporten_scope").then(|| mp.maskinporten_scope.clone()),
        kid: typed("maskinporten_kid")
            .then(|| mp.maskinporten_kid.clone())
            .flatten(),
        key: typed("maskinporten_key")
            .then(|| mp.maskinporten_key.clone())
            .flatten(),
    };
    if served.kid.is_some() && served.key.is_none() && args.write_test_pki.is_none() {
        return Err(CliError::Usage(
            "--maskinporten-kid needs the key to register under it: --maskinporten-key PEM (a \
             certificate, public or private key) or --write-test-pki DIR (its client key)"
                .into(),
        ));
    }
    if served.key.is_some() && served.kid.is_none() {
        return Err(CliError::Usage(
            "--maskinporten-key needs --maskinporten-kid (the id to register the key under)".into(),
        ));
    }
    Ok(Some(served))
}

/// What the `sandbox` command's Maskinporten accepts: grants from the client id for
/// `altinn:serviceowner/organizations` and the scopes of `--maskinporten-scope`; with
/// `--write-test-pki`, only `x5c` certificates of a CA made now (returned with its client
/// identity, to be written), else any certificate whose key signed the grant; and
/// `--maskinporten-key` (or the test client's key) under `--maskinporten-kid`.
fn sandbox_server_config(
    served: &ServedMaskinporten,
    args: &SandboxArgs,
) -> Result<(MaskinportenConfig, Option<(TestCa, TestIdentity)>), CliError> {
    let mut scopes: Vec<String> = served
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    scopes.push("altinn:serviceowner/organizations".to_owned());
    let mut config = MaskinportenConfig::new(served.client_id.clone()).scopes(scopes);
    let mut pki = None;
    if args.write_test_pki.is_some() {
        let ca = TestCa::new("altinn-contacts sandbox CA");
        let identity = ca.client_identity();
        config = config.trusted_ca(ca.cert_pem().as_bytes().to_vec());
        pki = Some((ca, identity));
    }
    if let Some(kid) = &served.kid {
        let key = match (&served.key, &pki) {
            (Some(path), _) => std::fs::read(path)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?,
            (None, Some((_, identity))) => identity.cert_pem().as_bytes().to_vec(),
            // Refused by sandbox_server_maskinporten already.
            (None, None) => {
                return Err(CliError::Usage(
                    "--maskinporten-kid needs --maskinporten-key or --write-test-pki".into(),
                ));
            }
        };
        config = config.registered_key(kid.clone(), key);
    }
    Ok((config, pki))
}

/// Writes the test PKI to `dir`: the CA certificate world-readable, the key, the archive and its
/// password readable by the owner only.
fn write_test_pki(dir: &Path, ca: &TestCa, identity: &TestIdentity) -> Result<(), CliError> {
    let fail = |what: &Path, e: io::Error| {
        CliError::Failed(format!(
            "cannot write the test PKI to {}: {e}",
            what.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    // A throwaway password for a throwaway certificate; it only has to differ between runs.
    let password: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(24)
        .collect();
    let files: [(&str, Vec<u8>, bool); 5] = [
        (PKI_CA, ca.cert_pem().as_bytes().to_vec(), false),
        (PKI_P12, identity.pkcs12(&password), true),
        (PKI_PASSWORD, password.as_bytes().to_vec(), true),
        (
            PKI_PEM,
            format!("{}{}", identity.chain_pem(), identity.key_pem()).into_bytes(),
            true,
        ),
        (PKI_KEY, identity.key_pem().as_bytes().to_vec(), true),
    ];
    for (name, bytes, private) in files {
        let path = dir.join(name);
        write_file(&path, &bytes, private).map_err(|e| fail(&path, e))?;
    }
    Ok(())
}

/// Writes `bytes` to `path`, replacing it; `private` files get mode 0600 (also when the file
/// existed with a wider mode).
fn write_file(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        // Narrowed before anything secret is written into an existing file.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn provider_debug(args: &[&str]) -> String {
        let cli = Cli::try_parse_from(
            ["altinn-contacts"]
                .iter()
                .chain(args)
                .chain(&["organization", "910021451"]),
        )
        .unwrap();
        let made = TestCa::new("unit test CA").client_identity();
        let identity =
            Identity::from_pem(made.cert_pem().as_bytes(), made.key_pem().as_bytes()).unwrap();
        let mp = &cli.global.maskinporten;
        let provider = maskinporten_provider(
            &cli.global,
            Some(identity),
            mp.maskinporten_url.as_deref(),
            mp.exchange_url.as_deref(),
        )
        .unwrap();
        format!("{provider:?}")
    }

    #[test]
    fn the_issuer_follows_the_environment_unless_given() {
        let prod = provider_debug(&["--maskinporten-client-id", "c"]);
        assert!(
            prod.contains(r#"audience: "https://maskinporten.no/""#),
            "{prod}"
        );
        assert!(
            prod.contains(r#"token_url: "https://maskinporten.no/token""#),
            "{prod}"
        );
        assert!(
            prod.contains(r#"scope: "altinn:serviceowner/organizations""#),
            "{prod}"
        );
        assert!(prod.contains("resource: None"), "{prod}");
        assert!(prod.contains("exchange_url: None"), "{prod}");
        assert!(prod.contains("key_id: None"), "{prod}");
        let tt02 = provider_debug(&["--env", "tt02", "--maskinporten-client-id", "c"]);
        assert!(
            tt02.contains(r#"audience: "https://test.maskinporten.no/""#),
            "{tt02}"
        );
        assert!(
            tt02.contains(r#"token_url: "https://test.maskinporten.no/token""#),
            "{tt02}"
        );
        let given = provider_debug(&[
            "--env",
            "tt02",
            "--maskinporten-client-id",
            "c",
            "--maskinporten-url",
            "https://mp.example.invalid//",
            "--maskinporten-scope",
            "altinn:serviceowner",
            "--maskinporten-kid",
            "kid-1",
            "--altinn-exchange",
        ]);
        assert!(
            given.contains(r#"audience: "https://mp.example.invalid/""#),
            "{given}"
        );
        assert!(
            given.contains(r#"token_url: "https://mp.example.invalid/token""#),
            "{given}"
        );
        assert!(given.contains(r#"scope: "altinn:serviceowner""#), "{given}");
        assert!(given.contains(r#"key_id: Some("kid-1")"#), "{given}");
        assert!(
            given.contains(
                "https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten"
            ),
            "{given}"
        );
        assert!(!given.contains("PRIVATE"), "{given}");
    }
}
