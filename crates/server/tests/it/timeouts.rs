//! Issue 9 finding 9: header-read, body and idle timeouts, over raw TCP against the real
//! connection loop (`http::serve::serve`) serving the test app's router on 127.0.0.1:0.
//! Timeouts of 1 s (header), 2 s (body) and 3 s (idle): distinct, so each close is told
//! apart by when it happens.

use std::time::{Duration, Instant};

use reformwatch::http::serve::{Timeouts, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Backend, TestApp};

const HEADER: Duration = Duration::from_secs(1);
const BODY: Duration = Duration::from_secs(2);
const IDLE: Duration = Duration::from_secs(3);

async fn served() -> (TestApp, std::net::SocketAddr) {
    let app = TestApp::new_with(Backend::Sqlite, |c| {
        c.header_timeout_secs = 1;
        c.body_timeout_secs = 2;
        c.idle_timeout_secs = 3;
    })
    .await;
    let timeouts = Timeouts::from_config(&app.state.config);
    assert_eq!(
        timeouts,
        Timeouts {
            header: HEADER,
            body: BODY,
            idle: IDLE
        }
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = reformwatch::app(app.state.clone());
    tokio::spawn(serve(
        listener,
        router,
        timeouts,
        std::future::pending::<()>(),
    ));
    (app, addr)
}

/// Reads one response (headers and a Content-Length body); `None` if the server closed the
/// connection before a complete response.
async fn read_response(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Some(String::from_utf8_lossy(&buf[..end + 4 + len]).to_string());
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk))
            .await
            .expect("no answer within 10 s")
            .unwrap_or(0);
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Waits for the server to close the connection (EOF or reset); the time it took.
async fn closed_after(s: &mut TcpStream, since: Instant) -> Duration {
    let mut chunk = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk))
            .await
            .expect("still open after 10 s")
            .unwrap_or(0);
        if n == 0 {
            return since.elapsed();
        }
    }
}

const GET: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

fn between(d: Duration, lo: Duration, hi: Duration) -> bool {
    d >= lo && d <= hi
}

/// A normal request works, and a keep-alive connection serves a second one after a pause
/// longer than the header timeout (the header timer does not run while idle).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_requests_and_keep_alive_work() {
    let (_app, addr) = served().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(GET).await.unwrap();
    let r = read_response(&mut s).await.expect("a response");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    tokio::time::sleep(HEADER + Duration::from_millis(700)).await;
    s.write_all(GET).await.unwrap();
    let r = read_response(&mut s).await.expect("a second response");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // A body sent within the body timeout is read (rules check answers JSON, not 408).
    let body = br#"{"members_now": 5}"#;
    let head = format!(
        "POST /api/v1/rules/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.write_all(body).await.unwrap();
    let r = read_response(&mut s).await.expect("an answer to the POST");
    assert!(!r.starts_with("HTTP/1.1 408"), "{r}");
    assert!(r.starts_with("HTTP/1.1 "), "{r}");
}

/// Half a header: the connection is closed after the header timeout (1 s), not the idle
/// timeout (3 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_header_is_closed_after_the_header_timeout() {
    let (_app, addr) = served().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let t = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let d = closed_after(&mut s, t).await;
    assert!(
        between(
            d,
            HEADER - Duration::from_millis(100),
            IDLE - Duration::from_millis(500)
        ),
        "closed after {d:?}"
    );
    // Trickling the header a byte at a time does not extend it.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let t = Instant::now();
    let writer = async {
        for b in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa" {
            tokio::time::sleep(Duration::from_millis(150)).await;
            if s.write_all(&[*b]).await.is_err() {
                break;
            }
        }
    };
    writer.await;
    let d = closed_after(&mut s, t).await;
    // The writer stopped when the server closed (or after its ~9 s); the close came first.
    assert!(d < IDLE, "closed after {d:?}");
}

/// A body that trickles in is cut after the body timeout (2 s) with 408 and a closed
/// connection, though bytes keep coming (a per-read timeout would never fire).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_body_is_cut_after_the_body_timeout() {
    let (_app, addr) = served().await;
    for path in ["/api/v1/rules/check", "/rules/check"] {
        let s = TcpStream::connect(addr).await.unwrap();
        let (mut rd, mut wr) = s.into_split();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nSec-Fetch-Site: same-origin\r\n\r\n"
        );
        wr.write_all(head.as_bytes()).await.unwrap();
        let t = Instant::now();
        let trickle = tokio::spawn(async move {
            for _ in 0..1000 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if wr.write_all(b" ").await.is_err() {
                    return;
                }
            }
        });
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = tokio::time::timeout(Duration::from_secs(10), rd.read(&mut chunk))
                .await
                .expect("no answer within 10 s")
                .unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let d = t.elapsed();
        trickle.abort();
        let r = String::from_utf8_lossy(&buf).to_string();
        assert!(r.starts_with("HTTP/1.1 408"), "{path}: {r}");
        assert!(r.to_ascii_lowercase().contains("connection: close"), "{r}");
        if path.starts_with("/api/") {
            assert!(r.contains(r#""code":"timeout""#), "{r}");
        }
        assert!(
            between(
                d,
                BODY - Duration::from_millis(100),
                BODY + Duration::from_millis(1500)
            ),
            "{path}: answered and closed after {d:?}"
        );
    }
}

/// An idle keep-alive connection is closed after the idle timeout (3 s), not the header
/// timeout (1 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let (_app, addr) = served().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(GET).await.unwrap();
    let r = read_response(&mut s).await.expect("a response");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let t = Instant::now();
    let d = closed_after(&mut s, t).await;
    assert!(
        between(
            d,
            IDLE - Duration::from_millis(100),
            IDLE + Duration::from_millis(1500)
        ),
        "closed after {d:?}"
    );
    // A connection that never sends anything is idle too.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let t = Instant::now();
    let d = closed_after(&mut s, t).await;
    assert!(
        between(
            d,
            IDLE - Duration::from_millis(100),
            IDLE + Duration::from_millis(1500)
        ),
        "silent connection closed after {d:?}"
    );
}
