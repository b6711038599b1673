//! Measures the search analyzer against tantivy's stock analyzer and FTS5.
//! Long because it builds three analyzers and their corpora side by side in one measuring program.
//!
//! Run in release mode (the numbers of a debug build mean nothing):
//!
//! ```text
//! cargo run --release -p gleaner-core --example analyzer_bench -- [MB per corpus]
//! ```
//!
//! Corpora are read from this machine at run time, never committed:
//! English prose from /usr/share/doc (plain and gzipped text, no HTML),
//! C headers from /usr/include, and CJK man pages from /usr/share/man/{zh_CN,
//! zh_TW,ja,ko}. Each corpus is cut into the index's chunks
//! (`chunk::chunk_text`). Times are process CPU time (all threads), the
//! best of a few runs: the machine is shared, and CPU time is what indexing
//! costs the user.
//!
//! Analysis alone: our `analyze` (all three streams) with and without the
//! stem cache, and tantivy's stock `TextAnalyzer` (SimpleTokenizer,
//! RemoveLong(40), LowerCaser, AsciiFolding, English Stemmer), one stream.
//! FTS5 cannot tokenize without indexing, so it is compared with whole
//! index builds: FTS5 `porter unicode61 remove_diacritics 2` (the current
//! index), `unicode61 remove_diacritics 2` (no stemmer) and `ascii` (the
//! most trivial tokenizer), each into a contentless table in memory, and
//! tantivy in RAM with one field and the stock analyzer, and with our three
//! fields, fed either pre-tokenized streams or plain text through the
//! registered tokenizers (sharing one analysis, or one each). Two rows
//! price options: a stem field holding only the stems that differ from
//! their word (a word query would then look in both fields), and the exact
//! field alone (what the stem and unigram fields cost).
//!
//! Also printed: how many words the 64-character cap drops (and a 40 one
//! would), how many tokens stemming changes, and the stem cache's hits.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use gleaner_core::search::analysis::{
    register_tokenizers, Analyzed, Analyzer, GleanerTokenizer, StreamKind, CJK_UNIGRAM_TOKENIZER,
    EXACT_TOKENIZER, STEM_TOKENIZER,
};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// How many times each analysis runs; the best run counts.
const ANALYSIS_RUNS: usize = 3;
/// How many times each index build runs.
const INDEX_RUNS: usize = 4;

fn main() {
    let megabytes: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(16);
    let cap = megabytes * 1024 * 1024;
    let corpora = [
        ("CJK man pages", cjk(cap)),
        ("English prose (/usr/share/doc)", prose(cap)),
        ("C source (/usr/include)", code(cap)),
    ];
    for (name, texts) in corpora {
        let chunks: Vec<String> = texts
            .iter()
            .flat_map(|text| gleaner_core::chunk::chunk_text(text))
            .map(|chunk| chunk.text)
            .collect();
        let bytes: usize = chunks.iter().map(|c| c.len()).sum();
        println!(
            "\n## {name}: {:.1} MB in {} files, {} chunks",
            mb(bytes),
            texts.len(),
            chunks.len()
        );
        long_words(&chunks);
        bench_analysis(&chunks, bytes);
        bench_indexing(&chunks, bytes);
    }
}

