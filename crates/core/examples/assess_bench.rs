//! Benchmark of the year-end assessment (R-ASSESS-1..3): builds N synthetic societies
//! deterministically from a seed (default 10,000 societies, seed 2017), assesses the whole
//! year with the 2017 catalogue's `[assessment]` section — scores, outcomes, rankings,
//! subsidy — and prints the compute time and the memory. Aim: under 100 ms and under 100 MB
//! for 10,000 societies (issue 12).
//!
//! ```sh
//! cargo run --release -p reformwatch-core --example assess_bench -- 10000
//! cargo run --release -p reformwatch-core --example assess_bench -- 10000 --seed 7 --runs 30 --json
//! ```
//!
//! Memory: the resident set (VmRSS) at start, before the input is built, is the process's own
//! baseline (binary, allocator, catalogue); the peak (VmHWM) after building the input and at
//! the end. `--json` prints one line of figures for `bench/run --scenarios assessment`, which
//! also measures the process's peak from outside (getrusage maxrss).
//!
//! An example may read the clock and /proc (the core library itself may not).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use reformwatch_core::assess::{
    AcceptanceStatus, AdjustmentEntry, AssessmentRules, LeafEntry, PlanResult, RuleResult, Score,
    SocietyYear, SubsidyOutcome, TaskResult, assess_year,
};
use reformwatch_core::catalogue::{BUILTIN_2017_SOURCE, Catalogue, TaskClass, parse};
use reformwatch_core::rules::{Applies, Verdict};
use reformwatch_core::tracking::RateCell;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn status(rng: &mut Rng) -> AcceptanceStatus {
    match rng.below(1000) {
        0..=929 => AcceptanceStatus::Completed,
        930..=985 => AcceptanceStatus::Partly,
        _ => AcceptanceStatus::NotCompleted,
    }
}

fn task(rng: &mut Rng, number: u32) -> TaskResult {
    let targets = u32::try_from(rng.below(4)).unwrap_or(0);
    let milestones = u32::try_from(rng.below(4)).unwrap_or(0);
    TaskResult {
        number,
        status: status(rng),
        targets,
        targets_met: u32::try_from(rng.below(u64::from(targets) + 1)).unwrap_or(0),
        milestones,
        milestones_reached: u32::try_from(rng.below(u64::from(milestones) + 1)).unwrap_or(0),
    }
}

/// A score within `0..=max` in hundredths, biased towards the top.
fn score_within(rng: &mut Rng, max: Score) -> Score {
    let m = u64::try_from(max.hundredths()).unwrap_or(0);
    let low = m * 6 / 10;
    let h = low + rng.below(m - low + 1);
    Score::from_hundredths(i64::try_from(h).unwrap_or(0)).unwrap_or(Score::ZERO)
}

