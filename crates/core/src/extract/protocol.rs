//! The pipe protocol between the engine and an extractor process.
//!
//! One request, one answer, in order, over the child's stdin and stdout:
//!
//! ```text
//! request:  b'X' · format (u8) · cpu budget in s (u32) · length (u64) · bytes
//! answer:   b'T' · extractor id (string) · text (string) · title (string, empty: none)
//!           b'E' · kind (u8) · fields of the kind                 — ExtractError
//! string:   length (u64) · UTF-8 bytes
//! ```
//!
//! Integers are little-endian. Both sides read defensively: a length is
//! checked against a cap before anything is allocated, and text is
//! validated as UTF-8. The engine treats the extractor as compromised by
//! the file it parses (that is why it runs in a process of its own), so a
//! malformed answer is a failure of that file, never a panic or an
//! allocation the child chose.

use std::io::{self, Read, Write};

use super::{ExtractError, Extracted, Format};

/// The largest answer string the engine accepts (extracted text is far
/// smaller than the files it comes from, which are capped at
/// `index.max_file_mb`).
pub(super) const MAX_ANSWER_BYTES: u64 = 1 << 30;

const REQUEST: u8 = b'X';
const TEXT: u8 = b'T';
const ERROR: u8 = b'E';

/// One request as the child reads it.
#[derive(Debug)]
pub(super) struct Request {
    pub format: Format,
    pub cpu_budget_s: u32,
    pub bytes: Vec<u8>,
}

/// Writes a request.
pub(super) fn write_request(
    out: &mut impl Write,
    format: Format,
    cpu_budget_s: u32,
    bytes: &[u8],
) -> io::Result<()> {
    let mut head = Vec::with_capacity(14);
    head.push(REQUEST);
    head.push(format_code(format));
    head.extend_from_slice(&cpu_budget_s.to_le_bytes());
    head.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.write_all(&head)?;
    out.write_all(bytes)?;
    out.flush()
}

/// Reads a request; `None` at a clean end of input (the engine closed the
/// pipe: time to exit).
pub(super) fn read_request(input: &mut impl Read, max_bytes: u64) -> io::Result<Option<Request>> {
    let mut tag = [0u8; 1];
    match input.read(&mut tag)? {
        0 => return Ok(None),
        _ if tag[0] != REQUEST => return Err(invalid("not a request")),
        _ => {}
    }
    let format = format_from_code(read_u8(input)?).ok_or_else(|| invalid("unknown format"))?;
    let cpu_budget_s = read_u32(input)?;
    let len = read_u64(input)?;
    if len > max_bytes {
        return Err(invalid("request larger than the memory limit"));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    input.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(Request {
        format,
        cpu_budget_s,
        bytes,
    }))
}

/// Writes an answer.
pub(super) fn write_answer(
    out: &mut impl Write,
    answer: &Result<Extracted, ExtractError>,
) -> io::Result<()> {
    let mut buf = Vec::new();
    match answer {
        Ok(extracted) => {
            buf.push(TEXT);
            put_str(&mut buf, extracted.extractor);
            put_str(&mut buf, &extracted.text);
            put_str(&mut buf, extracted.title.as_deref().unwrap_or(""));
        }
        Err(err) => {
            buf.push(ERROR);
            match err {
                ExtractError::Binary => buf.push(1),
                ExtractError::Encrypted => buf.push(2),
                ExtractError::Malformed { format, reason } => {
                    buf.push(3);
                    put_str(&mut buf, format);
                    put_str(&mut buf, reason);
                }
                ExtractError::TooLarge { limit } => {
                    buf.push(4);
                    buf.extend_from_slice(&limit.to_le_bytes());
                }
                // Panics, and anything only the engine side can observe
                // (it never crosses the pipe), travel as a message.
                other => {
                    buf.push(5);
                    put_str(&mut buf, &other.to_string());
                }
            }
        }
    }
    out.write_all(&buf)?;
    out.flush()
}

