//! The watched set: which sources the engine watches and rescans, and how
//! often. Sources are stored by the surfaces (CLI, app, MCP, HTTP); the
//! engine brings its watches in line with them at start-up and on
//! `Request::Reload`.

use std::collections::HashMap;
use std::time::Duration;

use super::Engine;
use crate::source::{Source, SourceRules};
use crate::walk::{walk_source, WalkOptions};
use crate::watch::WatchedSource;

impl Engine {
    /// Brings the watched set in line with the stored sources: new or
    /// changed active sources are watched and scanned, removed or disabled
    /// ones unwatched.
    pub(super) fn sync_sources(&mut self, startup: bool) {
        let sources = match self.index.sources() {
            Ok(sources) => sources,
            Err(err) => {
                tracing::error!(%err, "could not read sources");
                return;
            }
        };
        let current: HashMap<i64, Source> = sources
            .into_iter()
            .filter(|s| s.active)
            .map(|s| (s.id, s))
            .collect();
        let gone: Vec<i64> = self
            .watched
            .keys()
            .filter(|id| !current.contains_key(id))
            .copied()
            .collect();
        for id in gone {
            self.watcher.unwatch(id);
            self.watched.remove(&id);
            self.next_full_scan.remove(&id);
            self.rules.write().expect("rules lock").remove(&id);
        }
        for source in current.values() {
            let changed = self
                .watched
                .get(&source.id)
                .is_none_or(|old| !same_rules(old, source));
            if changed || startup {
                self.ensure_watched(source);
                let trigger = if startup { "startup" } else { "manual" };
                if let Err(err) = self.queue_scan(source, trigger, true) {
                    tracing::warn!(source = %source.path.display(), %err, "could not queue a scan");
                }
            }
        }
    }

    pub(super) fn ensure_watched(&mut self, source: &Source) {
        if self
            .watched
            .get(&source.id)
            .is_some_and(|old| same_rules(old, source))
        {
            return;
        }
        let Ok(rules) = SourceRules::for_source(source) else {
            return;
        };
        self.rules
            .write()
            .expect("rules lock")
            .insert(source.id, (source.path.clone(), rules.clone()));
        let walk = walk_source(
            &source.path,
            &rules,
            &WalkOptions {
                recursive: source.recursive,
                threads: 2,
            },
        );
        self.watcher.watch(WatchedSource {
            source_id: source.id,
            root: source.path.clone(),
            recursive: source.recursive,
            dirs: walk.dirs,
        });
        self.watched.insert(source.id, source.clone());
    }

    pub(super) fn scan_interval(&self, source: &Source) -> Duration {
        let polled = self
            .watcher
            .health()
            .iter()
            .any(|h| h.source_id() == Some(source.id) && h.needs_polling());
        let settings = self.index.settings().ok();
        let seconds = if polled {
            settings
                .as_ref()
                .map_or(300, |s| s.integer("watch.poll_interval_s"))
        } else {
            source
                .scan_interval_s
                .or_else(|| settings.as_ref().map(|s| s.integer("scan.full_interval_s")))
                .unwrap_or(86_400)
        };
        Duration::from_secs(seconds.max(1) as u64)
    }
}

pub(super) fn same_rules(a: &Source, b: &Source) -> bool {
    a.path == b.path
        && a.recursive == b.recursive
        && a.include == b.include
        && a.exclude == b.exclude
}
