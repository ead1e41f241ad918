//! The stable, short fuzz run for CI (issue 9): every seed in `fuzz/corpus/<target>/` (and the
//! shipped catalogue and society list), then `RW_FUZZ_ITERATIONS` (default 3,000 to 15,000 by
//! target) deterministic mutations of them (`RW_FUZZ_SEED`, default fixed), through each
//! target. A panic fails the test naming the input, which is saved under
//! `target/fuzz-failures/`; a generous watchdog
//! (`RW_FUZZ_HANG_SECS`, default 30 s per input) catches hangs. Not a timing test: the watchdog
//! only tells a hang from slowness. Long runs: libFuzzer in `fuzz/` (see fuzz/README.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use reformwatch_fuzz_targets::{TARGETS, Target, mutate};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    let shipped = match target {
        "catalogue" => Some("catalogues/2017.toml"),
        "tabular" => Some("data/societies-2017.csv"),
        _ => None,
    };
    if let Some(rel) = shipped {
        out.push((rel.to_string(), std::fs::read(root().join(rel)).unwrap()));
    }
    out.sort();
    assert!(out.len() >= 3, "{target}: at least three seeds");
    out
}

fn save(target: &str, label: &str, data: &[u8]) -> PathBuf {
    let dir = root().join("target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{target}-{label}.bin"));
    std::fs::write(&path, data).unwrap();
    path
}

fn run(name: &str) {
    let target: Target = TARGETS.iter().find(|(n, _)| *n == name).unwrap().1;
    let seeds = seeds(name);
    // Defaults sized for well under a minute in all (debug build, 2 cores).
    let default = match name {
        "tabular" => 3_000,
        "catalogue" => 8_000,
        _ => 15_000,
    };
    let iterations = env_u64("RW_FUZZ_ITERATIONS", default);
    let seed = env_u64("RW_FUZZ_SEED", 0x5EED_2017);
    let hang = Duration::from_secs(env_u64("RW_FUZZ_HANG_SECS", 30));
    eprintln!(
        "fuzz {name}: {} seeds + {iterations} mutations (RW_FUZZ_SEED={seed})",
        seeds.len()
    );
    let corpus: Vec<Vec<u8>> = seeds.iter().map(|(_, d)| d.clone()).collect();
    let inputs = seeds
        .iter()
        .map(|(label, d)| (label.clone(), d.clone()))
        .chain((0..iterations).map(|n| {
            (
                format!("mutation-{seed}-{n}"),
                mutate::nth_input(seed, n, &corpus),
            )
        }));

    let (tx, rx) = mpsc::channel::<(String, Vec<u8>, Result<(), String>)>();
    let (work_tx, work_rx) = mpsc::sync_channel::<(String, Vec<u8>)>(1);
    std::thread::spawn(move || {
        for (label, data) in work_rx {
            let result = std::panic::catch_unwind(|| target(&data)).map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".to_string())
            });
            if tx.send((label, data, result)).is_err() {
                return;
            }
        }
    });
    let mut count = 0;
    for (label, data) in inputs {
        work_tx.send((label.clone(), data.clone())).unwrap();
        match rx.recv_timeout(hang) {
            Ok((_, _, Ok(()))) => count += 1,
            Ok((label, data, Err(msg))) => {
                let path = save(name, &label.replace(['/', '.'], "_"), &data);
                panic!(
                    "{name}: input {label} panicked: {msg}\n  saved to {}",
                    path.display()
                );
            }
            Err(_) => {
                let path = save(
                    name,
                    &format!("hang-{}", label.replace(['/', '.'], "_")),
                    &data,
                );
                panic!(
                    "{name}: input {label} ({} bytes) ran longer than {} s: a hang?\n  saved to {}",
                    data.len(),
                    hang.as_secs(),
                    path.display()
                );
            }
        }
    }
    eprintln!("fuzz {name}: {count} inputs, no panic, no hang");
}

#[test]
fn tabular() {
    run("tabular");
}

#[test]
fn catalogue() {
    run("catalogue");
}

#[test]
fn facts_json() {
    run("facts_json");
}
