//! OpenDocument (ODT, and the ODS/ODP/ODG siblings): the text of
//! `content.xml`.
//!
//! All OpenDocument types keep their visible text in `text:p` and `text:h`
//! paragraphs — spreadsheet cells and presentation frames included — so one
//! streaming quick-xml pass over `content.xml` serves them all, and each
//! paragraph becomes one output line. Character data counts only inside a
//! paragraph: outside, it is indentation or metadata (`svg:title`, ...).
//!
//! ODF collapses runs of white space in character data into one space, like
//! HTML, and spells out the spaces it means with `text:s` (with a `text:c`
//! count), tabs with `text:tab` and line breaks with `text:line-break`; this
//! extractor follows that. Tracked deletions (`text:tracked-changes`),
//! comments (`office:annotation`, which would land in the middle of a
//! sentence along with their author and date) and footnote numbers
//! (`text:note-citation`, which would glue onto the word they follow) are
//! skipped; a note's own paragraphs get lines of their own.
//!
//! Encrypted documents keep a readable zip whose `content.xml` is
//! ciphertext; when that part fails to parse, the manifest tells whether the
//! package is encrypted, which is reported as such rather than as damage.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::package::{push_reference, Package};
use super::ExtractError;

/// Version of the ODT extractor: bump when its output changes.
pub(super) const EXTRACTOR_ID: &str = "odt/1";

const FORMAT: &str = "odt";

/// A `text:c` count larger than this is clamped: a hostile document must
/// not make one element expand into gigabytes of spaces.
const MAX_SPACES: usize = 1024;

/// How many spaces the `text:s` elements of one document may spell out,
/// all together; past it each gives one space, enough to keep words apart.
/// Clamping each element alone is not enough: 23 bytes of
/// `<text:s text:c="1024"/>`, repeated, turn the 16 MiB of XML a 40 KB
/// package may inflate to into 730 MB of spaces (a fuzzing seed did).
const MAX_SPELLED_SPACES: usize = 1 << 20;

#[cfg(test)]
pub(super) fn extract(bytes: Vec<u8>) -> Result<String, ExtractError> {
    extract_titled(bytes).map(|(text, _)| text)
}

/// The text, and the document's `dc:title` (`meta.xml`).
pub(super) fn extract_titled(bytes: Vec<u8>) -> Result<(String, Option<String>), ExtractError> {
    let mut package = Package::open(bytes, FORMAT)?;
    let mut out = String::new();
    match package.parse_xml("content.xml", |reader| read_content(reader, &mut out)) {
        Ok(()) => {
            let title = super::title::dc_title(&mut package, "meta.xml");
            Ok((out, title))
        }
        Err(err @ ExtractError::Malformed { .. }) if package.contains("content.xml") => {
            if is_encrypted(&mut package) {
                Err(ExtractError::Encrypted)
            } else {
                Err(err)
            }
        }
        Err(err) => Err(err),
    }
}

/// True when the manifest declares encryption data for any entry.
fn is_encrypted(package: &mut Package) -> bool {
    package
        .parse_xml("META-INF/manifest.xml", |reader| {
            let mut buf = Vec::new();
            loop {
                match reader.read_event_into(&mut buf)? {
                    Event::Start(e) | Event::Empty(e)
                        if e.local_name().as_ref() == b"encryption-data" =>
                    {
                        return Ok(true)
                    }
                    Event::Eof => return Ok(false),
                    _ => {}
                }
                buf.clear();
            }
        })
        .unwrap_or(false)
}

