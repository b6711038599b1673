//! Each stream as a tantivy `Tokenizer`: how the index is fed.
//!
//! The three fields are indexed from the chunk's plain text, each with its
//! registered tokenizer, rather than from `PreTokenizedString` values:
//! tantivy's own document type stores a pre-tokenized value as JSON and
//! parses it back before indexing, which made a whole index build nearly
//! four times as dear as the tokenizers do (measured by
//! `examples/analyzer_bench.rs`).
//!
//! The analysis is still one pass for the three fields. Tantivy tokenizes a
//! document's fields one after the other on the same thread, so the first
//! of the three tokenizers to see a text analyses it into all three streams
//! and leaves the result in a per-thread slot; the other two find the same
//! text there and copy their stream. The slot is matched on the text's
//! content, not on its address or on the order of the calls, so a
//! tokenizer never uses another text's analysis: at worst (another order,
//! interleaved texts) it analyses again. Sharing saved 10–12 % of the CPU
//! of a whole index build. Texts over [`MAX_SHARED_BYTES`]
//! are not copied into the slot; each tokenizer analyses them for its own
//! stream.
//!
//! The same tokenizers serve where tantivy asks a field's tokenizer
//! elsewhere: its query parser, its snippet generator, tests.

use std::cell::RefCell;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};

use super::{Analyzed, Analyzer, StreamKind, TermStream, Wanted};

/// The name the exact stream's tokenizer is registered under.
pub const EXACT_TOKENIZER: &str = "gleaner_exact";
/// The name the stem stream's tokenizer is registered under.
pub const STEM_TOKENIZER: &str = "gleaner_stem";
/// The name the CJK unigram stream's tokenizer is registered under.
pub const CJK_UNIGRAM_TOKENIZER: &str = "gleaner_cjk1";

/// Texts up to this size share one analysis between the three tokenizers
/// (a chunk is at most 4 KiB); a larger one is not kept in the slot.
pub const MAX_SHARED_BYTES: usize = 256 * 1024;

/// Registers the three tokenizers under their names in `manager`
/// (`index.tokenizers()`).
pub fn register_tokenizers(manager: &TokenizerManager) {
    manager.register(EXACT_TOKENIZER, GleanerTokenizer::new(StreamKind::Exact));
    manager.register(STEM_TOKENIZER, GleanerTokenizer::new(StreamKind::Stem));
    manager.register(
        CJK_UNIGRAM_TOKENIZER,
        GleanerTokenizer::new(StreamKind::CjkUnigrams),
    );
}

/// The last text a tokenizer of this thread analysed, and its analysis.
#[derive(Default)]
struct SharedAnalysis {
    text: String,
    analyzer: Analyzer,
    analyzed: Analyzed,
}

thread_local! {
    static SHARED: RefCell<Option<SharedAnalysis>> = const { RefCell::new(None) };
}

/// A tantivy tokenizer yielding one stream of the analysis.
#[derive(Debug, Clone)]
pub struct GleanerTokenizer {
    kind: StreamKind,
    share: bool,
    /// For texts it does not share.
    analyzer: Analyzer,
    analyzed: Analyzed,
    token: Token,
}

impl GleanerTokenizer {
    /// The tokenizer of the stream `kind`, sharing the analysis of a text
    /// with the other two on the same thread.
    pub fn new(kind: StreamKind) -> GleanerTokenizer {
        GleanerTokenizer {
            kind,
            share: true,
            analyzer: Analyzer::new(),
            analyzed: Analyzed::new(),
            token: Token::default(),
        }
    }

    /// A tokenizer that analyses every text for its own stream alone (for
    /// measurements: the terms are the same).
    pub fn unshared(kind: StreamKind) -> GleanerTokenizer {
        GleanerTokenizer {
            share: false,
            ..GleanerTokenizer::new(kind)
        }
    }

    /// Fills `self.analyzed`'s stream of `self.kind` with the terms of `text`.
    fn analyze(&mut self, text: &str) {
        let kind = self.kind;
        if kind == StreamKind::CjkUnigrams && text.is_ascii() {
            // Most text has no CJK at all: nothing to share or to wait for.
            self.analyzed.cjk_unigrams.clear();
            return;
        }
        if !self.share || text.len() > MAX_SHARED_BYTES {
            self.analyzer
                .analyze_streams(text, Wanted::Only(kind), &mut self.analyzed);
            return;
        }
        let own = match kind {
            StreamKind::Exact => &mut self.analyzed.exact,
            StreamKind::Stem => &mut self.analyzed.stem,
            StreamKind::CjkUnigrams => &mut self.analyzed.cjk_unigrams,
        };
        SHARED.with_borrow_mut(|slot| {
            let shared = slot.get_or_insert_with(SharedAnalysis::default);
            if shared.text != text {
                #[cfg(test)]
                tests::record_shared_analysis(text);
                shared.analyzer.analyze(text, &mut shared.analyzed);
                shared.text.clear();
                shared.text.push_str(text);
            }
            own.copy_from(shared.analyzed.stream(kind));
        });
    }
}

impl Tokenizer for GleanerTokenizer {
    type TokenStream<'a> = GleanerTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GleanerTokenStream<'a> {
        self.analyze(text);
        GleanerTokenStream {
            stream: self.analyzed.stream(self.kind),
            next: 0,
            token: &mut self.token,
        }
    }
}

