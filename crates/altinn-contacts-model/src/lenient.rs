//! Serde helpers that make generated models lenient on what the server sends.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default, so a required field that Altinn sends as `null` does not
/// fail the whole response. A value of the wrong type still fails, naming its JSON path.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
