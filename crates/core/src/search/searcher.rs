//! Running a query against the search index, from any process.
//! One file because planning a query and running it share the plan; collecting, filtering, hits and snippets are apart.
//!
//! A query is looked for in two places at once: the **text** (the chunks
//! index; a unit scores its best chunk's BM25) and the **labels** (file
//! names and titles, BM25 over those fields). A unit's score is the better
//! of the two, so the best `k` of each list hold the best `k` overall and
//! both lists can be cut exactly with block-max WAND. A file called
//! `GPL-3` comes first for `GPL-3` because its name matches, and a file
//! whose text matches ranks by its text, however its name reads.
//!
//! Filters (source, extension, format, folder, dates, `name:` words) are
//! decided on the labels, which know the paths: the labels that pass make
//! the set of allowed units, checked inside the text ranking (see
//! `collector`). Hits are then read from the store, which is the truth:
//! a unit the index still has but the store no longer shows (the indexer
//! has not caught up yet) is skipped and the next one taken.
//!
//! When every word must match and nothing does, the query is run again
//! with any word allowed, and the answer says so.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;
use tantivy::directory::Directory;
use tantivy::query::{
    BooleanQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{IndexReader, ReloadPolicy, Term};

use super::analysis::{Analyzer, StreamKind, TermsToFind};
use super::collector::{top_units, Best};
pub use super::hits::SearchHit;
use super::hits::{read_hits, Candidate, HitTerms};
use super::index::{Mark, SearchIndex};
use super::phrase::PrunedPhrase;
use super::prefix_words;
use super::query::{Atom, ParsedQuery};
use super::word_tables::WordTables;
use super::{unit_of, SearchFilter};
use crate::error::Result;
use crate::store::Store;

/// A label match counts this much against a text match.
const NAME_WEIGHT: f32 = 1.0;

/// A filter that lets this few units through is given to the text query
/// as a term set (cheap to intersect) rather than checked unit by unit.
const SMALL_FILTER: usize = 4_096;

/// Why the answer is not what the words literally asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// No document had every word; these have some of them.
    AnyWord,
}

/// What a search found, and what the caller should be told about it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchAnswer {
    /// The hits, best first.
    pub hits: Vec<SearchHit>,
    /// Set when the words were relaxed.
    pub fallback: Option<Fallback>,
    /// Sentences about the answer (a prefix cut to its most frequent
    /// words, an index still being built).
    pub notes: Vec<String>,
    /// Time spent searching, in milliseconds, measured in this process.
    pub took_ms: f64,
}

/// A reader of the search index.
pub struct Searcher {
    index: SearchIndex,
    chunks: IndexReader,
    labels: IndexReader,
    /// Analyzers for searches under way (one each: they keep buffers).
    analyzers: Mutex<Vec<Analyzer>>,
    /// The index was seen complete.
    complete: std::sync::atomic::AtomicBool,
    /// The frequent words of the text's large segments, for prefixes.
    word_tables: WordTables,
    /// The `meta.json` of the commit each reader (chunks, labels) loaded
    /// last.
    seen_commits: [Mutex<Vec<u8>>; 2],
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher").finish_non_exhaustive()
    }
}

/// Whether every word must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    All,
    Any,
}

/// The queries one search runs, built once per mode.
struct Plan {
    /// Over chunks; `None` when the query only names labels.
    text: Option<Box<dyn Query>>,
    /// Over labels.
    label: Option<Box<dyn Query>>,
    /// Over labels: what a unit must pass (filters, `name:` words).
    filter: Option<Box<dyn Query>>,
    /// What to mark in snippets.
    highlight: Vec<TermsToFind>,
    /// What to mark in names.
    name_terms: Vec<TermsToFind>,
    notes: Vec<String>,
}