fn bench_analysis(chunks: &[String], bytes: usize) {
    println!("\n| analysis | CPU s | MB/s | M tokens/s | tokens |");
    println!("|---|---|---|---|---|");
    let ours = |capacity: usize| {
        move || {
            let mut analyzer = Analyzer::with_stem_cache_capacity(capacity);
            let mut analyzed = Analyzed::new();
            let mut n_tokens = 0;
            for chunk in chunks {
                analyzer.analyze(chunk, &mut analyzed);
                n_tokens += analyzed.exact.len();
            }
            n_tokens
        }
    };
    report("ours, 3 streams, stem cache", bytes, ours(32 * 1024));
    report("ours, 3 streams, no stem cache", bytes, ours(0));
    report("ours, exact stream only (no stemming)", bytes, || {
        tokenizer_tokens(chunks, GleanerTokenizer::unshared(StreamKind::Exact))
    });
    let three_tokenizers = |make: fn(StreamKind) -> GleanerTokenizer| {
        move || {
            let mut tokenizers: Vec<TextAnalyzer> = StreamKind::ALL
                .iter()
                .map(|&kind| TextAnalyzer::from(make(kind)))
                .collect();
            let mut n_tokens = 0;
            for chunk in chunks {
                for tokenizer in &mut tokenizers {
                    let mut stream = tokenizer.token_stream(chunk);
                    while stream.advance() {
                        n_tokens += 1;
                    }
                }
            }
            n_tokens
        }
    };
    report(
        "ours, 3 tokenizers, shared analysis (all streams' tokens)",
        bytes,
        three_tokenizers(GleanerTokenizer::new),
    );
    report(
        "ours, 3 tokenizers, unshared (all streams' tokens)",
        bytes,
        three_tokenizers(GleanerTokenizer::unshared),
    );
    report("tantivy stock (Simple+Lower+Fold+Stem)", bytes, || {
        let mut analyzer = stock_analyzer();
        let mut n_tokens = 0;
        for chunk in chunks {
            let mut stream = analyzer.token_stream(chunk);
            while stream.advance() {
                n_tokens += 1;
            }
        }
        n_tokens
    });
    let mut analyzer = Analyzer::new();
    let mut analyzed = Analyzed::new();
    let mut n_changed = 0;
    let mut n_words = 0;
    for chunk in chunks {
        analyzer.analyze(chunk, &mut analyzed);
        for (exact, stem) in analyzed.exact.iter().zip(analyzed.stem.iter()) {
            n_words += 1;
            n_changed += usize::from(exact.term != stem.term);
        }
    }
    println!(
        "\nstemming changed {:.1} % of the tokens",
        100.0 * n_changed as f64 / n_words.max(1) as f64
    );
    let (lookups, misses) = analyzer.stem_cache_lookups_and_misses();
    println!(
        "stem cache: {lookups} look-ups, {:.1} % hits",
        100.0 * (lookups - misses) as f64 / lookups.max(1) as f64
    );
}

/// How many runs of letters and digits are longer than 40 and than 64
/// characters: what the word length cap drops, and would drop if raised.
fn long_words(chunks: &[String]) {
    let (mut n_words, mut over_40, mut over_64) = (0usize, 0usize, 0usize);
    let mut over_40_distinct = std::collections::HashSet::new();
    for chunk in chunks {
        for word in chunk.split(|c: char| !c.is_alphanumeric()) {
            let n_chars = word.chars().count();
            if n_chars == 0 {
                continue;
            }
            n_words += 1;
            if n_chars > 40 {
                over_40 += 1;
                over_40_distinct.insert(word);
            }
            if n_chars > 64 {
                over_64 += 1;
            }
        }
    }
    println!(
        "\nwords: {n_words}; over 40 characters: {over_40} ({} distinct), over 64: {over_64}",
        over_40_distinct.len()
    );
    let mut examples: Vec<&str> = over_40_distinct
        .into_iter()
        .filter(|w| w.chars().count() <= 64)
        .collect();
    examples.sort();
    examples.truncate(8);
    println!("some of 41–64 characters: {examples:?}");
}

fn tokenizer_tokens(chunks: &[String], tokenizer: GleanerTokenizer) -> usize {
    let mut analyzer = TextAnalyzer::from(tokenizer);
    let mut n_tokens = 0;
    for chunk in chunks {
        let mut stream = analyzer.token_stream(chunk);
        while stream.advance() {
            n_tokens += 1;
        }
    }
    n_tokens
}

fn bench_indexing(chunks: &[String], bytes: usize) {
    println!("\n| index build (tokenize + index) | CPU s | MB/s | × FTS5 porter |");
    println!("|---|---|---|---|");
    let fts5_porter = best(INDEX_RUNS, || {
        fts5(chunks, "porter unicode61 remove_diacritics 2")
    });
    let line = |name: &str, seconds: f64| {
        println!(
            "| {name} | {seconds:.2} | {:.1} | {:.2} |",
            mb(bytes) / seconds,
            seconds / fts5_porter
        );
    };
    line("FTS5 porter unicode61 remove_diacritics 2", fts5_porter);
    line(
        "FTS5 unicode61 remove_diacritics 2",
        best(INDEX_RUNS, || fts5(chunks, "unicode61 remove_diacritics 2")),
    );
    line("FTS5 ascii", best(INDEX_RUNS, || fts5(chunks, "ascii")));
    line(
        "tantivy, 1 field, stock analyzer (positions)",
        best(INDEX_RUNS, || tantivy_stock(chunks)),
    );
    line(
        "tantivy, 3 fields, ours pre-tokenized",
        best(INDEX_RUNS, || tantivy_ours(chunks, Feed::PreTokenized)),
    );
    line(
        "tantivy, 3 fields, ours via registered tokenizers (one shared pass)",
        best(INDEX_RUNS, || tantivy_ours(chunks, Feed::Tokenizers)),
    );
    line(
        "tantivy, 3 fields, ours via tokenizers, unshared (a pass each)",
        best(INDEX_RUNS, || {
            tantivy_ours(chunks, Feed::UnsharedTokenizers)
        }),
    );
    line(
        "tantivy, 3 fields, stem field only where the stem differs",
        best(INDEX_RUNS, || tantivy_ours(chunks, Feed::SparseStem)),
    );
    line(
        "tantivy, exact field alone (positions)",
        best(INDEX_RUNS, || tantivy_ours(chunks, Feed::ExactOnly)),
    );
}

