//! DOCX (Office Open XML word processing): the text of the main document
//! part, then footnotes, endnotes, comments, headers and footers.
//!
//! The XML is streamed with quick-xml rather than loaded into a DOM: only a
//! handful of elements matter, and documents can be large. Text lives in
//! `t` elements — `w:t` for body text, but also `a:t` in text boxes and
//! charts and `m:t` in equations — so elements are matched on their local
//! name, which also tolerates producers that bind WordprocessingML to an
//! unusual prefix. A paragraph end becomes a newline, so lines of the output
//! are the document's paragraphs. `w:tab` and `w:br` count only inside a run
//! (`w:r`): the same local names appear as tab-stop definitions in paragraph
//! properties. Deleted text (`w:delText`) and field codes (`w:instrText`)
//! are different elements and so are naturally left out. `mc:Fallback` is
//! skipped because it repeats, for old readers, the content its
//! `mc:Choice` sibling already holds (text boxes would appear twice).
//!
//! The main part is found through the package relationships
//! (`_rels/.rels`), falling back to the usual `word/document.xml`.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::package::{push_reference, Package};
use super::ExtractError;

/// Version of the DOCX extractor: bump when its output changes.
pub(super) const EXTRACTOR_ID: &str = "docx/1";

const FORMAT: &str = "docx";
const DEFAULT_MAIN_PART: &str = "word/document.xml";

#[cfg(test)]
pub(super) fn extract(bytes: Vec<u8>) -> Result<String, ExtractError> {
    extract_titled(bytes).map(|(text, _)| text)
}

/// The text, and the document's `dc:title` (`docProps/core.xml`).
pub(super) fn extract_titled(bytes: Vec<u8>) -> Result<(String, Option<String>), ExtractError> {
    let mut package = Package::open(bytes, FORMAT)?;
    let main = main_part(&mut package).unwrap_or_else(|| DEFAULT_MAIN_PART.to_owned());
    let mut out = String::new();
    package.parse_xml(&main, |reader| read_part(reader, &mut out))?;

    for name in secondary_parts(&package.names(), &main) {
        let mut part = String::new();
        match package.parse_xml(&name, |reader| read_part(reader, &mut part)) {
            Ok(()) => {}
            Err(too_large @ ExtractError::TooLarge { .. }) => return Err(too_large),
            // The body is what matters; a broken header should not lose it.
            Err(err) => {
                tracing::debug!(part = %name, error = %err, "skipping unreadable docx part");
                continue;
            }
        }
        let part = part.trim_matches('\n');
        if !part.trim().is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(part);
            out.push('\n');
        }
    }
    let title = super::title::dc_title(&mut package, "docProps/core.xml");
    Ok((out, title))
}

/// The main document part named by the package relationships, if any.
fn main_part(package: &mut Package) -> Option<String> {
    if !package.contains("_rels/.rels") {
        return None;
    }
    let target = package
        .parse_xml("_rels/.rels", |reader| {
            let mut buf = Vec::new();
            loop {
                match reader.read_event_into(&mut buf)? {
                    Event::Start(e) | Event::Empty(e)
                        if e.local_name().as_ref() == b"Relationship" =>
                    {
                        let mut is_main = false;
                        let mut target = None;
                        for attr in e.attributes().flatten() {
                            match attr.key.local_name().as_ref() {
                                b"Type" => is_main = attr.value.ends_with(b"/officeDocument"),
                                b"Target" => {
                                    target = Some(String::from_utf8_lossy(&attr.value).into_owned())
                                }
                                _ => {}
                            }
                        }
                        if is_main {
                            return Ok(target);
                        }
                    }
                    Event::Eof => return Ok(None),
                    _ => {}
                }
                buf.clear();
            }
        })
        .ok()??;
    let target = target.trim_start_matches('/').to_owned();
    package.contains(&target).then_some(target)
}

