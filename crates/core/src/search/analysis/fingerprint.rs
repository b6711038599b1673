//! The fingerprint of the analysis, stored with the index.
//!
//! An index is only searchable with the analysis that built it: if a word
//! were folded, split or stemmed differently at query time, queries would
//! miss what is indexed. So the index records [`analysis_fingerprint`] and
//! is rebuilt when the running program's differs.
//!
//! The fingerprint is not only a version number someone must remember to
//! bump: it also hashes the output of the analysis on a fixed sample (all
//! three streams, terms, positions and offsets) and on every foldable
//! character. A change to splitting, folding, bigramming or stemming that
//! shows on the sample (an updated stemmer crate included) changes the
//! fingerprint by itself. [`ANALYSIS_VERSION`] covers the rest: bump it for
//! a change the sample does not show, and extend the sample. A unit test
//! pins the fingerprint, so such a change cannot go unnoticed in review.

use std::fmt::Write;
use std::sync::OnceLock;

use super::{Analyzed, Analyzer, StreamKind};

/// The version of the analysis rules; bump it when the analysis changes in
/// a way [`SAMPLE`] does not show.
pub const ANALYSIS_VERSION: u32 = 1;

/// Text exercising every rule of the analysis.
const SAMPLE: &str = "\
Running runs ran: the runner's generalizations, caresses, ponies and skies. \
Package: * Pin: release a=stable; package pinning. \
lru_cache fooBar GPL-3 foo.bar x86_64 utf8 mp3s don't C++ 3.14 \
Café cafe\u{301} Müller naïve Straße STRAẞE Øre Æther Łódź ﬁle Ｌｉｎｕｘ İstanbul Þór \
Donaudampfschifffahrtsgesellschaftskapitän Donaudampfschifffahrt \
Йогурт ΟΔΟΣ हिन्दी Москва2024 hy\u{AD}phen two\u{200B}words \
网络软件图形日志，使用Linux系统。2024年3月 \
東京都に住んでいます。コンピューター ｶﾀｶﾅ 한국어 텍스트를 \
🙂👍🏽 a\u{0}b \u{FFFD}\u{FFFF}\u{10FFFF} \
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 \
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855f";

/// The analysis's fingerprint: `gleaner-analysis-VERSION-HASH`.
pub fn analysis_fingerprint() -> &'static str {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        format!(
            "gleaner-analysis-{ANALYSIS_VERSION}-{:016x}",
            fnv1a(golden_output().as_bytes())
        )
    })
}

/// The analysis of [`SAMPLE`] and of every foldable character, rendered as
/// text: what the fingerprint hashes (and what a failing test shows).
pub(crate) fn golden_output() -> String {
    let mut analyzer = Analyzer::new();
    let mut analyzed = Analyzed::new();
    let mut out = String::new();
    analyzer.analyze(SAMPLE, &mut analyzed);
    render(&analyzed, &mut out);
    // Each letter of the folded blocks alone, so a change to any folding
    // shows, not only to those the sample happens to use.
    let foldable = (0x00A0..=0x02AF)
        .chain(0x0370..=0x03FF)
        .chain(0x1D00..=0x1DBF)
        .chain(0x1E00..=0x1EFF)
        .chain(0x2070..=0x209F)
        .chain(0x2C60..=0x2C7F)
        .chain(0xA720..=0xA7FF)
        .chain(0xAB30..=0xAB6F)
        .chain(0xFB00..=0xFB06)
        .chain(0xFF01..=0xFFEF)
        .filter_map(char::from_u32);
    let mut letters = String::new();
    for c in foldable {
        letters.push(c);
        letters.push(' ');
    }
    analyzer.analyze(&letters, &mut analyzed);
    for token in analyzed.exact.iter() {
        let _ = write!(out, "{} ", token.term);
    }
    out
}

fn render(analyzed: &Analyzed, out: &mut String) {
    for kind in StreamKind::ALL {
        let _ = writeln!(out, "{kind:?}:");
        for token in analyzed.stream(kind).iter() {
            let _ = writeln!(
                out,
                "  {}@{} {}..{}",
                token.term, token.position, token.offset_from, token.offset_to
            );
        }
    }
}

/// 64-bit FNV-1a: a hash whose value is fixed by its definition, unlike
/// the standard library's, which may change between Rust releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// If this fails, the analysis changed: every existing index was built
    /// with the old one and must be rebuilt, which a new fingerprint
    /// triggers. Check that the change is intended (the golden output is
    /// printed), then put the new fingerprint here.
    #[test]
    fn the_fingerprint_is_pinned() {
        let fingerprint = analysis_fingerprint();
        assert_eq!(
            fingerprint,
            "gleaner-analysis-1-0f2c7c1b7703cbfd",
            "the analysis output changed; golden output:\n{}",
            golden_output()
        );
    }

    #[test]
    fn the_fingerprint_is_stable_within_a_run() {
        assert_eq!(
            fnv1a(golden_output().as_bytes()),
            fnv1a(golden_output().as_bytes())
        );
        assert!(analysis_fingerprint().starts_with("gleaner-analysis-"));
    }
}
