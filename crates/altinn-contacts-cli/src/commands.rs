//! The commands: validate what was typed, connect, call, print.
//!
//! Every command parses its arguments into validated identifiers *before* it connects, so
//! invalid input exits with code 2 and nothing is sent.

use std::io::{self, Write};

use altinn_contacts::{
    Certificate, Client, ConfigBuilderExt, ConfigError, ContactPointSearch, Environment, Expand,
    Identity, OrderBy, OrganizationNumber, OrganizationsQuery, PersonId, PersonalContactsFilter,
    RetryPolicy,
};
use altinn_contacts_sandbox::Sandbox;
use futures::StreamExt;
use serde::Serialize;

use crate::args::{
    Cli, Command, EnvName, Format, Global, OrderByArg, OrganizationsArgs, PersonalContactsArgs,
    SandboxArgs, SearchArgs,
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
        Command::Bulk(command) => crate::bulk::run(&global, command).await,
        Command::Completions { shell } => crate::completions::run(shell),
    }
}

/// A client, and the embedded sandbox it talks to when `--sandbox` was given (kept alive as
/// long as the client is used).
pub(crate) struct Connection {
    pub(crate) client: Client,
    _sandbox: Option<Sandbox>,
}

/// Builds the client from the global options; `pool` is the idle connections to keep (bulk).
pub(crate) async fn connect(global: &Global, pool: Option<usize>) -> Result<Connection, CliError> {
    let mut builder = Client::builder();
    let mut sandbox = None;
    if global.sandbox {
        // The embedded sandbox stands in for Altinn: its own URL and key, no certificate.
        let started = Sandbox::builder()
            .start()
            .await
            .map_err(|e| CliError::failed("cannot start the embedded sandbox", e))?;
        builder = builder
            .base_url(started.base_url())
            .api_key(started.api_key());
        sandbox = Some(started);
    } else {
        let key = global.api_key.as_ref().ok_or_else(|| {
            CliError::Usage(
                "no API key: give --api-key or set ALTINN_API_KEY (or use --sandbox)".into(),
            )
        })?;
        builder = builder.api_key(key.expose()).environment(match global.env {
            EnvName::Production => Environment::Production,
            EnvName::Tt02 => Environment::Tt02,
        });
        if let Some(url) = &global.base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(path) = &global.cert {
            let password = global.cert_password.as_ref().map(|p| p.expose());
            let identity = Identity::from_file(path, password).map_err(CliError::usage)?;
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
    let client = builder.build_client().map_err(|e| match e {
        ConfigError::InsecureHttp { .. } => CliError::Usage(format!(
            "{e} (the CLI's switch is --danger-allow-insecure-http)"
        )),
        e => CliError::usage(e),
    })?;
    Ok(Connection {
        client,
        _sandbox: sandbox,
    })
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

fn print_all<T: Serialize>(
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

/// What `sandbox` prints about itself in the machine formats.
#[derive(Serialize)]
struct SandboxInfo<'a> {
    #[serde(rename = "BaseUrl")]
    base_url: &'a str,
    #[serde(rename = "ApiKey")]
    api_key: &'a str,
    #[serde(rename = "Organizations")]
    organizations: usize,
}

async fn sandbox(global: &Global, args: SandboxArgs) -> Result<(), CliError> {
    let mut builder = Sandbox::builder().listen(args.listen);
    if let Some(n) = args.organizations {
        builder = builder.organizations(n);
    }
    let sandbox = builder.start().await.map_err(|e| match e {
        // A value the user typed (too many organizations) is invalid input: exit 2.
        altinn_contacts_sandbox::Error::Config(_) => CliError::usage(e),
        e => CliError::failed("cannot start the sandbox", e),
    })?;
    let info = SandboxInfo {
        base_url: sandbox.base_url(),
        api_key: sandbox.api_key(),
        organizations: sandbox.organization_count(),
    };
    if global.format == Format::Table {
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "Altinn sandbox at {} (API key: {}), {} organizations.\n\
             Try:  altinn-contacts --base-url {} --api-key {} official-contacts 910021451\n\
             Stop it with Ctrl-C.",
            info.base_url, info.api_key, info.organizations, info.base_url, info.api_key
        )
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
