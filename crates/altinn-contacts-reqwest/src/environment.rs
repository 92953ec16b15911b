//! The Altinn environments a client can talk to without spelling out a URL.

use std::fmt;
use std::str::FromStr;

use crate::config::ConfigError;

/// An Altinn environment: where the ServiceOwner API lives.
///
/// ```
/// # use altinn_contacts_reqwest::Environment;
/// let env: Environment = "tt02".parse().unwrap();
/// assert_eq!(env.base_url(), "https://tt02.altinn.no");
/// assert_eq!("prod".parse::<Environment>().unwrap(), Environment::Production);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// Production, `https://www.altinn.no`.
    #[default]
    Production,
    /// The test environment TT02, `https://tt02.altinn.no` (its own API key and test certificates).
    Tt02,
}

impl Environment {
    /// The environment's base URL (origin only; the client adds `/api/serviceowner/...`).
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => "https://www.altinn.no",
            Environment::Tt02 => "https://tt02.altinn.no",
        }
    }

    /// The environment's short name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Tt02 => "tt02",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Environment {
    type Err = ConfigError;

    /// Accepts `production` or `prod`, `tt02` or `test` (any case).
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Environment::Production),
            "tt02" | "test" => Ok(Environment::Tt02),
            _ => Err(ConfigError::UnknownEnvironment {
                given: s.chars().take(40).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_aliases() {
        for (text, env) in [
            ("production", Environment::Production),
            ("PROD", Environment::Production),
            (" tt02 ", Environment::Tt02),
            ("test", Environment::Tt02),
        ] {
            assert_eq!(text.parse::<Environment>().unwrap(), env, "{text}");
        }
        let err = "staging".parse::<Environment>().unwrap_err();
        assert!(err.to_string().contains("staging"), "{err}");
        assert_eq!(Environment::default().base_url(), "https://www.altinn.no");
        assert_eq!(Environment::Tt02.to_string(), "tt02");
    }
}
