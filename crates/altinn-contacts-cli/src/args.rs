//! The command line: commands, options and their environment variables (clap derive).
//!
//! Values are kept as typed here and validated in [`crate::commands`], so a bad organization
//! number gets the same one-line `error:` and exit code 2 as any other invalid input.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// Look up contact information of Norwegian organizations in Altinn (ServiceOwner API).
///
/// Try it without credentials against the embedded sandbox:
///   altinn-contacts --sandbox official-contacts 910021451
#[derive(Debug, Parser)]
#[command(name = "altinn-contacts", version, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

const AFTER_HELP: &str = "\
Exit codes: 0 success; 1 API, transport or decode error (bulk: an error line in the output);
2 usage error or invalid input, before any request; 3 the backend has no way to make the call
(--backend altinn3: a call of Altinn 2 with no successor, named in the error line).

Examples:
  altinn-contacts --sandbox official-contacts 910021451
  altinn-contacts --sandbox --backend altinn3 official-contacts 910021451
  ALTINN_API_KEY=... ALTINN_CERT=virksomhet.p12 ALTINN_CERT_PASSWORD=... \\
    altinn-contacts --env tt02 --format json personal-contacts 910021451";

/// The `--help` heading of the options every command takes.
pub(crate) const GLOBAL_HEADING: &str = "Global options";

/// Options every command takes. They are listed under their own heading in every `--help`,
/// after the command's own options.
#[derive(Debug, Args)]
#[command(next_help_heading = GLOBAL_HEADING)]
pub(crate) struct Global {
    /// Altinn environment.
    #[arg(long = "env", value_enum, env = "ALTINN_ENV", default_value_t = EnvName::Production, global = true)]
    pub(crate) env: EnvName,

    /// Which services answer: altinn2 (the ServiceOwner API at --base-url / --env) or altinn3
    /// (its successors: Altinn 3 Profile and Access Management, Brønnøysund's KoFuVi and
    /// Enhetsregisteret; see the "Altinn 3 backend" options). A call with no successor fails
    /// with exit code 3.
    #[arg(long, value_enum, env = "ALTINN_BACKEND", default_value_t = BackendName::Altinn2, global = true)]
    pub(crate) backend: BackendName,

    /// Base URL instead of the environment's (e.g. a local sandbox).
    #[arg(long, env = "ALTINN_BASE_URL", value_name = "URL", global = true)]
    pub(crate) base_url: Option<String>,

