//! A document's title, when it has one: the HTML `<title>`, the PDF's
//! `/Title`, the office document's `dc:title`, or the first heading of a
//! Markdown, AsciiDoc or reStructuredText file.
//!
//! Search ranks a title as its own field beside the file's name, so a
//! report called `q3.pdf` whose title is "Quarterly revenue" is found by its
//! title. Titles are cleaned the same way whatever their origin: whitespace
//! collapsed, at most [`MAX_TITLE_CHARS`] characters, none when empty.

use quick_xml::events::Event;

use super::package::Package;

/// The longest title kept.
pub const MAX_TITLE_CHARS: usize = 300;

/// `raw` with its whitespace collapsed and cut to [`MAX_TITLE_CHARS`];
/// `None` when nothing is left.
pub fn clean(raw: &str) -> Option<String> {
    let collapsed: String = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE_CHARS)
        .collect();
    (!collapsed.is_empty()).then_some(collapsed)
}

/// The first heading of a text file in a markup with headings (by its
/// extension): `# Title` (Markdown), `= Title` (AsciiDoc), or a line
/// underlined with `===`/`---` (reStructuredText, Markdown's setext).
pub fn from_heading(ext: &str, text: &str) -> Option<String> {
    let marker = match ext {
        "md" | "markdown" | "mdown" | "mkd" | "mkdn" | "mdx" | "qmd" | "rmd" => "#",
        "adoc" | "asciidoc" => "=",
        "rst" => "",
        _ => return None,
    };
    let mut previous: Option<&str> = None;
    for line in text.lines().take(200) {
        let trimmed = line.trim();
        if !marker.is_empty() {
            if let Some(rest) = trimmed.strip_prefix(marker) {
                let heading = rest.trim_start_matches(marker);
                if heading.starts_with(' ') {
                    return clean(heading.trim_end_matches(marker));
                }
            }
        }
        let underline = trimmed.len() >= 3
            && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'));
        if underline {
            if let Some(above) = previous.filter(|p| !p.trim().is_empty()) {
                return clean(above);
            }
        }
        previous = Some(line);
    }
    None
}

/// The `dc:title` of an office package's metadata part (`docProps/core.xml`
/// in OOXML, `meta.xml` in OpenDocument); `None` when absent or unreadable
/// (a title is never worth failing a document for).
pub(super) fn dc_title(package: &mut Package, part: &str) -> Option<String> {
    if !package.contains(part) {
        return None;
    }
    package
        .parse_xml(part, |reader| {
            let mut buf = Vec::new();
            let mut inside = false;
            let mut title = String::new();
            loop {
                match reader.read_event_into(&mut buf)? {
                    Event::Start(e) if e.local_name().as_ref() == b"title" => inside = true,
                    Event::End(e) if e.local_name().as_ref() == b"title" => break,
                    Event::Text(t) if inside => {
                        title.push_str(&t.decode().unwrap_or_default());
                        if title.len() > MAX_TITLE_CHARS * 4 {
                            break;
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
                buf.clear();
            }
            Ok(title)
        })
        .ok()
        .and_then(|t| clean(&t))
}

/// A PDF text string: UTF-16BE with its byte-order mark, or else
/// PDFDocEncoding (read as Latin-1, which it matches for letters).
pub(super) fn pdf_text_string(bytes: &[u8]) -> Option<String> {
    let text = match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        latin => latin.iter().map(|&b| b as char).collect(),
    };
    clean(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_by_markup() {
        assert_eq!(
            from_heading("md", "intro\n\n#  Quarterly  revenue #\ntext"),
            Some("Quarterly revenue".into())
        );
        assert_eq!(
            from_heading("rst", "Install guide\n=============\n\nbody"),
            Some("Install guide".into())
        );
        assert_eq!(
            from_heading("adoc", "= The Book\nbody"),
            Some("The Book".into())
        );
        assert_eq!(from_heading("md", "#hashtag is not a heading"), None);
        assert_eq!(from_heading("txt", "# not markdown"), None);
    }

    #[test]
    fn titles_are_cleaned_and_capped() {
        assert_eq!(clean("  a\\n\\tb  "), Some("a\\n\\tb".into()));
        assert_eq!(clean("a\n\t b"), Some("a b".into()));
        assert_eq!(clean("   "), None);
        assert_eq!(clean(&"x".repeat(1000)).unwrap().len(), MAX_TITLE_CHARS);
    }

    #[test]
    fn pdf_strings_in_both_encodings() {
        assert_eq!(
            pdf_text_string(&[0xFE, 0xFF, 0, b'H', 0, 0xE9]),
            Some("Hé".into())
        );
        assert_eq!(pdf_text_string(b"Caf\xe9"), Some("Café".into()));
    }
}
