//! PDF: the text of every page, through pdf_oxide.
//!
//! pdf_oxide was measured as the fastest pure-Rust extractor that survives
//! real-world files (no panics on a corpus of 155 PDFs), and it opens
//! documents from memory, so the guarded thread in `mod.rs` can own the
//! bytes. It already tries the empty user password on encrypted files, which
//! is how "encrypted" PDFs that only restrict printing or copying open like
//! any other; its `legacy-crypto` feature is enabled for that, because the
//! RC4 and AES-128 schemes most of those files use derive their keys with
//! MD5. A PDF that still needs a password is reported as
//! [`ExtractError::Encrypted`].
//!
//! Pages are joined with `"\n\x0c\n"`: a form feed on a line of its own
//! keeps page boundaries recoverable (page N starts after the N-1th form
//! feed) without disturbing line-based chunking. A page that fails to
//! extract is left empty rather than failing the whole document; only a
//! document where every page fails is [`ExtractError::Malformed`].
//!
//! pdf_oxide reconstructs damaged cross-reference tables by scanning for
//! objects, which could make it "open" bytes that are not a PDF at all; the
//! `%PDF-` header is therefore checked first, within the first 1024 bytes as
//! the specification allows.
//!
//! pdf_oxide parses arrays and dictionaries by recursion, one stack frame
//! set per level and no depth limit, so a file of a few hundred kilobytes
//! of `[` overflows any stack. The extractor process contains that crash,
//! but the file's own syntax gives it away cheaply: a linear pre-scan
//! ([`nesting_exceeds`]) measures how deep the arrays and dictionaries of
//! the uncompressed object syntax nest and refuses a file past
//! [`MAX_NESTING`] as malformed, before the library sees it. Real documents
//! nest a handful of levels (pdfium refuses more than 64, pdf_oxide's own
//! unused option defaults to 100). The scan cannot see inside compressed
//! object streams, nor an object that the cross-reference table places
//! inside another object's stream data; those stay the process guard's
//! job.

use pdf_oxide::error::Error as PdfError;
use pdf_oxide::PdfDocument;

use super::ExtractError;

/// Version of the PDF extractor: bump when its output changes.
pub(super) const EXTRACTOR_ID: &str = "pdf_oxide-0.3/2";

const FORMAT: &str = "pdf";

/// Between the text of two pages.
pub(super) const PAGE_SEPARATOR: &str = "\n\x0c\n";

/// How far into the file the `%PDF-` header may start.
const HEADER_WINDOW: usize = 1024;

/// How deep arrays and dictionaries may nest. Four times pdfium's limit;
/// pdf_oxide needs about a kilobyte of stack per level, so this is far
/// from any stack.
const MAX_NESTING: usize = 256;

#[cfg(test)]
pub(super) fn extract(bytes: Vec<u8>) -> Result<String, ExtractError> {
    extract_titled(bytes).map(|(text, _)| text)
}

