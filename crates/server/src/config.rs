//! Configuration: defaults → optional TOML file → `REFORMWATCH_*` environment → command-line
//! flags (STYLE 11). Secrets are masked when printed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Serialized};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Folder for the embedded database and (later) evidence files.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `sqlite://<data_dir>/reformwatch.db`.
    pub database_url: Option<String>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Behind one reverse proxy that is the only way in: the connection's peer is trusted and
    /// the client is the right-most `X-Forwarded-For` entry. Prefer `trusted_proxies`.
    pub trust_proxy: bool,
    /// Addresses or CIDR ranges of your reverse proxies; the client is the right-most
    /// `X-Forwarded-For` hop that is not one of them (issue 9 finding 8).
    pub trusted_proxies: Vec<String>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub login_window_minutes: i64,
    pub login_failures_per_account: i64,
    pub login_failures_per_address: i64,
    /// Largest accepted request body (uploads), bytes.
    pub max_upload_bytes: usize,
    /// Log filter, e.g. `info` or `reformwatch=debug`.
    pub log: String,
    /// SMTP server for e-mail notifications, e.g. `smtp://user:pass@mail.example:587?tls=required`
    /// or `smtps://…`; none: in-app inbox only.
    pub smtp_url: Option<String>,
    /// Sender of notification e-mails.
    pub mail_from: String,
    /// The address people use to reach this server (links in e-mails).
    pub public_url: String,
    /// Largest evidence file, bytes (R-TRACK-4).
    pub max_evidence_bytes: u64,
    /// Evidence storage allowed per society, bytes (R-TRACK-4).
    pub society_quota_bytes: u64,
    /// Key of the audit head's HMAC (64 hex characters); default: `<data_dir>/audit.key`,
    /// created at the first start (issue 9 finding 6).
    pub audit_key: Option<String>,
    /// Lifetime of a new API token, days (issue 9 finding 7).
    pub token_days: i64,
    /// Demonstration only: the moment the demo clock starts from, e.g.
    /// `2017-07-20T10:00+08:00` (default with `--demo`: 2017-09-15 10:00 Beijing time). Refused
    /// unless the server runs with `--demo`; a production server always runs on real time.
    pub clock: Option<String>,
    /// Heavy requests (dashboard page/.xlsx/API, rates, overviews and their exports) that run
    /// at once in this process; past it a request gets 503 with `Retry-After` (issue 8).
    pub heavy_requests: usize,
    /// The anonymous public pages' fast path (R-PUB-3) reads what they depend on (newest
    /// bulletin, catalogues, demo flag) from the database at most this often, milliseconds: a
    /// bulletin published by another process (the CLI, a second server) shows within it; one
    /// published by this process shows at once. 0: read on every request.
    pub public_revalidate_ms: u64,
    /// The `Retry-After` seconds sent with that 503.
    pub heavy_retry_after_secs: u64,
    /// A request's headers must arrive within this many seconds of its first byte (issue 9
    /// finding 9).
    pub header_timeout_secs: u64,
    /// A request's body must arrive within this many seconds of its headers, in total;
    /// otherwise 408 and the connection is closed.
    pub body_timeout_secs: u64,
    /// A keep-alive connection with no request and no traffic for this many seconds is closed.
    pub idle_timeout_secs: u64,
    /// PostgreSQL: a statement waiting this long for a lock gives up (`lock_timeout`), and the
    /// request answers 503 with Retry-After (a busy database). SQLite waits up to 10 s
    /// (`busy_timeout`).
    pub pg_lock_timeout_ms: u64,
    /// Where the official notice PDF (feature `pdf`) finds Noto Serif CJK SC (regular, bold)
    /// and Noto Sans CJK SC (bold): this folder and its subfolders (four levels). Default
    /// `/usr/share/fonts` (Debian's fonts-noto-cjk puts them in `opentype/noto`). With the
    /// feature, `serve` refuses to start when they are missing.
    pub fonts_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("reformwatch-data"),
            database_url: None,
            secure_cookies: false,
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            login_window_minutes: 15,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            max_upload_bytes: 20 * 1024 * 1024,
            log: "info".to_string(),
            smtp_url: None,
            mail_from: "ReformWatch <noreply@localhost>".to_string(),
            public_url: "http://127.0.0.1:8080".to_string(),
            max_evidence_bytes: 20 * 1024 * 1024,
            society_quota_bytes: 500 * 1024 * 1024,
            audit_key: None,
            token_days: crate::db::tokens::DEFAULT_DAYS,
            clock: None,
            heavy_requests: 4,
            public_revalidate_ms: 1000,
            heavy_retry_after_secs: 5,
            header_timeout_secs: 10,
            body_timeout_secs: 120,
            idle_timeout_secs: 60,
            pg_lock_timeout_ms: 10_000,
            fonts_dir: PathBuf::from(reformwatch_notice::SYSTEM_FONTS_DIR),
        }
    }
}

const KNOWN_KEYS: &[&str] = &[
    "addr",
    "data_dir",
    "database_url",
    "secure_cookies",
    "trust_proxy",
    "trusted_proxies",
    "session_idle_minutes",
    "session_absolute_hours",
    "login_window_minutes",
    "login_failures_per_account",
    "login_failures_per_address",
    "max_upload_bytes",
    "log",
    "smtp_url",
    "mail_from",
    "public_url",
    "max_evidence_bytes",
    "society_quota_bytes",
    "audit_key",
    "token_days",
    "clock",
    "heavy_requests",
    "public_revalidate_ms",
    "heavy_retry_after_secs",
    "header_timeout_secs",
    "body_timeout_secs",
    "idle_timeout_secs",
    "pg_lock_timeout_ms",
    "fonts_dir",
];

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
}

