//! What running parsers in extractor processes costs: every PDF, DOCX, ODT
//! and HTML file under a folder extracted in this process (as before the
//! pool) and through the pool (as the engine does now), alternating, one
//! file at a time on one thread. Prints wall and CPU time of both, the
//! overhead per file, and the pool's processes and peak memory.
//!
//! Run in release, on a corpus:
//! `cargo run --release -p gleaner-core --example extract_bench -- DIR [ROUNDS]`
//! (the binary `gleaner-extractor` must be built beside it:
//! `cargo build --release -p gleaner-core --bins`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gleaner_core::extract::{self, ExtractLimits, Format};

fn files(dir: &Path, out: &mut Vec<(PathBuf, Format)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            files(&path, out);
        } else if kind.is_file() {
            let format = Format::for_path(&path);
            if format.runs_out_of_process() {
                out.push((path, format));
            }
        }
    }
}

/// CPU time of this process and its reaped children, and of the whole
/// process tree's live children can not be read: extractor processes are
/// counted when they end (the pool is emptied before each reading).
fn cpu() -> Duration {
    let mut total = Duration::ZERO;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: getrusage fills the struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(who, &mut usage);
            usage
        };
        for t in [usage.ru_utime, usage.ru_stime] {
            total += Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
        }
    }
    total
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: extract_bench DIR [ROUNDS]"));
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut list = Vec::new();
    files(&dir, &mut list);
    list.sort_by(|a, b| a.0.cmp(&b.0));
    let corpus: Vec<(Vec<u8>, Format)> = list
        .iter()
        .filter_map(|(p, f)| std::fs::read(p).ok().map(|b| (b, *f)))
        .collect();
    let bytes: usize = corpus.iter().map(|(b, _)| b.len()).sum();
    println!(
        "{} files ({:.1} MB): pdf/docx/odt/html under {}",
        corpus.len(),
        bytes as f64 / 1e6,
        dir.display()
    );
    let limits = ExtractLimits::default();
    let (mut inline_wall, mut inline_cpu) = (Vec::new(), Vec::new());
    let (mut pool_wall, mut pool_cpu) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for in_pool in [round % 2 == 0, round % 2 != 0] {
            extract::end_idle_processes();
            let (cpu0, started) = (cpu(), Instant::now());
            for (bytes, format) in &corpus {
                let bytes = bytes.clone();
                let _ = if in_pool {
                    extract::extract(*format, bytes, &limits)
                } else {
                    extract::extract_in_process(*format, bytes)
                };
            }
            extract::end_idle_processes();
            let (wall, used) = (started.elapsed(), cpu() - cpu0);
            if in_pool {
                pool_wall.push(wall);
                pool_cpu.push(used);
            } else {
                inline_wall.push(wall);
                inline_cpu.push(used);
            }
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (iw, ic, pw, pc) = (
        median(&mut inline_wall),
        median(&mut inline_cpu),
        median(&mut pool_wall),
        median(&mut pool_cpu),
    );
    println!(
        "in process:  wall {:.2} s, cpu {:.2} s (median of {rounds})",
        iw.as_secs_f64(),
        ic.as_secs_f64()
    );
    println!(
        "through pool: wall {:.2} s, cpu {:.2} s",
        pw.as_secs_f64(),
        pc.as_secs_f64()
    );
    println!(
        "overhead: wall {:+.1} % ({:+.2} ms per file), cpu {:+.1} %",
        (pw.as_secs_f64() / iw.as_secs_f64() - 1.0) * 100.0,
        (pw.as_secs_f64() - iw.as_secs_f64()) * 1e3 / corpus.len().max(1) as f64,
        (pc.as_secs_f64() / ic.as_secs_f64() - 1.0) * 100.0,
    );
    println!(
        "extractor processes started: {}, peak RSS of one: {:.1} MiB",
        extract::processes_started(),
        extract::peak_rss_bytes() as f64 / (1024.0 * 1024.0)
    );
}
