//! `--base-url http://` for a host other than this machine is refused (exit 2) before anything is
//! sent; `--danger-allow-insecure-http` opts in. A loopback listener set as `HTTP_PROXY` sees any
//! request the CLI would send to the `.invalid` host, so "nothing was sent" is observed, and no
//! traffic leaves the machine either way.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;

/// A loopback "proxy" that records whether anyone connected.
fn proxy() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

fn through(proxy_url: &str) -> std::process::Command {
    let mut cmd = command();
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env(name, proxy_url);
    }
    for name in ["NO_PROXY", "no_proxy"] {
        cmd.env_remove(name);
    }
    cmd.env("ALTINN_API_KEY", "clear-text-key-7c1d");
    cmd
}

#[test]
fn an_http_base_url_for_another_host_exits_2_and_sends_nothing() {
    let (listener, proxy_url) = proxy();
    let out = run(
        through(&proxy_url),
        &[
            "--base-url",
            "http://altinn.example.invalid",
            "official-contacts",
            "910021451",
        ],
    );
    assert_code(&out, 2);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: refusing the base URL"), "{err}");
    assert!(err.contains("http://altinn.example.invalid"), "{err}");
    assert!(err.contains("clear text"), "{err}");
    assert!(err.contains("--danger-allow-insecure-http"), "{err}");
    assert!(!err.contains("clear-text-key-7c1d"), "{err}");
    assert!(stdout(&out).is_empty());
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a request was attempted: {other:?}"),
    }
}

#[test]
fn the_danger_switch_lets_the_request_go_out() {
    let (listener, proxy_url) = proxy();
    let server = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let (mut conn, _) = loop {
            match listener.accept() {
                Ok(accepted) => break accepted,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no request came");
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        };
        conn.set_nonblocking(false).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        conn.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    let mut cmd = through(&proxy_url);
    cmd.env("ALTINN_DANGER_ALLOW_INSECURE_HTTP", "true");
    let out = run(
        cmd,
        &[
            "--base-url",
            "http://altinn.example.invalid",
            "official-contacts",
            "910021451",
        ],
    );
    let head = server.join().unwrap();
    assert!(
        head.starts_with(
            "GET http://altinn.example.invalid/api/serviceowner/organizations/910021451/officialcontacts HTTP/1.1"
        ),
        "{head}"
    );
    assert_code(&out, 1);
}
