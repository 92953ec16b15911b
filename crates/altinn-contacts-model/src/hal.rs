//! HAL primitives: [`Link`] and [`Links`], the `_links` of every Altinn resource.
//!
//! Two representations are read into the same [`Links`]:
//! - HAL (`Accept: application/hal+json`): an object of relations, each one link object or an
//!   array of them; both forms are kept and written back as they arrived, so a decoded resource
//!   re-serializes unchanged.
//! - Altinn 2's plain JSON (`Accept: application/json`): an array of objects
//!   `{"Rel", "Href", "Title", "MimeType", "IsTemplated", ...}`, mapped by `Rel` (`Href` to
//!   `href`, `Title` to `title`, `MimeType` to `type`, `IsTemplated: true` to `templated`). Its
//!   attachment fields (`FileNameWithExtension`, `Encrypted`, `SigningLocked`,
//!   `SignedByDefault`, `FileSize`) belong to other Altinn 2 APIs and are not kept. Several
//!   objects with one `Rel` make an array relation.
//!
//! A link object must be an object with an `href`: an array or a scalar in its place is a
//! decode error at its JSON path, never a link filled by position.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One HAL link object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LinkFromMap")]
#[non_exhaustive]
pub struct Link {
    /// The target URI, or a URI template when `templated` is true. Required: a link object
    /// without one is a decode error.
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

/// The fields of a [`Link`] as decoded; only ever read from a JSON object.
#[derive(Deserialize, Serialize)]
struct LinkRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    templated: Option<bool>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deprecation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hreflang: Option<String>,
}

impl LinkRepr {
    /// The link, or (without an `href`) the attributes that were understood, as JSON.
    fn into_link(self) -> Result<Link, serde_json::Value> {
        match self.href {
            Some(href) => Ok(Link {
                href,
                templated: self.templated,
                media_type: self.media_type,
                name: self.name,
                title: self.title,
                profile: self.profile,
                deprecation: self.deprecation,
                hreflang: self.hreflang,
            }),
            None => Err(serde_json::to_value(&self).unwrap_or(serde_json::Value::Null)),
        }
    }
}

/// [`LinkRepr`] read through [`crate::de::map_only`], so an array is never a link.
struct LinkFromMap(LinkRepr);

impl<'de> Deserialize<'de> for LinkFromMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::de::map_only(deserializer, "a link object").map(LinkFromMap)
    }
}

/// Why a JSON object is not a [`Link`].
#[derive(Debug)]
struct MissingHref;

impl std::fmt::Display for MissingHref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("missing field `href`")
    }
}

impl TryFrom<LinkFromMap> for Link {
    type Error = MissingHref;

    fn try_from(LinkFromMap(r): LinkFromMap) -> Result<Self, MissingHref> {
        r.into_link().map_err(|_| MissingHref)
    }
}

/// One link of Altinn 2's plain-JSON `_links` array, as decoded.
#[derive(Deserialize)]
struct PlainLinkRepr {
    #[serde(rename = "Rel", alias = "rel")]
    rel: String,
    #[serde(rename = "Href", alias = "href")]
    href: String,
    #[serde(rename = "Title", alias = "title", default)]
    title: Option<String>,
    #[serde(rename = "MimeType", alias = "mimeType", default)]
    mime_type: Option<String>,
    #[serde(rename = "IsTemplated", alias = "isTemplated", default)]
    is_templated: Option<bool>,
}

/// [`PlainLinkRepr`] read through [`crate::de::map_only`].
struct PlainLink(PlainLinkRepr);

impl<'de> Deserialize<'de> for PlainLink {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::de::map_only(deserializer, "a link object with `Rel` and `Href`").map(PlainLink)
    }
}

