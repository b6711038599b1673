//! Each stream as a tantivy `Tokenizer`, for where tantivy tokenizes itself.
//!
//! Indexing hands tantivy the streams ready-made (one pass for all three,
//! see [`super::Analyzed`]); these tokenizers give the same terms where
//! tantivy asks a field's tokenizer: its query parser, its snippet
//! generator, a field indexed from plain text, tests. Each one runs the
//! analysis for its own stream only (the unigram tokenizer only scans for
//! CJK characters), so indexing three text fields with them costs about
//! two passes rather than three.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};

use super::{Analyzed, Analyzer, StreamKind, Wanted};

/// The name the exact stream's tokenizer is registered under.
pub const EXACT_TOKENIZER: &str = "gleaner_exact";
/// The name the stem stream's tokenizer is registered under.
pub const STEM_TOKENIZER: &str = "gleaner_stem";
/// The name the CJK unigram stream's tokenizer is registered under.
pub const CJK_UNIGRAM_TOKENIZER: &str = "gleaner_cjk1";

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

/// A tantivy tokenizer yielding one stream of the analysis.
#[derive(Debug, Clone)]
pub struct GleanerTokenizer {
    kind: StreamKind,
    analyzer: Analyzer,
    analyzed: Analyzed,
    token: Token,
}

impl GleanerTokenizer {
    /// The tokenizer of the stream `kind`.
    pub fn new(kind: StreamKind) -> GleanerTokenizer {
        GleanerTokenizer {
            kind,
            analyzer: Analyzer::new(),
            analyzed: Analyzed::new(),
            token: Token::default(),
        }
    }
}

impl Tokenizer for GleanerTokenizer {
    type TokenStream<'a> = GleanerTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GleanerTokenStream<'a> {
        self.analyzer
            .analyze_streams(text, Wanted::Only(self.kind), &mut self.analyzed);
        GleanerTokenStream {
            stream: self.analyzed.stream(self.kind),
            next: 0,
            token: &mut self.token,
        }
    }
}

/// The tokens of one analysed stream, one at a time.
pub struct GleanerTokenStream<'a> {
    stream: &'a super::TermStream,
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
