//! The Maskinporten token endpoint: grants verified for real (signature with x5c or a registered
//! kid, aud, iss, scope, lifetime, reused jti), refusals as Maskinporten writes them, and its
//! tokens accepted by the API until revoked.

use std::time::{SystemTime, UNIX_EPOCH};

use altinn_contacts_sandbox::test_pki::{TestCa, TestIdentity};
use altinn_contacts_sandbox::{MaskinportenConfig, Sandbox};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use serde_json::{Value, json};

use crate::common::*;

const CLIENT_ID: &str = "sandbox-test-client";
/// A self-signed RSA-2048 certificate and its key, made for tests only (shared with the
/// transport's tests).
const RSA_CERT: &str = include_str!(
    "../../../altinn-contacts-reqwest/tests/fixtures/test-only-maskinporten-rsa.cert.pem"
);
const RSA_KEY: &str = include_str!(
    "../../../altinn-contacts-reqwest/tests/fixtures/test-only-maskinporten-rsa.key.pem"
);

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// A signing key: RSA (RS256) or P-256 (ES256).
enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Key {
    fn rsa() -> Key {
        Key::Rsa(RsaKeyPair::from_pkcs8(&pem_der(RSA_KEY)).unwrap())
    }

    fn ec(identity: &TestIdentity) -> Key {
        Key::Ec(
            EcdsaKeyPair::from_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                identity.key_der(),
                &SystemRandom::new(),
            )
            .unwrap(),
        )
    }

    fn alg(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        }
    }

    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let sig = match self {
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
                    .unwrap();
                sig
            }
            Key::Ec(k) => k.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
}

fn x5c_header(key: &Key, cert_der: &[u8]) -> Value {
    json!({ "alg": key.alg(), "x5c": [STANDARD.encode(cert_der)] })
}

fn claims(sandbox: &Sandbox) -> Value {
    let iat = now();
    json!({
        "aud": sandbox.maskinporten_issuer().unwrap(),
        "iss": CLIENT_ID,
        "scope": "altinn:serviceowner/organizations",
        "iat": iat,
        "exp": iat + 120,
        "jti": format!("{:032x}", fastrand::u128(..)),
    })
}