    /// The service owner's API key (prefer the environment variable: arguments show in `ps`).
    #[arg(
        long,
        env = "ALTINN_API_KEY",
        value_name = "KEY",
        hide_env_values = true,
        global = true
    )]
    pub(crate) api_key: Option<Secret>,

    /// Enterprise certificate: a PKCS#12 file (.p12/.pfx) or a PEM file with certificate and key.
    #[arg(long, env = "ALTINN_CERT", value_name = "PATH", global = true)]
    pub(crate) cert: Option<PathBuf>,

    /// Password of the PKCS#12 certificate file.
    #[arg(
        long,
        env = "ALTINN_CERT_PASSWORD",
        value_name = "PW",
        hide_env_values = true,
        global = true
    )]
    pub(crate) cert_password: Option<Secret>,

    /// Bearer token (Maskinporten or Altinn token) instead of or besides a certificate.
    #[arg(
        long,
        env = "ALTINN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub(crate) token: Option<Secret>,

    /// Extra trusted root certificate(s), PEM.
    #[arg(long, env = "ALTINN_CA_CERT", value_name = "PATH", global = true)]
    pub(crate) ca_cert: Option<PathBuf>,

    /// DANGEROUS: allow an http:// base URL for a host other than this machine; the API key and
    /// token then cross the network in clear text. Without it, http is refused (exit 2) unless the
    /// host is 127.0.0.0/8, ::1 or localhost.
    #[arg(long, env = "ALTINN_DANGER_ALLOW_INSECURE_HTTP", global = true)]
    pub(crate) danger_allow_insecure_http: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub(crate) format: Format,

    /// Timeout of each request attempt, in seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, global = true)]
    pub(crate) timeout: Option<Duration>,

    /// How many times a transient failure (503, 429, timeout ...) is retried.
    #[arg(long, value_name = "N", global = true)]
    pub(crate) retries: Option<u32>,

    /// Log each request (method, path, status, time) to stderr; twice for more detail.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// Start the embedded sandbox on loopback and use it (no key or certificate needed).
    #[arg(long, global = true)]
    pub(crate) sandbox: bool,

    /// Show national identity numbers in table output (masked by default).
    #[arg(long, global = true)]
    pub(crate) reveal_ssn: bool,

    /// The config file with the profiles [default: $XDG_CONFIG_HOME/altinn-contacts/config.toml,
    /// else ~/.config/altinn-contacts/config.toml].
    #[arg(long, env = "ALTINN_CONFIG", value_name = "PATH", global = true)]
    pub(crate) config: Option<PathBuf>,

    /// The profile of the config file to use [default: the file's `profile = "NAME"`, else a
    /// profile named `default`]. Flags and environment variables override its settings.
    #[arg(long, env = "ALTINN_PROFILE", value_name = "NAME", global = true)]
    pub(crate) profile: Option<String>,

    #[command(flatten)]
    pub(crate) maskinporten: MaskinportenArgs,

    #[command(flatten)]
    pub(crate) altinn3: Altinn3Args,

    /// The settings' sources, filled in by [`crate::profile::apply`].
    #[arg(skip)]
    pub(crate) resolution: crate::profile::Resolution,
}

/// Maskinporten: a token fetched with a grant signed by the certificate's key (or a registered
/// key), instead of presenting the certificate in TLS.
#[derive(Debug, Args)]
pub(crate) struct MaskinportenArgs {
    /// Get tokens from Maskinporten as this client (turns Maskinporten on). The grant is signed
    /// with the --cert key (the certificate goes in its x5c header) unless --maskinporten-key is
    /// given; API calls then carry the token, and the certificate is not presented in TLS.
    #[arg(
        long,
        env = "ALTINN_MASKINPORTEN_CLIENT_ID",
        value_name = "ID",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) maskinporten_client_id: Option<String>,

    /// Scope(s) asked for, space separated [with --backend altinn3 the default is
    /// altinn:profile/correspondence.notificationsettings.read
    /// altinn:accessmanagement/authorizedparties.resourceowner].
    #[arg(
        long,
        env = "ALTINN_MASKINPORTEN_SCOPE",
        value_name = "SCOPE",
        default_value = "altinn:serviceowner/organizations",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) maskinporten_scope: String,

    /// Maskinporten's issuer URL [default: https://maskinporten.no/, with --env tt02
    /// https://test.maskinporten.no/]; the grant's aud, tokens from <URL>/token.
    #[arg(
        long,
        env = "ALTINN_MASKINPORTEN_URL",
        value_name = "URL",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) maskinporten_url: Option<String>,

    /// Sign the grant with this private key (PEM) registered on the client, instead of the
    /// certificate's key; needs --maskinporten-kid. (This pair, --exchange-url with
    /// --altinn-exchange and Maskinporten without --token are checked after the profile is
    /// merged, in `profile::apply`, so a profile can complete what the command line started.)
    #[arg(
        long,
        env = "ALTINN_MASKINPORTEN_KEY",
        value_name = "PEM",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) maskinporten_key: Option<PathBuf>,

    /// The id the signing key is registered under (grant header kid, no x5c).
    #[arg(
        long,
        env = "ALTINN_MASKINPORTEN_KID",
        value_name = "KID",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) maskinporten_kid: Option<String>,

    /// Trade the Maskinporten token for an Altinn token at the environment's exchange endpoint.
    #[arg(long, global = true, help_heading = "Maskinporten")]
    pub(crate) altinn_exchange: bool,

    /// The token exchange endpoint instead of the environment's.
    #[arg(
        long,
        env = "ALTINN_EXCHANGE_URL",
        value_name = "URL",
        global = true,
        help_heading = "Maskinporten"
    )]
    pub(crate) exchange_url: Option<String>,
}

