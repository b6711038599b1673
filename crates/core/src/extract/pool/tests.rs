//! The pool with real extractor processes (the `gleaner-extractor` binary
//! cargo builds beside the tests). The pool is global, so these tests take
//! turns.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::extract::{CrashCause, ExtractLimits, Format};

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn limits() -> ExtractLimits {
    ExtractLimits {
        timeout: Duration::from_secs(60),
        memory_bytes: 512 << 20,
    }
}

fn idle_pids() -> Vec<u32> {
    lock(&POOL.idle).iter().map(|p| p.id()).collect()
}

/// A PDF whose catalog holds an array nested `depth` deep: the parser
/// recurses once per level. The shared fixture puts it in an object stream,
/// past the PDF extractor's nesting pre-scan.
fn nested_pdf(depth: usize) -> Vec<u8> {
    crate::extract::pdf::test_support::nested_array_in_object_stream(depth)
}

fn html(words: usize) -> Vec<u8> {
    let mut page = b"<html><body><p>".to_vec();
    for i in 0..words {
        page.extend_from_slice(format!("word{} ", i % 1000).as_bytes());
    }
    page.extend_from_slice(b"</p></body></html>");
    page
}

#[test]
fn html_is_extracted_in_a_process_that_is_reused() {
    let _turn = turn();
    end_idle_processes();
    let first = extract(Format::Html, b"<p>hello <b>there</b></p>", &limits()).unwrap();
    assert_eq!(first.extractor, "html/1");
    assert!(first.text.contains("hello"), "{:?}", first.text);
    let pids = idle_pids();
    assert_eq!(pids.len(), 1, "one process, idle after its file");
    let second = extract(Format::Html, b"<p>again</p>", &limits()).unwrap();
    assert!(second.text.contains("again"));
    assert_eq!(idle_pids(), pids, "the same process took the second file");
}

#[test]
fn a_stack_overflow_fails_the_file_alone() {
    let _turn = turn();
    let got = extract(Format::Pdf, &nested_pdf(500_000), &limits());
    match got {
        Err(ExtractError::Crashed {
            format: Format::Pdf,
            cause: CrashCause::StackOverflow,
        }) => {}
        other => panic!("expected a stack overflow, got {other:?}"),
    }
    assert_eq!(
        got.unwrap_err().to_string(),
        "stack overflow in the PDF parser"
    );
    // The next file gets a working process.
    let after = extract(Format::Html, b"<p>still here</p>", &limits()).unwrap();
    assert!(after.text.contains("still here"));
}

#[test]
fn a_file_past_its_time_is_killed() {
    let _turn = turn();
    let page = html(4_000_000); // ~35 MB: not extracted in a millisecond
    let tight = ExtractLimits {
        timeout: Duration::from_millis(1),
        ..limits()
    };
    let started = Instant::now();
    let got = extract(Format::Html, &page, &tight);
    assert!(matches!(got, Err(ExtractError::TimedOut { .. })), "{got:?}");
    assert!(got.unwrap_err().is_poison());
    // Killed, not waited for: well under what extracting it would take.
    println!("gave up after {:?}", started.elapsed());
    let after = extract(Format::Html, b"<p>next</p>", &limits()).unwrap();
    assert!(after.text.contains("next"));
}

#[test]
fn a_file_past_the_memory_limit_fails_alone() {
    let _turn = turn();
    let small = ExtractLimits {
        memory_bytes: 128 << 20,
        ..limits()
    };
    // The text of a 100 MB page does not fit beside the page in 128 MiB.
    let page = html(11_000_000);
    let got = extract(Format::Html, &page, &small);
    match &got {
        Err(ExtractError::Crashed {
            cause: CrashCause::MemoryLimit { limit_bytes },
            ..
        }) => assert_eq!(*limit_bytes, 128 << 20),
        other => panic!("expected the memory limit, got {other:?}"),
    }
    assert_eq!(
        got.unwrap_err().to_string(),
        "memory limit 128 MiB reached in the HTML parser"
    );
    // A file larger than the limit is refused without a process.
    let huge = vec![b'x'; 129 << 20];
    assert!(matches!(
        extract(Format::Html, &huge, &small),
        Err(ExtractError::Crashed {
            cause: CrashCause::MemoryLimit { .. },
            ..
        })
    ));
}

#[test]
fn extractors_are_confined_and_limited() {
    let _turn = turn();
    end_idle_processes();
    extract(Format::Html, b"<p>x</p>", &limits()).unwrap();
    let pid = idle_pids()[0];
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    assert_eq!(field("Seccomp:"), "2", "a seccomp filter is installed");
    assert_eq!(field("NoNewPrivs:"), "1");
    let limits_text = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let data = limits_text
        .lines()
        .find(|l| l.starts_with("Max data size"))
        .unwrap();
    assert!(data.contains(&(512u64 << 20).to_string()), "{data}");
    let core = limits_text
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert!(core.split_whitespace().nth(4) == Some("0"), "{core}");
    // Only its three pipes are open.
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    assert_eq!(fds, 3);
}

#[test]
fn idle_processes_end_after_their_lifetime() {
    let _turn = turn();
    extract(Format::Html, b"<p>x</p>", &limits()).unwrap();
    let pid = idle_pids()[0];
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            Instant::now() < deadline,
            "idle extractor {pid} still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(idle_pids().is_empty());
}
