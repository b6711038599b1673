//! The analysis through a real tantivy index on disk: three fields fed the
//! pre-tokenized streams, queried with the terms the query producers give.
//! The same index is also built from plain text with the registered
//! tokenizers, which must find the same documents.

use std::collections::BTreeSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::{PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, INDEXED, STORED,
};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::*;

const DOCUMENTS: [&str; 8] = [
    "在Debian系统中，网络配置和软件包管理是日常工作。图形界面的日志查看器。",
    "東京都に住んでいます。新しいコンピュータを買いました。",
    "한국어 텍스트를 검색합니다",
    "The service is running; see lru_cache and fooBar in GPL-3 code.",
    "Package: *\nPin: release a=stable\nPin-Priority: 900",
    "Read about package pinning in the apt manual.",
    "Un café noir chez Müller, naïve Donaudampfschifffahrt.",
    "A cafe and Muller, naive, without accents.",
];

struct Fields {
    id: Field,
    exact: Field,
    stem: Field,
    cjk1: Field,
}

fn schema() -> (Schema, Fields) {
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED),
        exact: builder.add_text_field(
            "exact",
            text(EXACT_TOKENIZER, IndexRecordOption::WithFreqsAndPositions),
        ),
        stem: builder.add_text_field("stem", text(STEM_TOKENIZER, IndexRecordOption::WithFreqs)),
        cjk1: builder.add_text_field(
            "cjk1",
            text(CJK_UNIGRAM_TOKENIZER, IndexRecordOption::WithFreqs),
        ),
    };
    (builder.build(), fields)
}

/// Builds the index in `dir`, from pre-tokenized streams or from text.
fn build(dir: &std::path::Path, pre_tokenized: bool) -> (Index, Fields) {
    let (schema, fields) = schema();
    let index = Index::create_in_dir(dir, schema).expect("create index");
    register_tokenizers(index.tokenizers());
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    let mut analyzer = Analyzer::new();
    let mut analyzed = Analyzed::new();
    for (id, text) in DOCUMENTS.iter().enumerate() {
        let mut doc = TantivyDocument::new();
        doc.add_u64(fields.id, id as u64);
        if pre_tokenized {
            analyzer.analyze(text, &mut analyzed);
            doc.add_pre_tokenized_text(
                fields.exact,
                analyzed.exact.to_pre_tokenized(String::new()),
            );
            doc.add_pre_tokenized_text(fields.stem, analyzed.stem.to_pre_tokenized(String::new()));
            doc.add_pre_tokenized_text(
                fields.cjk1,
                analyzed.cjk_unigrams.to_pre_tokenized(String::new()),
            );
        } else {
            doc.add_text(fields.exact, text);
            doc.add_text(fields.stem, text);
            doc.add_text(fields.cjk1, text);
        }
        writer.add_document(doc).expect("add");
    }
    writer.commit().expect("commit");
    (index, fields)
}

/// The ids of the documents the query finds: words and "phrases", all of
/// which must match.
fn search(index: &Index, fields: &Fields, query: &str) -> BTreeSet<u64> {
    let mut analyzer = Analyzer::new();
    let mut found: Option<BTreeSet<u64>> = None;
    let searcher = index.reader().expect("reader").searcher();
    for (i, piece) in query.split('"').enumerate() {
        let parts: Vec<Option<TermsToFind>> = if i % 2 == 1 {
            vec![analyzer.phrase_terms(piece)]
        } else {
            piece
                .split_whitespace()
                .map(|w| analyzer.word_terms(w))
                .collect()
        };
        for part in parts {
            let part = part.expect("searchable");
            let field = match part.stream {
                StreamKind::Exact => fields.exact,
                StreamKind::Stem => fields.stem,
                StreamKind::CjkUnigrams => fields.cjk1,
            };
            let terms: Vec<Term> = part
                .terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            let query: Box<dyn Query> = match terms.len() {
                1 => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::Basic)),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            let ids: BTreeSet<u64> = searcher
                .search(&*query, &DocSetCollector)
                .expect("search")
                .into_iter()
                .map(|address| {
                    let doc: TantivyDocument = searcher.doc(address).expect("doc");
                    doc.get_first(fields.id)
                        .and_then(|v| v.as_u64())
                        .expect("id")
                })
                .collect();
            found = Some(match found {
                None => ids,
                Some(before) => before.intersection(&ids).copied().collect(),
            });
        }
    }
    found.unwrap_or_default()
}

#[test]
fn a_real_index_finds_what_users_type() {
    for pre_tokenized in [true, false] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, fields) = build(dir.path(), pre_tokenized);
        let find =
            |query: &str| -> Vec<u64> { search(&index, &fields, query).into_iter().collect() };
        // CJK words by the phrase of their bigrams.
        for word in ["网络", "软件", "图形", "日志", "软件包"] {
            assert_eq!(find(word), [0], "{word} (pre-tokenized: {pre_tokenized})");
        }
        assert_eq!(find("東京"), [1]);
        assert_eq!(find("コンピュータ"), [1]);
        assert_eq!(find("한국"), [2]);
        assert!(find("京都駅").is_empty());
        // A single character by its unigram.
        assert_eq!(find("图"), [0]);
        assert_eq!(find("都"), [1]);
        // Stemmed words, exact phrases.
        assert_eq!(find("run"), [3]);
        assert_eq!(find("package pinning"), [4, 5]);
        assert_eq!(find("\"package pinning\""), [5]);
        assert_eq!(find("\"package pin\""), [4]);
        // Identifiers.
        assert_eq!(find("lru_cache"), [3]);
        assert_eq!(find("fooBar"), [3]);
        assert_eq!(find("GPL-3"), [3]);
        // Diacritics both ways, compounds as typed.
        assert_eq!(find("cafe"), [6, 7]);
        assert_eq!(find("Müller"), [6, 7]);
        assert_eq!(find("naïve"), [6, 7]);
        assert_eq!(find("Donaudampfschifffahrt"), [6]);
    }
}