impl PlainLink {
    /// The relation and the link. `IsTemplated: false` is every plain link's default and reads
    /// as "not said" (`None`), as a HAL link without `templated`.
    fn into_parts(self) -> (String, Link) {
        let r = self.0;
        let link = Link {
            href: r.href,
            templated: r.is_templated.filter(|t| *t),
            media_type: r.mime_type,
            title: r.title,
            ..Link::default()
        };
        (r.rel, link)
    }
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
/// Anything else (a string, a number, `null`, an object without `href`, an array holding one) is
/// kept as [`LinkValue::Other`] rather than failing the whole response: an odd relation must not
/// cost the user the resource it sits in. An array or a scalar *inside* an array of links is
/// refused, though: a link is never filled by position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum LinkValue {
    /// `"rel": { "href": ... }`
    One(Link),
    /// `"rel": [ { "href": ... }, ... ]`
    Many(Vec<Link>),
    /// `"rel": <anything else>`, kept as sent (of an object without `href`, the link attributes
    /// it has); it holds no link.
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
        // An object without `href` is no link; it is kept as `Other` rather than failing the
        // resource (an unknown relation may hold anything).
        let repr = LinkRepr::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(match repr.into_link() {
            Ok(link) => LinkValue::One(link),
            Err(other) => LinkValue::Other(other),
        })
    }

    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, seq: S) -> Result<LinkValue, S::Error> {
        let items =
            Vec::<LinkFromMap>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        let mut links = Vec::with_capacity(items.len());
        let mut odd = Vec::new();
        for LinkFromMap(repr) in items {
            match repr.into_link() {
                Ok(link) => links.push(link),
                Err(other) => odd.push(other),
            }
        }
        Ok(if odd.is_empty() {
            LinkValue::Many(links)
        } else {
            // Not every item is a link: keep what was understood, as sent, holding no link.
            let mut all: Vec<serde_json::Value> = links
                .iter()
                .map(|l| serde_json::to_value(l).unwrap_or(serde_json::Value::Null))
                .collect();
            all.extend(odd);
            LinkValue::Other(serde_json::Value::Array(all))
        })
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
///
/// Altinn 2's plain-JSON array of `{Rel, Href}` objects reads into the same relations:
///
/// ```
/// # use altinn_contacts_model::Links;
/// let links: Links = serde_json::from_str(
///     r#"[{"Rel": "self", "Href": "https://x/a", "Title": null, "IsTemplated": false, "FileSize": 0},
///         {"Rel": "alternate", "Href": "https://x/b"}, {"Rel": "alternate", "Href": "https://x/c"}]"#,
/// ).unwrap();
/// assert_eq!(links.href("self"), Some("https://x/a"));
/// assert_eq!(links.get_all("alternate").len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Links(BTreeMap<String, LinkValue>);

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match crate::de::map_or_seq::<_, BTreeMap<String, LinkValue>, PlainLink>(
            deserializer,
            "a HAL `_links` object or an array of `{Rel, Href}` link objects",
        )? {
            crate::de::MapOrSeq::Map(map) => Ok(Links(map)),
            crate::de::MapOrSeq::Seq(plain) => {
                let mut links = Links::new();
                for link in plain {
                    let (rel, link) = link.into_parts();
                    links.push(rel, link);
                }
                Ok(links)
            }
        }
    }
}

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

    /// Adds `link` to `rel`: the relation's only link if it had none, else one more in its array.
    pub fn push(&mut self, rel: impl Into<String>, link: Link) {
        use std::collections::btree_map::Entry;
        match self.0.entry(rel.into()) {
            Entry::Vacant(slot) => {
                slot.insert(LinkValue::One(link));
            }
            Entry::Occupied(mut slot) => {
                let value = slot.get_mut();
                match value {
                    LinkValue::One(first) => {
                        *value = LinkValue::Many(vec![first.clone(), link]);
                    }
                    LinkValue::Many(all) => all.push(link),
                    LinkValue::Other(_) => *value = LinkValue::One(link),
                }
            }
        }
    }

    /// Altinn 2's plain-JSON form of these links: an array of `{Rel, Href, Title, ...}` objects,
    /// one per link, relations in sorted order (what the sandbox answers to
    /// `Accept: application/json`). HAL attributes the plain form has no field for (`name`,
    /// `profile`, `deprecation`, `hreflang`) are left out.
    pub fn to_plain_json(&self) -> serde_json::Value {
        let mut out = Vec::new();
        for (rel, value) in &self.0 {
            for link in value.as_slice() {
                out.push(serde_json::json!({
                    "Rel": rel,
                    "Href": link.href,
                    "Title": link.title,
                    "FileNameWithExtension": null,
                    "MimeType": link.media_type,
                    "IsTemplated": link.is_templated(),
                    "Encrypted": false,
                    "SigningLocked": false,
                    "SignedByDefault": false,
                    "FileSize": 0,
                }));
            }
        }
        serde_json::Value::Array(out)
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
    fn a_link_is_never_filled_from_an_array() {
        let err = crate::decode::<Links>(br#"{"self": [["https://x/a"]]}"#).unwrap_err();
        assert_eq!(err.path, "self[0]");
        let err = crate::decode::<Links>(br#"[["self", "https://x/a"]]"#).unwrap_err();
        assert_eq!(err.path, "[0]");
        let err = crate::decode::<Links>(br#"[{"Rel": "self"}]"#).unwrap_err();
        assert_eq!(err.path, "[0]");
        assert!(err.message.contains("Href"), "{err}");
        // An object without `href` is no link, but it does not fail the resource either.
        let links = crate::decode::<Links>(br#"{"self": {"title": "no href"}}"#).unwrap();
        assert!(links.get("self").is_none());
        assert!(crate::decode::<Link>(br#"{"title": "no href"}"#).is_err());
        assert!(crate::decode::<Links>(b"\"self\"").is_err());
    }

    #[test]
    fn plain_links_map_by_rel_and_write_back() {
        let links: Links = serde_json::from_str(
            r#"[{"Rel": "a", "Href": "h1", "Title": "T", "MimeType": "application/json", "IsTemplated": true},
                {"Rel": "b", "Href": "h2", "IsTemplated": false}, {"Rel": "b", "Href": "h3"}]"#,
        )
        .unwrap();
        let a = links.get("a").unwrap();
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.media_type.as_deref(), Some("application/json"));
        assert!(a.is_templated());
        assert_eq!(links.get("b").unwrap().templated, None);
        assert_eq!(links.get_all("b").len(), 2);
        let again: Links = serde_json::from_value(links.to_plain_json()).unwrap();
        assert_eq!(again, links);
    }

    #[test]
    fn odd_relations_round_trip() {
        let raw = serde_json::json!({"curies": "odd", "n": 3, "z": null, "self": {"href": "h"}});
        let links: Links = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&links).unwrap(), raw);
    }
}
