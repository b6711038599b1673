//! What users need from the analysis, checked on the streams: does a query
//! (a word, or a "quoted phrase") find a text? The end-to-end check
//! through a real tantivy index is in `end_to_end.rs`.

use super::*;

/// Whether the query — words, and phrases in double quotes, all of which
/// must match — finds `text`.
fn finds(text: &str, query: &str) -> bool {
    let mut analyzer = Analyzer::new();
    let mut parts = Vec::new();
    for (i, piece) in query.split('"').enumerate() {
        if i % 2 == 1 {
            parts.push(analyzer.phrase_terms(piece));
        } else {
            parts.extend(piece.split_whitespace().map(|w| analyzer.word_terms(w)));
        }
    }
    assert!(!parts.is_empty(), "an empty query finds nothing");
    parts.into_iter().all(|part| {
        let Some(part) = part else { return false };
        !analyzer.matching_ranges(text, &[part]).is_empty()
    })
}

fn streams(text: &str) -> Analyzed {
    let mut analyzed = Analyzed::new();
    Analyzer::new().analyze(text, &mut analyzed);
    analyzed
}

const CHINESE: &str = "在Debian系统中，网络配置和软件包管理是日常工作。\
图形界面的日志查看器可以帮助用户分析系统日志，软件更新也会写入日志文件。";

#[test]
fn chinese_words_are_found_inside_sentences_without_spaces() {
    for word in [
        "网络",
        "软件",
        "图形",
        "日志",
        "软件包",
        "系统日志",
        "Debian",
    ] {
        assert!(finds(CHINESE, word), "{word}");
    }
    assert!(!finds(CHINESE, "网页"));
    // Phrases cross the boundary between a Latin word and CJK text.
    assert!(finds(CHINESE, "\"Debian系统\""));
    assert!(finds(CHINESE, "\"在Debian系统中\""));
}

#[test]
fn a_single_cjk_character_is_found_through_the_unigrams() {
    assert!(finds(CHINESE, "图"));
    assert!(finds(CHINESE, "件"));
    assert!(!finds(CHINESE, "猫"));
    assert_eq!(streams("图形").cjk_unigrams.terms(), ["图", "形"]);
}

#[test]
fn japanese_kanji_and_kana_are_found() {
    let text = "東京都に住んでいます。新しいコンピュータを買いました。";
    for word in ["東京", "東京都", "住んで", "コンピュータ", "買い"] {
        assert!(finds(text, word), "{word}");
    }
    assert!(!finds(text, "京都駅"));
    assert!(finds("ｺﾝﾋﾟｭｰﾀ", "ｺﾝﾋﾟｭｰﾀ"));
}

#[test]
fn korean_words_are_found() {
    let text = "한국어 텍스트를 검색합니다";
    for word in ["한국", "한국어", "텍스트", "검색"] {
        assert!(finds(text, word), "{word}");
    }
}

#[test]
fn cjk_runs_are_overlapping_bigrams_at_consecutive_positions() {
    let analyzed = streams("网络软件 a 图");
    assert_eq!(analyzed.exact.terms(), ["网络", "络软", "软件", "a", "图"]);
    let positions: Vec<usize> = analyzed.exact.iter().map(|t| t.position).collect();
    assert_eq!(positions, [0, 1, 2, 3, 4]);
    // Bigrams pass through the stemmer unchanged, at the same positions.
    assert_eq!(analyzed.stem.terms(), ["网络", "络软", "软件", "a", "图"]);
    let offsets: Vec<_> = analyzed.exact.iter().map(|t| t.offsets()).collect();
    assert_eq!(offsets, [0..6, 3..9, 6..12, 13..14, 15..18]);
}

#[test]
fn german_compounds_are_found_as_typed() {
    let text = "Die Donaudampfschifffahrt fährt täglich.";
    assert!(finds(text, "Donaudampfschifffahrt"));
    assert!(finds(text, "donaudampfschifffahrt"));
    assert!(finds(text, "fahrt"));
    // No decompounding: a part of the compound is not a word of the text.
    assert!(!finds(text, "dampf"));
}

#[test]
fn diacritics_fold_both_ways() {
    assert!(finds("un café noir", "cafe"));
    assert!(finds("un cafe noir", "café"));
    assert!(finds("Herr Müller", "muller"));
    assert!(finds("Herr Muller", "Müller"));
    assert!(finds("a naïve view", "naive"));
    assert!(finds("a naive view", "naïve"));
    assert!(finds("Große Straße", "strasse"));
    // Decomposed text (e + combining acute) is the same word.
    assert!(finds("cafe\u{301}", "café"));
    assert!(finds("\"un café\"", "\"un cafe\""));
}

#[test]
fn english_words_are_stemmed() {
    assert!(finds("the service is running", "run"));
    assert!(finds("run the tests", "running"));
    assert!(finds("it runs daily", "running"));
    assert!(finds("several packages", "package"));
    // Porter2 leaves irregular forms alone.
    assert!(!finds("he ran away", "run"));
}

