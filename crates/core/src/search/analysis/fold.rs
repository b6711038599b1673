//! Lowercasing and diacritic folding of one word character.
//!
//! Latin letters fold to ASCII where a folding exists (é→e, ß→ss, ø→o,
//! æ→ae, ﬁ→fi, fullwidth Ｌ→l), so `cafe` finds `café` and the other way
//! round. Only Latin letters, Latin ligatures, super- and subscripts and
//! fullwidth ASCII fold: other scripts keep their letters as they are
//! (lowercased), because stripping a Cyrillic breve or a Greek accent
//! changes the word, and decomposing a Hangul syllable would break it apart.
//!
//! Most foldings come from Unicode's compatibility decomposition (NFKD) with
//! the combining marks dropped; the letters that have no decomposition
//! (ß, ø, æ, ł, đ, þ …) are listed in [`special_folding`]. Lucene's
//! ASCIIFoldingFilter (tantivy's `AsciiFoldingFilter`) was the reference;
//! a test checks that both agree on every Latin letter.
//!
//! Text can arrive decomposed (macOS file names and some PDFs write `é` as
//! `e` + U+0301): a combining mark after an ASCII letter is a diacritic of a
//! Latin letter and is dropped, so both spellings give the same word. After
//! any other letter a mark is part of the word (Devanagari vowel signs,
//! Thai tone marks).

use unicode_normalization::char::decompose_compatible;

/// Appends the lowercase, folded form of the non-ASCII word character `c`
/// to `word`.
pub(crate) fn push_folded_lowercase(c: char, word: &mut String) {
    if c == 'İ' {
        // Its lowercase is `i` + U+0307; the dot is a diacritic.
        word.push('i');
        return;
    }
    for lower in c.to_lowercase() {
        let folded = !lower.is_ascii() && is_foldable(lower) && push_latin_folding(lower, word);
        if !folded {
            word.push(lower);
        }
    }
}

/// Whether a combining mark that comes after `word` (so far) is dropped:
/// it follows an ASCII letter, so it is a diacritic on a Latin letter.
pub(crate) fn drops_combining_mark(word: &str) -> bool {
    word.as_bytes().last().is_some_and(|b| b.is_ascii())
}

