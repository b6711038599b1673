//! Formatting for people: times, sizes, highlighted snippets.

use std::io::IsTerminal;

pub use gleaner_core::time::{iso_time, local_time};

/// An optional timestamp in the local zone, or "never".
pub fn maybe_time(ms: Option<i64>) -> String {
    ms.map(local_time).unwrap_or_else(|| "never".to_string())
}

/// A job's progress in words that cannot contradict each other: what it
/// read out of what it had to read, and what it checked in all (a rescan
/// that finds nothing changed reads nothing but checks every file).
pub fn job_progress(c: &gleaner_core::store::JobCounts) -> String {
    let checked = c.checked_files();
    if c.total_files == 0 {
        return match checked {
            0 => "no files found".to_string(),
            n => format!("checked {n} files, none to read"),
        };
    }
    format!(
        "read {} of {} files (checked {checked} in all)",
        c.indexed_files, c.total_files
    )
}

/// Bytes in binary units.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A snippet with `**match**` markers, in bold on a terminal, plain otherwise.
pub fn render_snippet(snippet: &str) -> String {
    let bold = std::io::stdout().is_terminal();
    let one_line: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for (i, part) in one_line.split("**").enumerate() {
        if i % 2 == 1 && bold {
            out.push_str("\x1b[1m");
            out.push_str(part);
            out.push_str("\x1b[0m");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(10 * 1024 * 1024), "10.0 MiB");
    }
}