/// Reads an answer for a request of `format`.
pub(super) fn read_answer(
    input: &mut impl Read,
    format: Format,
) -> io::Result<Result<Extracted, ExtractError>> {
    match read_u8(input)? {
        TEXT => {
            let extractor = read_string(input)?;
            // The id must be the one this engine knows for the format: an
            // extractor of another version would store text under the
            // wrong id.
            if extractor != super::extractor_id(format) {
                return Err(invalid("answer from another extractor version"));
            }
            let text = read_string(input)?;
            let title = read_string(input)?;
            Ok(Ok(Extracted {
                text,
                extractor: super::extractor_id(format),
                title: super::title::clean(&title),
            }))
        }
        ERROR => Ok(Err(match read_u8(input)? {
            1 => ExtractError::Binary,
            2 => ExtractError::Encrypted,
            3 => {
                let claimed = read_string(input)?;
                ExtractError::Malformed {
                    format: static_format_name(&claimed),
                    reason: read_string(input)?,
                }
            }
            4 => ExtractError::TooLarge {
                limit: read_u64(input)?,
            },
            5 => ExtractError::Panicked {
                message: read_string(input)?,
            },
            _ => return Err(invalid("unknown error kind")),
        })),
        _ => Err(invalid("not an answer")),
    }
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn read_string(input: &mut impl Read) -> io::Result<String> {
    let len = read_u64(input)?;
    if len > MAX_ANSWER_BYTES {
        return Err(invalid("answer string over the cap"));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    input.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    String::from_utf8(bytes).map_err(|_| invalid("answer is not UTF-8"))
}

fn read_u8(input: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    input.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32(input: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    input.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(input: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    input.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// `Malformed::format` is a `&'static str`; an answer can only name one of
/// the formats this engine has.
fn static_format_name(name: &str) -> &'static str {
    match name {
        "pdf" => "pdf",
        "docx" => "docx",
        "odt" => "odt",
        "html" => "html",
        "text" => "text",
        _ => "document",
    }
}

fn format_code(format: Format) -> u8 {
    match format {
        Format::Text => 1,
        Format::Html => 2,
        Format::Pdf => 3,
        Format::Docx => 4,
        Format::Odt => 5,
        Format::Sniff => 6,
        Format::NoText => 7,
    }
}

fn format_from_code(code: u8) -> Option<Format> {
    Some(match code {
        1 => Format::Text,
        2 => Format::Html,
        3 => Format::Pdf,
        4 => Format::Docx,
        5 => Format::Odt,
        6 => Format::Sniff,
        7 => Format::NoText,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(answer: Result<Extracted, ExtractError>, format: Format) -> String {
        let mut buf = Vec::new();
        write_answer(&mut buf, &answer).unwrap();
        match read_answer(&mut buf.as_slice(), format).unwrap() {
            Ok(extracted) => format!("text {:?} by {}", extracted.text, extracted.extractor),
            Err(err) => format!("error {err}"),
        }
    }

    #[test]
    fn requests_round_trip() {
        let mut buf = Vec::new();
        write_request(&mut buf, Format::Pdf, 60, b"%PDF-1.4 ...").unwrap();
        let request = read_request(&mut buf.as_slice(), 1 << 20).unwrap().unwrap();
        assert_eq!(request.format, Format::Pdf);
        assert_eq!(request.cpu_budget_s, 60);
        assert_eq!(request.bytes, b"%PDF-1.4 ...");
        assert!(read_request(&mut [].as_slice(), 1 << 20).unwrap().is_none());
    }

    #[test]
    fn a_request_over_the_cap_is_refused_before_allocating() {
        let mut buf = Vec::new();
        write_request(&mut buf, Format::Pdf, 60, &[0u8; 100]).unwrap();
        assert!(read_request(&mut buf.as_slice(), 99).is_err());
    }

    #[test]
    fn answers_round_trip() {
        let text = Extracted {
            text: "héllo\nwörld".into(),
            extractor: super::super::extractor_id(Format::Html),
            title: None,
        };
        assert_eq!(
            round_trip(Ok(text), Format::Html),
            "text \"héllo\\nwörld\" by html/1"
        );
        let malformed = ExtractError::Malformed {
            format: "pdf",
            reason: "no pages".into(),
        };
        assert_eq!(
            round_trip(Err(malformed), Format::Pdf),
            "error malformed pdf: no pages"
        );
        assert_eq!(
            round_trip(Err(ExtractError::Encrypted), Format::Pdf),
            "error encrypted document"
        );
        assert_eq!(
            round_trip(Err(ExtractError::TooLarge { limit: 7 }), Format::Docx),
            "error document expands past 7 bytes"
        );
    }

    #[test]
    fn a_hostile_answer_is_an_error_not_a_panic() {
        // A length of 2^63 must not be allocated.
        let mut huge = vec![TEXT];
        huge.extend_from_slice(&(1u64 << 63).to_le_bytes());
        assert!(read_answer(&mut huge.as_slice(), Format::Pdf).is_err());
        // Not UTF-8.
        let mut buf = vec![TEXT];
        put_str(&mut buf, super::super::extractor_id(Format::Pdf));
        buf.extend_from_slice(&2u64.to_le_bytes());
        buf.extend_from_slice(&[0xff, 0xfe]);
        assert!(read_answer(&mut buf.as_slice(), Format::Pdf).is_err());
        // Another extractor's id.
        let mut buf = vec![TEXT];
        put_str(&mut buf, "pdf_oxide-0.0/0");
        put_str(&mut buf, "text");
        put_str(&mut buf, "");
        assert!(read_answer(&mut buf.as_slice(), Format::Pdf).is_err());
        // Cut short, and garbage.
        assert!(read_answer(&mut [TEXT, 1, 2].as_slice(), Format::Pdf).is_err());
        assert!(read_answer(&mut b"zzz".as_slice(), Format::Pdf).is_err());
    }
}