/// The settings of `--backend altinn3` (ignored by altinn2). Its Altinn token comes from the
/// Maskinporten options with --altinn-exchange (or --token), the enterprise certificate for
/// KoFuVi from --cert.
#[derive(Debug, Args)]
pub(crate) struct Altinn3Args {
    /// Where official contacts come from: profile (Altinn 3 Profile's notification addresses,
    /// many organizations per request) or kofuvi (Brønnøysund's KoFuVi, enterprise certificate
    /// in TLS, for public-sector callers; one organization per request).
    #[arg(
        long,
        value_enum,
        env = "ALTINN_OFFICIAL_CONTACTS_SOURCE",
        default_value_t = SourceName::Profile,
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) official_contacts_source: SourceName,

    /// The Altinn 3 resource id personal contacts are looked up for (the Profile
    /// contact-point lookup takes one; `urn:altinn:resource:` may be left out).
    #[arg(
        long,
        env = "ALTINN_RESOURCE_ID",
        value_name = "ID",
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) resource_id: Option<String>,

    /// The platform's API Management subscription key (Ocp-Apim-Subscription-Key); prefer the
    /// environment variable: arguments show in `ps`.
    #[arg(
        long,
        env = "ALTINN_SUBSCRIPTION_KEY",
        value_name = "KEY",
        hide_env_values = true,
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) subscription_key: Option<Secret>,

    /// Altinn 3 platform (Profile, Access Management) instead of the environment's
    /// [production https://platform.altinn.no, tt02 https://platform.tt02.altinn.no].
    #[arg(
        long,
        env = "ALTINN_PLATFORM_URL",
        value_name = "URL",
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) platform_url: Option<String>,

    /// KoFuVi instead of the environment's.
    #[arg(
        long,
        env = "ALTINN_KOFUVI_URL",
        value_name = "URL",
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) kofuvi_url: Option<String>,

    /// Enhetsregisteret's open API instead of the environment's.
    #[arg(
        long,
        env = "ALTINN_ENHETSREGISTERET_URL",
        value_name = "URL",
        global = true,
        help_heading = "Altinn 3 backend"
    )]
    pub(crate) enhetsregisteret_url: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List organizations (one page, or every page with --all).
    Organizations(OrganizationsArgs),
    /// Find organizations by an official or personal contact point.
    Search(SearchArgs),
    /// Show one organization.
    Organization {
        /// Organization number (nine digits).
        #[arg(value_name = "ORGNR")]
        orgnr: String,
    },
    /// Official contact points of an organization.
    OfficialContacts {
        /// Organization number (nine digits).
        #[arg(value_name = "ORGNR")]
        orgnr: String,
    },
    /// Personal contact points registered for an organization.
    PersonalContacts(PersonalContactsArgs),
    /// Roles a person holds for an organization.
    Roles {
        /// Organization number (nine digits).
        #[arg(value_name = "ORGNR")]
        orgnr: String,
        /// The person's id: `r` and digits (a personal contact's PersonalContactId, altinn2),
        /// `u` and digits (an Altinn 3 user id) or a national identity number (altinn3).
        #[arg(value_name = "PERSON_ID")]
        person_id: String,
    },
    /// Run the embedded sandbox until Ctrl-C, printing its base URL and API key (with
    /// --maskinporten-client-id also its Maskinporten issuer and token exchange URLs).
    Sandbox(SandboxArgs),
    /// Serve the Altinn 2 contact API (same paths, OData options, HAL+JSON, errors) over the
    /// backend the global options describe, until Ctrl-C: a gateway for systems that can change
    /// only their base URL.
    ///
    /// Callers authenticate with an ApiKey header holding one of the keys given here; their key
    /// is never sent on: the backend uses its own credentials (--api-key, --cert, Maskinporten,
    /// or --sandbox). Prints its base URL.
    Serve(ServeArgs),
    /// Look up many organizations from a file; JSON Lines out, one line per number.
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// Check the setup: certificate, trust, clock, base URL, API key, Maskinporten.
    ///
    /// One line per check, marked passed (a check mark), warning (!), failed (a cross, with the
    /// fix) or skipped (a dash).
    /// Exit code 0 when nothing failed, else 1. Never prints a secret.
    Doctor,
    /// Print a shell completion script to standard output.
    ///
    /// bash:        altinn-contacts completions bash > ~/.local/share/bash-completion/completions/altinn-contacts
    /// zsh:         altinn-contacts completions zsh > "${fpath[1]}/_altinn-contacts"
    /// fish:        altinn-contacts completions fish > ~/.config/fish/completions/altinn-contacts.fish
    /// PowerShell:  altinn-contacts completions powershell >> $PROFILE
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// The config file and its profiles.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `config`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the resolved settings, one a line, each with where it came from (flag, env,
    /// profile, default); secrets masked.
    Show,
}

