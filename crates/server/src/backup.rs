//! Online backup and restore (issue 9; R-X-2, R-X-4): no accepted change may be lost.
//!
//! A backup is a directory holding
//! - the database: SQLite as a consistent snapshot made by `VACUUM INTO` while the server runs
//!   (never a file copy of a live database), PostgreSQL as a `pg_dump` custom-format archive
//!   taken in an exported snapshot;
//! - the evidence objects the snapshot refers to, under `evidence/objects/ab/cdef…` (objects are
//!   written and synced before the row that refers to them commits and are never deleted, so
//!   every object the snapshot names exists when it is copied);
//! - `MANIFEST` (JSON, written last and renamed into place, so a backup without it is partial):
//!   every file's SHA-256 and size, the row count of every table, the audit chain head, the
//!   binary version and the schema version, all read from the same snapshot.
//!
//! `restore` checks every file against the manifest before it writes anything, restores only
//! into an empty target, and afterwards checks the row counts, the audit head and the whole
//! audit chain.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, AssertSqlSafe, ConnectOptions, Row};

use crate::Config;
use crate::db::{self, Backend, Db};

/// Format identifier written into every manifest.
pub const FORMAT: &str = "reformwatch-backup/1";
/// The manifest's file name inside a backup directory.
pub const MANIFEST: &str = "MANIFEST";
/// The SQLite snapshot's file name inside a backup directory.
pub const SQLITE_FILE: &str = "reformwatch.db";
/// The PostgreSQL archive's file name inside a backup directory.
pub const PG_FILE: &str = "database.pgdump";
const EVIDENCE_PREFIX: &str = "evidence/objects/";

/// What a backup holds; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    /// When the backup was taken (RFC 3339, UTC).
    pub created_at: String,
    /// `reformwatch` version that wrote it.
    pub binary_version: String,
    /// Highest applied migration in the snapshot.
    pub schema_version: i64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The database file inside the backup (`reformwatch.db` or `database.pgdump`).
    pub database_file: String,
    /// Rows per table in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// The last audit entry in the snapshot (none for an empty trail).
    pub audit_head: Option<AuditHead>,
    /// Every file of the backup but the manifest, database first, with checksum and size.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative path with `/` separators.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    /// Total size of the files, bytes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Number of evidence objects.
    pub fn evidence_count(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path.starts_with(EVIDENCE_PREFIX))
            .count()
    }
}

/// What a restore checked.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Entries in the restored audit trail (verified).
    pub audit_entries: i64,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        bail!("unsupported database URL (use sqlite://… or postgres://…)")
    }
}

/// The database file of a `sqlite://PATH?…` URL.
fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| anyhow!("not a SQLite URL"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        bail!("an in-memory SQLite database cannot be backed up or restored");
    }
    Ok(PathBuf::from(path))
}

async fn sqlite_pool(path: &Path, mode: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode={mode}", path.display());
    let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, "PRAGMA busy_timeout = 10000").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open SQLite database {}", path.display()))?;
    Ok(pool)
}

async fn pg_pool(url: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(url)
        .context("invalid database URL")?
        .disable_statement_logging();
    AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to the database ({})", db::mask_url(url)))
}

/// Table names are read from the database catalogue; only plain identifiers are accepted
/// before one is put into SQL.
fn checked_table(name: &str) -> anyhow::Result<&str> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(name)
    } else {
        bail!("unexpected table name {name:?}")
    }
}

/// Row counts, audit head, schema version and evidence objects, read through one executor
/// (a snapshot connection or a snapshot transaction), so they describe one state.
struct SnapshotFacts {
    tables: BTreeMap<String, i64>,
    audit_head: Option<AuditHead>,
    schema_version: i64,
    objects: Vec<(String, u64)>,
}