/// The tokens of one analysed stream, one at a time.
pub struct GleanerTokenStream<'a> {
    stream: &'a TermStream,
    next: usize,
    /// Refilled on each advance, so its text buffer is reused.
    token: &'a mut Token,
}

impl TokenStream for GleanerTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(analyzed) = self.stream.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.token.text.clear();
        self.token.text.push_str(analyzed.term);
        self.token.offset_from = analyzed.offset_from;
        self.token.offset_to = analyzed.offset_to;
        self.token.position = analyzed.position;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;

    fn tokens(name: &str, text: &str) -> Vec<(String, usize)> {
        let manager = TokenizerManager::new();
        register_tokenizers(&manager);
        let mut analyzer: TextAnalyzer = manager.get(name).expect("registered");
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(token.position_length, 1);
            out.push((token.text.clone(), token.position));
        }
        out
    }

    #[test]
    fn each_tokenizer_yields_its_stream() {
        let text = "Running 网络软件 Café";
        let mut analyzed = Analyzed::new();
        Analyzer::new().analyze(text, &mut analyzed);
        for (name, kind) in [
            (EXACT_TOKENIZER, StreamKind::Exact),
            (STEM_TOKENIZER, StreamKind::Stem),
            (CJK_UNIGRAM_TOKENIZER, StreamKind::CjkUnigrams),
        ] {
            let expected: Vec<(String, usize)> = analyzed
                .stream(kind)
                .iter()
                .map(|t| (t.term.to_string(), t.position))
                .collect();
            assert!(!expected.is_empty());
            assert_eq!(tokens(name, text), expected, "{name}");
        }
        assert_eq!(
            tokens(STEM_TOKENIZER, text),
            [
                ("run".to_string(), 0),
                ("网络".into(), 1),
                ("络软".into(), 2),
                ("软件".into(), 3),
                ("cafe".into(), 4)
            ]
        );
    }

    #[test]
    fn shared_and_unshared_tokenizers_agree_whatever_the_order() {
        let texts = [
            "Running 网络软件 Café",
            "other words",
            "Running 网络软件 Café",
            "",
        ];
        let mut shared: Vec<GleanerTokenizer> = StreamKind::ALL
            .iter()
            .map(|&k| GleanerTokenizer::new(k))
            .collect();
        let mut unshared: Vec<GleanerTokenizer> = StreamKind::ALL
            .iter()
            .map(|&k| GleanerTokenizer::unshared(k))
            .collect();
        let terms = |tokenizer: &mut GleanerTokenizer, text: &str| {
            let mut stream = tokenizer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                out.push((stream.token().text.clone(), stream.token().position));
            }
            out
        };
        // Fields in order, in reverse order, and one text's fields
        // interleaved with another's.
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
            for text in texts {
                for &i in &order {
                    let expected = terms(&mut unshared[i], text);
                    assert_eq!(terms(&mut shared[i], text), expected, "{text:?}");
                }
            }
            for (i, text) in texts.iter().enumerate() {
                let field = order[i % 3];
                let expected = terms(&mut unshared[field], text);
                assert_eq!(terms(&mut shared[field], text), expected, "{text:?}");
            }
        }
    }

    /// The texts containing [`PROBE`] that a shared analysis analysed.
    static PROBED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    const PROBE: &str = "sharedanalysisprobe";

    pub(super) fn record_shared_analysis(text: &str) {
        if text.contains(PROBE) {
            PROBED.lock().expect("probe log").push(text.to_string());
        }
    }

    #[test]
    fn tantivy_indexing_three_fields_analyses_each_text_once() {
        use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
        let mut builder = Schema::builder();
        let fields: Vec<_> = [EXACT_TOKENIZER, STEM_TOKENIZER, CJK_UNIGRAM_TOKENIZER]
            .into_iter()
            .map(|name| {
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(name)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                let options = TextOptions::default().set_indexing_options(indexing);
                builder.add_text_field(name, options)
            })
            .collect();
        let index = tantivy::Index::create_in_ram(builder.build());
        register_tokenizers(index.tokenizers());
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let texts: Vec<String> = (0..20)
            .map(|n| format!("{PROBE} text number {n} 网络软件"))
            .collect();
        for text in &texts {
            let mut doc = tantivy::TantivyDocument::new();
            for &field in &fields {
                doc.add_text(field, text);
            }
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let probed = PROBED.lock().expect("probe log").clone();
        assert_eq!(probed, texts);
    }

    #[test]
    fn tokenizers_on_other_threads_do_not_mix() {
        let handles: Vec<_> = (0..4)
            .map(|n| {
                std::thread::spawn(move || {
                    let mut tokenizer = GleanerTokenizer::new(StreamKind::Stem);
                    for _ in 0..200 {
                        let text = format!("thread{n} running");
                        let mut stream = tokenizer.token_stream(&text);
                        assert!(stream.advance());
                        assert_eq!(stream.token().text, format!("thread{n}"));
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("thread");
        }
    }

    #[test]
    fn a_reused_tokenizer_forgets_the_previous_text() {
        assert!(tokens(CJK_UNIGRAM_TOKENIZER, "plain ascii").is_empty());
        let mut tokenizer = GleanerTokenizer::new(StreamKind::Exact);
        let mut first = tokenizer.token_stream("one two three");
        while first.advance() {}
        let mut second = tokenizer.token_stream("four");
        assert!(second.advance());
        assert_eq!(second.token().text, "four");
        assert!(!second.advance());
    }
}