/// Footnotes, endnotes and comments, then headers and footers in number
/// order: the parts with document text besides the body.
fn secondary_parts(names: &[String], main: &str) -> Vec<String> {
    let dir = main.rsplit_once('/').map_or("", |(dir, _)| dir);
    let in_dir = |name: &str| -> Option<String> {
        let rest = if dir.is_empty() {
            name
        } else {
            name.strip_prefix(dir)?.strip_prefix('/')?
        };
        (!rest.contains('/') && rest.ends_with(".xml")).then(|| rest.to_owned())
    };
    let mut notes = Vec::new();
    let mut margins = Vec::new();
    for name in names {
        let Some(file) = in_dir(name) else { continue };
        let stem = &file[..file.len() - ".xml".len()];
        let rank = match stem {
            "footnotes" => 0,
            "endnotes" => 1,
            "comments" => 2,
            _ => {
                for (kind, prefix) in [(0, "header"), (1, "footer")] {
                    if let Some(num) = stem.strip_prefix(prefix) {
                        if num.bytes().all(|b| b.is_ascii_digit()) {
                            let num: u32 = num.parse().unwrap_or(0);
                            margins.push(((kind, num), name.clone()));
                        }
                    }
                }
                continue;
            }
        };
        notes.push((rank, name.clone()));
    }
    notes.sort();
    margins.sort();
    notes
        .into_iter()
        .map(|(_, n)| n)
        .chain(margins.into_iter().map(|(_, n)| n))
        .collect()
}

/// Appends the text of one WordprocessingML part to `out`.
fn read_part<R: BufRead>(reader: &mut Reader<R>, out: &mut String) -> Result<(), quick_xml::Error> {
    let mut buf = Vec::new();
    let mut in_text = false;
    let mut run_depth = 0usize;
    let mut paragraph_depth = 0usize;
    let mut skip_depth = 0usize;
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
                b"Fallback" => skip_depth = 1,
                b"t" => in_text = true,
                b"r" => run_depth += 1,
                b"p" => {
                    // A text box's paragraphs sit inside a run of the
                    // paragraph that anchors it: give them their own lines.
                    if paragraph_depth > 0 && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    paragraph_depth += 1;
                }
                name => inline_mark(name, run_depth, out),
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"p" => out.push('\n'),
                name => inline_mark(name, run_depth, out),
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"r" => run_depth = run_depth.saturating_sub(1),
                b"p" => {
                    paragraph_depth = paragraph_depth.saturating_sub(1);
                    out.push('\n');
                }
                _ => {}
            },
            Event::Text(e) if in_text => out.push_str(&e.xml10_content()?),
            Event::CData(e) if in_text => out.push_str(&e.decode()?),
            Event::GeneralRef(r) if in_text => push_reference(out, &r),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// Elements inside a run that stand for a character.