impl Config {
    /// Loads the layers; returns the config and warnings (unknown keys in the file).
    pub fn load(
        file: Option<&Path>,
        overrides: Overrides,
    ) -> anyhow::Result<(Config, Vec<String>)> {
        let mut warnings = Vec::new();
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
            for key in table.keys() {
                if !KNOWN_KEYS.contains(&key.as_str()) {
                    warnings.push(format!(
                        "unknown key `{key}` in {} (ignored)",
                        path.display()
                    ));
                }
            }
            fig = fig.merge(ConfigFile {
                path: path.to_path_buf(),
                table,
            });
        }
        fig = fig
            .merge(Env::prefixed("REFORMWATCH_").only(KNOWN_KEYS))
            .merge(Serialized::defaults(overrides));
        let config: Config = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        config.check()?;
        Ok((config, warnings))
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.session_idle_minutes <= 0 || self.session_absolute_hours <= 0 {
            anyhow::bail!("session lifetimes must be positive");
        }
        if self.login_failures_per_account <= 0 || self.login_failures_per_address <= 0 {
            anyhow::bail!("login failure limits must be positive");
        }
        if let Some(bad) = self
            .trusted_proxies
            .iter()
            .find(|p| crate::auth::proxy::Cidr::parse(p).is_none())
        {
            anyhow::bail!("trusted_proxies: `{bad}` is not an address or CIDR range");
        }
        if self.token_days <= 0 {
            anyhow::bail!("token_days must be positive");
        }
        if self.header_timeout_secs == 0
            || self.body_timeout_secs == 0
            || self.idle_timeout_secs == 0
        {
            anyhow::bail!(
                "header_timeout_secs, body_timeout_secs and idle_timeout_secs must be at least 1"
            );
        }
        if self.pg_lock_timeout_ms == 0 {
            anyhow::bail!("pg_lock_timeout_ms must be positive (0 would wait for ever)");
        }
        Ok(())
    }

    /// Served over HTTPS: `secure_cookies` set, or `public_url` is https (issue 9 finding 9):
    /// cookies are `Secure` and responses carry HSTS.
    pub fn https(&self) -> bool {
        self.secure_cookies
            || self
                .public_url
                .trim()
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("reformwatch.db").display()
            ),
        }
    }

    /// Evidence files live here, outside any served folder (R-TRACK-4).
    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }

    pub fn session_policy(&self) -> crate::db::sessions::SessionPolicy {
        crate::db::sessions::SessionPolicy {
            idle: chrono::Duration::minutes(self.session_idle_minutes),
            absolute: chrono::Duration::hours(self.session_absolute_hours),
        }
    }

    pub fn throttle_policy(&self) -> crate::db::throttle::ThrottlePolicy {
        crate::db::throttle::ThrottlePolicy {
            window: chrono::Duration::minutes(self.login_window_minutes),
            per_account: self.login_failures_per_account,
            per_address: self.login_failures_per_address,
            ..Default::default()
        }
    }

    /// The configuration as TOML with secrets masked.
    pub fn to_masked_toml(&self) -> String {
        let mut masked = self.clone();
        masked.database_url = Some(crate::db::mask_url(&self.database_url()));
        masked.smtp_url = self.smtp_url.as_deref().map(crate::db::mask_url);
        masked.audit_key = self.audit_key.as_ref().map(|_| "****".to_string());
        toml::to_string_pretty(&masked).unwrap_or_default()
    }
}

/// The configuration file's table, parsed once with our `toml` (figment's own TOML provider
/// would compile a second, older major version of the toml crates); errors still name the file.
struct ConfigFile {
    path: PathBuf,
    table: toml::Table,
}

impl Provider for ConfigFile {
    fn metadata(&self) -> Metadata {
        Metadata::named("TOML file").source(figment::Source::File(self.path.clone()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Serialized::defaults(&self.table).data()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database_url", &crate::db::mask_url(&self.database_url()))
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(crate::db::mask_url),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_unknown_keys_warn() {
        let dir = std::env::temp_dir().join(format!("rw-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rw.toml");
        std::fs::write(
            &file,
            "addr = \"127.0.0.1:9000\"\ndata_dir = \"/srv/rw\"\ncolour = \"blue\"\n",
        )
        .unwrap();
        let (c, warnings) = Config::load(
            Some(&file),
            Overrides {
                data_dir: Some("/tmp/flag".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/flag"));
        assert_eq!(c.session_idle_minutes, 30);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("colour"));
    }

    #[test]
    fn secrets_are_masked() {
        let c = Config {
            database_url: Some("postgres://rw:hunter2@db/rw".into()),
            ..Default::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.to_masked_toml().contains("hunter2"));
        assert!(c.to_masked_toml().contains("****"));
    }

    #[test]
    fn default_database_is_sqlite_in_data_dir() {
        let c = Config {
            data_dir: "/var/lib/rw".into(),
            ..Default::default()
        };
        assert_eq!(
            c.database_url(),
            "sqlite:///var/lib/rw/reformwatch.db?mode=rwc"
        );
    }
}