async fn read_facts(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> anyhow::Result<SnapshotFacts> {
    let list_sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let names: Vec<String> = sqlx::query(list_sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    let mut tables = BTreeMap::new();
    for name in names {
        let t = checked_table(&name)?;
        let n: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM \"{t}\""
        )))
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        tables.insert(name, n);
    }
    if !tables.contains_key("schema_migrations") {
        bail!("the database has no ReformWatch schema (no schema_migrations table)");
    }
    let schema_version: i64 =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    let audit_head = if tables.contains_key("audit_log") {
        sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| -> Result<AuditHead, sqlx::Error> {
                Ok(AuditHead {
                    seq: r.try_get(0)?,
                    hash: r.try_get(1)?,
                })
            })
            .transpose()?
    } else {
        None
    };
    let objects = if tables.contains_key("evidence_objects") {
        sqlx::query("SELECT sha256, size FROM evidence_objects ORDER BY sha256")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| -> anyhow::Result<(String, u64)> {
                let sha: String = r.try_get(0)?;
                let size: i64 = r.try_get(1)?;
                Ok((sha, u64::try_from(size).context("negative object size")?))
            })
            .collect::<anyhow::Result<_>>()?
    } else {
        Vec::new()
    };
    Ok(SnapshotFacts {
        tables,
        audit_head,
        schema_version,
        objects,
    })
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `objects/ab/cdef…` path of an object (relative, `/` separated).
fn object_rel(sha256: &str) -> anyhow::Result<String> {
    if !is_sha256_hex(sha256) {
        bail!("evidence object name {sha256:?} is not a SHA-256");
    }
    Ok(format!(
        "{EVIDENCE_PREFIX}{}/{}",
        &sha256[..2],
        &sha256[2..]
    ))
}

/// Copies `from` to `to` (created new, synced), returning the SHA-256 and size of what was
/// copied.
fn copy_hashing(from: &Path, to: &Path) -> std::io::Result<(String, u64)> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut src = std::fs::File::open(from)?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let mut h = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        dst.write_all(&buf[..n])?;
        size += n as u64;
    }
    dst.sync_all()?;
    Ok((hex::encode(h.finalize()), size))
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(h.finalize()), size))
}

fn sync_dir(dir: &Path) {
    // Makes renames and new entries durable; not every platform can open a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn is_empty_dir(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(anyhow!("cannot read {}: {e}", dir.display())),
    }
}

/// Makes a consistent online backup of the configured database and evidence into `dir`
/// (which must not exist or be empty). `progress` receives one line per step.
pub async fn backup(
    config: &Config,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Manifest> {
    if !is_empty_dir(dir)? {
        bail!(
            "backup directory {} is not empty: choose a new directory for every backup",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create backup directory {}", dir.display()))?;
    let url = config.database_url();
    let backend = backend_of(&url)?;
    let (database_file, facts) = match backend {
        Backend::Sqlite => (SQLITE_FILE, backup_sqlite(&url, dir, progress).await?),
        Backend::Postgres => (PG_FILE, backup_postgres(&url, dir, progress).await?),
    };
    let db_path = dir.join(database_file);
    let (db_sha, db_size) =
        hash_file(&db_path).with_context(|| format!("cannot read {}", db_path.display()))?;
    let mut files = vec![FileEntry {
        path: database_file.to_string(),
        sha256: db_sha,
        size: db_size,
    }];
    progress(&format!("copying {} evidence objects", facts.objects.len()));
    let source_root = config.evidence_dir();
    let target = dir.to_path_buf();
    let objects = facts.objects.clone();
    let copied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<FileEntry>> {
        let mut out = Vec::with_capacity(objects.len());
        for (sha, size) in objects {
            let rel = object_rel(&sha)?;
            let from = source_root.join(rel.trim_start_matches("evidence/"));
            let (got, got_size) = copy_hashing(&from, &target.join(&rel)).map_err(|e| {
                anyhow!(
                    "evidence object {sha} cannot be copied from {}: {e}",
                    from.display()
                )
            })?;
            if got != sha || got_size != size {
                bail!(
                    "evidence object {} is damaged in the live store (content hashes to {got}, {got_size} bytes; expected {size} bytes): the backup stops here",
                    from.display()
                );
            }
            out.push(FileEntry {
                path: rel,
                sha256: got,
                size: got_size,
            });
        }
        Ok(out)
    })
    .await
    .map_err(|e| anyhow!("copy task failed: {e}"))??;
    files.extend(copied);
    let manifest = Manifest {
        format: FORMAT.to_string(),
        created_at: db::ts(chrono::Utc::now()),
        binary_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: facts.schema_version,
        backend: backend_name(backend).to_string(),
        database_file: database_file.to_string(),
        tables: facts.tables,
        audit_head: facts.audit_head,
        files,
    };
    // The audit head's key (issue 9 finding 6) travels with the backup, private, so that a
    // restored installation verifies its signed head; a key given in the configuration stays
    // there.
    copy_audit_key(&config.data_dir, dir)?;
    // Written last and renamed into place: a directory without MANIFEST is a partial backup.
    let text = serde_json::to_string_pretty(&manifest)?;
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(MANIFEST))?;
    for entry in walk_dirs(dir) {
        sync_dir(&entry);
    }
    Ok(manifest)
}

/// Copies `audit.key` from one directory to another with mode 0600, when there is one.
fn copy_audit_key(from: &Path, to: &Path) -> anyhow::Result<()> {
    let name = crate::auth::audit_key::FILE_NAME;
    let source = from.join(name);
    let key = match std::fs::read(&source) {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", source.display())),
    };
    let target = to.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(&target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    f.write_all(&key)?;
    f.sync_all()?;
    Ok(())
}

/// Every directory under `dir`, `dir` last (so parents are synced after children).
fn walk_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(walk_dirs(&e.path()));
            }
        }
    }
    out.push(dir.to_path_buf());
    out
}