impl Searcher {
    /// Opens the index in `dir`, built from the store `store_id`, for
    /// searching; `None` when there is none (no engine has built it yet).
    pub fn open(dir: &Path, store_id: &str) -> Result<Option<Searcher>> {
        let Some(index) = SearchIndex::open_for_reading(dir, store_id)? else {
            return Ok(None);
        };
        let chunks = index
            .chunks
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let labels = index
            .labels
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Some(Searcher {
            chunks,
            labels,
            analyzers: Mutex::new(Vec::new()),
            complete: std::sync::atomic::AtomicBool::new(false),
            word_tables: WordTables::new(index.chunk_fields.exact),
            seen_commits: Default::default(),
            index,
        }))
    }

    /// Keeps the frequent words of large segments in memory (built in the
    /// background) so prefixes need not walk whole dictionaries: for
    /// readers that serve many searches, not for a one-shot search.
    pub fn keep_word_tables(&self) {
        self.word_tables.enable();
        self.word_tables.follow(&self.chunks.searcher());
    }

    /// What the last commit holds.
    pub fn mark(&self) -> Result<Mark> {
        self.index.mark()
    }

    /// Whether the index has been completely built (once it has, it stays
    /// so: the answer is remembered rather than read from disk per search).
    pub fn is_complete(&self) -> Result<bool> {
        if self.complete.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(true);
        }
        let complete = self.index.mark()?.complete;
        self.complete
            .store(complete, std::sync::atomic::Ordering::Relaxed);
        Ok(complete)
    }

    /// Searches; `store` is read for the hits' paths and text.
    pub fn search(
        &self,
        store: &Store,
        query: &ParsedQuery,
        filter: &SearchFilter,
        limit: usize,
    ) -> Result<SearchAnswer> {
        let started = Instant::now();
        // Take the newest commit (cheap when nothing changed): chunks
        // first, then labels, the reverse of the indexer's commits, so new
        // chunks are never seen with an old label.
        reload_if_committed(&self.index.chunks, &self.chunks, &self.seen_commits[0])?;
        reload_if_committed(&self.index.labels, &self.labels, &self.seen_commits[1])?;
        self.word_tables.follow(&self.chunks.searcher());
        let limit = limit.max(1);
        let filter = filter.with_query(&query.filters);
        let mut answer = self.run(store, query, &filter, limit, Mode::All)?;
        if answer.hits.is_empty() && query.groups.len() > 1 {
            let relaxed = self.run(store, query, &filter, limit, Mode::Any)?;
            if !relaxed.hits.is_empty() {
                answer = relaxed;
                answer.fallback = Some(Fallback::AnyWord);
                answer
                    .notes
                    .push("no document has every word; these have some of them".to_string());
            }
        }
        answer.took_ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::debug!(
            took_ms = answer.took_ms,
            hits = answer.hits.len(),
            "searched"
        );
        Ok(answer)
    }

    fn run(
        &self,
        store: &Store,
        query: &ParsedQuery,
        filter: &SearchFilter,
        limit: usize,
        mode: Mode,
    ) -> Result<SearchAnswer> {
        let plan = self.plan(query, filter, mode)?;
        let chunk_searcher = self.chunks.searcher();
        let label_searcher = self.labels.searcher();
        let allowed = match &plan.filter {
            Some(filter_query) => Some(self.allowed_units(&label_searcher, filter_query.as_ref())?),
            None => None,
        };
        let mut k = limit + 8;
        loop {
            let text_top = match &plan.text {
                Some(text) => {
                    let text = match allowed.as_ref().filter(|set| set.len() <= SMALL_FILTER) {
                        Some(set) => self.restricted(text.box_clone(), set),
                        None => text.box_clone(),
                    };
                    let weight =
                        text.weight(EnableScoring::enabled_from_searcher(&chunk_searcher))?;
                    top_units(
                        &chunk_searcher,
                        weight.as_ref(),
                        "unit",
                        k,
                        allowed.as_ref(),
                    )?
                    .into_ranked()
                }
                None => Vec::new(),
            };
            let label_top = match &plan.label {
                Some(label) => {
                    let weight =
                        label.weight(EnableScoring::enabled_from_searcher(&label_searcher))?;
                    top_units(
                        &label_searcher,
                        weight.as_ref(),
                        "unit",
                        k,
                        allowed.as_ref(),
                    )?
                    .into_ranked()
                }
                None => Vec::new(),
            };
            let exhausted = text_top.len() < k && label_top.len() < k;
            let candidates = merge(&chunk_searcher, &text_top, &label_top)?;
            let mut analyzer = self.take_analyzer();
            let terms = HitTerms {
                text: &plan.highlight,
                names: &plan.name_terms,
            };
            let read = read_hits(store, &mut analyzer, &candidates, filter, &terms, limit);
            self.give_back(analyzer);
            let (hits, skipped) = read?;
            if hits.len() >= limit || exhausted || skipped == 0 {
                return Ok(SearchAnswer {
                    hits,
                    fallback: None,
                    notes: plan.notes,
                    took_ms: 0.0,
                });
            }
            // Units the store no longer shows took places: look further.
            k = k * 2 + skipped;
        }
    }

    /// The units whose labels pass `filter`.
    fn allowed_units(
        &self,
        searcher: &tantivy::Searcher,
        filter: &dyn Query,
    ) -> Result<HashSet<u64>> {
        let weight = filter.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut allowed = HashSet::new();
        for segment in searcher.segment_readers() {
            let units = segment.fast_fields().u64("unit")?;
            let alive = segment.alive_bitset();
            weight.for_each_no_score(segment, &mut |docs| {
                for &doc in docs {
                    if alive.is_some_and(|bits| bits.is_deleted(doc)) {
                        continue;
                    }
                    if let Some(unit) = units.first(doc) {
                        allowed.insert(unit);
                    }
                }
            })?;
        }
        Ok(allowed)
    }

    /// `text` restricted to a small set of units, intersected in the index.
    fn restricted(&self, text: Box<dyn Query>, allowed: &HashSet<u64>) -> Box<dyn Query> {
        let field = self.index.chunk_fields.unit;
        let terms = allowed.iter().map(|u| Term::from_field_u64(field, *u));
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, text),
            (Occur::Must, Box::new(TermSetQuery::new(terms))),
        ]))
    }

    fn plan(&self, query: &ParsedQuery, filter: &SearchFilter, mode: Mode) -> Result<Plan> {
        let mut analyzer = self.take_analyzer();
        let planned = self.plan_with(&mut analyzer, query, filter, mode);
        self.give_back(analyzer);
        planned
    }

    fn take_analyzer(&self) -> Analyzer {
        self.analyzers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_default()
    }

    fn give_back(&self, analyzer: Analyzer) {
        let mut idle = self.analyzers.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < 8 {
            idle.push(analyzer);
        }
    }

    fn plan_with(
        &self,
        analyzer: &mut Analyzer,
        query: &ParsedQuery,
        filter: &SearchFilter,
        mode: Mode,
    ) -> Result<Plan> {
        let chunk_searcher = self.chunks.searcher();
        let label_searcher = self.labels.searcher();
        let chunks = self.index.chunk_fields;
        let labels = self.index.label_fields;
        let mut plan = Plan {
            text: None,
            label: None,
            filter: None,
            highlight: Vec::new(),
            name_terms: Vec::new(),
            notes: Vec::new(),
        };
        let groups: Vec<Vec<Atom>> = match mode {
            Mode::All => query.groups.clone(),
            Mode::Any => {
                // Name-only groups stay requirements; the rest may match
                // any one word.
                let (names, words): (Vec<_>, Vec<_>) = query
                    .groups
                    .iter()
                    .cloned()
                    .partition(|g| g.iter().all(|a| matches!(a, Atom::Name(_))));
                let mut groups = names;
                groups.push(words.into_iter().flatten().collect());
                groups
            }
        };

        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut label_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut filter_clauses: Vec<(Occur, Box<dyn Query>)> = filter.label_clauses(&labels);
        for group in &groups {
            let mut text_any: Vec<Box<dyn Query>> = Vec::new();
            let mut label_any: Vec<Box<dyn Query>> = Vec::new();
            let names_only = group.iter().all(|a| matches!(a, Atom::Name(_)));
            for atom in group {
                if let Some(q) = self.text_atom(analyzer, &chunk_searcher, atom, &mut plan)? {
                    text_any.push(q);
                }
                if let Some(q) = self.label_atom(analyzer, &label_searcher, atom, &mut plan)? {
                    label_any.push(q);
                }
            }
            if names_only {
                // `name:x` with no text to find: the label must have it.
                if let Some(q) = any_of(label_any) {
                    filter_clauses.push((Occur::Must, q.box_clone()));
                    label_clauses.push((Occur::Must, q));
                } else {
                    // Nothing searchable in it: it cannot match.
                    return Ok(Plan {
                        text: None,
                        label: None,
                        ..plan
                    });
                }
                continue;
            }
            match any_of(text_any) {
                Some(q) => text_clauses.push((Occur::Must, q)),
                // A word of which nothing is indexable can never match.
                None if mode == Mode::All => {
                    text_clauses.push((Occur::Must, Box::new(tantivy::query::EmptyQuery)))
                }
                None => {}
            }
            match any_of(label_any) {
                Some(q) => label_clauses.push((Occur::Must, q)),
                None if mode == Mode::All => {
                    label_clauses.push((Occur::Must, Box::new(tantivy::query::EmptyQuery)))
                }
                None => {}
            }
        }
        // Excluded words are looked up like the others, but a snippet must
        // not mark them: what the builders note of them is dropped.
        let (n_highlight, n_names) = (plan.highlight.len(), plan.name_terms.len());
        for atom in &query.excluded {
            if let Some(q) = self.text_atom(analyzer, &chunk_searcher, atom, &mut plan)? {
                text_clauses.push((Occur::MustNot, q));
            }
            if let Some(q) = self.label_atom(analyzer, &label_searcher, atom, &mut plan)? {
                label_clauses.push((Occur::MustNot, q));
            }
        }
        plan.highlight.truncate(n_highlight);
        plan.name_terms.truncate(n_names);
        if text_clauses
            .iter()
            .any(|(occur, _)| *occur != Occur::MustNot)
        {
            plan.text = Some(simplify(text_clauses));
        }
        if label_clauses
            .iter()
            .any(|(occur, _)| *occur != Occur::MustNot)
        {
            let mut clauses = label_clauses;
            clauses.extend(filter.label_clauses(&labels));
            plan.label = Some(simplify(clauses));
        }
        if !filter_clauses.is_empty() {
            plan.filter = Some(Box::new(BooleanQuery::new(filter_clauses)));
        }
        let _ = chunks;
        Ok(plan)
    }

    /// The text query of one atom.
    fn text_atom(
        &self,
        analyzer: &mut Analyzer,
        searcher: &tantivy::Searcher,
        atom: &Atom,
        plan: &mut Plan,
    ) -> Result<Option<Box<dyn Query>>> {
        let fields = self.index.chunk_fields;
        let field_of = |stream: StreamKind| match stream {
            StreamKind::Exact => fields.exact,
            StreamKind::Stem => fields.stem,
            StreamKind::CjkUnigrams => fields.cjk1,
        };
        let terms = match atom {
            Atom::Word(word) => analyzer.word_terms(word),
            Atom::Phrase(phrase) => analyzer.phrase_terms(phrase),
            Atom::Prefix(typed) => {
                let Some(start) = analyzer.prefix_term(typed) else {
                    return Ok(None);
                };
                let tables = self.word_tables.of(searcher);
                let expansion = prefix_words::expand(searcher, fields.exact, &start, &tables)?;
                if expansion.cut {
                    plan.notes.push(format!(
                        "{typed}* starts too many words: the {} most frequent were searched",
                        expansion.words.len()
                    ));
                }
                for word in &expansion.words {
                    plan.highlight.push(TermsToFind {
                        stream: StreamKind::Exact,
                        terms: vec![word.clone()],
                    });
                }
                return Ok(expansion.query(fields.exact));
            }
            Atom::Name(_) => return Ok(None),
        };
        let Some(terms) = terms else {
            return Ok(None);
        };
        plan.highlight.push(terms.clone());
        Ok(Some(terms_query(field_of(terms.stream), &terms)))
    }

    /// The label query of one atom: its words in a name or the title.
    fn label_atom(
        &self,
        analyzer: &mut Analyzer,
        searcher: &tantivy::Searcher,
        atom: &Atom,
        plan: &mut Plan,
    ) -> Result<Option<Box<dyn Query>>> {
        let fields = self.index.label_fields;
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        match atom {
            Atom::Word(text) | Atom::Phrase(text) | Atom::Name(text) => {
                // Names are matched as typed (exact terms), titles also by
                // stem for plain words.
                if let Some(exact) = analyzer.phrase_terms(text) {
                    if exact.stream == StreamKind::Exact {
                        any.push(terms_query(fields.name, &exact));
                        if !matches!(atom, Atom::Name(_)) {
                            any.push(terms_query(fields.title_exact, &exact));
                        }
                        plan.name_terms.push(exact);
                    }
                }
                if let Atom::Word(word) = atom {
                    if let Some(stems) = analyzer.word_terms(word) {
                        if stems.stream == StreamKind::Stem {
                            any.push(terms_query(fields.title_stem, &stems));
                        }
                    }
                }
            }
            Atom::Prefix(typed) => {
                if let Some(start) = analyzer.prefix_term(typed) {
                    let expansion = prefix_words::expand(searcher, fields.name, &start, &[])?;
                    any.extend(expansion.query(fields.name));
                    for word in expansion.words {
                        plan.name_terms.push(TermsToFind {
                            stream: StreamKind::Exact,
                            terms: vec![word],
                        });
                    }
                }
            }
        }
        Ok(any_of(any))
    }
}

