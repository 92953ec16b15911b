//! Reason phrases as they appear on the wire, read over a raw TCP stream.

use altinn_contacts_sandbox::messages;

use crate::common::*;

#[tokio::test]
async fn missing_api_key_is_400_with_altinns_reason_phrase_and_empty_body() {
    let sandbox = seed_only().await;
    let response = raw_get(
        &sandbox,
        "/api/serviceowner/organizations?ForceEIAuthentication",
        &[],
    )
    .await;
    assert_eq!(
        status_line(&response),
        "HTTP/1.1 400 Required header 'ApiKey' is missing."
    );
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("content-length: 0"),
        "{head}"
    );
    assert!(body.is_empty());
}

#[tokio::test]
async fn reason_phrases_on_the_wire() {
    let sandbox = seed_only().await;
    let key = sandbox.api_key().to_owned();
    /// `(path, header lines, expected status line)`.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], String);
    let cases: [Case<'_>; 6] = [
        (
            "/api/serviceowner/organizations",
            &[("ApiKey", "wrong")],
            format!("HTTP/1.1 403 {}", messages::API_KEY_FORBIDDEN),
        ),
        (
            "/api/serviceowner/organizations/0000000",
            &[("ApiKey", &key)],
            "HTTP/1.1 400 Invalid organization number: 0000000".to_owned(),
        ),
        (
            "/api/serviceowner/organizations/00210%20%20%20%20/officialcontacts",
            &[("ApiKey", &key)],
            "HTTP/1.1 400 Invalid organization number: 00210    ".to_owned(),
        ),
        (
            "/api/serviceowner/organizations/974760673",
            &[("ApiKey", &key)],
            "HTTP/1.1 404 Organization not found: 974760673".to_owned(),
        ),
        (
            "/api/serviceowner/organizations?$filter=Name%20eq%20%27X%27",
            &[("ApiKey", &key)],
            format!(
                "HTTP/1.1 400 {} Only $filter=Type eq '<code>' is supported, got 'Name eq 'X''.",
                messages::ODATA_INVALID
            ),
        ),
        (
            "/api/serviceowner/organizations/910021451",
            &[("ApiKey", &key)],
            "HTTP/1.1 200 OK".to_owned(),
        ),
    ];
    for (path, headers, expected) in cases {
        let response = raw_get(&sandbox, path, headers).await;
        assert_eq!(status_line(&response), expected, "{path}");
    }
}

#[tokio::test]
async fn keep_alive_serves_many_requests_on_one_connection() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let sandbox = seed_only().await;
    let stream = tokio::net::TcpStream::connect(sandbox.local_addr())
        .await
        .unwrap();
    let mut stream = BufReader::new(stream);
    for _ in 0..3 {
        let head = format!(
            "GET /api/serviceowner/organizations/010000211 HTTP/1.1\r\nHost: x\r\nApiKey: {}\r\n\r\n",
            sandbox.api_key()
        );
        stream.get_mut().write_all(head.as_bytes()).await.unwrap();
        let mut length = 0usize;
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        assert_eq!(line, "HTTP/1.1 200 OK\r\n");
        loop {
            line.clear();
            stream.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.unwrap();
        assert!(
            String::from_utf8(body)
                .unwrap()
                .contains("HERDLA OG SAULAND")
        );
    }
    assert_eq!(sandbox.request_count(), 3);
}