async fn backup_sqlite(
    url: &str,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> anyhow::Result<SnapshotFacts> {
    let source = sqlite_path(url)?;
    if !source.is_file() {
        bail!("no SQLite database at {}", source.display());
    }
    let dest = dir.join(SQLITE_FILE);
    let pool = sqlite_pool(&source, "rw").await?;
    progress(&format!(
        "SQLite: VACUUM INTO {} (a consistent snapshot; writers keep going)",
        dest.display()
    ));
    let dest_text = dest
        .to_str()
        .ok_or_else(|| anyhow!("backup path {} is not UTF-8", dest.display()))?
        .to_string();
    sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(&pool)
        .await
        .context("VACUUM INTO failed")?;
    pool.close().await;
    if let Ok(f) = std::fs::File::open(&dest) {
        f.sync_all()?;
    }
    let snap = sqlite_pool(&dest, "ro").await?;
    let mut conn = snap.acquire().await?;
    let facts = read_facts(&mut conn, Backend::Sqlite).await?;
    drop(conn);
    snap.close().await;
    progress(&snapshot_line(&facts));
    Ok(facts)
}

fn snapshot_line(f: &SnapshotFacts) -> String {
    format!(
        "snapshot: schema {}, {} tables, {} rows, audit head {}",
        f.schema_version,
        f.tables.len(),
        f.tables.values().sum::<i64>(),
        f.audit_head
            .as_ref()
            .map(|h| format!("#{} {}", h.seq, &h.hash[..h.hash.len().min(12)]))
            .unwrap_or_else(|| "(empty)".into())
    )
}

/// libpq connection arguments for a URL, with the password moved to `PGPASSWORD` (so it never
/// appears in a process list).
fn libpq_target(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).context("invalid database URL")?;
    let password = parsed.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .to_string()
    });
    if password.is_some() {
        let _ = parsed.set_password(None);
    }
    Ok((parsed.to_string(), password))
}

fn pg_tool(tool: &str, url: &str) -> anyhow::Result<std::process::Command> {
    let (target, password) = libpq_target(url)?;
    let mut cmd = std::process::Command::new(tool);
    cmd.arg(format!("--dbname={target}"));
    cmd.arg("--no-password");
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    Ok(cmd)
}

async fn run_tool(
    mut cmd: std::process::Command,
    tool: &str,
    server_version: &str,
) -> anyhow::Result<()> {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| anyhow!("{tool} task failed: {e}"))?
        .map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!(
                "{tool} was not found on PATH: install the PostgreSQL client tools of the server's major version ({server_version}), e.g. Debian's postgresql-client-{}",
                server_version.split('.').next().unwrap_or(server_version)
            )
        } else {
            anyhow!("cannot run {tool}: {e}")
        }
    })?;
    if !out.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