fn read_content<R: BufRead>(
    reader: &mut Reader<R>,
    out: &mut String,
) -> Result<(), quick_xml::Error> {
    let mut buf = Vec::new();
    let mut paragraph_depth = 0usize;
    let mut skip_depth = 0usize;
    let mut spaces_left = MAX_SPELLED_SPACES;
    loop {
        let event = reader.read_event_into(&mut buf)?;
        if skip_depth > 0 {
            match event {
                Event::Start(_) => skip_depth += 1,
                Event::End(_) => skip_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
            continue;
        }
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"p" | b"h" => {
                    // A paragraph inside a paragraph (a note body, a text
                    // box) gets its own line rather than gluing onto the
                    // sentence around it.
                    if paragraph_depth > 0 {
                        break_line(out);
                    }
                    paragraph_depth += 1;
                }
                b"tracked-changes" | b"annotation" | b"note-citation" => skip_depth = 1,
                _ if paragraph_depth > 0 => inline_mark(&e, out, &mut spaces_left),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"p" | b"h" => out.push('\n'),
                _ if paragraph_depth > 0 => inline_mark(&e, out, &mut spaces_left),
                _ => {}
            },
            Event::End(e)
                if paragraph_depth > 0 && matches!(e.local_name().as_ref(), b"p" | b"h") =>
            {
                paragraph_depth -= 1;
                trim_trailing_space(out);
                out.push('\n');
            }
            Event::Text(e) if paragraph_depth > 0 => push_collapsed(out, &e.xml10_content()?),
            Event::CData(e) if paragraph_depth > 0 => push_collapsed(out, &e.decode()?),
            Event::GeneralRef(r) if paragraph_depth > 0 => push_reference(out, &r),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// Elements inside a paragraph that stand for white space; `spaces_left`
/// is what remains of the document's [`MAX_SPELLED_SPACES`].
fn inline_mark(e: &BytesStart<'_>, out: &mut String, spaces_left: &mut usize) {
    match e.local_name().as_ref() {
        b"s" => {
            let count = e
                .attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == b"c")
                .and_then(|a| {
                    std::str::from_utf8(&a.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .unwrap_or(1)
                .min(MAX_SPACES);
            let count = if count <= *spaces_left {
                count
            } else {
                count.min(1)
            };
            *spaces_left = spaces_left.saturating_sub(count);
            out.extend(std::iter::repeat_n(' ', count));
        }
        b"tab" => out.push('\t'),
        b"line-break" => out.push('\n'),
        _ => {}
    }
}

/// Appends character data with ODF white-space collapsing: runs of space,
/// tab, CR and LF become one space, and no space starts a line or follows
/// another collapsed space.
fn push_collapsed(out: &mut String, text: &str) {
    for (i, piece) in text.split([' ', '\t', '\r', '\n']).enumerate() {
        if i > 0 && !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(piece);
    }
}

fn break_line(out: &mut String) {
    trim_trailing_space(out);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn trim_trailing_space(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    // Spaces written by `text:s` are meant, but at a paragraph's end they
    // carry nothing for search and only pad the line.
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::package::test_support::zip_of;
    use crate::extract::{extract_in_process as dispatch, Format};

    const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/""#;

    fn odt(body: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
        );
        zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
        ])
    }

    #[test]
    fn paragraphs_headings_and_spaces() {
        let body = r#"<text:h text:outline-level="1">Title &amp; more</text:h>
            <text:p>Hello<text:s/>ODT<text:s text:c="3"/>world<text:tab/>tabbed</text:p>
            <text:p>first   line
                collapsed<text:line-break/>second <text:span>line</text:span></text:p>
            <text:p/>
            <text:p>with a note<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>the note</text:p></text:note-body></text:note> after</text:p>"#;
        let text = extract(odt(body)).unwrap();
        assert_eq!(
            text,
            "Title & more\nHello ODT   world\ttabbed\nfirst line collapsed\nsecond line\n\nwith a note\nthe note\nafter\n"
        );
    }

    #[test]
    fn comments_and_deletions_are_skipped() {
        let body = r#"<text:tracked-changes><text:changed-region><text:deletion><text:p>gone</text:p></text:deletion></text:changed-region></text:tracked-changes>
            <text:p>kept<office:annotation><dc:creator>Ann</dc:creator><text:p>a remark</text:p></office:annotation> text</text:p>"#;
        assert_eq!(extract(odt(body)).unwrap(), "kept text\n");
    }

    #[test]
    fn spreadsheet_cells_are_lines() {
        let body = r#"<table:table><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell>
            <table:table-cell table:number-columns-repeated="1000"/><table:table-cell><text:p>42</text:p></table:table-cell></table:table-row></table:table>"#;
        assert_eq!(extract(odt(body)).unwrap(), "Name\n42\n");
    }

    #[test]
    fn huge_space_count_is_clamped() {
        let text = extract(odt(r#"<text:p>a<text:s text:c="4000000000"/>b</text:p>"#)).unwrap();
        assert_eq!(text.len(), MAX_SPACES + 3);
    }

    /// Found by the `odt` fuzz target's `many-spaces.odt` seed, kept as
    /// `tests/fixtures/fuzz/odt/text-s-spaces-amplification.odt`.
    #[test]
    fn spelled_spaces_are_bounded_per_document() {
        let element = r#"<text:s text:c="1024"/>"#;
        let elements = 3 * MAX_SPELLED_SPACES / MAX_SPACES;
        let body = format!("<text:p>a{}b</text:p>", element.repeat(elements));
        let text = extract(odt(&body)).unwrap();
        // The budget, then one space per element.
        let budget_elements = MAX_SPELLED_SPACES / MAX_SPACES;
        assert_eq!(
            text.len(),
            MAX_SPELLED_SPACES + (elements - budget_elements) + "ab\n".len()
        );
        // Short runs are kept as they are.
        let text = extract(odt(r#"<text:p>a<text:s text:c="3"/>b<text:s/>c</text:p>"#)).unwrap();
        assert_eq!(text, "a   b c\n");
    }

    #[test]
    fn dispatch_through_the_guard() {
        let got = dispatch(Format::Odt, odt("<text:p>via extract</text:p>")).unwrap();
        assert_eq!(got.text, "via extract\n");
        assert_eq!(got.extractor, "odt/1");
    }

    #[test]
    fn missing_content_is_malformed() {
        let bytes = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        match extract(bytes) {
            Err(ExtractError::Malformed {
                format: "odt",
                reason,
            }) => assert!(reason.contains("content.xml")),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn garbage_is_malformed() {
        let got = extract(vec![0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(
            matches!(got, Err(ExtractError::Malformed { .. })),
            "{got:?}"
        );
    }

    #[test]
    fn encrypted_package_is_reported() {
        let manifest = br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">
            <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry></manifest:manifest>"#;
        let bytes = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"\x8b\x12<\xff\xfe<<\x01 ciphertext"),
            ("META-INF/manifest.xml", manifest),
        ]);
        assert!(matches!(extract(bytes), Err(ExtractError::Encrypted)));
    }
}