/// `organizations`.
#[derive(Debug, Args)]
pub(crate) struct OrganizationsArgs {
    /// Only organizations of this organisation form (AS, ENK, NUF ...).
    #[arg(long = "type", value_name = "CODE")]
    pub(crate) type_code: Option<String>,
    /// Sort order.
    #[arg(long, value_enum)]
    pub(crate) order_by: Option<OrderByArg>,
    /// Page size (1 to 1000); with --all, the size of each page.
    #[arg(long, value_name = "N")]
    pub(crate) top: Option<u32>,
    /// Organizations to skip; with --all, where the first page starts.
    #[arg(long, value_name = "N")]
    pub(crate) skip: Option<u64>,
    /// Every page, not just one.
    #[arg(long)]
    pub(crate) all: bool,
    /// Embed each organization's official contacts.
    #[arg(long)]
    pub(crate) with_official_contacts: bool,
}

/// `search`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("contact-point").required(true).multiple(true).args(["email", "phone"])))]
pub(crate) struct SearchArgs {
    /// E-mail address to search for.
    #[arg(long, value_name = "E")]
    pub(crate) email: Option<String>,
    /// Phone number to search for (a leading + is kept).
    #[arg(long, value_name = "P")]
    pub(crate) phone: Option<String>,
}

/// `personal-contacts`.
#[derive(Debug, Args)]
pub(crate) struct PersonalContactsArgs {
    /// Organization number (nine digits).
    #[arg(value_name = "ORGNR")]
    pub(crate) orgnr: String,
    /// Only people with this role (role definition code, e.g. DAGL).
    #[arg(long, value_name = "CODE")]
    pub(crate) role: Option<String>,
    /// Only people with rights to this service (needs --service-edition).
    #[arg(long, value_name = "CODE", requires = "service_edition")]
    pub(crate) service_code: Option<String>,
    /// Edition of --service-code.
    #[arg(long, value_name = "N", requires = "service_code")]
    pub(crate) service_edition: Option<String>,
}

/// `sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub(crate) listen: SocketAddr,
    /// How many organizations to generate (besides the API page's samples).
    #[arg(long, value_name = "N")]
    pub(crate) organizations: Option<usize>,
    /// With --maskinporten-client-id: make a throwaway test PKI whose CA alone the sandbox's
    /// Maskinporten trusts, and write it to DIR (created if missing): ca.pem, client.p12 with its
    /// password in client.p12.password, client.pem (certificate and key, for --cert) and
    /// client-key.pem (for --maskinporten-key). Key and password files get mode 0600; nothing
    /// secret is printed.
    #[arg(long, value_name = "DIR")]
    pub(crate) write_test_pki: Option<PathBuf>,
}