/// The text of every page, and the document's `/Title`.
pub(super) fn extract_titled(bytes: Vec<u8>) -> Result<(String, Option<String>), ExtractError> {
    let window = &bytes[..bytes.len().min(HEADER_WINDOW)];
    if !window.windows(5).any(|w| w == b"%PDF-") {
        return Err(malformed("no %PDF- header"));
    }
    if nesting_exceeds(&bytes, MAX_NESTING) {
        return Err(malformed(format!("nesting deeper than {MAX_NESTING}")));
    }
    let doc = PdfDocument::from_bytes(bytes).map_err(open_error)?;
    if doc.is_encrypted() && !doc.is_authenticated() {
        return Err(ExtractError::Encrypted);
    }
    let title = info_title(&doc);
    let pages = doc.page_count().map_err(open_error)?;
    if pages == 0 {
        return Err(malformed("no pages"));
    }
    // Without table detection: it only lays table cells out in aligned
    // columns, which search does not need (every cell's words are there
    // either way), and it cost 8 % of a whole first index's CPU.
    let options = pdf_oxide::converters::ConversionOptions {
        extract_tables: false,
        ..Default::default()
    };
    let mut out = String::new();
    let mut first_failure = None;
    let mut failures = 0usize;
    for page in 0..pages {
        if page > 0 {
            out.push_str(PAGE_SEPARATOR);
        }
        match doc.extract_text_with_options(page, &options) {
            Ok(text) => out.push_str(text.trim_end_matches(['\n', '\r', ' ', '\x0c'])),
            Err(PdfError::EncryptedPdf) => return Err(ExtractError::Encrypted),
            Err(err) => {
                tracing::debug!(page, error = %err, "pdf page text failed");
                failures += 1;
                first_failure.get_or_insert_with(|| format!("page {}: {err}", page + 1));
            }
        }
    }
    if failures == pages {
        return Err(malformed(first_failure.unwrap_or_default()));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    Ok((out, title))
}

/// The `/Title` of the document information dictionary, if readable.
fn info_title(doc: &PdfDocument) -> Option<String> {
    let info = doc.trailer().as_dict()?.get("Info")?;
    let info = doc.resolve_object(info).ok()?;
    let title = info.as_dict()?.get("Title")?;
    let title = doc.resolve_object(title).ok()?;
    super::title::pdf_text_string(title.as_string()?)
}

/// True when arrays and dictionaries nest deeper than `limit` anywhere in
/// the object syntax of `bytes`, tokenized as the PDF library does: literal
/// strings (with their escapes and balanced parentheses), hex strings,
/// comments and names hold no structure, stream data is skipped up to
/// `endstream`, and `obj`/`endobj` start afresh, as the library's parse of
/// one object ends there. Unbalanced closers never go below zero, so a
/// damaged file cannot hide an opener run behind them.
fn nesting_exceeds(bytes: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let next = bytes.get(i + 1).copied();
        i = match bytes[i] {
            b'[' => {
                depth += 1;
                i + 1
            }
            b'<' if next == Some(b'<') => {
                depth += 1;
                i + 2
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b'>' if next == Some(b'>') => {
                depth = depth.saturating_sub(1);
                i + 2
            }
            b'<' => skip_past(bytes, i + 1, b">"),
            b'(' => skip_literal_string(bytes, i + 1),
            b'%' => skip_comment(bytes, i + 1),
            b'/' => skip_regular(bytes, i + 1),
            b if is_regular(b) => {
                let end = skip_regular(bytes, i);
                match &bytes[i..end] {
                    b"obj" | b"endobj" => {
                        depth = 0;
                        end
                    }
                    b"stream" => skip_past(bytes, end, b"endstream"),
                    _ => end,
                }
            }
            _ => i + 1,
        };
        if depth > limit {
            return true;
        }
    }
    false
}

/// Not white space and not a delimiter: part of a keyword, number or name.
fn is_regular(b: u8) -> bool {
    !matches!(
        b,
        b'\0'
            | b'\t'
            | b'\n'
            | b'\x0c'
            | b'\r'
            | b' '
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// Past the run of regular bytes starting at `from`.
fn skip_regular(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..].iter().take_while(|&&b| is_regular(b)).count()
}

/// Past the end of the line a comment starts on.
fn skip_comment(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n'))
        .map_or(bytes.len(), |at| from + at + 1)
}

/// Past the first `needle` at or after `from` (the end of `bytes` if there
/// is none).
fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map_or(bytes.len(), |at| from + at + needle.len())
}

/// Past the `)` that closes a literal string whose body starts at `from`:
/// parentheses nest, a backslash escapes the next byte.
fn skip_literal_string(bytes: &[u8], from: usize) -> usize {
    let mut open = 1usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => open += 1,
            b')' => {
                open -= 1;
                if open == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn open_error(err: PdfError) -> ExtractError {
    match err {
        PdfError::EncryptedPdf => ExtractError::Encrypted,
        err => malformed(err.to_string()),
    }
}

fn malformed(reason: impl Into<String>) -> ExtractError {
    ExtractError::Malformed {
        format: FORMAT,
        reason: reason.into(),
    }
}

#[cfg(test)]
pub(super) mod test_support {
    /// A PDF whose catalog holds an array nested `depth` deep inside an
    /// uncompressed object stream (found through a cross-reference
    /// stream): the nesting pre-scan skips stream data, so this reaches the
    /// PDF library, which recurses once per level.
    pub(crate) fn nested_array_in_object_stream(depth: usize) -> Vec<u8> {
        let mut catalog = b"1 0 << /Type /Catalog /Pages 2 0 R /X ".to_vec();
        catalog.extend(std::iter::repeat_n(b'[', depth));
        catalog.extend(std::iter::repeat_n(b']', depth));
        catalog.extend_from_slice(b" >>");
        let mut pdf = b"%PDF-1.5\n".to_vec();
        let pages = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
        let object_stream = pdf.len();
        pdf.extend_from_slice(
            format!(
                "3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length {} >>\nstream\n",
                catalog.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(&catalog);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        let xref = pdf.len();
        // (type, field 2, field 3) in 1 + 4 + 2 bytes: object 1 is the
        // first of object stream 3.
        let mut rows = Vec::new();
        for (kind, a, b) in [
            (0u8, 0u32, 65535u16),
            (2, 3, 0),
            (1, pages as u32, 0),
            (1, object_stream as u32, 0),
            (1, xref as u32, 0),
        ] {
            rows.push(kind);
            rows.extend_from_slice(&a.to_be_bytes());
            rows.extend_from_slice(&b.to_be_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(&rows);
        pdf.extend_from_slice(
            format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        pdf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract_in_process as dispatch, Format};

    /// Assembles a PDF from object bodies (object i+1 is `objects[i]`),
    /// computing the cross-reference offsets, with extra trailer entries.
    fn build_pdf(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut obj = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        obj.extend_from_slice(data);
        obj.extend_from_slice(b"\nendstream");
        obj
    }

    /// One page per content stream, Helvetica as /F1.
    fn pdf_with_pages(contents: &[&[u8]], trailer_extra: &str) -> Vec<u8> {
        let n = contents.len();
        // 1 catalog, 2 pages, 3 font, then (page, content) pairs.
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        ];
        for (i, content) in contents.iter().enumerate() {
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                    5 + 2 * i
                )
                .into_bytes(),
            );
            objects.push(stream("", content));
        }
        build_pdf(&objects, trailer_extra)
    }

    fn hello_pdf() -> Vec<u8> {
        pdf_with_pages(&[b"BT /F1 24 Tf 72 720 Td (Hello PDF world) Tj ET"], "")
    }

    #[test]
    fn one_page() {
        let text = extract(hello_pdf()).unwrap();
        assert_eq!(text.trim(), "Hello PDF world");
        assert!(!text.contains('\0'));
    }

    #[test]
    fn pages_are_separated_by_form_feeds() {
        let pdf = pdf_with_pages(
            &[
                b"BT /F1 12 Tf 72 720 Td (First page) Tj ET",
                b"BT /F1 12 Tf 72 720 Td (Second page) Tj ET",
            ],
            "",
        );
        let text = extract(pdf).unwrap();
        assert_eq!(text, "First page\n\x0c\nSecond page\n");
    }

    #[test]
    fn dispatch_through_the_guard() {
        let got = dispatch(Format::Pdf, hello_pdf()).unwrap();
        assert!(got.text.contains("Hello PDF world"), "{:?}", got.text);
        assert_eq!(got.extractor, "pdf_oxide-0.3/2");
    }

    #[test]
    fn truncated_pdf_is_malformed() {
        let pdf = hello_pdf();
        let got = dispatch(Format::Pdf, pdf[..40].to_vec());
        assert!(
            matches!(got, Err(ExtractError::Malformed { format: "pdf", .. })),
            "{got:?}"
        );
    }

    #[test]
    fn garbage_is_malformed() {
        // A deterministic pseudo-random byte soup (xorshift).
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let garbage: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let got = dispatch(Format::Pdf, garbage.clone());
        assert!(
            matches!(got, Err(ExtractError::Malformed { .. })),
            "{got:?}"
        );
        // The same soup behind a valid header must not panic or hang either.
        let mut headed = b"%PDF-1.7\n".to_vec();
        headed.extend_from_slice(&garbage);
        let got = dispatch(Format::Pdf, headed);
        assert!(
            matches!(got, Err(ExtractError::Malformed { .. })),
            "{got:?}"
        );
    }

    /// `hello_pdf` with `/X value` in its catalog.
    fn pdf_with_catalog_entry(value: &[u8]) -> Vec<u8> {
        let mut catalog = b"<< /Type /Catalog /Pages 2 0 R /X ".to_vec();
        catalog.extend_from_slice(value);
        catalog.extend_from_slice(b" >>");
        let content = b"BT /F1 24 Tf 72 720 Td (Hello PDF world) Tj ET";
        build_pdf(
            &[
                catalog,
                b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>".to_vec(),
                stream("", content),
            ],
            "",
        )
    }

    fn nested(open: &[u8], close: &[u8], depth: usize) -> Vec<u8> {
        let mut value = open.repeat(depth);
        value.extend_from_slice(&close.repeat(depth));
        value
    }

    /// The attack that once aborted the whole engine: the PDF library
    /// recurses once per level and would overflow this test thread's stack
    /// (aborting the test binary) if the pre-scan let it through.
    #[test]
    fn deep_nesting_is_refused_before_the_library() {
        let cases = [
            nested(b"[", b"]", 500_000),
            nested(b"<< /A ", b">>", 100_000),
            nested(b"[<</A ", b">>]", 50_000),
            b"[".repeat(100_000),
        ];
        for value in cases {
            let got = dispatch(Format::Pdf, pdf_with_catalog_entry(&value));
            match got {
                Err(ExtractError::Malformed {
                    format: "pdf",
                    reason,
                }) => {
                    assert_eq!(reason, "nesting deeper than 256")
                }
                other => panic!("expected Malformed, got {other:?}"),
            }
        }
    }

    /// What the scan cannot see: nesting inside an object stream. A file
    /// like this still overflows the library's stack; the extractor
    /// process contains it (`pool::tests::a_stack_overflow_fails_the_file_alone`).
    #[test]
    fn nesting_in_an_object_stream_passes_the_scan() {
        let pdf = test_support::nested_array_in_object_stream(500_000);
        assert!(!nesting_exceeds(&pdf, MAX_NESTING));
    }

    #[test]
    fn nesting_up_to_the_limit_opens() {
        let text = extract(pdf_with_catalog_entry(&nested(b"[", b"]", MAX_NESTING - 1))).unwrap();
        assert_eq!(text.trim(), "Hello PDF world");
    }

    #[test]
    fn brackets_outside_the_object_syntax_do_not_count() {
        let deep = "[".repeat(5000);
        let content =
            format!("% {deep}\nBT /F1 24 Tf 72 720 Td (Hello PDF world) Tj ({deep}) Tj ET");
        let escaped_name = "#5B".repeat(5000);
        let catalog_value = format!(
            "[({deep}) (\\) {deep}) <{}> /{escaped_name}]",
            "ab".repeat(10)
        );
        let objects = vec![
            format!("<< /Type /Catalog /Pages 2 0 R /X {catalog_value} >>").into_bytes(),
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>".to_vec(),
            stream("", content.as_bytes()),
        ];
        let text = extract(build_pdf(&objects, "")).unwrap();
        assert!(text.contains("Hello PDF world"), "{text:?}");
    }

    #[test]
    fn nesting_scan() {
        let exceeds = |s: &str, limit| nesting_exceeds(s.as_bytes(), limit);
        assert!(exceeds("[[[", 2));
        assert!(!exceeds("[[][]]", 2));
        assert!(exceeds("<</A<</B<</C", 2));
        assert!(!exceeds("<</A<</B>>>><</C<<>>>>", 2));
        // Closers never go below zero.
        assert!(exceeds("]]]]]][[[", 2));
        // Each object is parsed on its own.
        assert!(!exceeds("1 0 obj [[ endobj 2 0 obj [[ endobj", 3));
        assert!(exceeds("1 0 obj [[ endobj 2 0 obj [[[[ endobj", 3));
        // Strings, comments, hex strings, names and stream data hold none.
        assert!(!exceeds("([[[[ (nested) [[[[)", 2));
        assert!(!exceeds(r"(\) [[[[)", 2));
        assert!(exceeds(r"(\\) [[[[", 2));
        assert!(!exceeds("%[[[[\n[", 1));
        assert!(!exceeds("<5b5b5b> /a[ ", 1));
        assert!(!exceeds("<< /Length 4 >> stream\n[[[[\nendstream", 2));
        assert!(exceeds("<< /Length 4 >> stream\n[[[[\nendstream [[[", 2));
        // Unterminated constructs end the scan, they do not loop.
        for s in ["(", "<", "%", "/", "stream", "(\\"] {
            assert!(!exceeds(s, 1));
        }
    }

    #[test]
    fn password_protected_pdf_is_encrypted() {
        // Standard security handler, revision 2, whose /U entry does not
        // match the empty password: opening needs a password we don't have.
        let u = "1".repeat(64);
        let o = "2".repeat(64);
        let encrypt = format!("/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{o}> /U <{u}> >> /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]");
        let pdf = pdf_with_pages(&[b"BT /F1 24 Tf 72 720 Td (secret) Tj ET"], &encrypt);
        let got = dispatch(Format::Pdf, pdf);
        assert!(matches!(got, Err(ExtractError::Encrypted)), "{got:?}");
    }

    /// RC4, for building an encrypted fixture.
    fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut s: Vec<u8> = (0..=255).collect();
        let mut j = 0u8;
        for i in 0..256 {
            j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
            s.swap(i, j as usize);
        }
        let (mut i, mut j) = (0u8, 0u8);
        data.iter()
            .map(|&b| {
                i = i.wrapping_add(1);
                j = j.wrapping_add(s[i as usize]);
                s.swap(i as usize, j as usize);
                b ^ s[(s[i as usize].wrapping_add(s[j as usize])) as usize]
            })
            .collect()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn empty_user_password_pdf_opens() {
        // The common "encrypted" PDF: RC4 40-bit (revision 2) with an owner
        // password only, so anyone may read it. Built per PDF 1.7 §7.6.3.
        use md5::{Digest, Md5};
        const PAD: [u8; 32] = [
            0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA,
            0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE,
            0x64, 0x53, 0x69, 0x7A,
        ];
        let id = [0x5Au8; 16];
        let p: i32 = -44;
        // Algorithm 3: /O from the owner password "owner".
        let mut owner = b"owner".to_vec();
        owner.extend_from_slice(&PAD[..32 - owner.len()]);
        let owner_key = &Md5::digest(&owner)[..5];
        let o = rc4(owner_key, &PAD);
        // Algorithm 2: the file key from the empty user password.
        let mut h = Md5::new();
        h.update(PAD);
        h.update(&o);
        h.update(p.to_le_bytes());
        h.update(id);
        let key = h.finalize()[..5].to_vec();
        // Algorithm 4: /U.
        let u = rc4(&key, &PAD);
        let object_key = |num: u32| {
            let mut k = key.clone();
            k.extend_from_slice(&num.to_le_bytes()[..3]);
            k.extend_from_slice(&[0, 0]);
            Md5::digest(&k)[..10].to_vec()
        };
        let content = rc4(
            &object_key(5),
            b"BT /F1 24 Tf 72 720 Td (Readable secret) Tj ET",
        );
        let objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>".to_vec(),
            stream("", &content),
            format!("<< /Filter /Standard /V 1 /R 2 /Length 40 /P {p} /O <{}> /U <{}> >>", hex(&o), hex(&u)).into_bytes(),
        ];
        let trailer = format!("/Encrypt 6 0 R /ID [<{0}> <{0}>]", hex(&id));
        let pdf = build_pdf(&objects, &trailer);
        let text = extract(pdf).unwrap();
        assert_eq!(text.trim(), "Readable secret");
    }
}
