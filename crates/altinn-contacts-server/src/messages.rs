//! The reason phrases of the Altinn 2 contract, for servers and for tests that assert on them.
//!
//! Altinn puts its error message in the HTTP reason phrase and sends an empty body; this crate
//! (and so the sandbox and the gateway) does the same. The fixed messages are Altinn's own
//! wording; the ones that echo what was sent are built by the functions below.

/// `400`: the request carried no `ApiKey` header.
pub const API_KEY_MISSING: &str = "Required header 'ApiKey' is missing.";

/// `403`: the `ApiKey` header did not hold a key the server accepts.
pub const API_KEY_FORBIDDEN: &str = "Forbidden - The API key is not authorized for this operation";

/// `401`: a client certificate is required (a client CA is configured) and the request came
/// without one, or without the `ForceEIAuthentication` query flag.
pub const ENTERPRISE_CERTIFICATE_FAILED: &str =
    "Enterprise certificate authentication failed, verify that the supplied certificate is valid";

/// `401`: a bearer token is required and the request carried none or the wrong one.
pub const NO_AUTHENTICATED_ORGANIZATION: &str =
    "Authorization failed: There is no authenticated organization number set on this request.";

/// `400`: the start of every message about a malformed OData option.
pub const ODATA_INVALID: &str = "The query specified in the URI is not valid.";

/// `400`: a `{personId}` in the path that is not `r` followed by digits. What was sent is not
/// echoed, since a mistaken caller may have put a national identity number there.
pub const INVALID_PERSON_ID: &str = "Invalid person id: expected 'r' followed by digits.";

/// `400`: `serviceCode` and `serviceEdition` must come together, as digits.
pub const INVALID_SERVICE: &str = "serviceCode and serviceEdition must both be given, as digits.";

/// `404`: a path the API does not have.
pub const NO_SUCH_RESOURCE: &str = "No HTTP resource was found that matches the request URI.";

/// `405`: anything but `GET`.
pub const METHOD_NOT_ALLOWED: &str = "The requested resource does not support this HTTP method.";

/// `400`: an organization number in the path that is not nine digits with a valid check digit.
///
/// Echoes what was sent, as Altinn does, except that eleven digits (the shape of a national
/// identity number sent by mistake) are masked.
pub fn invalid_organization_number(sent: &str) -> String {
    let shown = if sent.len() == 11 && sent.bytes().all(|b| b.is_ascii_digit()) {
        "***********".to_owned()
    } else {
        crate::params::echo(sent)
    };
    format!("Invalid organization number: {shown}")
}

/// `404`: a valid organization number the backend has no organization for.
pub fn organization_not_found(number: &str) -> String {
    format!("Organization not found: {number}")
}

/// `404`: a well-formed person id that is not a personal contact of the organization.
pub fn personal_contact_not_found(person_id: &str, number: &str) -> String {
    format!("Personal contact {person_id} not found for organization {number}")
}

/// `400`: a `roleDefinitionCode` that is not letters and digits.
pub fn invalid_role_definition_code(sent: &str) -> String {
    format!("Invalid roleDefinitionCode: {}", crate::params::echo(sent))
}
