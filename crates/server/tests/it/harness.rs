//! `TestApp`: one application over a fresh database, with a cookie jar and helpers.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use reformwatch::db::audit::Actor;
use reformwatch::db::users::{self, NewUser};
use reformwatch::db::{Db, societies};
use reformwatch::model::Role;
use reformwatch::{AppState, Config};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub backend: Backend,
    cookies: std::sync::Mutex<Vec<(String, String)>>,
    cleanup: Option<Cleanup>,
}

pub struct EmptyTarget {
    pub config: Config,
    pub backend: Backend,
    cleanup: Cleanup,
}

struct Cleanup {
    admin_url: String,
    database: String,
    _dir: Option<std::path::PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(dir) = &self._dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if self.database.is_empty() {
            return;
        }
        let url = self.admin_url.clone();
        let db = self.database.clone();
        // A fresh runtime on its own thread: Drop may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                sqlx::any::install_default_drivers();
                if let Ok(pool) = sqlx::AnyPool::connect(&url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
                    )))
                    .execute(&pool)
                    .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

pub fn pg_admin_url() -> String {
    std::env::var("REFORMWATCH_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::new_with(backend, |_| {}).await
    }

    /// A fresh application with a changed configuration (e.g. SMTP).
    pub async fn new_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut target = Self::empty_target(backend).await;
        configure(&mut target.config);
        Self::open_target(target).await
    }

    /// An empty place for an application: a fresh database (an empty PostgreSQL database, or no
    /// SQLite file yet) and a data directory that does not exist yet; removed when dropped
    /// (through the app opened on it). A restore test restores into it.
    pub async fn empty_target(backend: Backend) -> EmptyTarget {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("rwtest"));
                std::fs::create_dir_all(&dir).unwrap();
                (
                    format!("sqlite://{}?mode=rwc", dir.join("rw.db").display()),
                    Cleanup {
                        admin_url: String::new(),
                        database: String::new(),
                        _dir: Some(dir),
                    },
                )
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL must answer at {admin} for these tests: {e}")
                });
                let name = unique("rwtest");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                (
                    url.to_string(),
                    Cleanup {
                        admin_url: admin,
                        database: name,
                        _dir: None,
                    },
                )
            }
        };
        // Evidence files go to a per-test folder (removed with the app).
        let data_dir = std::env::temp_dir().join(unique("rwdata"));
        EmptyTarget {
            config: Config {
                database_url: Some(url),
                data_dir,
                // The origin `request` sends (issue 9 finding 9: CSRF compares with it).
                public_url: "http://rw.test".to_string(),
                ..Config::default()
            },
            backend,
            cleanup,
        }
    }

    /// An application on a target (after a restore into it, or fresh).
    pub async fn open_target(target: EmptyTarget) -> TestApp {
        Self::with_config(target.config, target.backend, Some(target.cleanup)).await
    }

    /// A second application (another "process") on the same database.
    pub async fn sibling(&self) -> TestApp {
        Self::with_config((*self.state.config).clone(), self.backend, None).await
    }

    async fn with_config(config: Config, backend: Backend, cleanup: Option<Cleanup>) -> TestApp {
        let state = reformwatch::build_state(config).await.unwrap();
        let router = reformwatch::app(state.clone());
        TestApp {
            router,
            state,
            backend,
            cookies: Default::default(),
            cleanup,
        }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.cookies.lock().unwrap();
        jar.retain(|(k, _)| k != name);
        jar.push((name.to_string(), value.to_string()));
    }

    /// Sends a request as a browser on our own pages would (same-origin Origin header).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("host", "rw.test");
        let sets_origin = extra
            .iter()
            .any(|(k, _)| *k == "origin" || *k == "sec-fetch-site");
        if method != Method::GET && !sets_origin {
            req = req.header("origin", "http://rw.test");
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let jar = self.cookies.lock().unwrap().clone();
        if !jar.is_empty() {
            let c = jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header("cookie", c);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let resp = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all("set-cookie") {
            let s = v.to_str().unwrap();
            let pair = s.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            let max_age_zero = s.contains("Max-Age=0");
            let mut jar = self.cookies.lock().unwrap();
            jar.retain(|(name, _)| name != k);
            if !max_age_zero {
                jar.push((k.to_string(), val.to_string()));
            }
        }
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            body: bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, None, vec![], &[]).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded(form);
        self.request(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[],
        )
        .await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
        token: Option<&str>,
    ) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut extra = vec![];
        if let Some(a) = &auth {
            extra.push(("authorization", a.as_str()));
        }
        self.request(
            method,
            path,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
            &extra,
        )
        .await
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        self.request(Method::GET, path, None, vec![], &[("authorization", &auth)])
            .await
    }

    pub async fn multipart(&self, path: &str, field: &str, file_name: &str, bytes: &[u8]) -> Resp {
        let boundary = "----rwtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.request(
            Method::POST,
            path,
            Some(&format!("multipart/form-data; boundary={boundary}")),
            body,
            &[],
        )
        .await
    }

    /// Creates an account directly in the store.
    pub async fn user(&self, username: &str, role: Role, society: Option<&str>) -> users::User {
        let society_id = match society {
            Some(code) => Some(
                societies::by_code(self.db(), code)
                    .await
                    .unwrap()
                    .expect("society exists")
                    .id,
            ),
            None => None,
        };
        let hash = reformwatch::auth::password::hash_sync(PASSWORD).unwrap();
        users::create(
            self.db(),
            &Actor::System,
            self.state.clock.now(),
            &NewUser {
                username,
                display_name: username,
                password_hash: &hash,
                role,
                society_id,
                demo: false,
            },
        )
        .await
        .unwrap()
    }

    pub async fn login(&self, username: &str) -> Resp {
        self.forget_cookies();
        let r = self
            .post_form(
                "/login",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            r.text()
        );
        r
    }

    /// Loads the 209 societies.
    pub async fn registry(&self) {
        let rows = reformwatch::import::parse_societies(
            "s.csv",
            reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
        )
        .unwrap();
        societies::import(self.db(), &Actor::System, self.state.clock.now(), &rows)
            .await
            .unwrap();
    }

    /// A fresh API token for an existing user.
    pub async fn token_for(&self, username: &str) -> String {
        let u = users::by_username(self.db(), username)
            .await
            .unwrap()
            .unwrap()
            .user;
        reformwatch::db::tokens::create(
            self.db(),
            &Actor::System,
            self.state.clock.now(),
            u.id,
            username,
            "t",
        )
        .await
        .unwrap()
        .1
    }

    pub async fn admin_token(&self) -> String {
        let admin = match users::by_username(self.db(), "tokenadmin").await.unwrap() {
            Some(u) => u.user,
            None => self.user("tokenadmin", Role::Admin, None).await,
        };
        let (_, secret) = reformwatch::db::tokens::create(
            self.db(),
            &Actor::System,
            self.state.clock.now(),
            admin.id,
            &admin.username,
            "test",
        )
        .await
        .unwrap();
        secret
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(c) = self.cleanup.take() {
            // Close our pool first so that DROP DATABASE does not wait for it.
            let pool = self.state.db.pool.clone();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(pool.close());
            })
            .join();
            drop(c);
        }
    }
}

fn serde_urlencoded(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// Runs one async scenario on both backends.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::TestApp::new($crate::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::TestApp::new($crate::Backend::Postgres).await).await;
            }
        }
    };
}

/// A test that writes rows with today's code into a database migrated only part of the way
/// (`Db::connect_until`) needs the columns today's audit trail writes beside the head: the
/// snapshot version of migration 0016 (`audit_head.data_seq`, `data_hash`). They are lent to
/// the old schema for the writes and taken back ([`take_back_snapshot_columns`]) before the
/// remaining migrations run, which add them for real.
pub async fn lend_snapshot_columns(db: &reformwatch::db::Db) {
    for sql in [
        "ALTER TABLE audit_head ADD COLUMN data_seq BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE audit_head ADD COLUMN data_hash TEXT NOT NULL DEFAULT ''",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
}

/// See [`lend_snapshot_columns`].
pub async fn take_back_snapshot_columns(db: &reformwatch::db::Db) {
    for sql in [
        "ALTER TABLE audit_head DROP COLUMN data_seq",
        "ALTER TABLE audit_head DROP COLUMN data_hash",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
}