async fn pg_server_version(conn: &mut sqlx::AnyConnection) -> anyhow::Result<String> {
    Ok(sqlx::query("SHOW server_version")
        .fetch_one(&mut *conn)
        .await?
        .try_get::<String, _>(0)?
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string())
}

async fn backup_postgres(
    url: &str,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> anyhow::Result<SnapshotFacts> {
    let pool = pg_pool(url).await?;
    let mut conn = pool.acquire().await?;
    let version = pg_server_version(&mut conn).await?;
    // One snapshot for pg_dump and for the manifest's counts: the transaction exports it and
    // stays open until pg_dump has finished.
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *conn)
        .await?;
    let snapshot: String = sqlx::query("SELECT pg_export_snapshot()")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let facts = read_facts(&mut conn, Backend::Postgres).await?;
    let dest = dir.join(PG_FILE);
    progress(&format!(
        "PostgreSQL {version}: pg_dump --format=custom --snapshot={snapshot} to {}",
        dest.display()
    ));
    let mut cmd = pg_tool("pg_dump", url)?;
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", dest.display()));
    let dumped = run_tool(cmd, "pg_dump", &version).await;
    let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
    drop(conn);
    pool.close().await;
    dumped?;
    if let Ok(f) = std::fs::File::open(&dest) {
        f.sync_all()?;
    }
    progress(&snapshot_line(&facts));
    Ok(facts)
}