fn society(cat: &Catalogue, rules: &AssessmentRules, rng: &mut Rng, i: usize) -> SocietyYear {
    let groups = ["A", "B", "C", "D", "E"];
    let group = groups[i % groups.len()];
    let election_year = rng.chance(25);
    let plan = if rng.chance(2) {
        None
    } else {
        // Basic tasks (rarely one missing), election tasks when electing, and 5 to 8
        // optional tasks.
        let optional: Vec<u32> = cat
            .tasks
            .iter()
            .filter(|t| t.class == TaskClass::Optional)
            .map(|t| t.number)
            .collect();
        let mut chosen = Vec::new();
        let want = 5 + rng.below(4) as usize;
        while chosen.len() < want.min(optional.len()) {
            let n = optional[rng.below(optional.len() as u64) as usize];
            if !chosen.contains(&n) {
                chosen.push(n);
            }
        }
        let mut tasks = Vec::new();
        for t in &cat.tasks {
            let planned = match t.class {
                TaskClass::Basic => !rng.chance(1),
                TaskClass::Election => election_year && !rng.chance(2),
                TaskClass::Optional => chosen.contains(&t.number),
            };
            if planned {
                tasks.push(task(rng, t.number));
            }
        }
        Some(PlanResult {
            days_late: if rng.chance(10) {
                u32::try_from(1 + rng.below(20)).unwrap_or(1)
            } else {
                0
            },
            tasks,
        })
    };
    let verdicts = cat
        .rules()
        .map(|(_, r)| RuleResult {
            rule: r.id.clone(),
            verdict: if r.applies == Applies::ElectionYear && !election_year {
                Verdict::NotApplicable
            } else {
                match rng.below(100) {
                    0..=74 => Verdict::Pass,
                    75..=84 => Verdict::Warning,
                    85..=94 => Verdict::Fail,
                    _ => Verdict::Insufficient,
                }
            },
        })
        .collect();
    let expected = 7u32;
    let received = expected - u32::try_from(rng.below(3)).unwrap_or(0);
    let on_time = received - u32::try_from(rng.below(u64::from(received) + 1) / 3).unwrap_or(0);
    let leaves = rules
        .leaves()
        .filter_map(|(_, ind)| {
            let expert = matches!(ind.leaf, Some(reformwatch_core::assess::Leaf::Expert));
            let self_score = rng.chance(70).then(|| score_within(rng, ind.points));
            let reviewer_scores: Vec<Score> = if expert && !rng.chance(1) {
                let n = 3 + rng.below(5);
                (0..n).map(|_| score_within(rng, ind.points)).collect()
            } else {
                Vec::new()
            };
            (self_score.is_some() || !reviewer_scores.is_empty()).then(|| LeafEntry {
                indicator: ind.id.clone(),
                self_score,
                reviewer_scores,
            })
        })
        .collect();
    let mut adjustments = Vec::new();
    if rng.chance(5) {
        adjustments.push(AdjustmentEntry {
            id: "exemplary".into(),
            points: Score::from_points(i64::try_from(1 + rng.below(30)).unwrap_or(1))
                .unwrap_or(Score::ZERO),
            reason: "synthetic".into(),
        });
    }
    if rng.chance(3) {
        adjustments.push(AdjustmentEntry {
            id: "false-report".into(),
            points: Score::from_points(i64::try_from(1 + rng.below(50)).unwrap_or(1))
                .unwrap_or(Score::ZERO),
            reason: "synthetic".into(),
        });
    }
    SocietyYear {
        code: format!("{group}-{i:05}"),
        discipline_group: group.into(),
        members: (!rng.chance(3)).then(|| i64::try_from(500 + rng.below(250_000)).unwrap_or(0)),
        election_year,
        plan,
        verdicts,
        reports: RateCell {
            expected,
            received,
            on_time,
        },
        leaves,
        adjustments,
    }
}

/// A line of /proc/self/status in kB: `VmHWM` (peak resident set so far) or `VmRSS` (now).
#[allow(clippy::disallowed_methods)] // an example may read /proc; the library may not
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn vm_hwm_kb() -> Option<u64> {
    status_kb("VmHWM")
}

/// Command line: `[N] [--seed S] [--runs R] [--json]`.
struct Args {
    n: usize,
    seed: u64,
    runs: usize,
    json: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        n: 10_000,
        seed: 2017,
        runs: 5,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match arg.as_str() {
            "--seed" => a.seed = value("--seed")?,
            "--runs" => {
                a.runs = usize::try_from(value("--runs")?.max(1)).map_err(|e| e.to_string())?;
            }
            "--json" => a.json = true,
            n => a.n = n.parse().map_err(|_| format!("unknown argument {n}"))?,
        }
    }
    Ok(a)
}

/// The nearest-rank percentile `p` (0..=100) of sorted durations, in ms.
fn percentile_ms(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// CPU time this thread has run so far (first field of /proc/thread-self/schedstat, in ns):
/// on a shared machine the wall-clock time also counts the time other processes had the CPU.
#[allow(clippy::disallowed_methods)] // an example may read /proc; the library may not
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Wall-clock and CPU time of `f`.
#[allow(clippy::disallowed_methods)] // an example may read the clock; the library may not
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let cpu = thread_cpu();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu = thread_cpu().zip(cpu).map(|(b, a)| b.saturating_sub(a));
    (out, wall, cpu)
}

