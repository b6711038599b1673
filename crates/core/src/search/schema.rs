//! The two tantivy indexes and their fields.
//!
//! **Chunks** hold the text: one tantivy document per chunk of a content,
//! with the content's unit key. Text is ranked per chunk (BM25 with the
//! chunk as the document, as FTS5 did), and a unit's score is its best
//! chunk's. A chunk document carries nothing that depends on a path, so a
//! rename, a move or a new copy of a file never touches the chunks.
//!
//! **Labels** hold what is known of a unit's documents: one tantivy
//! document per unit with the names of its visible documents and the
//! content's title (ranked on their own, see `searcher`), and the filter
//! fields — source, extension, format, every folder on each path, and the
//! modification times. A rename rewrites one small label.
//!
//! Two indexes rather than one with two kinds of documents: BM25 takes the
//! average field length over every document of an index, and names would
//! skew the text's statistics (and the other way round).

use super::analysis::{CJK_UNIGRAM_TOKENIZER, EXACT_TOKENIZER, STEM_TOKENIZER};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STRING,
};

/// Bumped when a field is added, removed or indexed differently: an index
/// of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// The fields of the chunks index.
#[derive(Debug, Clone, Copy)]
pub struct ChunkFields {
    /// The unit ([`super::unit_id`]): deletes and grouping.
    pub unit: Field,
    /// The chunk's position in its content.
    pub seq: Field,
    /// Exact words and CJK bigrams, with positions.
    pub exact: Field,
    /// Stems.
    pub stem: Field,
    /// CJK characters.
    pub cjk1: Field,
}

/// The fields of the labels index.
#[derive(Debug, Clone, Copy)]
pub struct LabelFields {
    /// The unit.
    pub unit: Field,
    /// The chunks stamp the unit's chunks were indexed with.
    pub stamp: Field,
    /// The label stamp of what this label says (`UnitLabel::label_stamp`).
    pub label_stamp: Field,
    /// File names, exact, with positions.
    pub name: Field,
    /// The title, exact, with positions.
    pub title_exact: Field,
    /// The title, stems.
    pub title_stem: Field,
    /// Source ids of the visible documents.
    pub source: Field,
    /// Extensions.
    pub ext: Field,
    /// Formats.
    pub format: Field,
    /// Every folder on every path (`/home/ada`, `/home/ada/notes`, …).
    pub dir: Field,
    /// Modification times, unix ms.
    pub mtime: Field,
}

/// A text field analysed by one of `analysis`'s tokenizers (registered on
/// every index opened, see `index`): plain text goes in, and the three
/// streams of a chunk share one analysis.
fn text(tokenizer: &str, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record)
            .set_fieldnorms(true),
    )
}

fn key() -> NumericOptions {
    NumericOptions::from(INDEXED | FAST)
}

/// The chunks schema.
pub fn chunks() -> (Schema, ChunkFields) {
    let mut builder = Schema::builder();
    let fields = ChunkFields {
        unit: builder.add_u64_field("unit", key()),
        seq: builder.add_u64_field("seq", FAST),
        exact: builder.add_text_field("exact", text(EXACT_TOKENIZER, true)),
        stem: builder.add_text_field("stem", text(STEM_TOKENIZER, false)),
        cjk1: builder.add_text_field("cjk1", text(CJK_UNIGRAM_TOKENIZER, false)),
    };
    (builder.build(), fields)
}

/// The labels schema.
pub fn labels() -> (Schema, LabelFields) {
    let mut builder = Schema::builder();
    let fields = LabelFields {
        unit: builder.add_u64_field("unit", key()),
        stamp: builder.add_u64_field("stamp", FAST),
        label_stamp: builder.add_u64_field("label_stamp", FAST),
        name: builder.add_text_field("name", text(EXACT_TOKENIZER, true)),
        title_exact: builder.add_text_field("title_exact", text(EXACT_TOKENIZER, true)),
        title_stem: builder.add_text_field("title_stem", text(STEM_TOKENIZER, false)),
        source: builder.add_u64_field("source", INDEXED),
        ext: builder.add_text_field("ext", STRING),
        format: builder.add_text_field("format", STRING),
        dir: builder.add_text_field("dir", STRING),
        mtime: builder.add_i64_field("mtime", INDEXED | FAST),
    };
    (builder.build(), fields)
}
