//! HAL primitives: [`Link`] and [`Links`], the `_links` object of every Altinn resource.
//!
//! HAL lets a relation hold one link object or an array of them; both forms are accepted and
//! written back in the form they arrived in, so a decoded resource re-serializes unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One HAL link object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The target URI, or a URI template when `templated` is true.
    #[serde(default)]
    pub href: String,
    /// True when `href` is a URI template (RFC 6570).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templated: Option<bool>,
    /// A hint of the media type the target serves.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// A secondary key for choosing among links of one relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A human-readable label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A URI naming a profile of the target resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A URL that says the link is deprecated and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<String>,
    /// The language of the target resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hreflang: Option<String>,
}

impl Link {
    /// A plain link to `href`.
    pub fn new(href: impl Into<String>) -> Self {
        Link {
            href: href.into(),
            ..Link::default()
        }
    }

    /// True when `href` is a URI template that must be expanded before it is followed.
    pub fn is_templated(&self) -> bool {
        self.templated == Some(true)
    }
}

/// The value of one relation: a single link or an array of links, kept in the form it arrived in.
///
/// Anything else (a string, a number, `null`) is kept as [`LinkValue::Other`] rather than failing
/// the whole response: an odd relation must not cost the user the resource it sits in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum LinkValue {
    /// `"rel": { "href": ... }`
    One(Link),
    /// `"rel": [ { "href": ... }, ... ]`
    Many(Vec<Link>),
    /// `"rel": <anything else>`, kept as sent; it holds no link.
    Other(serde_json::Value),
}

impl<'de> Deserialize<'de> for LinkValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LinkValueVisitor)
    }
}

/// Dispatches on the JSON shape without buffering, so a wrong type inside a link object is
/// reported at its own path (`_links.self.href`), which `#[serde(untagged)]` would hide.
struct LinkValueVisitor;

impl<'de> serde::de::Visitor<'de> for LinkValueVisitor {
    type Value = LinkValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a link object or an array of link objects")
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<LinkValue, M::Error> {
        Link::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(LinkValue::One)
    }

    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, seq: S) -> Result<LinkValue, S::Error> {
        Vec::<Link>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
            .map(LinkValue::Many)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(serde_json::Value::String(v.to_owned())))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(serde_json::Value::Bool(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(serde_json::Number::from_f64(v).map_or(
            serde_json::Value::Null,
            serde_json::Value::Number,
        )))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(serde_json::Value::Null))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<LinkValue, E> {
        Ok(LinkValue::Other(serde_json::Value::Null))
    }
}

impl LinkValue {
    /// The links of this relation, one or many, as a slice.
    pub fn as_slice(&self) -> &[Link] {
        match self {
            LinkValue::One(link) => std::slice::from_ref(link),
            LinkValue::Many(links) => links,
            LinkValue::Other(_) => &[],
        }
    }
}

/// A resource's `_links`: relation name to one link or an array of links.
///
/// ```
/// # use altinn_contacts_model::Links;
/// let links: Links = serde_json::from_str(
///     r#"{"self": {"href": "https://x/a"}, "alternate": [{"href": "https://x/b"}, {"href": "https://x/c"}]}"#,
/// ).unwrap();
/// assert_eq!(links.href("self"), Some("https://x/a"));
/// assert_eq!(links.get_all("alternate").len(), 2);
/// assert!(links.get("missing").is_none());
/// ```
///
/// A relation that is neither an object nor an array is kept but holds no link:
///
/// ```
/// # use altinn_contacts_model::Links;
/// let links: Links = serde_json::from_str(r#"{"curies": "odd", "self": {"href": "https://x/a"}}"#).unwrap();
/// assert!(links.get("curies").is_none());
/// assert_eq!(links.href("self"), Some("https://x/a"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Links(BTreeMap<String, LinkValue>);

impl Links {
    /// No links.
    pub fn new() -> Self {
        Links::default()
    }

    /// The first link of `rel`, if any.
    pub fn get(&self, rel: &str) -> Option<&Link> {
        self.get_all(rel).first()
    }

    /// Every link of `rel` (empty when the relation is absent).
    pub fn get_all(&self, rel: &str) -> &[Link] {
        self.0.get(rel).map(LinkValue::as_slice).unwrap_or(&[])
    }

    /// The `href` of the first link of `rel`, if any.
    pub fn href(&self, rel: &str) -> Option<&str> {
        self.get(rel).map(|link| link.href.as_str())
    }

    /// Sets `rel` to a single link, replacing what was there.
    pub fn insert(&mut self, rel: impl Into<String>, link: Link) {
        self.0.insert(rel.into(), LinkValue::One(link));
    }

    /// Builder form of [`Links::insert`] with a plain href.
    #[must_use]
    pub fn with(mut self, rel: impl Into<String>, href: impl Into<String>) -> Self {
        self.insert(rel, Link::new(href));
        self
    }

    /// The relation names, in sorted order.
    pub fn relations(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// True when there is no relation at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_type_inside_a_link_names_its_own_path() {
        let err = crate::decode::<Links>(br#"{"self": {"href": 12}}"#).unwrap_err();
        assert_eq!(err.path, "self.href");
        let err =
            crate::decode::<Links>(br#"{"alt": [{"href": "a"}, {"href": false}]}"#).unwrap_err();
        assert_eq!(err.path, "alt[1].href");
    }

    #[test]
    fn odd_relations_round_trip() {
        let raw = serde_json::json!({"curies": "odd", "n": 3, "z": null, "self": {"href": "h"}});
        let links: Links = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&links).unwrap(), raw);
    }
}
