//! `organizations --all` against a server that caps `$top` below what was asked: short pages of
//! 100, 37 and 1 are not the end; the empty page is. The server is a few lines of HTTP/1.1 on a
//! loopback socket (the sandbox honours `$top` up to 1000).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

/// Serves `GET .../organizations` pages of the next size in `sizes` (whatever `$top` says),
/// numbered from `$skip`; records each request's query.
fn capped_server(sizes: Vec<usize>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let queries = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&queries);
    let origin = base.clone();
    std::thread::spawn(move || {
        let mut sizes = sizes.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let target = request_line.split(' ').nth(1).unwrap_or("").to_owned();
            let query = target
                .split_once('?')
                .map(|(_, q)| q.to_owned())
                .unwrap_or_default();
            seen.lock().unwrap().push(query.clone());
            let skip: usize = query
                .split('&')
                .find_map(|p| {
                    p.strip_prefix("%24skip=")
                        .or_else(|| p.strip_prefix("$skip="))
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let n = sizes.next().unwrap_or(0);
            let organizations: Vec<_> = (skip..skip + n)
                .map(|i| {
                    json!({
                        "Name": format!("ORG {i}"),
                        "OrganizationNumber": format!("{:09}", 800_000_000 + i),
                        "Type": "AS",
                    })
                })
                .collect();
            let body = json!({
                "_links": {"self": {"href": format!("{origin}api/serviceowner/organizations")}},
                "_embedded": {"organizations": organizations},
            })
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/hal+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, queries)
}

#[test]
fn all_goes_on_past_short_pages_and_stops_at_the_empty_one() {
    let (base, queries) = capped_server(vec![100, 37, 1, 0]);
    let mut cmd = command();
    cmd.env("ALTINN_BASE_URL", &base)
        .env("ALTINN_API_KEY", "test-key");
    let out = run(
        cmd,
        &[
            "--format",
            "jsonl",
            "organizations",
            "--all",
            "--top",
            "1000",
        ],
    );
    assert_code(&out, 0);
    let lines = json_lines(&stdout(&out));
    let numbers: Vec<String> = lines
        .iter()
        .map(|o| o["OrganizationNumber"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..138)
        .map(|i| format!("{:09}", 800_000_000 + i))
        .collect();
    assert_eq!(numbers, expected);
    let queries = queries.lock().unwrap();
    assert_eq!(queries.len(), 4, "{queries:?}");
    assert!(
        queries.iter().all(|q| q.contains("top=1000")),
        "{queries:?}"
    );
}