fn main() -> ExitCode {
    let start_rss = status_kb("VmRSS");
    let Args {
        n,
        seed,
        runs,
        json,
    } = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}; usage: assess_bench [N] [--seed S] [--runs R] [--json]");
            return ExitCode::from(2);
        }
    };
    // The 2017 catalogue, its pool budget scaled to N societies (the file's 20,000,000 yuan
    // is meant for about 200): 100,000 yuan per society.
    let source = BUILTIN_2017_SOURCE.replacen(
        "budget = 20000000",
        &format!("budget = {}", n as u64 * 100_000),
        1,
    );
    let cat = match parse(&source, "2017-bench.toml") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(rules) = cat.assessment.as_ref() else {
        eprintln!("the 2017 catalogue has no [assessment] section");
        return ExitCode::FAILURE;
    };
    // Never 0 (xorshift would stay at 0).
    let mut rng = Rng((0x5EED_2017_0000_0001 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
    let (input, build, _) = timed(|| {
        (0..n)
            .map(|i| society(&cat, rules, &mut rng, i))
            .collect::<Vec<_>>()
    });
    let after_input = vm_hwm_kb();

    let mut times = Vec::with_capacity(runs);
    let mut cpu_times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        // One result at a time, as a server holding the year's results would.
        drop(last.take());
        let (result, t, cpu) = timed(|| assess_year(&cat, &input));
        times.push(t);
        cpu_times.extend(cpu);
        match result {
            Ok(y) => last = Some(y),
            Err(e) => {
                eprintln!("synthetic input refused: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let peak = vm_hwm_kb();
    let Some(y) = last else {
        return ExitCode::FAILURE;
    };
    times.sort();
    cpu_times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let checksum: i64 = y
        .societies
        .iter()
        .filter_map(|s| s.score())
        .map(Score::hundredths)
        .sum();
    let (paid, unspent, refused) = match &y.subsidy {
        SubsidyOutcome::Allocated(a) => (
            u64::try_from(a.total()).unwrap_or(u64::MAX),
            a.unspent.get(),
            None,
        ),
        SubsidyOutcome::Refused(e) => (0, 0, Some(e.to_string())),
    };
    let subsidy = match &refused {
        None => format!("{} yuan paid, {unspent} unspent", paid),
        Some(e) => format!("refused: {e}"),
    };
    if json {
        let cpu = (cpu_times.len() == runs).then(|| {
            serde_json::json!({
                "min": ms(cpu_times[0]),
                "median": percentile_ms(&cpu_times, 50),
                "p99": percentile_ms(&cpu_times, 99),
            })
        });
        let line = serde_json::json!({
            "societies": n,
            "seed": seed,
            "runs": runs,
            "input_ms": ms(build),
            "wall_ms": {
                "min": ms(times[0]),
                "median": percentile_ms(&times, 50),
                "p99": percentile_ms(&times, 99),
                "max": ms(times[runs - 1]),
                "all": times.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
            },
            "cpu_ms": cpu,
            "rss_start_kb": start_rss,
            "hwm_after_input_kb": after_input,
            "hwm_end_kb": peak,
            "commended": y.commended,
            "completed": y.completed,
            "criticised": y.criticised,
            "missing_reviewer_scores": y.missing_reviewer_scores,
            "ranked": y.overall.len(),
            "peer_groups": y.groups.len(),
            "subsidy_paid": paid,
            "subsidy_unspent": unspent,
            "subsidy_refused": refused,
            "checksum": checksum,
        });
        println!("{line}");
        return ExitCode::SUCCESS;
    }
    println!("societies:            {n}");
    println!("input built in:       {:.1} ms (not counted)", ms(build));
    println!(
        "assessment (compute): wall min {:.1} ms, median {:.1} ms, max {:.1} ms over {runs} runs",
        ms(times[0]),
        percentile_ms(&times, 50),
        ms(times[runs - 1])
    );
    if cpu_times.len() == runs {
        println!(
            "                      CPU  min {:.1} ms, median {:.1} ms, max {:.1} ms (this thread)",
            ms(cpu_times[0]),
            percentile_ms(&cpu_times, 50),
            ms(cpu_times[runs - 1])
        );
    }
    let mb = |kb: Option<u64>| {
        kb.map_or("unknown".to_owned(), |k| {
            format!("{:.1} MB", k as f64 / 1024.0)
        })
    };
    println!(
        "memory:               {} resident at start (VmRSS), peak {} after building the input, {} at the end (VmHWM)",
        mb(start_rss),
        mb(after_input),
        mb(peak)
    );
    println!(
        "outcomes:             {} commended, {} completed, {} criticised",
        y.commended, y.completed, y.criticised
    );
    println!(
        "subsidy:              {} shares, {subsidy}",
        y.societies.iter().filter(|s| s.subsidy.is_some()).count()
    );
    println!(
        "ranked:               {} overall, {} peer groups; top {} with {}",
        y.overall.len(),
        y.groups.len(),
        y.overall.first().map_or("-", |e| e.code.as_str()),
        y.overall.first().map_or(Score::ZERO, |e| e.score)
    );
    println!("checksum of totals:   {checksum} hundredths");
    ExitCode::SUCCESS
}
