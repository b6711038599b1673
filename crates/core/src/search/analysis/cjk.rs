//! Which characters are Chinese, Japanese or Korean, for bigramming.
//!
//! These scripts write words without spaces between them, so a tokenizer
//! that splits at spaces and punctuation (FTS5's unicode61, tantivy's
//! SimpleTokenizer) turns a whole sentence into one token and a word inside
//! it cannot be found. Without a dictionary, the standard answer (Lucene's
//! CJKBigramFilter, Elasticsearch's `cjk` analyzer) is overlapping
//! character bigrams: `网络软件` is indexed as `网络 络软 软件`, and a
//! query run becomes the phrase of its bigrams, which finds the word
//! wherever it occurs. Dictionary segmenters (jieba, lindera) were tried
//! and rejected: jieba missed Japanese words, lindera's dictionaries are
//! downloaded at build time.
//!
//! The scripts are Han (with 々 〆 〇 and the Hangzhou numerals), Hiragana,
//! Katakana (with the prolonged sound mark ー, the phonetic extensions and
//! the halfwidth forms) and Hangul (syllables and jamo). CJK punctuation
//! (、。「」・) is not: it separates like any punctuation. Korean does put
//! spaces between phrases, but its particles attach to the noun
//! (`한국어를`), so Hangul is bigrammed as well.

/// Whether `c` belongs to a script that is bigrammed.
pub(crate) fn is_cjk(c: char) -> bool {
    let code = c as u32;
    // Everything below the Hangul Jamo block is cheap to reject.
    if code < 0x1100 {
        return false;
    }
    matches!(code,
        0x1100..=0x11FF          // Hangul Jamo
        | 0x2E80..=0x2FDF        // CJK radicals, Kangxi radicals
        | 0x3005..=0x3007        // 々 〆 〇
        | 0x3021..=0x3029        // Hangzhou numerals
        | 0x3031..=0x3035        // kana repeat marks
        | 0x3038..=0x303C        // more Han marks
        | 0x3041..=0x3096        // Hiragana
        | 0x3099..=0x309F        // kana voicing marks, ゝ ゞ ゟ
        | 0x30A1..=0x30FA        // Katakana (not ゠ U+30A0, not ・ U+30FB)
        | 0x30FC..=0x30FF        // ー ヽ ヾ ヿ
        | 0x3131..=0x318E        // Hangul compatibility jamo
        | 0x31F0..=0x31FF        // Katakana phonetic extensions
        | 0x3400..=0x4DBF        // CJK Extension A
        | 0x4E00..=0x9FFF        // CJK Unified Ideographs
        | 0xA960..=0xA97F        // Hangul Jamo Extended-A
        | 0xAC00..=0xD7A3        // Hangul syllables
        | 0xD7B0..=0xD7FF        // Hangul Jamo Extended-B
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFF66..=0xFF9F        // halfwidth Katakana (not ･ U+FF65)
        | 0xFFA0..=0xFFDC        // halfwidth Hangul
        | 0x1AFF0..=0x1B16F      // Kana supplement and extensions
        | 0x20000..=0x3FFFF      // CJK Extensions B and later
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_kana_and_hangul_are_cjk() {
        for c in "网络軟體日志東京都にすんでいますコンピューターｶﾀｶﾅ한국어々〇𠀋".chars()
        {
            assert!(is_cjk(c), "{c} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn punctuation_latin_and_other_scripts_are_not() {
        for c in "、。「」・･〜！？ a Z 9 é Ж ω ع ไ 🙂 ａ".chars() {
            assert!(!is_cjk(c), "{c} (U+{:04X})", c as u32);
        }
    }
}