/// `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub(crate) listen: SocketAddr,
    /// An API key callers may send (repeat for several; the environment variable takes a comma
    /// separated list).
    #[arg(
        long,
        env = "ALTINN_GATEWAY_API_KEYS",
        value_name = "KEY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub(crate) gateway_api_key: Vec<Secret>,
    /// A file of API keys callers may send, one a line (blank lines and # comments skipped).
    #[arg(long, env = "ALTINN_GATEWAY_API_KEYS_FILE", value_name = "PATH")]
    pub(crate) gateway_api_keys_file: Option<PathBuf>,
    /// The URL callers reach the gateway at, for the links in its answers [default: the Host
    /// the caller used, else the listen address].
    #[arg(long, env = "ALTINN_GATEWAY_PUBLIC_URL", value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(
        long,
        env = "ALTINN_GATEWAY_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(
        long,
        env = "ALTINN_GATEWAY_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    pub(crate) tls_key: Option<PathBuf>,
    /// Require a client certificate signed by these CAs (PEM), as Altinn required an
    /// enterprise certificate; needs --tls-cert.
    #[arg(
        long,
        env = "ALTINN_GATEWAY_CLIENT_CA",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    pub(crate) client_ca: Option<PathBuf>,
}

#[cfg(test)]
impl ServeArgs {
    /// Arguments with these keys and nothing else.
    pub(crate) fn for_test(keys: Vec<String>, file: Option<PathBuf>) -> Self {
        ServeArgs {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            gateway_api_key: keys.into_iter().map(Secret::new).collect(),
            gateway_api_keys_file: file,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            client_ca: None,
        }
    }
}

/// `bulk`.
#[derive(Debug, Subcommand)]
pub(crate) enum BulkCommand {
    /// Official contacts of every organization in the input file.
    OfficialContacts(BulkArgs),
    /// Personal contacts of every organization in the input file.
    PersonalContacts(BulkArgs),
}

/// Options of both bulk commands.
#[derive(Debug, Args)]
pub(crate) struct BulkArgs {
    /// One organization number a line; blank lines and lines starting with # are skipped.
    #[arg(long, value_name = "FILE")]
    pub(crate) input: PathBuf,
    /// Where the JSON Lines go (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Requests in flight at once (on a backend that looks up many organizations per request,
    /// as altinn3 does: batches in flight).
    #[arg(long, value_name = "N", default_value_t = altinn_contacts::DEFAULT_CONCURRENCY,
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub(crate) concurrency: usize,
    /// At most this many requests in any second, retries included (may be fractional, e.g. 0.5);
    /// a batch of organizations is one request.
    /// Whatever the rate, a 429 pauses the whole job until its Retry-After has passed.
    #[arg(long, value_name = "PER_SECOND", value_parser = parse_rate)]
    pub(crate) rate: Option<f64>,
    /// Continue an earlier run: keep its found and final lines (404, 400, invalid number), look
    /// up the rest again (other errors and numbers not yet in the file).
    #[arg(long, requires = "output")]
    pub(crate) resume: bool,
    /// Overwrite a non-empty --output (without it, an existing result file is refused).
    #[arg(long, requires = "output", conflicts_with = "resume")]
    pub(crate) force: bool,
}

/// Altinn environments, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EnvName {
    /// <https://www.altinn.no>
    #[value(alias = "prod")]
    Production,
    /// <https://tt02.altinn.no> (test)
    #[value(alias = "test")]
    Tt02,
}

/// Backends, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BackendName {
    /// Altinn 2's ServiceOwner API (closed in June 2026; and the embedded sandbox).
    Altinn2,
    /// The services that replaced it.
    Altinn3,
}

/// Sources of official contacts on the altinn3 backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceName {
    /// Altinn 3 Profile's notification addresses.
    Profile,
    /// Brønnøysund's KoFuVi.
    Kofuvi,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A readable table (identity numbers masked unless --reveal-ssn).
    Table,
    /// The models with Altinn's field names; lists as arrays.
    Json,
    /// One JSON object a line.
    Jsonl,
    /// A header and one row per record.
    Csv,
}

