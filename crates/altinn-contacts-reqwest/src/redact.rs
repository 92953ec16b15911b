//! Masking secrets in text that came from a server.
//!
//! A misconfigured proxy or server may echo the API key, a token or a JWT grant back in its
//! reason phrase, error body or HTML page. That text becomes an error message, so every secret
//! this client sent is masked in it, before the text is shortened: a cut through a secret would
//! leave a piece too short to be found, yet long enough to be used.

use secrecy::{ExposeSecret, SecretString};

/// Shorter values are not masked: they would match ordinary words.
const MIN_SECRET_LEN: usize = 4;

/// `text` with every occurrence of any of `secrets` replaced by `<redacted>`.
pub(crate) fn mask_secrets<'a>(
    text: &str,
    secrets: impl IntoIterator<Item = &'a SecretString>,
) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        let secret = secret.expose_secret().trim();
        if secret.len() >= MIN_SECRET_LEN && text.contains(secret) {
            text = text.replace(secret, "<redacted>");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_secret_and_ignores_short_ones() {
        let key = SecretString::from("key-123456");
        let token = SecretString::from(" tok-abcdef ");
        let short = SecretString::from("ab");
        assert_eq!(
            mask_secrets("echo key-123456 and tok-abcdef, ab", [&key, &token, &short]),
            "echo <redacted> and <redacted>, ab"
        );
    }
}
