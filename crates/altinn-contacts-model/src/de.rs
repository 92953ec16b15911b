//! Deserializing structs from JSON objects only.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence and fills the fields by
//! position, so `[links, embedded]` would decode "successfully" into a list with its records
//! bound to the wrong fields. Every model type therefore derives `Deserialize` on a hidden repr
//! and drives it through [`map_only`] (or [`map_or_seq`] for lists, whose plain-JSON form is a
//! bare array of items): anything but an object is refused at its own JSON path. The repr reads
//! straight from the parser's map access, so nothing is buffered.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Deserializes `R` from a JSON object; anything else is an `invalid type` error expecting
/// `expecting`.
pub(crate) fn map_only<'de, D, R>(deserializer: D, expecting: &'static str) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    R: Deserialize<'de>,
{
    struct MapVisitor<R>(&'static str, PhantomData<R>);

    impl<'de, R: Deserialize<'de>> Visitor<'de> for MapVisitor<R> {
        type Value = R;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }

        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<R, M::Error> {
            R::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(MapVisitor(expecting, PhantomData))
}

/// A list in either representation: the HAL object or a bare array of its items.
pub(crate) enum MapOrSeq<R, T> {
    /// The HAL object (`_links`, `_embedded`).
    Map(R),
    /// Altinn 2's plain-JSON form: the items alone.
    Seq(Vec<T>),
}

/// Deserializes a JSON object as `R` or a JSON array as `Vec<T>`; anything else is refused.
pub(crate) fn map_or_seq<'de, D, R, T>(
    deserializer: D,
    expecting: &'static str,
) -> Result<MapOrSeq<R, T>, D::Error>
where
    D: Deserializer<'de>,
    R: Deserialize<'de>,
    T: Deserialize<'de>,
{
    struct EitherVisitor<R, T>(&'static str, PhantomData<(R, T)>);

    impl<'de, R: Deserialize<'de>, T: Deserialize<'de>> Visitor<'de> for EitherVisitor<R, T> {
        type Value = MapOrSeq<R, T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }

        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
            R::deserialize(MapAccessDeserializer::new(map)).map(MapOrSeq::Map)
        }

        fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Self::Value, S::Error> {
            Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(MapOrSeq::Seq)
        }
    }

    deserializer.deserialize_any(EitherVisitor(expecting, PhantomData))
}
