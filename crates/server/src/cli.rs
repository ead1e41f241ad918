//! The command line: `serve`, `migrate`, `demo`, user administration, catalogue and society
//! tools, `audit verify`, `backup` and `restore`. Every state change made here is audited as
//! `cli:<os user>`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::Principal;
use crate::auth::{password, random_password};
use crate::config::{Config, Overrides};
use crate::db::audit::{self, Actor};
use crate::db::users::{self, NewUser, UserUpdate};
use crate::db::{self, catalogues, societies};
use crate::i18n::{Lang, T};
use crate::model::{NewPassword, Role, Username};

#[derive(Parser)]
#[command(
    name = "reformwatch",
    version,
    about = "ReformWatch 学会改革监测考核平台"
)]
pub struct Cli {
    /// TOML configuration file (defaults < file < REFORMWATCH_* environment < flags).
    #[arg(long, global = true, env = "REFORMWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory for the embedded SQLite database.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://…
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API.
    Serve {
        /// Load demonstration data (a seeded 2017 on a demo clock) and print demo logins.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<SocketAddr>,
        #[command(flatten)]
        demo_args: DemoArgs,
    },
    /// Create or update the database schema.
    Migrate,
    /// Load demonstration data into the database (accounts, and the seeded year once).
    Demo(DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Task catalogues (R-CAT).
    #[command(subcommand)]
    Catalogue(CatalogueCmd),
    /// Years (issue 13): start a new year from the previous one.
    #[command(subcommand)]
    Year(YearCmd),
    /// Society registry (R-SOC).
    #[command(subcommand)]
    Society(SocietyCmd),
    /// The audit trail (R-X-2).
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The rule engine (R-RULE-*).
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Public monitoring bulletins (R-PUB-2): check the chain or a downloaded file.
    #[command(subcommand)]
    Bulletin(BulletinCmd),
    /// Year-end subsidy (奖补, R-ASSESS-2).
    #[command(subcommand)]
    Subsidy(SubsidyCmd),
    /// Published year-end assessment results (issue 12): check their chain.
    #[command(subcommand)]
    Assessment(AssessmentCmd),
    /// The year's outcome table (code, name, score, outcome, rank, yuan): the published
    /// results when the year is final, otherwise computed now from the current data and
    /// marked PROVISIONAL (issue 12).
    Assess {
        #[arg(long)]
        year: i32,
    },
    /// Print the effective configuration (secrets masked).
    Config,
    /// Consistent online backup into a new directory: database snapshot (SQLite `VACUUM INTO`,
    /// PostgreSQL `pg_dump`), evidence files and a MANIFEST with checksums and row counts.
    Backup {
        /// A new (or empty) directory.
        dir: PathBuf,
    },
    /// Restore a backup into an empty data directory (SQLite) or an empty database
    /// (PostgreSQL, with `pg_restore`); checks every checksum first and the audit chain after.
    Restore {
        dir: PathBuf,
        /// Only check the backup (checksums; for SQLite also row counts and the audit chain).
        #[arg(long)]
        verify_only: bool,
    },
}

/// The demonstration's clock and seed (only with `--demo` / `reformwatch demo`).
#[derive(Args, Clone, Default)]
struct DemoArgs {
    /// Demo only: the moment the demo shows, with its offset, e.g. 2017-07-20T10:00+08:00
    /// (default 2017-09-15T10:00+08:00; config key `clock`). The clock advances from there.
    /// Refused without --demo.
    #[arg(long)]
    clock: Option<String>,
    /// Demo only: the seed of the demonstration year (default 2017). Same seed, same year.
    #[arg(long)]
    seed: Option<u64>,
    /// Demo only: load the registry and the four accounts but seed no year (for journeys that
    /// tell a story of their own).
    #[arg(long, conflicts_with = "seed")]
    no_seed: bool,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account; prints a generated password unless --password-stdin is given.
    Add(UserAdd),
    /// Set a new password (generated and printed, or read from stdin).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// List accounts.
    List,
}

#[derive(Args)]
struct UserAdd {
    #[arg(long)]
    username: String,
    /// admin | reviewer | society_editor | society_viewer
    #[arg(long)]
    role: String,
    /// Society code for society roles, e.g. A-03.
    #[arg(long)]
    society: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum CatalogueCmd {
    /// Print a stored catalogue's tasks.
    Show {
        #[arg(long, default_value_t = 2017)]
        year: i32,
    },
    /// Validate a catalogue file without storing it, and print what it says: tasks per
    /// class, facts, rules per kind, deadlines in local time and UTC, every rule in words.
    Check {
        file: PathBuf,
        /// Language of the summary.
        #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
    },
    /// Validate and store a catalogue file (replaces that year's).
    Load { file: PathBuf },
}

#[derive(Subcommand)]
enum YearCmd {
    /// Start a new year from the previous one: copy its catalogue as a draft to edit, carry
    /// over the societies' election flags; every status starts afresh. Load the edited draft
    /// with `catalogue load`: the societies' last known facts then come over for the facts
    /// the new file declares.
    Start {
        #[arg(long)]
        from: i32,
        #[arg(long)]
        to: i32,
        /// Write the draft catalogue to this file (default: print it on standard output).
        #[arg(long)]
        draft: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SocietyCmd {
    /// Import societies from .csv or .xlsx (all rows or none).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum RulesCmd {
    /// What-if check (R-RULE-PRE): reads facts JSON from FILE (`-` for stdin) and prints the
    /// verdicts JSON. Exit 0 even when rules fail; 2 on unusable input.
    Check {
        #[arg(long, default_value_t = 2017)]
        year: i32,
        file: String,
    },
}

#[derive(Subcommand)]
enum SubsidyCmd {
    /// Allocate a subsidy exactly, without a database (R-ASSESS-2): reads the request JSON
    /// from FILE (`-` for stdin), e.g. {"mode":"pool","budget":1000000,"floor":50000,
    /// "cap":300000,"societies":[{"code":"A-01","score":"87.25"}]} or "mode":"tiers" with
    /// "tiers":[{"count":5,"amount":500000}], and prints {"shares":[…],"unspent":…}.
    /// Exit 2 on unusable input, naming the field. See docs/ASSESSMENT.md.
    Allocate {
        file: String,
        /// Print the whole computation (basis of each share, rounds, notes) instead of the
        /// shares alone.
        #[arg(long)]
        explain: bool,
    },
}

#[derive(Subcommand)]
enum BulletinCmd {
    /// Check the chain of published bulletins in the database (numbers, hashes, links,
    /// canonical form, consistency); names the first bad bulletin and exits 2.
    Verify,
    /// Check a downloaded bulletin (JSON) without an account or a database: prints its
    /// SHA-256, checks canonical form and consistency, and with --sha256 compares the hash
    /// listed publicly. Exit 2 when anything does not check out. See docs/PUBLICATION.md.
    VerifyFile {
        file: PathBuf,
        /// The hash listed on the bulletins page or in GET /api/v1/bulletins.
        #[arg(long)]
        sha256: Option<String>,
    },
}

#[derive(Subcommand)]
enum AssessmentCmd {
    /// Check the chain of published assessment results in the database (numbers, hashes,
    /// links, canonical form); names the first bad publication and exits 2.
    Verify,
    /// Write the official notice of a published (final) year as a PDF, the same as
    /// `/assessment/{year}/notice.pdf` (needs the cargo feature `pdf` and the Noto CJK fonts);
    /// exits 2 when the year is not published or the build has no PDF.
    NoticePdf {
        #[arg(long)]
        year: i32,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Verify the hash chain and its signed head checkpoint; names the first problem.
    Verify,
    /// Print the signed head checkpoint (sequence number, hash, HMAC) to publish or keep.
    Head,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (addr, demo, demo_args) = match &cli.command {
        Command::Serve {
            addr,
            demo,
            demo_args,
        } => (*addr, *demo, demo_args.clone()),
        Command::Demo(args) => (None, true, args.clone()),
        _ => (None, false, DemoArgs::default()),
    };
    if !demo && (demo_args.seed.is_some() || demo_args.no_seed) {
        anyhow::bail!("--seed / --no-seed are accepted only with --demo");
    }
    let (config, warnings) = Config::load(
        cli.config.as_deref(),
        Overrides {
            addr,
            data_dir: cli.data_dir.clone(),
            database_url: cli.database_url.clone(),
            clock: demo_args.clock.clone(),
        },
    )?;
    init_logging(&config.log);
    for w in warnings {
        tracing::warn!("{w}");
    }
    if let Command::Catalogue(CatalogueCmd::Check { file, lang }) = &cli.command {
        return catalogue_check(file, lang == "en");
    }
    if let Command::Rules(RulesCmd::Check { year, file }) = &cli.command {
        return rules_check(&cli, *year, file, config).await;
    }
    if let Command::Subsidy(SubsidyCmd::Allocate { file, explain }) = &cli.command {
        return Ok(subsidy_allocate(file, *explain));
    }
    if let Command::Bulletin(BulletinCmd::VerifyFile { file, sha256 }) = &cli.command {
        return Ok(bulletin_verify_file(file, sha256.as_deref()));
    }
    if let Command::Config = &cli.command {
        print!("{}", config.to_masked_toml());
        return Ok(ExitCode::SUCCESS);
    }
    // The demo clock: only with --demo, refused otherwise (issue 10).
    let demo_moment = crate::demo::start_moment(demo, config.clock.as_deref())?;
    // Before `build_state`: a backup must not migrate the live database, a restore needs an
    // empty target.
    if let Command::Backup { dir } | Command::Restore { dir, .. } = &cli.command {
        return backup_cmd(&cli.command, dir, &config).await;
    }
    let state = crate::build_state(config).await?;
    if let Some(t) = demo_moment {
        state.clock.set(t);
    }
    let db = state.db.clone();
    let now = state.clock.now();
    let actor = Actor::cli();
    match cli.command {
        Command::Serve { demo, .. } => serve(state, demo, &demo_args).await,
        Command::Migrate => {
            println!(
                "database is up to date ({})",
                db::mask_url(&state.config.database_url())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(_) => {
            let accounts = load_demo(&state, &demo_args).await?;
            print_demo(&accounts, state.clock.now(), None);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => user_cmd(&db, &actor, now, cmd).await,
        Command::Catalogue(CatalogueCmd::Show { year }) => {
            let c = state
                .catalogues
                .get(&db, year)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(c) = c else {
                eprintln!("no catalogue stored for {year}");
                return Ok(ExitCode::from(2));
            };
            println!(
                "{} {} — {} tasks, plan deadline {} ({})",
                c.year,
                c.title_zh,
                c.tasks.len(),
                c.plan_deadline,
                c.timezone.name()
            );
            for t in &c.tasks {
                println!(
                    "{:>3}  {:<8}  {}  /  {}",
                    t.number,
                    t.class.as_str(),
                    t.title_zh,
                    t.title_en
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalogue(CatalogueCmd::Load { file }) => {
            let source = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match crate::service::catalogues::load(
                &state,
                &Principal::cli(),
                &source,
                &file.display().to_string(),
            )
            .await
            {
                Ok(c) => {
                    println!("stored the {} catalogue ({} tasks)", c.year, c.tasks.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(catalogues::StoreCatalogueError::Invalid(e)) => {
                    eprintln!("{e}");
                    Ok(ExitCode::from(2))
                }
                Err(catalogues::StoreCatalogueError::App(e)) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Command::Catalogue(CatalogueCmd::Check { .. })
        | Command::Config
        | Command::Rules(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Subsidy(_)
        | Command::Bulletin(BulletinCmd::VerifyFile { .. }) => Ok(ExitCode::SUCCESS),
        Command::Assess { year } => assess_table(&state, year).await,
        Command::Assessment(AssessmentCmd::NoticePdf { year, out }) => {
            notice_pdf(&state, year, &out).await
        }
        Command::Assessment(AssessmentCmd::Verify) => {
            match crate::service::assessment_results::verify(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Ok(n) => {
                    println!("assessment results chain intact: {n} publications");
                    Ok(ExitCode::SUCCESS)
                }
                Err(f) => {
                    eprintln!(
                        "assessment results chain BROKEN at publication {}: {}",
                        f.number, f.problem
                    );
                    eprintln!("考核结果链校验失败：第 {} 次发布：{}", f.number, f.problem);
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Bulletin(BulletinCmd::Verify) => {
            match crate::service::bulletins::verify(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Ok(n) => {
                    println!("bulletin chain intact: {n} bulletins");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("bulletin chain BROKEN: {e}");
                    eprintln!("通报链校验失败：{}", e.message_zh());
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Year(YearCmd::Start { from, to, draft }) => {
            let who = Principal::cli();
            let t = T::new(Lang::Zh);
            match crate::service::years::start(&state, &who, &from.to_string(), &to.to_string())
                .await
            {
                Ok(started) => {
                    let (_, source) = crate::service::years::draft(&state, &who, &to.to_string())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    match &draft {
                        Some(path) => {
                            std::fs::write(path, &source)
                                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                            eprintln!("draft written to {}", path.display());
                        }
                        None => print!("{source}"),
                    }
                    eprintln!(
                        "started {} from {}: {} election flags carried over; edit the draft and load it with `reformwatch catalogue load FILE`",
                        started.year, started.from_year, started.election_flags_copied
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(crate::error::AppError::Invalid(errors)) => {
                    for e in &errors {
                        eprintln!("{}: {}", e.field, t.field(e));
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Command::Society(SocietyCmd::Import { file }) => {
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let t = T::new(Lang::Zh);
            match crate::import::parse_societies(&name, &bytes) {
                Ok(rows) => {
                    let s = crate::service::societies::import(&state, &Principal::cli(), &rows)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!(
                        "imported: {} created, {} updated, {} unchanged",
                        s.created, s.updated, s.unchanged
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{}", e.message(&t));
                    if let crate::import::ImportError::Rows(rows) = &e {
                        for r in rows {
                            eprintln!("  第 {} 行 [{}]: {}", r.line, r.column, t.field(&r.error));
                        }
                    }
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Audit(AuditCmd::Head) => match crate::service::audit::head(&state)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            Some(h) => {
                println!("{}", crate::service::audit::head_line(&h));
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("no audit head checkpoint");
                Ok(ExitCode::from(1))
            }
        },
        Command::Audit(AuditCmd::Verify) => match audit::verify_all(&db).await? {
            Ok(n) => {
                println!("audit trail intact: {n} entries");
                Ok(ExitCode::SUCCESS)
            }
            Err(broken) => {
                eprintln!("audit trail BROKEN: {broken}");
                Ok(ExitCode::from(1))
            }
        },
    }
}

/// `assess --year Y`: the outcome table, tab-separated under a header line that says whether
/// it is final (the published results) or provisional (computed now).
async fn assess_table(state: &crate::AppState, year: i32) -> anyhow::Result<ExitCode> {
    use crate::service::assessment_results as results;
    use reformwatch_core::assess::score::grouped;
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let label = |o: &str| match o {
        "commended" => "表扬 commended",
        "criticised" => "通报批评 criticised",
        _ => "完成 completed",
    };
    let mut lines: Vec<[String; 6]> = Vec::new();
    if let Some(p) = results::published(state, year).await.map_err(err)? {
        println!(
            "{year} 年度考核结果：已定稿发布（第 {} 次发布，SHA-256 {}）/ {year} assessment results: FINAL (publication {}, sha256 {})",
            p.header.number, p.header.sha256, p.header.number, p.header.sha256
        );
        for s in &p.doc.societies {
            lines.push([
                s.code.clone(),
                s.name_zh.clone(),
                s.score.clone().unwrap_or_else(|| "—".to_owned()),
                label(&s.outcome).to_owned(),
                s.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
                s.yuan
                    .map_or_else(|| "—".to_owned(), |y| grouped(i128::from(y))),
            ]);
        }
    } else {
        let life = results::lifecycle(state, year).await.map_err(err)?;
        let a = crate::service::assessment::assess(state, year)
            .await
            .map_err(err)?;
        let names: std::collections::HashMap<String, String> = crate::db::societies::list(
            &state.db,
            &crate::db::societies::SocietyFilter {
                include_inactive: Some(true),
                ..Default::default()
            },
        )
        .await
        .map_err(err)?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
        println!(
            "{year} 年度考核结果：暂定，尚未定稿（阶段：{}）/ {year} assessment results: PROVISIONAL, not final (state: {}); {} expert score(s) still missing",
            life.state(),
            life.state(),
            a.missing_reviewer_scores
        );
        let mut societies: Vec<_> = a.societies.iter().collect();
        societies.sort_by(|x, y| x.code.cmp(&y.code));
        for s in societies {
            lines.push([
                s.code.clone(),
                names.get(&s.code).cloned().unwrap_or_default(),
                s.score().map_or_else(|| "—".to_owned(), |x| x.to_string()),
                label(s.outcome.kind.as_str()).to_owned(),
                s.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
                s.subsidy
                    .map_or_else(|| "—".to_owned(), |y| grouped(i128::from(y.get()))),
            ]);
        }
    }
    println!("code\tname\tscore\toutcome\trank\tyuan");
    for l in &lines {
        println!("{}", l.join("\t"));
    }
    Ok(ExitCode::SUCCESS)
}

/// `bulletin verify-file FILE [--sha256 HEX]` (R-PUB-2): no database, no account.
fn bulletin_verify_file(file: &std::path::Path, sha256: Option<&str>) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let report = reformwatch_core::publish::verify_file(&bytes, sha256);
    println!("sha256 {}  {}", report.sha256, file.display());
    if let Some(b) = &report.bulletin {
        println!(
            "bulletin {} ({}-{:02}), published {}, prev_sha256 {}",
            b.number,
            b.year,
            b.month,
            b.published_at,
            b.prev_sha256.as_deref().unwrap_or("none")
        );
    }
    if report.is_ok() {
        if sha256.is_some() {
            println!("OK: canonical, consistent, and its SHA-256 is the published one");
        } else {
            println!(
                "OK: canonical and consistent; compare the SHA-256 above with the published list"
            );
        }
        ExitCode::SUCCESS
    } else {
        for p in &report.problems {
            eprintln!("FAILED: {p}");
            eprintln!("校验失败：{}", p.message_zh());
        }
        ExitCode::from(2)
    }
}

/// `backup DIR`, `restore DIR`, `restore --verify-only DIR`: progress on stderr, a summary on
/// stdout; exit 1 with the reason when anything does not check out.
async fn backup_cmd(
    command: &Command,
    dir: &std::path::Path,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let progress = |line: &str| eprintln!("  {line}");
    let result = match command {
        Command::Backup { .. } => crate::backup::backup(config, dir, &progress)
            .await
            .map(|m| {
                println!(
                    "backup written to {}: {} files, {} bytes, {} evidence objects, audit head {}",
                    dir.display(),
                    m.files.len(),
                    m.total_bytes(),
                    m.evidence_count(),
                    m.audit_head
                        .as_ref()
                        .map_or("(empty)".to_string(), |h| format!("#{} {}", h.seq, h.hash))
                );
            }),
        Command::Restore {
            verify_only: true, ..
        } => crate::backup::verify(dir).await.map(|(m, entries)| {
            println!(
                "backup {} is intact: {} files, {} bytes, {} backend, schema {}{}",
                dir.display(),
                m.files.len(),
                m.total_bytes(),
                m.backend,
                m.schema_version,
                entries.map_or(String::new(), |n| format!(
                    ", row counts match, audit trail intact ({n} entries)"
                ))
            );
        }),
        Command::Restore { .. } => crate::backup::restore(config, dir, &progress)
            .await
            .map(|r| {
                println!(
                    "restored {} ({} files) into {}; audit trail intact ({} entries)",
                    dir.display(),
                    r.manifest.files.len(),
                    db::mask_url(&config.database_url()),
                    r.audit_entries
                );
            }),
        _ => Ok(()),
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn catalogue_check(file: &PathBuf, en: bool) -> anyhow::Result<ExitCode> {
    let source =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match reformwatch_core::catalogue::parse(&source, &file.display().to_string()) {
        Ok(c) => {
            println!(
                "{}: valid catalogue for {} with {} tasks",
                file.display(),
                c.year,
                c.tasks.len()
            );
            println!();
            print!("{}", reformwatch_core::catalogue::summary(&c).text(en));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The catalogue for `rules check`: the built-in one for its year without touching any
/// database; another year from the configured database only when one is named.
async fn rules_check(cli: &Cli, year: i32, file: &str, config: Config) -> anyhow::Result<ExitCode> {
    let input = if file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    };
    let catalogue = match reformwatch_core::catalogue::builtin(year) {
        Ok(c) if cli.database_url.is_none() && cli.config.is_none() => std::sync::Arc::new(c),
        _ => {
            let state = crate::build_state(config).await?;
            match state
                .catalogues
                .get(&state.db, year)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Some(c) => c,
                None => {
                    eprintln!("error: no catalogue for {year}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
    };
    match reformwatch_core::facts::parse_facts_json(&input, &catalogue) {
        Ok(facts) => {
            let result = reformwatch_core::rules::check(&catalogue, &facts);
            use std::io::Write;
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string_pretty(&result)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {}", e);
            eprintln!(
                "错误：{}{}",
                e.field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default(),
                e.message_zh
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// `subsidy allocate FILE|-` (R-ASSESS-2): the core's pure allocation of a JSON request (the
/// same parser the server uses); no configuration or database involved.
fn subsidy_allocate(file: &str, explain: bool) -> ExitCode {
    use std::io::Write;
    let input = if file == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    match reformwatch_core::assess::allocate_json(&input) {
        Ok(allocation) => match if explain {
            serde_json::to_string_pretty(&allocation)
        } else {
            serde_json::to_string_pretty(&allocation.summary_json())
        } {
            Ok(json) => {
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout(), "{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {}: {}", e.field, e.message_en);
            eprintln!("错误：{}：{}", e.field, e.message_zh);
            ExitCode::from(2)
        }
    }
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.lines().next().unwrap_or("").to_string())
}

async fn user_cmd(
    db: &db::Db,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    cmd: UserCmd,
) -> anyhow::Result<ExitCode> {
    let t = T::new(Lang::En);
    let fail = |e: crate::error::AppError| -> anyhow::Error {
        match e {
            crate::error::AppError::Invalid(errs) => anyhow::anyhow!(
                errs.iter()
                    .map(|e| format!("{}: {}", e.field, t.field(e)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        }
    };
    match cmd {
        UserCmd::Add(a) => {
            let username = Username::parse(&a.username).map_err(|e| fail(e.into()))?;
            let role = Role::parse(&a.role).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown role {:?} (admin, reviewer, society_editor, society_viewer)",
                    a.role
                )
            })?;
            let society_id = match (&a.society, role.is_society_role()) {
                (Some(code), true) => Some(
                    societies::by_code(db, code)
                        .await
                        .map_err(fail)?
                        .ok_or_else(|| anyhow::anyhow!("no society with code {code}"))?
                        .id,
                ),
                (None, true) => anyhow::bail!("--society is required for role {}", role.as_str()),
                (Some(_), false) => anyhow::bail!("--society is only for society roles"),
                (None, false) => None,
            };
            let (pw, generated) = if a.password_stdin {
                (read_password_stdin()?, false)
            } else {
                (random_password()?, true)
            };
            let parsed = NewPassword::parse(&pw, "password").map_err(|e| fail(e.into()))?;
            let hash = password::hash(&parsed).await?;
            let display = a
                .display_name
                .clone()
                .unwrap_or_else(|| username.as_str().to_string());
            let user = users::create(
                db,
                actor,
                now,
                &NewUser {
                    username: username.as_str(),
                    display_name: &display,
                    password_hash: &hash,
                    role,
                    society_id,
                    demo: false,
                },
            )
            .await
            .map_err(fail)?;
            println!("created {} ({})", user.username, role.as_str());
            if generated {
                println!("password: {pw}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Passwd {
            username,
            password_stdin,
        } => {
            let user = users::by_username(db, &username)
                .await
                .map_err(fail)?
                .ok_or_else(|| anyhow::anyhow!("no user {username}"))?;
            let (pw, generated) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (random_password()?, true)
            };
            let parsed = NewPassword::parse(&pw, "password").map_err(|e| fail(e.into()))?;
            let hash = password::hash(&parsed).await?;
            users::set_password(db, actor, now, user.user.id, &hash)
                .await
                .map_err(fail)?;
            println!("password changed for {username}; all its sessions ended");
            if generated {
                println!("password: {pw}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::Disable { username } => {
            let u = users::by_username(db, &username)
                .await
                .map_err(fail)?
                .ok_or_else(|| anyhow::anyhow!("no user {username}"))?
                .user;
            users::update(
                db,
                actor,
                now,
                u.id,
                &UserUpdate {
                    display_name: &u.display_name,
                    role: u.role,
                    society_id: u.society_id,
                    disabled: true,
                },
            )
            .await
            .map_err(fail)?;
            println!("disabled {username}");
            Ok(ExitCode::SUCCESS)
        }
        UserCmd::List => {
            for u in users::list(db).await.map_err(fail)? {
                println!(
                    "{:<24} {:<15} {:<8} {}{}",
                    u.username,
                    u.role.as_str(),
                    u.society_code.as_deref().unwrap_or("-"),
                    u.display_name,
                    if u.disabled { "  [disabled]" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_demo(
    accounts: &[crate::demo::DemoAccount],
    moment: chrono::DateTime<chrono::Utc>,
    addr: Option<SocketAddr>,
) {
    println!();
    println!(
        "ReformWatch demonstration data loaded (演示数据). The demo shows {} Beijing time (演示时间, advancing from there).",
        crate::present::beijing(moment)
    );
    println!("Demo logins (new passwords at every start):");
    for a in accounts {
        println!(
            "  {:<10} {:<16} {:<8} password: {}",
            a.username,
            a.role.as_str(),
            a.society.unwrap_or(""),
            a.password
        );
    }
    if let Some(addr) = addr {
        println!("Open http://{addr}/login");
    }
    println!();
}

/// The demo's registry and accounts, then its year (once per database), at the demo clock.
async fn load_demo(
    state: &crate::AppState,
    args: &DemoArgs,
) -> anyhow::Result<Vec<crate::demo::DemoAccount>> {
    let now = state.clock.now();
    let accounts = crate::demo::load(&state.db, &Actor::cli(), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.no_seed {
        return Ok(accounts);
    }
    let catalogue = crate::service::catalogues::of_year(state, 2017)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seed = args.seed.unwrap_or(crate::demo::DEFAULT_SEED);
    match crate::service::demo::seed(state, &catalogue, seed, now)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "seeding the demonstration year: {e} (the data directory may hold a half-seeded year; start the demo with a fresh --data-dir)"
            )
        })?
    {
        Some(s) => println!(
            "Seeded the demonstration year up to {} (seed {}): {} societies, {} events in {:.1} s.",
            crate::present::beijing(now),
            s.seed,
            s.societies,
            s.events,
            s.millis as f64 / 1000.0
        ),
        None => println!("The demonstration year was seeded before; nothing added."),
    }
    Ok(accounts)
}

/// `reformwatch assessment notice-pdf --year Y --out FILE`.
async fn notice_pdf(
    state: &crate::AppState,
    year: i32,
    out: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    if !crate::pdf::BUILT_IN {
        eprintln!("this build has no PDF rendering: build with `--features pdf`");
        return Ok(ExitCode::from(2));
    }
    let Some(published) = crate::service::assessment_results::published(state, year)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    else {
        eprintln!("the {year} results are not published (final) yet: no notice");
        eprintln!("{year} 年度考核结果尚未定稿发布，没有通报");
        return Ok(ExitCode::from(2));
    };
    let notice = crate::service::assessment_results::official_notice(&published);
    let fonts = state.notice_fonts.clone();
    let pdf = tokio::task::spawn_blocking(move || fonts.render(&notice))
        .await
        .map_err(|e| anyhow::anyhow!("notice PDF: {e}"))??;
    std::fs::write(out, &pdf)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!("wrote {} ({} bytes)", out.display(), pdf.len());
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    state: crate::AppState,
    demo: bool,
    demo_args: &DemoArgs,
) -> anyhow::Result<ExitCode> {
    let addr = state.config.addr;
    // The official notice PDF's fonts (feature `pdf`), read once now: a server that cannot
    // make the PDF does not start (issue 12; docs/OPERATIONS.md).
    if crate::pdf::BUILT_IN {
        let fonts = state.notice_fonts.clone();
        tokio::task::spawn_blocking(move || fonts.load())
            .await
            .map_err(|e| anyhow::anyhow!("loading the notice fonts: {e}"))?
            .map_err(|e| {
                anyhow::anyhow!(
                    "{e}\n(the official notice PDF needs them; install Debian's fonts-noto-cjk or set fonts_dir)"
                )
            })?;
        tracing::info!(fonts_dir = %state.notice_fonts.dir().display(), "notice fonts loaded");
    }
    let demo_accounts = if demo {
        Some(load_demo(&state, demo_args).await?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    tracing::info!(http.addr = %local, db = %db::mask_url(&state.config.database_url()), "ReformWatch serving");
    match &demo_accounts {
        Some(accounts) => print_demo(accounts, state.clock.now(), Some(local)),
        None => {
            if users::count(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                == 0
            {
                println!(
                    "\nNo accounts yet. Create the first administrator:\n  reformwatch user add --username admin --role admin --display-name 管理员\n(prints a generated password), then open http://{local}/login\n"
                );
            } else {
                println!("\nReformWatch at http://{local}/\n");
            }
        }
    }
    // Housekeeping every minute, safe to run in every process (all of it is idempotent in the
    // database): reminders, the rectification rule, e-mail, sessions, evidence temp files.
    tokio::spawn(crate::service::housekeeping::every(
        state.clone(),
        crate::service::housekeeping::PERIOD,
    ));
    crate::serve(state, listener, shutdown()).await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