/// `--order-by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OrderByArg {
    /// By name.
    Name,
    /// By organization number.
    Number,
}

/// A secret given on the command line or in the environment; `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Secret(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs.is_finite() && secs > 0.0) {
        return Err("it must be a positive number of seconds".into());
    }
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of requests per second"))?;
    altinn_contacts::RateLimit::per_second(rate)
        .map(|_| rate)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let cli = Cli::try_parse_from([
            "altinn-contacts",
            "--api-key",
            "very-secret-key",
            "--token",
            "tok-123",
            "--cert-password",
            "pw-456",
            "--subscription-key",
            "sub-789",
            "official-contacts",
            "910021451",
        ])
        .unwrap();
        let shown = format!("{cli:?}");
        for secret in ["very-secret-key", "tok-123", "pw-456", "sub-789"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(cli.global.api_key.unwrap().expose(), "very-secret-key");
    }

    #[test]
    fn usage_errors() {
        for args in [
            &["altinn-contacts", "search"][..],
            &[
                "altinn-contacts",
                "personal-contacts",
                "910021451",
                "--service-code",
                "4936",
            ],
            &[
                "altinn-contacts",
                "bulk",
                "official-contacts",
                "--input",
                "x",
                "--resume",
            ],
            &[
                "altinn-contacts",
                "bulk",
                "official-contacts",
                "--input",
                "x",
                "--concurrency",
                "0",
            ],
            &[
                "altinn-contacts",
                "bulk",
                "official-contacts",
                "--input",
                "x",
                "--rate",
                "-1",
            ],
            &["altinn-contacts", "--timeout", "0", "organizations"],
            &["altinn-contacts", "--format", "xml", "organizations"],
            &["altinn-contacts", "--env", "staging", "organizations"],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }

    /// The help of `args` (which end in `--help`).
    fn help(args: &[&str]) -> String {
        let err = Cli::try_parse_from(args).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
        err.to_string()
    }

    #[test]
    fn each_help_lists_its_own_options_before_the_global_ones() {
        for (args, own) in [
            (&["altinn-contacts", "organizations", "--help"][..], "--all"),
            (&["altinn-contacts", "search", "-h"][..], "--email"),
            (
                &["altinn-contacts", "personal-contacts", "--help"][..],
                "--role",
            ),
            (
                &["altinn-contacts", "bulk", "official-contacts", "--help"][..],
                "--concurrency",
            ),
            (&["altinn-contacts", "sandbox", "--help"][..], "--listen"),
        ] {
            let text = help(args);
            let heading = format!("\n{GLOBAL_HEADING}:\n");
            let global_at = text
                .find(&heading)
                .unwrap_or_else(|| panic!("{args:?}: no {GLOBAL_HEADING:?} heading\n{text}"));
            let own_at = text.find(own).unwrap();
            assert!(own_at < global_at, "{args:?}: {own} not first\n{text}");
            let (own_part, global_part) = text.split_at(global_at);
            for global in ["--api-key", "--cert ", "--format", "--sandbox", "--verbose"] {
                assert!(
                    !own_part.contains(global),
                    "{args:?}: {global} among own\n{text}"
                );
                assert!(
                    global_part.contains(global),
                    "{args:?}: {global} missing\n{text}"
                );
            }
            // Help and version are the command's own, as in every clap tool.
            assert!(own_part.contains("--help"), "{args:?}\n{text}");
        }
        let top = help(&["altinn-contacts", "--help"]);
        assert!(top.contains(&format!("\n{GLOBAL_HEADING}:\n")), "{top}");
    }

    #[test]
    fn global_options_go_anywhere() {
        let cli = Cli::try_parse_from([
            "altinn-contacts",
            "organizations",
            "--all",
            "--format",
            "csv",
            "--sandbox",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.format, Format::Csv);
        assert!(cli.global.sandbox);
        assert_eq!(cli.global.verbose, 2);
    }
}