#[test]
fn a_quoted_phrase_matches_as_typed() {
    let preferences = "Package: *\nPin: release a=stable\nPin-Priority: 900";
    assert!(!finds(preferences, "\"package pinning\""));
    // The same words, unquoted, are found by their stems.
    assert!(finds(preferences, "package pinning"));
    assert!(finds("about package pinning in apt", "\"package pinning\""));
    assert!(!finds("packages pinned", "\"package pinning\""));
    assert!(finds("Package: *\nPin: release", "\"package pin\""));
}

#[test]
fn code_identifiers_are_found_as_typed() {
    let code = "fn lru_cache(size: usize) { let fooBar = GPL_3; } // License: GPL-3+";
    for identifier in ["lru_cache", "fooBar", "foobar", "GPL-3", "usize", "lru"] {
        assert!(finds(code, identifier), "{identifier}");
    }
    assert!(!finds(code, "cache_lru"));
    assert!(!finds(code, "foo_bar"));
    assert!(finds("see foo.bar()", "foo.bar"));
    assert!(finds("see foo.bar()", "foo_bar"));
}

#[test]
fn long_tokens_are_dropped() {
    let sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
                  47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    let analyzed = streams(&format!("sha512 {sha512} end"));
    assert_eq!(analyzed.exact.terms(), ["sha512", "end"]);
    // Positions stay consecutive: the query side drops the same token.
    assert_eq!(analyzed.exact.get(1).map(|t| t.position), Some(1));
    assert!(Analyzer::new().word_terms(sha512).is_none());
    // What people do search for stays: checksums, long names, compounds.
    let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert!(finds(&format!("SHA256 ({sha256})"), sha256));
    let name = "PFNEGLCREATESTREAMFROMFILEDESCRIPTORKHRPROC";
    assert!(finds(&format!("typedef {name};"), name));
    assert!(finds(
        "der Donaudampfschifffahrtsgesellschaftskapitän",
        "Donaudampfschifffahrtsgesellschaftskapitän"
    ));
}

#[test]
fn emoji_and_mixed_scripts() {
    let text = "Deploy 🚀 done 👍🏽; Москва2024 and Ἀθῆναι, 日本語とEnglish";
    let analyzed = streams(text);
    assert_eq!(
        analyzed.exact.terms(),
        [
            "deploy",
            "done",
            "москва2024",
            "and",
            "ἀθῆναι",
            "日本",
            "本語",
            "語と",
            "english"
        ]
    );
    assert!(finds(text, "日本語"));
    assert!(finds(text, "москва2024"));
}

#[test]
fn empty_and_whitespace_only_text_has_no_tokens() {
    for text in ["", " ", "\n\t\r ", "\u{3000}\u{A0}", "...---!!!", "🙂"] {
        assert_eq!(streams(text).n_tokens(), 0, "{text:?}");
    }
}

#[test]
fn nul_and_odd_code_points_separate_words() {
    let text = "a\u{0}b\u{FFFD}c\u{FFFE}d\u{10FFFF}e\u{E000}f\u{1}g";
    assert_eq!(
        streams(text).exact.terms(),
        ["a", "b", "c", "d", "e", "f", "g"]
    );
    // Offsets stay on character boundaries.
    for token in streams(text).exact.iter() {
        assert!(text.is_char_boundary(token.offset_from));
        assert!(text.is_char_boundary(token.offset_to));
    }
}

#[test]
fn an_analyzed_buffer_is_reused_without_leftovers() {
    let mut analyzer = Analyzer::new();
    let mut analyzed = Analyzed::new();
    analyzer.analyze("网络 running words", &mut analyzed);
    analyzer.analyze("one", &mut analyzed);
    assert_eq!(analyzed.exact.terms(), ["one"]);
    assert_eq!(analyzed.stem.terms(), ["one"]);
    assert!(analyzed.cjk_unigrams.is_empty());
}

#[test]
fn the_stem_cache_changes_nothing() {
    let text = "Running runs; the runner's generalizations and caresses. ".repeat(20);
    let mut cached = Analyzed::new();
    let mut uncached = Analyzed::new();
    Analyzer::with_stem_cache_capacity(3).analyze(&text, &mut cached);
    Analyzer::with_stem_cache_capacity(0).analyze(&text, &mut uncached);
    assert_eq!(cached.stem.terms(), uncached.stem.terms());
}

#[test]
fn streams_become_tantivy_tokens() {
    let analyzed = streams("Café 网络");
    let pre = analyzed.exact.to_pre_tokenized("Café 网络".to_string());
    let texts: Vec<&str> = pre.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["cafe", "网络"]);
    assert_eq!((pre.tokens[0].offset_from, pre.tokens[0].offset_to), (0, 5));
    assert_eq!(pre.tokens[1].position, 1);
}