async fn post_grant(sandbox: &Sandbox, assertion: &str) -> (u16, Value) {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .append_pair("assertion", assertion)
        .finish();
    let response = client()
        .post(format!("{}token", sandbox.maskinporten_issuer().unwrap()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn api_with(sandbox: &Sandbox, token: &str) -> u16 {
    client()
        .get(url(sandbox, "organizations/910021451"))
        .header("ApiKey", sandbox.api_key())
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn sandbox_with(config: MaskinportenConfig) -> Sandbox {
    start(Sandbox::builder().organizations(0).maskinporten(config)).await
}

/// Asserts a Maskinporten refusal: 400, the error code, a description containing `about`.
#[track_caller]
fn assert_refused(answer: &(u16, Value), code: &str, about: &str) {
    assert_eq!(answer.0, 400, "{answer:?}");
    assert_eq!(answer.1["error"], code, "{answer:?}");
    let description = answer.1["error_description"].as_str().unwrap();
    assert!(description.contains(about), "{answer:?}");
}

#[tokio::test]
async fn an_x5c_grant_gets_a_token_the_api_accepts() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let key = Key::rsa();
    let grant = key.sign(&x5c_header(&key, &pem_der(RSA_CERT)), &claims(&sandbox));
    let (status, body) = post_grant(&sandbox, &grant).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 120);
    assert_eq!(body["scope"], "altinn:serviceowner/organizations");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(api_with(&sandbox, token).await, 200);
    // Without a token, or with one it did not issue, the API refuses.
    assert_eq!(api_with(&sandbox, "made-up").await, 401);
    assert_eq!(get(&sandbox, "organizations/910021451").await.status(), 401);
    // Revoked: refused.
    sandbox.revoke_maskinporten_tokens();
    assert_eq!(api_with(&sandbox, token).await, 401);
    assert_eq!(sandbox.maskinporten_token_requests(), 1);
    assert_eq!(sandbox.maskinporten_tokens_issued(), 1);
}

#[tokio::test]
async fn a_kid_grant_is_verified_with_the_registered_key() {
    let ca = TestCa::new("Sandbox test CA");
    let registered = ca.client_identity();
    let other = ca.client_identity();
    let sandbox = sandbox_with(
        MaskinportenConfig::new(CLIENT_ID)
            .registered_key("key-1", registered.cert_pem().as_bytes().to_vec())
            .registered_key("rsa-1", RSA_KEY.as_bytes().to_vec()),
    )
    .await;
    let key = Key::ec(&registered);
    let header = json!({ "alg": "ES256", "kid": "key-1" });
    let (status, body) = post_grant(&sandbox, &key.sign(&header, &claims(&sandbox))).await;
    assert_eq!(status, 200, "{body}");
    // A registered RSA key (given as its private key: only the public half is kept).
    let rsa = Key::rsa();
    let header = json!({ "alg": "RS256", "kid": "rsa-1" });
    assert_eq!(
        post_grant(&sandbox, &rsa.sign(&header, &claims(&sandbox)))
            .await
            .0,
        200
    );
    // Signed by another key under the registered kid: refused.
    let wrong = Key::ec(&other);
    let header = json!({ "alg": "ES256", "kid": "key-1" });
    let refused = post_grant(&sandbox, &wrong.sign(&header, &claims(&sandbox))).await;
    assert_refused(&refused, "invalid_grant", "bad signature");
    // An unknown kid.
    let header = json!({ "alg": "ES256", "kid": "key-2" });
    let refused = post_grant(&sandbox, &key.sign(&header, &claims(&sandbox))).await;
    assert_refused(&refused, "invalid_grant", "unknown kid");
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let ca = TestCa::new("Sandbox test CA");
    let signer = ca.client_identity();
    let shown = ca.client_identity();
    // Signed with one key, claiming another's certificate.
    let key = Key::ec(&signer);
    let grant = key.sign(&x5c_header(&key, shown.cert_der()), &claims(&sandbox));
    assert_refused(
        &post_grant(&sandbox, &grant).await,
        "invalid_grant",
        "bad signature",
    );
    // A claim changed after signing.
    let good = key.sign(&x5c_header(&key, signer.cert_der()), &claims(&sandbox));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut changed = claims(&sandbox);
    changed["scope"] = json!("altinn:serviceowner/organizations other:scope");
    parts[1] = URL_SAFE_NO_PAD.encode(changed.to_string());
    assert_refused(
        &post_grant(&sandbox, &parts.join(".")).await,
        "invalid_grant",
        "bad signature",
    );
    // Not a JWT at all, and a header without a key.
    assert_refused(
        &post_grant(&sandbox, "abc").await,
        "invalid_grant",
        "not a signed JWT",
    );
    let grant = key.sign(&json!({ "alg": "ES256" }), &claims(&sandbox));
    assert_refused(
        &post_grant(&sandbox, &grant).await,
        "invalid_grant",
        "neither x5c nor kid",
    );
    // The alg must fit the key.
    let grant = key.sign(
        &json!({ "alg": "RS256", "x5c": [STANDARD.encode(signer.cert_der())] }),
        &claims(&sandbox),
    );
    assert_refused(&post_grant(&sandbox, &grant).await, "invalid_grant", "alg");
    assert_eq!(sandbox.maskinporten_tokens_issued(), 0);
}

#[tokio::test]
async fn wrong_aud_iss_and_scope_are_refused() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let key = Key::rsa();
    let header = x5c_header(&key, &pem_der(RSA_CERT));
    let with = |name: &str, value: Value| {
        let mut c = claims(&sandbox);
        c[name] = value;
        key.sign(&header, &c)
    };
    let issuer = sandbox.maskinporten_issuer().unwrap();
    // The issuer without its trailing slash, or with two, is not the audience.
    for aud in [
        issuer.trim_end_matches('/').to_owned(),
        format!("{issuer}/"),
    ] {
        let refused = post_grant(&sandbox, &with("aud", json!(aud))).await;
        assert_refused(&refused, "invalid_grant", "aud must be");
    }
    let refused = post_grant(&sandbox, &with("iss", json!("another-client"))).await;
    assert_refused(&refused, "invalid_grant", "unknown client");
    let refused = post_grant(&sandbox, &with("scope", json!("altinn:other/scope"))).await;
    assert_refused(&refused, "invalid_scope", "Scope");
    let refused = post_grant(&sandbox, &with("scope", json!(""))).await;
    assert_refused(&refused, "invalid_scope", "Scope");
    assert_eq!(sandbox.maskinporten_tokens_issued(), 0);
    assert_eq!(sandbox.maskinporten_token_requests(), 5);
}

#[tokio::test]
async fn expired_and_too_long_grants_are_refused() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let key = Key::rsa();
    let header = x5c_header(&key, &pem_der(RSA_CERT));
    let grant = |iat: i64, exp: i64| {
        let mut c = claims(&sandbox);
        c["iat"] = json!(iat);
        c["exp"] = json!(exp);
        key.sign(&header, &c)
    };
    let now = now();
    assert_refused(
        &post_grant(&sandbox, &grant(now, now + 121)).await,
        "invalid_grant",
        "at most 120 seconds",
    );
    assert_refused(
        &post_grant(&sandbox, &grant(now - 200, now - 100)).await,
        "invalid_grant",
        "expired",
    );
    assert_refused(
        &post_grant(&sandbox, &grant(now + 60, now + 120)).await,
        "invalid_grant",
        "future",
    );
    assert_refused(
        &post_grant(&sandbox, &grant(now, now)).await,
        "invalid_grant",
        "at most 120 seconds",
    );
    // Within the allowed clock skew: accepted.
    assert_eq!(post_grant(&sandbox, &grant(now + 5, now + 65)).await.0, 200);
}