/// Reads and checks a backup's manifest and every file's size and SHA-256; names each problem.
pub fn verify_files(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} is not a complete backup: it has no {MANIFEST} (the backup was interrupted, or this is not a backup directory)",
            dir.display()
        ),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| anyhow!("{} is damaged: {e}", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{} has format {:?}; this version reads {FORMAT:?}",
            path.display(),
            manifest.format
        );
    }
    let Some(first) = manifest.files.first() else {
        bail!("{} lists no files", path.display());
    };
    if first.path != manifest.database_file
        || !(manifest.database_file == SQLITE_FILE || manifest.database_file == PG_FILE)
    {
        bail!("{} does not list its database file first", path.display());
    }
    let mut problems = Vec::new();
    for f in &manifest.files {
        let safe = Path::new(&f.path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        let allowed = f.path == manifest.database_file
            || f.path.strip_prefix(EVIDENCE_PREFIX).is_some_and(|rest| {
                object_rel(&rest.replace('/', "")).ok().as_deref() == Some(f.path.as_str())
            });
        if !safe || !allowed {
            problems.push(format!("{}: not a path a backup contains", f.path));
            continue;
        }
        match hash_file(&dir.join(&f.path)) {
            Ok((sha, size)) if sha == f.sha256 && size == f.size => {}
            Ok((sha, size)) => problems.push(format!(
                "{}: damaged ({size} bytes, SHA-256 {sha}; the manifest says {} bytes, {})",
                f.path, f.size, f.sha256
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{}: missing", f.path))
            }
            Err(e) => problems.push(format!("{}: cannot be read: {e}", f.path)),
        }
    }
    if !problems.is_empty() {
        let shown = problems.len().min(20);
        bail!(
            "backup {} failed its checksum test ({} of {} files):\n  {}{}",
            dir.display(),
            problems.len(),
            manifest.files.len(),
            problems[..shown].join("\n  "),
            if problems.len() > shown {
                format!("\n  … and {} more", problems.len() - shown)
            } else {
                String::new()
            }
        );
    }
    let newest = crate::db::migrations::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if manifest.schema_version > newest {
        bail!(
            "the backup has schema version {} but this reformwatch {} knows only up to {newest}: restore it with version {} or newer",
            manifest.schema_version,
            env!("CARGO_PKG_VERSION"),
            manifest.binary_version
        );
    }
    Ok(manifest)
}

/// Checks a backup without restoring it: every checksum; for SQLite also the snapshot's row
/// counts, audit head and audit chain. Returns the manifest and, for SQLite, the number of
/// audit entries verified.
pub async fn verify(dir: &Path) -> anyhow::Result<(Manifest, Option<i64>)> {
    let manifest = verify_files(dir)?;
    if manifest.backend != "sqlite" {
        return Ok((manifest, None));
    }
    // Check a copy: opening the snapshot even read-only must not be able to touch the backup.
    let scratch = std::env::temp_dir().join(format!(
        "reformwatch-verify-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    std::fs::create_dir_all(&scratch)?;
    let copy = scratch.join(SQLITE_FILE);
    let result = async {
        std::fs::copy(dir.join(SQLITE_FILE), &copy)?;
        let pool = sqlite_pool(&copy, "ro").await?;
        let entries = check_restored(&pool, Backend::Sqlite, &manifest).await;
        pool.close().await;
        entries
    }
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok((manifest, Some(result?)))
}

/// Row counts and audit head equal the manifest's; the audit chain verifies. Returns the
/// number of audit entries.
async fn check_restored(
    pool: &AnyPool,
    backend: Backend,
    manifest: &Manifest,
) -> anyhow::Result<i64> {
    let mut conn = pool.acquire().await?;
    let facts = read_facts(&mut conn, backend).await?;
    drop(conn);
    if facts.tables != manifest.tables {
        let mut diffs = Vec::new();
        for (t, n) in &manifest.tables {
            match facts.tables.get(t) {
                Some(m) if m == n => {}
                Some(m) => diffs.push(format!("{t}: {m} rows, manifest {n}")),
                None => diffs.push(format!("{t}: missing")),
            }
        }
        for t in facts.tables.keys() {
            if !manifest.tables.contains_key(t) {
                diffs.push(format!("{t}: not in the manifest"));
            }
        }
        bail!(
            "restored row counts differ from the manifest: {}",
            diffs.join("; ")
        );
    }
    if facts.audit_head != manifest.audit_head {
        bail!(
            "restored audit head {:?} differs from the manifest's {:?}",
            facts.audit_head,
            manifest.audit_head
        );
    }
    let db = Db::from_pool(pool.clone(), backend);
    match crate::db::audit::verify(&db).await? {
        Ok(n) => {
            if n != manifest.audit_head.as_ref().map_or(0, |h| h.seq) {
                bail!(
                    "restored audit trail has {n} entries but its head is {:?}",
                    manifest.audit_head
                );
            }
            Ok(n)
        }
        Err(broken) => bail!("restored audit trail BROKEN: {broken}"),
    }
}

/// Restores the backup in `dir` into the configured, empty target: an empty data directory
/// and no SQLite database file yet, or an empty PostgreSQL database (its evidence into the
/// empty data directory). Every checksum is verified before anything is written; row counts,
/// the audit head and the audit chain after.
pub async fn restore(
    config: &Config,
    dir: &Path,
    progress: &dyn Fn(&str),
) -> anyhow::Result<RestoreReport> {
    let manifest = verify_files(dir)?;
    progress(&format!(
        "backup verified: {} files, {} bytes, taken {} by reformwatch {}",
        manifest.files.len(),
        manifest.total_bytes(),
        manifest.created_at,
        manifest.binary_version
    ));
    let url = config.database_url();
    let backend = backend_of(&url)?;
    if backend_name(backend) != manifest.backend {
        bail!(
            "this is a {} backup but the target database is {}: restore it into the same kind of database",
            manifest.backend,
            backend_name(backend)
        );
    }
    let data_dir = &config.data_dir;
    let sqlite_target = match backend {
        Backend::Sqlite => Some(sqlite_path(&url)?),
        Backend::Postgres => None,
    };
    // Refuse a non-empty target before writing anything.
    if let Some(path) = &sqlite_target {
        for p in [
            path.clone(),
            PathBuf::from(format!("{}-wal", path.display())),
            PathBuf::from(format!("{}-shm", path.display())),
        ] {
            if p.exists() {
                bail!(
                    "refusing to restore: {} exists; restore only into an empty data directory",
                    p.display()
                );
            }
        }
    }
    let evidence_dir = config.evidence_dir();
    if !is_empty_dir(data_dir)? {
        bail!(
            "refusing to restore: data directory {} is not empty",
            data_dir.display()
        );
    }
    let pg = match backend {
        Backend::Postgres => {
            let pool = pg_pool(&url).await?;
            let mut conn = pool.acquire().await?;
            let n: i64 = sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r','v','m','S','p','f')",
            )
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let version = pg_server_version(&mut conn).await?;
            drop(conn);
            if n > 0 {
                pool.close().await;
                bail!(
                    "refusing to restore: database {} is not empty ({n} relations); create a new empty database",
                    db::mask_url(&url)
                );
            }
            Some((pool, version))
        }
        Backend::Sqlite => None,
    };
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let partial = |e: anyhow::Error| {
        anyhow!(
            "{e:#}\nThe target now holds a partial restore: empty the data directory{} before trying again.",
            if backend == Backend::Postgres {
                " and drop and re-create the database"
            } else {
                ""
            }
        )
    };
    copy_audit_key(dir, data_dir).map_err(partial)?;
    // Evidence objects first, then the database.
    progress(&format!(
        "restoring {} evidence objects into {}",
        manifest.evidence_count(),
        evidence_dir.display()
    ));
    let files = manifest.files.clone();
    let from = dir.to_path_buf();
    let to = evidence_dir.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        for f in files.iter().filter(|f| f.path.starts_with(EVIDENCE_PREFIX)) {
            let dest = to.join(f.path.trim_start_matches("evidence/"));
            let (sha, size) = copy_hashing(&from.join(&f.path), &dest)
                .map_err(|e| anyhow!("cannot restore {}: {e}", f.path))?;
            if sha != f.sha256 || size != f.size {
                bail!("{} changed while it was restored", f.path);
            }
        }
        for d in walk_dirs(&to) {
            sync_dir(&d);
        }
        Ok(())
    })
    .await
    .map_err(|e| anyhow!("restore task failed: {e}"))?
    .map_err(partial)?;
    let entries = match (backend, sqlite_target, pg) {
        (Backend::Sqlite, Some(path), _) => {
            progress(&format!(
                "restoring the SQLite database to {}",
                path.display()
            ));
            let tmp = PathBuf::from(format!("{}.restoring", path.display()));
            let source = dir.join(SQLITE_FILE);
            let expected = manifest.files[0].sha256.clone();
            let tmp2 = tmp.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let (sha, _) = copy_hashing(&source, &tmp2)?;
                if sha != expected {
                    bail!("{SQLITE_FILE} changed while it was restored");
                }
                Ok(())
            })
            .await
            .map_err(|e| anyhow!("restore task failed: {e}"))?
            .map_err(partial)?;
            std::fs::rename(&tmp, &path).map_err(|e| partial(e.into()))?;
            if let Some(parent) = path.parent() {
                sync_dir(parent);
            }
            let pool = sqlite_pool(&path, "rw").await?;
            let r = check_restored(&pool, Backend::Sqlite, &manifest).await;
            pool.close().await;
            r.map_err(partial)?
        }
        (Backend::Postgres, _, Some((pool, version))) => {
            progress(&format!("pg_restore into {}", db::mask_url(&url)));
            let mut cmd = pg_tool("pg_restore", &url)?;
            cmd.arg("--exit-on-error")
                .arg("--single-transaction")
                .arg("--no-owner")
                .arg(dir.join(PG_FILE));
            run_tool(cmd, "pg_restore", &version)
                .await
                .map_err(partial)?;
            let r = check_restored(&pool, Backend::Postgres, &manifest).await;
            pool.close().await;
            r.map_err(partial)?
        }
        _ => bail!("inconsistent restore target"),
    };
    progress(&format!(
        "restored: row counts match the manifest, audit trail intact ({entries} entries)"
    ));
    Ok(RestoreReport {
        manifest,
        audit_entries: entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_come_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/rw/reformwatch.db?mode=rwc").unwrap(),
            PathBuf::from("/var/lib/rw/reformwatch.db")
        );
        assert_eq!(sqlite_path("sqlite:rw.db").unwrap(), PathBuf::from("rw.db"));
        assert!(sqlite_path("sqlite::memory:").is_err());
    }

    #[test]
    fn passwords_leave_the_command_line() {
        let (target, pw) =
            libpq_target("postgres://rw:s%40cret@db:5432/rw?sslmode=require").unwrap();
        assert_eq!(target, "postgres://rw@db:5432/rw?sslmode=require");
        assert_eq!(pw.as_deref(), Some("s@cret"));
        let (target, pw) = libpq_target("postgres://postgres@127.0.0.1/test").unwrap();
        assert_eq!(target, "postgres://postgres@127.0.0.1/test");
        assert_eq!(pw, None);
    }

    #[test]
    fn object_paths_only_for_sha256_names() {
        let sha = "ab".repeat(32);
        assert_eq!(
            object_rel(&sha).unwrap(),
            format!("evidence/objects/ab/{}", &sha[2..])
        );
        assert!(object_rel("../../etc/passwd").is_err());
        assert!(object_rel(&"AB".repeat(32)).is_err());
    }

    #[test]
    fn table_names_are_plain_identifiers() {
        assert!(checked_table("audit_log").is_ok());
        assert!(checked_table("x\"; DROP TABLE users; --").is_err());
        assert!(checked_table("").is_err());
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rw-backup-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn write_backup(dir: &Path, db: &[u8], objects: &[&[u8]]) -> Manifest {
        std::fs::write(dir.join(SQLITE_FILE), db).unwrap();
        let (sha, size) = hash_file(&dir.join(SQLITE_FILE)).unwrap();
        let mut files = vec![FileEntry {
            path: SQLITE_FILE.into(),
            sha256: sha,
            size,
        }];
        for o in objects {
            let sha = hex::encode(Sha256::digest(o));
            let rel = object_rel(&sha).unwrap();
            std::fs::create_dir_all(dir.join(&rel).parent().unwrap()).unwrap();
            std::fs::write(dir.join(&rel), o).unwrap();
            files.push(FileEntry {
                path: rel,
                sha256: sha,
                size: o.len() as u64,
            });
        }
        let m = Manifest {
            format: FORMAT.into(),
            created_at: "2017-05-22T00:00:00.000000Z".into(),
            binary_version: "0.1.0".into(),
            schema_version: 1,
            backend: "sqlite".into(),
            database_file: SQLITE_FILE.into(),
            tables: BTreeMap::new(),
            audit_head: None,
            files,
        };
        std::fs::write(dir.join(MANIFEST), serde_json::to_string(&m).unwrap()).unwrap();
        m
    }

    #[test]
    fn verify_files_names_each_damaged_or_missing_file() {
        let dir = scratch("damaged");
        let m = write_backup(&dir, b"db bytes", &[b"one", b"two"]);
        assert_eq!(verify_files(&dir).unwrap(), m);
        // Flip one byte of an object, delete another: both are named.
        std::fs::write(dir.join(&m.files[1].path), b"onE").unwrap();
        std::fs::remove_file(dir.join(&m.files[2].path)).unwrap();
        let err = verify_files(&dir).unwrap_err().to_string();
        assert!(err.contains("(2 of 3 files)"), "{err}");
        assert!(
            err.contains(&format!("{}: damaged", m.files[1].path)),
            "{err}"
        );
        assert!(
            err.contains(&format!("{}: missing", m.files[2].path)),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn verify_files_refuses_partial_and_hostile_manifests() {
        let dir = scratch("partial");
        let err = verify_files(&dir).unwrap_err().to_string();
        assert!(err.contains("not a complete backup"), "{err}");
        let mut m = write_backup(&dir, b"db", &[]);
        m.files.push(FileEntry {
            path: "../outside".into(),
            sha256: "00".repeat(32),
            size: 0,
        });
        std::fs::write(dir.join(MANIFEST), serde_json::to_string(&m).unwrap()).unwrap();
        let err = verify_files(&dir).unwrap_err().to_string();
        assert!(
            err.contains("../outside: not a path a backup contains"),
            "{err}"
        );
        std::fs::write(dir.join(MANIFEST), b"{\"format\": ").unwrap();
        let err = verify_files(&dir).unwrap_err().to_string();
        assert!(err.contains("MANIFEST is damaged"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = scratch("newer");
        let mut m = write_backup(&dir, b"db", &[]);
        m.schema_version = 999;
        std::fs::write(dir.join(MANIFEST), serde_json::to_string(&m).unwrap()).unwrap();
        let err = verify_files(&dir).unwrap_err().to_string();
        assert!(err.contains("schema version 999"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