fn report(name: &str, bytes: usize, run: impl Fn() -> usize) {
    let mut n_tokens = 0;
    let seconds = best(ANALYSIS_RUNS, || {
        n_tokens = run();
    });
    println!(
        "| {name} | {seconds:.3} | {:.1} | {:.2} | {n_tokens} |",
        mb(bytes) / seconds,
        n_tokens as f64 / seconds / 1e6
    );
}

/// The least CPU time of `runs` runs of `run`, in seconds.
fn best(runs: usize, mut run: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let start = cpu_seconds();
            run();
            cpu_seconds() - start
        })
        .fold(f64::INFINITY, f64::min)
}

/// CPU time of the whole process (all threads), in seconds.
fn cpu_seconds() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the struct we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn stock_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

fn fts5(chunks: &[String], tokenize: &str) {
    let mut db = rusqlite::Connection::open_in_memory().expect("sqlite");
    db.execute_batch(&format!(
        "CREATE VIRTUAL TABLE t USING fts5(text, content='', tokenize='{tokenize}');"
    ))
    .expect("create");
    let tx = db.transaction().expect("transaction");
    {
        let mut insert = tx
            .prepare("INSERT INTO t(rowid, text) VALUES (?1, ?2)")
            .expect("prepare");
        for (id, chunk) in chunks.iter().enumerate() {
            insert.execute((id as i64, chunk)).expect("insert");
        }
    }
    tx.commit().expect("commit");
}

fn text_options(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

fn tantivy_stock(chunks: &[String]) {
    let mut builder = Schema::builder();
    let text = builder.add_text_field(
        "text",
        text_options("stock", IndexRecordOption::WithFreqsAndPositions),
    );
    let index = Index::create_in_ram(builder.build());
    index.tokenizers().register("stock", stock_analyzer());
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 100_000_000)
        .expect("writer");
    for chunk in chunks {
        let mut doc = TantivyDocument::new();
        doc.add_text(text, chunk);
        writer.add_document(doc).expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
}

/// How the three fields get their terms.
#[derive(Clone, Copy, PartialEq)]
enum Feed {
    /// `PreTokenizedString` values from one `analyze`.
    PreTokenized,
    /// Plain text through the registered tokenizers.
    Tokenizers,
    /// Plain text through tokenizers that each analyse for themselves.
    UnsharedTokenizers,
    /// As `Tokenizers`, but the stem field only gets the stems that differ
    /// from the word (an option: a word query then looks in both fields).
    SparseStem,
    /// Only the exact field: what the stem field costs.
    ExactOnly,
}

fn tantivy_ours(chunks: &[String], feed: Feed) {
    let mut builder = Schema::builder();
    let exact = builder.add_text_field(
        "exact",
        text_options(EXACT_TOKENIZER, IndexRecordOption::WithFreqsAndPositions),
    );
    let stem = builder.add_text_field(
        "stem",
        text_options(STEM_TOKENIZER, IndexRecordOption::WithFreqs),
    );
    let cjk1 = builder.add_text_field(
        "cjk1",
        text_options(CJK_UNIGRAM_TOKENIZER, IndexRecordOption::WithFreqs),
    );
    let index = Index::create_in_ram(builder.build());
    register_tokenizers(index.tokenizers());
    match feed {
        Feed::SparseStem => index
            .tokenizers()
            .register(STEM_TOKENIZER, SparseStemTokenizer::default()),
        Feed::UnsharedTokenizers => {
            for (name, kind) in [
                (EXACT_TOKENIZER, StreamKind::Exact),
                (STEM_TOKENIZER, StreamKind::Stem),
                (CJK_UNIGRAM_TOKENIZER, StreamKind::CjkUnigrams),
            ] {
                index
                    .tokenizers()
                    .register(name, GleanerTokenizer::unshared(kind));
            }
        }
        _ => {}
    }
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 100_000_000)
        .expect("writer");
    let mut analyzer = Analyzer::new();
    let mut analyzed = Analyzed::new();
    for chunk in chunks {
        let mut doc = TantivyDocument::new();
        if feed == Feed::PreTokenized {
            analyzer.analyze(chunk, &mut analyzed);
            doc.add_pre_tokenized_text(exact, analyzed.exact.to_pre_tokenized(String::new()));
            doc.add_pre_tokenized_text(stem, analyzed.stem.to_pre_tokenized(String::new()));
            if !analyzed.cjk_unigrams.is_empty() {
                doc.add_pre_tokenized_text(
                    cjk1,
                    analyzed.cjk_unigrams.to_pre_tokenized(String::new()),
                );
            }
        } else if feed == Feed::ExactOnly {
            doc.add_text(exact, chunk);
        } else {
            doc.add_text(exact, chunk);
            doc.add_text(stem, chunk);
            doc.add_text(cjk1, chunk);
        }
        writer.add_document(doc).expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
}

/// The stem stream without the tokens whose stem is the word itself.
#[derive(Clone, Default)]
struct SparseStemTokenizer {
    analyzer: Analyzer,
    analyzed: Analyzed,
    kept: Vec<tantivy::tokenizer::Token>,
}

struct VecTokenStream<'a> {
    tokens: &'a [tantivy::tokenizer::Token],
    next: usize,
}

