//! Which documents a search may return, whatever their text: the one
//! place where a source, an extension, a format, a folder or a date range
//! given by a surface (`--ext`, `?source=`) or typed in the query (`ext:`,
//! `in:`, `after:`) becomes a filter, normalised the same way for all.

use std::path::PathBuf;

use super::query::QueryFilters;
use crate::store::{path_text, UnitDocument};

/// Restrictions on a search; every one given must hold. Build it with the
/// methods, which normalise what they are given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only these sources (any of them).
    pub source_ids: Vec<i64>,
    /// Only these extensions, lower case without the dot (any of them).
    pub ext: Vec<String>,
    /// Only these formats (any of them).
    pub format: Vec<String>,
    /// Only below these folders (any of them).
    pub dirs: Vec<PathBuf>,
    /// Modified at or after (unix ms).
    pub after_ms: Option<i64>,
    /// Modified before (unix ms).
    pub before_ms: Option<i64>,
    /// Two filters that exclude each other were combined: nothing passes.
    pub(super) impossible: bool,
}

impl SearchFilter {
    /// No restriction.
    pub fn new() -> SearchFilter {
        SearchFilter::default()
    }

    /// Only documents of this source.
    pub fn source(mut self, source_id: i64) -> SearchFilter {
        self.source_ids.push(source_id);
        self
    }

    /// Only files with this extension (`pdf`, `.PDF`); blank is ignored.
    pub fn extension(mut self, ext: &str) -> SearchFilter {
        let ext = normalize_ext(ext);
        if !ext.is_empty() {
            self.ext.push(ext);
        }
        self
    }

    /// This filter and the query's together.
    pub fn with_query(&self, query: &QueryFilters) -> SearchFilter {
        let mut combined = self.clone();
        let both = |mine: &mut Vec<String>, theirs: &[String], impossible: &mut bool| {
            let theirs: Vec<String> = theirs.iter().map(|e| normalize_ext(e)).collect();
            if theirs.is_empty() {
                return;
            }
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.retain(|e| theirs.contains(e));
                *impossible |= mine.is_empty();
            }
        };
        both(&mut combined.ext, &query.ext, &mut combined.impossible);
        both(
            &mut combined.format,
            &query.format,
            &mut combined.impossible,
        );
        combined.dirs.extend(query.dirs.iter().cloned());
        combined.after_ms = max_opt(combined.after_ms, query.after_ms);
        combined.before_ms = min_opt(combined.before_ms, query.before_ms);
        combined
    }

    /// Whether nothing is restricted.
    pub fn is_empty(&self) -> bool {
        self.source_ids.is_empty()
            && self.ext.is_empty()
            && self.format.is_empty()
            && self.dirs.is_empty()
            && self.after_ms.is_none()
            && self.before_ms.is_none()
            && !self.impossible
    }

    /// Whether a document passes (which copies of a content a hit lists).
    pub fn allows(&self, doc: &UnitDocument) -> bool {
        let mtime_ms = doc.mtime_ns / 1_000_000;
        !self.impossible
            && (self.source_ids.is_empty() || self.source_ids.contains(&doc.source_id))
            && (self.ext.is_empty() || self.ext.contains(&doc.ext))
            && (self.format.is_empty() || self.format.contains(&doc.format))
            && (self.dirs.is_empty()
                || self
                    .dirs
                    .iter()
                    .any(|dir| is_below(&doc.path, &path_text(dir))))
            && self.after_ms.is_none_or(|after| mtime_ms >= after)
            && self.before_ms.is_none_or(|before| mtime_ms < before)
    }
}

fn normalize_ext(ext: &str) -> String {
    ext.trim().trim_start_matches('.').to_ascii_lowercase()
}

fn is_below(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, ext: &str, mtime_ms: i64) -> UnitDocument {
        UnitDocument {
            id: 1,
            source_id: 7,
            path: path.into(),
            name: path.rsplit('/').next().unwrap().into(),
            ext: ext.into(),
            format: "text".into(),
            size: 1,
            mtime_ns: mtime_ms * 1_000_000,
        }
    }

    #[test]
    fn extensions_are_normalised_once() {
        let filter = SearchFilter::new().extension(" .PDF ").extension("");
        assert_eq!(filter.ext, ["pdf"]);
        assert!(filter.allows(&doc("/a/x.pdf", "pdf", 0)));
        assert!(!filter.allows(&doc("/a/x.md", "md", 0)));
    }

    #[test]
    fn surface_and_query_filters_both_hold() {
        let surface = SearchFilter::new().extension("pdf");
        let query = QueryFilters {
            ext: vec!["md".into()],
            ..QueryFilters::default()
        };
        let combined = surface.with_query(&query);
        assert!(!combined.allows(&doc("/a/x.pdf", "pdf", 0)));
        assert!(!combined.allows(&doc("/a/x.md", "md", 0)));
        let query = QueryFilters {
            dirs: vec!["/a/notes".into()],
            after_ms: Some(100),
            ..QueryFilters::default()
        };
        let combined = SearchFilter::new().with_query(&query);
        assert!(combined.allows(&doc("/a/notes/x.md", "md", 100)));
        assert!(!combined.allows(&doc("/a/notes/x.md", "md", 99)));
        assert!(!combined.allows(&doc("/a/notesx/x.md", "md", 100)));
    }
}