#[tokio::test]
async fn a_reused_jti_is_refused() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let key = Key::rsa();
    let grant = key.sign(&x5c_header(&key, &pem_der(RSA_CERT)), &claims(&sandbox));
    assert_eq!(post_grant(&sandbox, &grant).await.0, 200);
    assert_refused(
        &post_grant(&sandbox, &grant).await,
        "invalid_grant",
        "jti has been used",
    );
    let mut c = claims(&sandbox);
    c.as_object_mut().unwrap().remove("jti");
    let no_jti = key.sign(&x5c_header(&key, &pem_der(RSA_CERT)), &c);
    assert_refused(
        &post_grant(&sandbox, &no_jti).await,
        "invalid_grant",
        "jti is required",
    );
}

#[tokio::test]
async fn other_grant_types_and_methods_are_refused() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID)).await;
    let token_url = format!("{}token", sandbox.maskinporten_issuer().unwrap());
    let answer = client()
        .post(&token_url)
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(client().get(&token_url).send().await.unwrap().status(), 405);
}

#[tokio::test]
async fn the_exchange_trades_a_valid_token_and_tokens_can_be_revoked_after_n_uses() {
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID).revoke_tokens_after(2)).await;
    let key = Key::rsa();
    let grant = key.sign(&x5c_header(&key, &pem_der(RSA_CERT)), &claims(&sandbox));
    let (_, body) = post_grant(&sandbox, &grant).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let exchange = sandbox.exchange_url().unwrap();
    let refused = client()
        .get(&exchange)
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let answer = client()
        .get(&exchange)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let altinn: String = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_ne!(altinn, token);
    assert_eq!(api_with(&sandbox, &altinn).await, 200);
    // The second use revokes every token issued so far; the request itself succeeds.
    assert_eq!(api_with(&sandbox, &token).await, 200);
    assert_eq!(api_with(&sandbox, &token).await, 401);
    assert_eq!(api_with(&sandbox, &altinn).await, 401);
}

#[tokio::test]
async fn unreadable_registered_keys_fail_the_start() {
    let err = Sandbox::builder()
        .organizations(0)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID).registered_key("k", b"junk".to_vec()))
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("\"k\""), "{err}");
    let debug = format!(
        "{:?}",
        MaskinportenConfig::new(CLIENT_ID).registered_key("k", RSA_KEY)
    );
    assert!(!debug.contains("PRIVATE"), "{debug}");
}

#[tokio::test]
async fn with_a_trusted_ca_only_its_certificates_may_sign() {
    let ca = TestCa::new("Sandbox enterprise CA");
    let other_ca = TestCa::new("Another CA");
    let sandbox = sandbox_with(MaskinportenConfig::new(CLIENT_ID).trusted_ca(ca.cert_pem())).await;
    let trusted = ca.client_identity();
    let key = Key::ec(&trusted);
    let grant = key.sign(&x5c_header(&key, trusted.cert_der()), &claims(&sandbox));
    assert_eq!(post_grant(&sandbox, &grant).await.0, 200);
    // The chain may carry the CA after the leaf.
    let header = json!({
        "alg": "ES256",
        "x5c": [STANDARD.encode(trusted.cert_der()), STANDARD.encode(ca.cert_der())],
    });
    assert_eq!(
        post_grant(&sandbox, &key.sign(&header, &claims(&sandbox)))
            .await
            .0,
        200
    );
    // A certificate from another CA, or a self-signed one, is refused although its key signed.
    let stranger = other_ca.client_identity();
    let key = Key::ec(&stranger);
    let grant = key.sign(&x5c_header(&key, stranger.cert_der()), &claims(&sandbox));
    assert_refused(
        &post_grant(&sandbox, &grant).await,
        "invalid_grant",
        "not trusted",
    );
    let rsa = Key::rsa();
    let grant = rsa.sign(&x5c_header(&rsa, &pem_der(RSA_CERT)), &claims(&sandbox));
    assert_refused(
        &post_grant(&sandbox, &grant).await,
        "invalid_grant",
        "not trusted",
    );
    // A trusted CA PEM without a certificate fails the start.
    let err = Sandbox::builder()
        .organizations(0)
        .maskinporten(MaskinportenConfig::new(CLIENT_ID).trusted_ca("no certificate"))
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("trusted CA"), "{err}");
}