/// Whether `c` is a combining mark (general category M).
pub(crate) fn is_combining_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Invisible format characters that may sit inside a word without ending
/// it: the soft hyphen that HTML hyphenation leaves (`&shy;`), the
/// zero-width (non-)joiners, the word joiner and a stray byte-order mark.
/// The zero-width space is not among them: it marks a word boundary.
pub(crate) fn is_ignorable_in_word(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The blocks whose letters fold: Latin-1 Supplement, Latin Extended-A and
/// -B, IPA Extensions, the phonetic extensions, Latin Extended Additional, super- and subscripts,
/// Latin Extended-C, -D and -E, the Latin ligatures and fullwidth ASCII.
/// Greek final sigma is here too: it folds to σ, which is what an upper-case
/// Σ lowercases to, so `ΟΔΟΣ` and `οδος` are one word.
fn is_foldable(c: char) -> bool {
    matches!(c as u32,
        0x00A0..=0x02AF
        | 0x03C2
        | 0x1D00..=0x1DBF
        | 0x1E00..=0x1EFF
        | 0x2070..=0x209F
        | 0x2C60..=0x2C7F
        | 0xA720..=0xA7FF
        | 0xAB30..=0xAB6F
        | 0xFB00..=0xFB06
        | 0xFF01..=0xFF5E)
}

/// Appends the ASCII folding of the lowercase letter `c` and returns true,
/// or returns false (appending nothing) when it has none.
fn push_latin_folding(c: char, word: &mut String) -> bool {
    if let Some(folded) = special_folding(c) {
        word.push_str(folded);
        return true;
    }
    // NFKD yields at most a handful of characters for these blocks (ﬃ → ffi).
    let mut ascii = [0u8; 8];
    let mut n_ascii = 0;
    let mut foldable = true;
    decompose_compatible(c, |part| {
        if part.is_ascii_alphanumeric() && n_ascii < ascii.len() {
            ascii[n_ascii] = part.to_ascii_lowercase() as u8;
            n_ascii += 1;
        } else if !is_combining_mark(part) {
            // A fraction slash, a space, a letter of another script: no
            // clean ASCII form, the character stays as it is.
            foldable = false;
        }
    });
    if !foldable || n_ascii == 0 {
        return false;
    }
    match std::str::from_utf8(&ascii[..n_ascii]) {
        Ok(folded) => {
            word.push_str(folded);
            true
        }
        Err(_) => false,
    }
}

/// Lowercase letters with no compatibility decomposition to ASCII, and what
/// they fold to (Lucene's choices).
fn special_folding(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' | 'ǣ' | 'ǽ' => "ae",
        'œ' => "oe",
        'ø' | 'ǿ' | 'ɔ' | 'ɵ' | 'ⱺ' | 'ꝋ' | 'ꝍ' => "o",
        'đ' | 'ð' | 'ɖ' | 'ɗ' | 'ƌ' | 'ȡ' | 'ꝺ' => "d",
        'þ' => "th",
        'ł' | 'ŀ' | 'ƚ' | 'ȴ' | 'ɫ' | 'ɬ' | 'ɭ' | 'ⱡ' | 'ꝉ' | 'ꝇ' | 'ꞁ' => "l",
        'ħ' | 'ɦ' | 'ɧ' | 'ⱨ' | 'ⱶ' => "h",
        'ı' => "i",
        'ĸ' => "q",
        'ŋ' | 'ŉ' | 'ɲ' | 'ƞ' | 'ȵ' | 'ɳ' => "n",
        'ŧ' | 'ƫ' | 'ƭ' | 'ʈ' | 'ȶ' | 'ⱦ' => "t",
        'ƀ' | 'ƃ' | 'ɓ' => "b",
        'ƈ' | 'ȼ' | 'ɕ' | 'ꜿ' => "c",
        'ƒ' | 'ꝼ' => "f",
        'ǥ' | 'ɠ' | 'ɡ' | 'ɢ' | 'ᵹ' | 'ꝿ' => "g",
        'ƙ' | 'ⱪ' | 'ꝁ' | 'ꝃ' | 'ꝅ' | 'ꞣ' => "k",
        'ƥ' | 'ꝑ' | 'ꝓ' | 'ꝕ' => "p",
        'ɋ' | 'ʠ' | 'ꝗ' | 'ꝙ' => "q",
        'ɍ' | 'ɼ' | 'ɽ' | 'ɾ' | 'ɿ' | 'ʀ' | 'ʁ' | 'ꝛ' | 'ꞃ' => "r",
        'ȿ' | 'ʂ' | 'ſ' | 'ẜ' | 'ẝ' | 'ꞅ' => "s",
        'ʉ' | 'ᵾ' => "u",
        'ʋ' | 'ⱱ' | 'ⱴ' | 'ʌ' | 'ꝟ' | 'ỽ' => "v",
        'ƴ' | 'ɏ' | 'ʏ' | 'ỿ' => "y",
        'ƶ' | 'ȝ' | 'ȥ' | 'ɀ' | 'ʐ' | 'ʑ' | 'ⱬ' | 'ꝣ' => "z",
        'ǝ' | 'ɘ' | 'ɛ' | 'ɜ' | 'ɝ' | 'ɞ' | 'ʚ' | 'ɇ' | 'ⱸ' => "e",
        'ə' | 'ẚ' | 'ɐ' | 'ɑ' | 'ɒ' | 'ⱥ' => "a",
        'ɉ' | 'ȷ' | 'ɟ' | 'ʄ' | 'ʝ' => "j",
        'ɨ' | 'ɩ' | 'ɪ' => "i",
        'ɯ' | 'ɰ' | 'ɱ' => "m",
        'ɥ' => "h",
        'ʇ' => "t",
        'ʍ' | 'ƿ' => "w",
        'ʎ' => "y",
        'ʞ' => "k",
        'ƕ' => "hv",
        'ỻ' => "ll",
        'ȸ' => "db",
        'ȹ' => "qp",
        'ƣ' => "oi",
        'ȣ' => "ou",
        'ꜳ' => "aa",
        'ꜵ' => "ao",
        'ꜷ' => "au",
        'ꜹ' | 'ꜻ' => "av",
        'ꜽ' => "ay",
        'ꝏ' => "oo",
        'ꜩ' => "tz",
        'ᵫ' => "ue",
        'ς' => "σ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if !(is_combining_mark(c) && drops_combining_mark(&out)) {
                push_folded_lowercase(c, &mut out);
            }
        }
        out
    }

    #[test]
    fn latin_letters_fold_to_ascii() {
        assert_eq!(fold("Café"), "cafe");
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("naïve"), "naive");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRAẞE"), "strasse");
        assert_eq!(fold("Øresund"), "oresund");
        assert_eq!(fold("Æther"), "aether");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(fold("Ｌｉｎｕｘ"), "linux");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Þór"), "thor");
    }

    #[test]
    fn decomposed_diacritics_fold_like_composed_ones() {
        assert_eq!(fold("cafe\u{301}"), "cafe");
        assert_eq!(fold("Mu\u{308}ller"), "muller");
    }

    #[test]
    fn other_scripts_only_lowercase() {
        assert_eq!(fold("Йогурт"), "йогурт");
        assert_eq!(fold("Ἀθῆναι"), "ἀθῆναι");
        assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
        // A mark after a non-Latin letter is part of the word.
        assert_eq!(fold("हिन्दी"), "हिन्दी");
    }

    #[test]
    fn characters_without_an_ascii_form_stay() {
        assert_eq!(fold("¼"), "¼");
        // The micro sign lowercases to itself, and its decomposition is
        // Greek: it stays.
        assert_eq!(fold("µ"), "µ");
    }

    /// Every Latin letter that tantivy's (Lucene's) AsciiFoldingFilter folds
    /// to ASCII letters folds to the same letters here, but for ẛ: a long s
    /// with a dot, an `s` here (its compatibility decomposition), an `f`
    /// for Lucene.
    #[test]
    fn agrees_with_tantivys_ascii_folding_on_latin_letters() {
        use tantivy::tokenizer::{AsciiFoldingFilter, RawTokenizer, TextAnalyzer};
        let mut lucene = TextAnalyzer::builder(RawTokenizer::default())
            .filter(AsciiFoldingFilter)
            .build();
        let mut disagreements = Vec::new();
        let ranges = [0x00C0..=0x024F, 0x1E00..=0x1EFF, 0xFB00..=0xFB06];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            if !c.is_alphabetic() || c == 'ẛ' {
                continue;
            }
            let letter = c.to_string();
            let mut stream = lucene.token_stream(&letter);
            let mut theirs = String::new();
            while stream.advance() {
                theirs.push_str(&stream.token().text.to_lowercase());
            }
            if !theirs.bytes().all(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            let ours = fold(&letter);
            if ours != theirs {
                disagreements.push(format!(
                    "{c} (U+{:04X}): ours {ours}, Lucene {theirs}",
                    c as u32
                ));
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
}