/// Reloads `reader` when `index`'s last commit is not the one it loaded.
/// A reload opens every segment again (half a millisecond on the large
/// corpus, a third of a typical search); reading `meta.json`, which names
/// the commit's segments, costs microseconds. The file is replaced as a
/// whole at each commit, so equal bytes mean the same commit.
fn reload_if_committed(
    index: &tantivy::Index,
    reader: &IndexReader,
    seen: &Mutex<Vec<u8>>,
) -> Result<()> {
    let meta = index.directory().atomic_read(Path::new("meta.json")).ok();
    let mut seen = seen.lock().expect("seen commits lock");
    match meta {
        Some(meta) if *seen == meta => {}
        Some(meta) => {
            reader.reload()?;
            *seen = meta;
        }
        // Let the reload say what is wrong.
        None => reader.reload()?,
    }
    Ok(())
}

/// Both lists merged: a unit's score is the better of its text and label
/// scores; its best chunk is looked up for the snippet.
fn merge(
    chunk_searcher: &tantivy::Searcher,
    text: &[(u64, Best)],
    labels: &[(u64, Best)],
) -> Result<Vec<Candidate>> {
    let mut by_unit: HashMap<u64, Candidate> = HashMap::new();
    // Opening a column reads its header: once per segment, not per hit.
    let mut seqs = HashMap::new();
    for (unit, best) in text {
        let column = match seqs.entry(best.segment) {
            std::collections::hash_map::Entry::Occupied(column) => column.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => slot.insert(
                chunk_searcher
                    .segment_reader(best.segment)
                    .fast_fields()
                    .u64("seq")?,
            ),
        };
        let seq = column.first(best.doc).unwrap_or(0);
        by_unit.insert(
            *unit,
            Candidate {
                unit: unit_of(*unit),
                score: best.score,
                text_seq: Some(seq as i64),
                by_label: false,
            },
        );
    }
    for (unit, best) in labels {
        let label = best.score * NAME_WEIGHT;
        let entry = by_unit.entry(*unit).or_insert(Candidate {
            unit: unit_of(*unit),
            score: label,
            text_seq: None,
            by_label: false,
        });
        entry.by_label = true;
        entry.score = entry.score.max(label);
    }
    let mut merged: Vec<Candidate> = by_unit.into_values().collect();
    merged.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.unit.cmp(&b.unit)));
    Ok(merged)
}

