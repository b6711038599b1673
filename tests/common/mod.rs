//! Helpers for the end-to-end tests: a temp world with a data directory and a
//! folder of files, and the real `gleaner` binary run against it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub mod state;

/// A temporary data directory and documents folder.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        World {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }

    /// Writes a file under docs/, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.docs().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.docs().join(rel)
    }

    /// The `gleaner` command with this world's data directory.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gleaner"));
        cmd.arg("--data-dir").arg(self.data());
        cmd.env_remove("GLEANER_DATA_DIR");
        cmd
    }

    /// Runs gleaner and asserts success.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run gleaner");
        assert_success(&out, args);
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs gleaner, asserts failure, returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run gleaner");
        assert!(
            !out.status.success(),
            "expected failure of {args:?}, got stdout {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs gleaner with --json and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.push("--json");
        let text = self.ok(&all);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// `gleaner index docs --json`
    pub fn index(&self) -> Value {
        let docs = self.docs();
        self.json(&["index", docs.to_str().unwrap()])
    }

    /// Paths of the hits for a query (a hit's other copies with the same
    /// content included).
    pub fn search(&self, query: &str) -> Vec<String> {
        let hits = self.json(&["search", query, "--limit", "50"]);
        hits.as_array()
            .unwrap()
            .iter()
            .flat_map(|h| {
                let mut paths = vec![h["path"].as_str().unwrap().to_string()];
                if let Some(others) = h["other_paths"].as_array() {
                    paths.extend(others.iter().map(|p| p.as_str().unwrap().to_string()));
                }
                paths
            })
            .collect()
    }

    /// File names of the hits for a query, sorted.
    pub fn search_names(&self, query: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .search(query)
            .iter()
            .map(|p| {
                Path::new(p)
                    .strip_prefix(self.docs())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// The last lines the engines wrote to the logs folder, for a failure's
    /// message.
    pub fn log_tail(&self) -> String {
        let Ok(entries) = std::fs::read_dir(self.data().join("logs")) else {
            return "(no logs folder)".to_string();
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        let mut tail = String::new();
        for file in files.iter().rev().take(3).rev() {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            tail.push_str(&format!("--- {}\n", file.display()));
            for line in &lines[lines.len().saturating_sub(15)..] {
                tail.push_str(line);
                tail.push('\n');
            }
        }
        tail
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.data().join("gleaner.db")).unwrap()
    }
}

pub fn assert_success(out: &Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "gleaner {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The counts of an `index --json` run, in contract order.
pub fn counts(v: &Value) -> [u64; 6] {
    ["new", "modified", "moved", "deleted", "unchanged", "failed"]
        .map(|k| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}")))
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
pub mod fixtures;

impl World {
    /// Starts `gleaner daemon` for this world (its stderr discarded) with
    /// the extra environment `envs`, and waits until it listens.
    pub fn start_daemon(&self, envs: &[(&str, &std::path::Path)]) -> std::process::Child {
        let mut cmd = self.cmd();
        cmd.arg("daemon").stderr(std::process::Stdio::null());
        for (key, value) in envs {
            cmd.env(key, value);
        }
        let daemon = cmd.spawn().expect("start gleaner daemon");
        wait_until(
            "the engine listens",
            std::time::Duration::from_secs(30),
            || self.data().join("engine.sock").exists() && self.data().join("engine.lock").exists(),
        );
        daemon
    }

    /// Queues a background scan of every source; its job id.
    pub fn background_job(&self) -> String {
        self.json(&["index", "--background"])["id"]
            .as_str()
            .expect("a job id")
            .to_string()
    }
}

/// Polls `condition` until it holds, or panics naming `what` after `limit`.
pub fn wait_until(what: &str, limit: std::time::Duration, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if condition() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("timed out waiting until {what}");
}

/// Stops whatever engine runs for this world when dropped (the test ends,
/// passed or failed).
pub struct StopEngine<'a>(pub &'a World);
impl Drop for StopEngine<'_> {
    fn drop(&mut self) {
        let _ = self.0.cmd().arg("stop").output();
    }
}