impl tantivy::tokenizer::TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        unreachable!("read only")
    }
}

impl tantivy::tokenizer::Tokenizer for SparseStemTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.analyzer.analyze(text, &mut self.analyzed);
        let mut n_kept = 0;
        for (exact, stem) in self.analyzed.exact.iter().zip(self.analyzed.stem.iter()) {
            if exact.term == stem.term {
                continue;
            }
            if self.kept.len() == n_kept {
                self.kept.push(Default::default());
            }
            let token = &mut self.kept[n_kept];
            token.text.clear();
            token.text.push_str(stem.term);
            token.position = stem.position;
            token.offset_from = stem.offset_from;
            token.offset_to = stem.offset_to;
            n_kept += 1;
        }
        VecTokenStream {
            tokens: &self.kept[..n_kept],
            next: 0,
        }
    }
}

/// Plain-text English from /usr/share/doc: uncompressed files that are not
/// HTML, and gzipped ones (README, changelogs), up to `cap` bytes.
fn prose(cap: usize) -> Vec<String> {
    let mut files = Vec::new();
    walk(Path::new("/usr/share/doc"), &mut files);
    files.sort();
    let mut texts = Vec::new();
    let mut total = 0;
    for path in files {
        let name = path.to_string_lossy();
        if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".svg") {
            continue;
        }
        let text = if name.ends_with(".gz") {
            gunzip(&path)
        } else {
            std::fs::read(&path).ok()
        };
        if let Some(text) = text.and_then(|bytes| String::from_utf8(bytes).ok()) {
            total += text.len();
            texts.push(text);
            if total >= cap {
                break;
            }
        }
    }
    texts
}

fn code(cap: usize) -> Vec<String> {
    let mut files = Vec::new();
    walk(Path::new("/usr/include"), &mut files);
    files.sort();
    let mut texts = Vec::new();
    let mut total = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "h"))
    {
        if let Some(text) = std::fs::read(path)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            total += text.len();
            texts.push(text);
            if total >= cap {
                break;
            }
        }
    }
    texts
}

fn cjk(cap: usize) -> Vec<String> {
    let mut files = Vec::new();
    for language in ["zh_CN", "zh_TW", "ja", "ko"] {
        walk(&Path::new("/usr/share/man").join(language), &mut files);
    }
    files.sort();
    let mut texts = Vec::new();
    let mut total = 0;
    for path in files {
        if let Some(text) = gunzip(&path).and_then(|b| String::from_utf8(b).ok()) {
            total += text.len();
            texts.push(text);
            if total >= cap {
                break;
            }
        }
    }
    texts
}

fn gunzip(path: &Path) -> Option<Vec<u8>> {
    let mut child = Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut bytes = Vec::new();
    child.stdout.take()?.read_to_end(&mut bytes).ok()?;
    child.wait().ok()?.success().then_some(bytes)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}
