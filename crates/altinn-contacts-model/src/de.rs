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

/// Like [`map_only`], for a record (an organization, a contact, a role): an object that holds
/// none of the record's `fields` (all its keys unknown, or none at all) is refused rather than
/// decoded into a record of nothing but `None`s. Such an object means the body is not shaped as
/// expected (a HAL list read as a bare array, say), and a record made of nothing is invented.
pub(crate) fn record<'de, D, R>(
    deserializer: D,
    expecting: &'static str,
    fields: &'static [&'static str],
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    R: Deserialize<'de>,
{
    struct RecordVisitor<R> {
        expecting: &'static str,
        fields: &'static [&'static str],
        marker: PhantomData<R>,
    }

    impl<'de, R: Deserialize<'de>> Visitor<'de> for RecordVisitor<R> {
        type Value = R;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<R, M::Error> {
            let mut seen = false;
            let tracked = KnownKeys {
                inner: map,
                fields: self.fields,
                seen: &mut seen,
            };
            let value = R::deserialize(MapAccessDeserializer::new(tracked))?;
            if seen {
                Ok(value)
            } else {
                Err(serde::de::Error::custom(format_args!(
                    "{} holds none of its fields",
                    self.expecting
                )))
            }
        }
    }

    deserializer.deserialize_map(RecordVisitor {
        expecting,
        fields,
        marker: PhantomData,
    })
}

/// A map access that notes whether any key is one of `fields`.
struct KnownKeys<'s, M> {
    inner: M,
    fields: &'static [&'static str],
    seen: &'s mut bool,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for KnownKeys<'_, M> {
    type Error = M::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, M::Error> {
        let mut matched = false;
        let key = self.inner.next_key_seed(KeySeed {
            seed,
            fields: self.fields,
            matched: &mut matched,
        })?;
        *self.seen |= matched;
        Ok(key)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, M::Error> {
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// Reads a key through the wrapped seed, noting whether it is one of `fields`.
struct KeySeed<'m, K> {
    seed: K,
    fields: &'static [&'static str],
    matched: &'m mut bool,
}

impl<'de, K: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        self.seed.deserialize(KeyDeserializer {
            inner: deserializer,
            fields: self.fields,
            matched: self.matched,
        })
    }
}

/// A key's deserializer that lets the key's visitor through a [`KeyVisitor`].
struct KeyDeserializer<'m, D> {
    inner: D,
    fields: &'static [&'static str],
    matched: &'m mut bool,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDeserializer<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(KeyVisitor {
            inner: visitor,
            fields: self.fields,
            matched: self.matched,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_identifier(KeyVisitor {
            inner: visitor,
            fields: self.fields,
            matched: self.matched,
        })
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_str(KeyVisitor {
            inner: visitor,
            fields: self.fields,
            matched: self.matched,
        })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_string(KeyVisitor {
            inner: visitor,
            fields: self.fields,
            matched: self.matched,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum ignored_any
    }
}

/// Passes every call on to the key's own visitor, noting a string key that is a known field.
struct KeyVisitor<'m, V> {
    inner: V,
    fields: &'static [&'static str],
    matched: &'m mut bool,
}

impl<V> KeyVisitor<'_, V> {
    fn note(&mut self, key: &str) {
        *self.matched |= self.fields.contains(&key);
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<V::Value, E> {
        self.note(v);
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: serde::de::Error>(mut self, v: &'de str) -> Result<V::Value, E> {
        self.note(v);
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: serde::de::Error>(mut self, v: String) -> Result<V::Value, E> {
        self.note(&v);
        self.inner.visit_string(v)
    }

    fn visit_bytes<E: serde::de::Error>(mut self, v: &[u8]) -> Result<V::Value, E> {
        if let Ok(key) = std::str::from_utf8(v) {
            self.note(key);
        }
        self.inner.visit_bytes(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.inner.visit_u64(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Repr {
        #[serde(rename = "A", default)]
        a: Option<u32>,
    }

    #[derive(Debug)]
    struct Rec(Repr);

    impl<'de> Deserialize<'de> for Rec {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            record(d, "a `Rec` object", &["A"]).map(Rec)
        }
    }

    #[test]
    fn a_record_needs_one_of_its_fields() {
        assert_eq!(
            crate::decode::<Rec>(br#"{"A": 1, "B": 2}"#).unwrap().0.a,
            Some(1)
        );
        assert_eq!(crate::decode::<Rec>(br#"{"A": null}"#).unwrap().0.a, None);
        for body in [&br#"{}"#[..], br#"{"B": 2}"#, br#"{"a": 1}"#] {
            let err = crate::decode::<Rec>(body).unwrap_err();
            assert_eq!(err.path, ".");
            assert!(err.message.contains("holds none of its fields"), "{err}");
        }
        let err = crate::decode::<Vec<Rec>>(br#"[{"A": 1}, {"X": {"A": 1}}]"#).unwrap_err();
        assert_eq!(err.path, "[1]");
    }
}