fn term_query(field: Field, term: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    ))
}

fn terms_query(field: Field, terms: &TermsToFind) -> Box<dyn Query> {
    match terms.terms.as_slice() {
        [one] => term_query(field, one),
        many => Box::new(PrunedPhrase::new(
            many.iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        )),
    }
}

fn any_of(mut queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

/// One Must clause alone is the clause itself (a lone term query keeps its
/// own block-max WAND).
fn simplify(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if clauses.len() == 1 && clauses[0].0 == Occur::Must {
        return clauses.pop().map(|(_, q)| q).expect("one clause");
    }
    Box::new(BooleanQuery::new(clauses))
}

impl SearchFilter {
    /// The label clauses this filter adds (all must hold).
    pub(super) fn label_clauses(
        &self,
        fields: &super::schema::LabelFields,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if self.impossible {
            clauses.push((Occur::Must, Box::new(tantivy::query::EmptyQuery)));
        }
        let any_text = |field: Field, values: &[String]| -> Option<Box<dyn Query>> {
            any_of(
                values
                    .iter()
                    .map(|v| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect(),
            )
        };
        if !self.source_ids.is_empty() {
            let queries = self
                .source_ids
                .iter()
                .map(|id| {
                    Box::new(TermQuery::new(
                        Term::from_field_u64(fields.source, *id as u64),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect();
            if let Some(q) = any_of(queries) {
                clauses.push((Occur::Must, q));
            }
        }
        if let Some(q) = any_text(fields.ext, &self.ext) {
            clauses.push((Occur::Must, q));
        }
        if let Some(q) = any_text(fields.format, &self.format) {
            clauses.push((Occur::Must, q));
        }
        let dirs: Vec<String> = self
            .dirs
            .iter()
            .map(|d| crate::store::path_text(d))
            .collect();
        if let Some(q) = any_text(fields.dir, &dirs) {
            clauses.push((Occur::Must, q));
        }
        if self.after_ms.is_some() || self.before_ms.is_some() {
            let lower = self.after_ms.map_or(Bound::Unbounded, |ms| {
                Bound::Included(Term::from_field_i64(fields.mtime, ms))
            });
            let upper = self.before_ms.map_or(Bound::Unbounded, |ms| {
                Bound::Excluded(Term::from_field_i64(fields.mtime, ms))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        // A filter decides, it does not rank: its clauses score nothing.
        clauses
            .into_iter()
            .map(|(occur, q)| {
                (
                    occur,
                    Box::new(tantivy::query::ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
                )
            })
            .collect()
    }
}
