//! Serving HTTP/1.1 connections with three separate timeouts (issue 9 finding 9: 300
//! half-open connections were held for 40 s):
//!
//! - **header read**: from the first byte of a request to the end of its headers;
//! - **body**: from the end of the headers to the end of the body, in total (a body trickled a
//!   byte at a time is cut at the deadline, not only a body that stops); the request is then
//!   answered 408 and the connection closed;
//! - **idle**: a keep-alive connection with no request in flight and no byte read or written
//!   for this long is closed.
//!
//! hyper's own header timer also runs while a keep-alive connection waits for its next
//! request, which would make the idle timeout the header timeout; so it is off, and a small
//! watchdog per connection enforces the header and idle timeouts from the connection's
//! activity (bytes read and written, requests in flight), while the body deadline wraps each
//! request's body.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// The three limits (config keys `header_timeout_secs`, `body_timeout_secs`,
/// `idle_timeout_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub body: Duration,
    pub idle: Duration,
}

impl Timeouts {
    pub fn from_config(config: &crate::Config) -> Timeouts {
        Timeouts {
            header: Duration::from_secs(config.header_timeout_secs),
            body: Duration::from_secs(config.body_timeout_secs),
            idle: Duration::from_secs(config.idle_timeout_secs),
        }
    }
}

/// What a connection has been doing, shared by its socket wrapper, its requests and its
/// watchdog. Instants are kept as milliseconds since `start`.
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// Last byte read or written.
    last_io: AtomicU64,
    /// First byte of a request head while no request was in flight, plus one (0: none).
    head_started: AtomicU64,
    changed: tokio::sync::Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_io: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
    fn at(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }
    fn read(&self) {
        let now = self.now_ms();
        self.last_io.store(now, Ordering::SeqCst);
        if self.in_flight.load(Ordering::SeqCst) == 0
            && self
                .head_started
                .compare_exchange(0, now + 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.changed.notify_one();
        }
    }
    fn wrote(&self) {
        self.last_io.store(self.now_ms(), Ordering::SeqCst);
    }
    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.head_started.store(0, Ordering::SeqCst);
        self.changed.notify_one();
    }
    fn request_ended(&self) {
        self.last_io.store(self.now_ms(), Ordering::SeqCst);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_one();
    }
}

/// Ends a request's count even when its future is dropped.
struct InFlight(Arc<Activity>);
impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// The socket, noting every byte read and written.
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Resolves when the connection has been waiting too long: a request head not complete
/// within the header timeout, or no activity for the idle timeout while no request is in
/// flight. Requests in flight are bounded by the body timeout and their handlers.
async fn watchdog(activity: &Activity, timeouts: Timeouts) -> &'static str {
    loop {
        if activity.in_flight.load(Ordering::SeqCst) > 0 {
            activity.changed.notified().await;
            continue;
        }
        let head = activity.head_started.load(Ordering::SeqCst);
        let (deadline, why) = if head > 0 {
            (activity.at(head - 1) + timeouts.header, "header timeout")
        } else {
            (
                activity.at(activity.last_io.load(Ordering::SeqCst)) + timeouts.idle,
                "idle timeout",
            )
        };
        if Instant::now() >= deadline {
            return why;
        }
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {}
            () = activity.changed.notified() => {}
        }
    }
}

#[derive(Clone)]
struct Connection(Arc<Activity>);

/// Set on a request whose body missed its deadline.
#[derive(Clone)]
struct BodyExpired(Arc<AtomicBool>);

/// Counts the request as in flight and bounds its body by the body timeout; a request whose
/// body missed the deadline is answered 408 and its connection closed.
async fn requests(timeout: Duration, req: Request, next: Next) -> Response {
    let Some(conn) = req.extensions().get::<Connection>().cloned() else {
        return next.run(req).await;
    };
    conn.0.request_started();
    let _in_flight = InFlight(conn.0.clone());
    let expired = BodyExpired(Arc::new(AtomicBool::new(false)));
    let is_api = req.uri().path().starts_with("/api/");
    let req = {
        let flag = expired.0.clone();
        req.map(|body| deadline_body(body, Instant::now() + timeout, flag))
    };
    let response = next.run(req).await;
    if !expired.0.load(Ordering::SeqCst) {
        return response;
    }
    tracing::info!(timeout_secs = timeout.as_secs(), "request body timed out");
    let mut r = if is_api {
        (
            StatusCode::REQUEST_TIMEOUT,
            axum::Json(serde_json::json!({"errors": [{
                "code": "timeout",
                "message": "请求正文未在时限内送达。The request body did not arrive in time.",
                "field": null,
            }]})),
        )
            .into_response()
    } else {
        (
            StatusCode::REQUEST_TIMEOUT,
            "请求正文未在时限内送达。The request body did not arrive in time.\n",
        )
            .into_response()
    };
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// The body, failing once `deadline` has passed before its end.
fn deadline_body(
    body: axum::body::Body,
    deadline: Instant,
    expired: Arc<AtomicBool>,
) -> axum::body::Body {
    use futures_util::StreamExt;
    let stream = body.into_data_stream();
    let chunks = futures_util::stream::unfold(Some(stream), move |state| {
        let expired = expired.clone();
        async move {
            let mut stream = state?;
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(stream))),
                Ok(None) => None,
                Err(_) => {
                    expired.store(true, Ordering::SeqCst);
                    Some((Err(axum::Error::new("request body timeout")), None))
                }
            }
        }
    });
    axum::body::Body::from_stream(chunks)
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting and lets the
/// open connections finish their current request.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    timeouts: Timeouts,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;
    let body_timeout = timeouts.body;
    let app = app.layer(axum::middleware::from_fn(
        move |req: Request, next: Next| requests(body_timeout, req, next),
    ));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let activity = Arc::new(Activity::new());
        let conn_activity = Connection(activity.clone());
        let svc = app
            .clone()
            .map_request(move |mut req: http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.extensions_mut().insert(conn_activity.clone());
                req
            });
        let io = Watched {
            inner: stream,
            activity: activity.clone(),
        };
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // The watchdog below times headers out from their first byte.
                .header_read_timeout(None)
                .serve_connection(TokioIo::new(io), TowerToHyperService::new(svc));
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                why = watchdog(&activity, timeouts) => {
                    tracing::debug!(http.peer = %peer, reason = why, "connection closed");
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        // Reap finished connections so the set does not grow.
        while tasks.try_join_next().is_some() {}
    }
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}