fn inline_mark(name: &[u8], run_depth: usize, out: &mut String) {
    if run_depth == 0 {
        return;
    }
    match name {
        b"tab" | b"ptab" => out.push('\t'),
        b"br" | b"cr" => out.push('\n'),
        b"noBreakHyphen" => out.push('-'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::package::test_support::{zip_of, zip_with_repeated};
    use crate::extract::{extract_in_process as dispatch, Format};

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>"#
        )
    }

    fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let parts: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
        zip_of(&parts)
    }

    #[test]
    fn paragraphs_runs_tabs_and_breaks() {
        let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
            <w:r><w:t>Hello</w:t></w:r><w:r><w:t xml:space="preserve"> docx </w:t></w:r><w:r><w:tab/><w:t>world</w:t></w:r></w:p>
            <w:p><w:r><w:t>Fish &amp; chips &#8217;n&#x2019; more</w:t><w:br/><w:t>next line</w:t></w:r></w:p>
            <w:p/>
            <w:p><w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t>kept</w:t></w:r></w:p>"#;
        let bytes = docx(&[("word/document.xml", &document(body))]);
        let text = extract(bytes).unwrap();
        assert_eq!(
            text,
            "Hello docx \tworld\nFish & chips \u{2019}n\u{2019} more\nnext line\n\nkept\n"
        );
    }

    #[test]
    fn fallback_content_is_not_repeated() {
        let body = r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>in a box</w:t></mc:Choice>
            <mc:Fallback><w:pict><w:t>in a box</w:t></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#;
        let bytes = docx(&[("word/document.xml", &document(body))]);
        assert_eq!(extract(bytes).unwrap(), "in a box\n");
    }

    #[test]
    fn notes_headers_and_relationship_target() {
        let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document2.xml"/></Relationships>"#;
        let body = document("<w:p><w:r><w:t>Body text</w:t></w:r></w:p>");
        let notes = format!(
            r#"<w:footnotes {W}><w:footnote w:id="1"><w:p><w:r><w:t>A footnote</w:t></w:r></w:p></w:footnote></w:footnotes>"#
        );
        let header = format!(r#"<w:hdr {W}><w:p><w:r><w:t>Running head</w:t></w:r></w:p></w:hdr>"#);
        let bytes = docx(&[
            ("_rels/.rels", rels),
            ("word/header1.xml", &header),
            ("word/document2.xml", &body),
            ("word/footnotes.xml", &notes),
        ]);
        assert_eq!(
            extract(bytes).unwrap(),
            "Body text\nA footnote\nRunning head\n"
        );
    }

    #[test]
    fn dispatch_through_the_guard() {
        let bytes = docx(&[(
            "word/document.xml",
            &document("<w:p><w:r><w:t>via extract</w:t></w:r></w:p>"),
        )]);
        let got = dispatch(Format::Docx, bytes).unwrap();
        assert_eq!(got.text, "via extract\n");
        assert_eq!(got.extractor, "docx/1");
    }

    #[test]
    fn garbage_is_malformed() {
        let got = dispatch(Format::Docx, b"this is not a zip at all".to_vec());
        assert!(
            matches!(got, Err(ExtractError::Malformed { format: "docx", .. })),
            "{got:?}"
        );
    }

    #[test]
    fn missing_document_part_is_malformed() {
        let bytes = docx(&[("word/styles.xml", "<w:styles/>")]);
        match extract(bytes) {
            Err(ExtractError::Malformed { reason, .. }) => {
                assert!(reason.contains("word/document.xml"))
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn broken_xml_is_malformed() {
        let bytes = docx(&[(
            "word/document.xml",
            "<w:document><w:body><w:p><w:t>unfinished <<",
        )]);
        assert!(matches!(
            extract(bytes),
            Err(ExtractError::Malformed { .. })
        ));
    }

    /// A 24 MiB `word/document.xml` of one repeated paragraph, deflated to
    /// about 38 KiB. Checked in because deflating 24 MiB in a debug build
    /// takes longer than the test itself; `regenerate_bomb_fixture` rebuilds
    /// it.
    const BOMB: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extract/bomb.docx"
    ));

    fn bomb() -> Vec<u8> {
        let head = format!(r#"<w:document {W}><w:body>"#);
        let filler = format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", "a".repeat(4000));
        let times = (24 << 20) / filler.len();
        let tail = b"</w:body></w:document>";
        zip_with_repeated(
            "word/document.xml",
            head.as_bytes(),
            filler.as_bytes(),
            times,
            tail,
        )
    }

    #[test]
    #[ignore = "writes the fixture; run by hand after changing bomb()"]
    fn regenerate_bomb_fixture() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/extract/bomb.docx"
        );
        std::fs::write(path, bomb()).unwrap();
    }

    #[test]
    fn zip_bomb_is_too_large() {
        // The part inflates far past the cap for a package this small, and
        // reading must stop at the cap instead of inflating it all.
        let limit = crate::extract::package::expansion_limit(BOMB.len());
        assert!(limit < 24 << 20, "package of {} bytes", BOMB.len());
        let got = extract(BOMB.to_vec());
        assert!(
            matches!(got, Err(ExtractError::TooLarge { limit: l }) if l == limit),
            "{:?}",
            got.map(|t| t.len())
        );
    }
}
