//! Office documents (DOCX, ODT) are zip packages of XML parts; this is the
//! shared, defensive way of reading them.
//!
//! The danger in a zip is its expansion: a few hundred kilobytes can inflate
//! to gigabytes. So every part is read through one [`Expansion`] budget per
//! document, capped at 64 times the package size (a generous ratio for real
//! XML) but never less than 16 MiB, so small documents with repetitive XML
//! still pass, nor more than 256 MiB. Parts are streamed straight into the
//! XML parser rather than inflated into memory first, so a big document
//! never holds its whole XML at once.
//!
//! The XML helpers here resolve the few references quick-xml reports as
//! separate events (character references and the five predefined entities),
//! which both formats need identically.

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read};

use quick_xml::events::BytesRef;
use quick_xml::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::ExtractError;

const MIN_EXPANSION: u64 = 16 << 20;
const MAX_EXPANSION: u64 = 256 << 20;
const EXPANSION_RATIO: u64 = 64;

/// The magic number of OLE compound files. Password-protected OOXML
/// documents are not zips at all but an OLE file wrapping the encrypted
/// package, so this is how an encrypted `.docx` shows itself.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// How many decompressed bytes a package of `package_len` bytes may expand
/// to, all parts together.
pub(super) fn expansion_limit(package_len: usize) -> u64 {
    (package_len as u64)
        .saturating_mul(EXPANSION_RATIO)
        .clamp(MIN_EXPANSION, MAX_EXPANSION)
}

/// The remaining decompression budget of one document.
pub(super) struct Expansion {
    limit: u64,
    remaining: Cell<u64>,
    exceeded: Cell<bool>,
}

impl Expansion {
    pub(super) fn new(limit: u64) -> Self {
        Expansion {
            limit,
            remaining: Cell::new(limit),
            exceeded: Cell::new(false),
        }
    }

    /// The error to report when a read failed because the budget ran out.
    pub(super) fn exceeded(&self) -> Option<ExtractError> {
        self.exceeded
            .get()
            .then_some(ExtractError::TooLarge { limit: self.limit })
    }
}

/// A reader that fails once its document's expansion budget is spent. The
/// failure surfaces as an XML I/O error; [`Expansion::exceeded`] tells it
/// apart from real corruption.
struct Capped<'a, R> {
    inner: R,
    budget: &'a Expansion,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let remaining = self.budget.remaining.get();
        if n as u64 > remaining {
            self.budget.exceeded.set(true);
            self.budget.remaining.set(0);
            return Err(io::Error::other("decompression budget exceeded"));
        }
        self.budget.remaining.set(remaining - n as u64);
        Ok(n)
    }
}

/// An opened office package.
pub(super) struct Package {
    archive: ZipArchive<Cursor<Vec<u8>>>,
    budget: Expansion,
    format: &'static str,
}

impl Package {
    /// Opens the zip; `format` names the document type in errors.
    pub(super) fn open(bytes: Vec<u8>, format: &'static str) -> Result<Self, ExtractError> {
        if bytes.starts_with(&OLE_MAGIC) {
            return Err(ExtractError::Encrypted);
        }
        let budget = Expansion::new(expansion_limit(bytes.len()));
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(format, e))?;
        Ok(Package {
            archive,
            budget,
            format,
        })
    }

    /// The names of all entries, in archive order.
    pub(super) fn names(&self) -> Vec<String> {
        self.archive.file_names().map(str::to_owned).collect()
    }

    /// True when the package has an entry of this name.
    pub(super) fn contains(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// Streams one XML part through `parse`, which gets a quick-xml reader
    /// over the decompressed bytes. A missing part, a zip error or an XML
    /// error is `Malformed`; running out of expansion budget is `TooLarge`.
    pub(super) fn parse_xml<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&mut Reader<BufReader<&mut dyn Read>>) -> Result<T, quick_xml::Error>,
    ) -> Result<T, ExtractError> {
        let format = self.format;
        let entry = self.archive.by_name(name).map_err(|e| match e {
            ZipError::FileNotFound => ExtractError::Malformed {
                format,
                reason: format!("missing {name}"),
            },
            e => zip_error(format, e),
        })?;
        let mut capped = Capped {
            inner: entry,
            budget: &self.budget,
        };
        let read: &mut dyn Read = &mut capped;
        let mut reader = Reader::from_reader(BufReader::new(read));
        let config = reader.config_mut();
        // Be lenient with what a sloppy producer writes: only text matters.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        let result = parse(&mut reader);
        drop(reader);
        if let Some(too_large) = self.budget.exceeded() {
            return Err(too_large);
        }
        result.map_err(|e| ExtractError::Malformed {
            format,
            reason: format!("{name}: {e}"),
        })
    }
}

/// Streams every part of the package at `bytes` through the XML reader
/// under one expansion budget, as DOCX and ODT read the parts they know:
/// the zip and XML layers alone, whatever the parts are called. Only
/// [`TooLarge`](ExtractError::TooLarge) and an unopenable package are
/// errors; a part that is not XML is skipped, as the extractors skip a
/// broken secondary part. For the `zip` fuzz target.
pub(super) fn read_every_part(bytes: Vec<u8>) -> Result<(), ExtractError> {
    let mut package = Package::open(bytes, "zip")?;
    for name in package.names() {
        let drained = package.parse_xml(&name, |reader| {
            let mut buf = Vec::new();
            while !matches!(
                reader.read_event_into(&mut buf)?,
                quick_xml::events::Event::Eof
            ) {
                buf.clear();
            }
            Ok(())
        });
        if let Err(too_large @ ExtractError::TooLarge { .. }) = drained {
            return Err(too_large);
        }
    }
    Ok(())
}

fn zip_error(format: &'static str, err: ZipError) -> ExtractError {
    match err {
        ZipError::UnsupportedArchive(msg) if msg == ZipError::PASSWORD_REQUIRED => {
            ExtractError::Encrypted
        }
        ZipError::InvalidPassword => ExtractError::Encrypted,
        err => ExtractError::Malformed {
            format,
            reason: err.to_string(),
        },
    }
}

/// Appends the text of a character or entity reference. Unknown named
/// entities (only possible with a DTD, which office XML does not use) are
/// dropped.
pub(super) fn push_reference(out: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        if c != '\0' {
            out.push(c);
        }
        return;
    }
    let s = match &**reference {
        b"amp" => "&",
        b"lt" => "<",
        b"gt" => ">",
        b"quot" => "\"",
        b"apos" => "'",
        _ => return,
    };
    out.push_str(s);
}

#[cfg(test)]
pub(super) mod test_support {
    //! Builds small zip packages in memory for the docx and odt tests.

    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    /// A zip holding `parts` (name, content), deflated.
    pub(crate) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in parts {
            let options =
                SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// A zip holding one part that streams `filler` repeated `times` times
    /// between `head` and `tail`, without building it in memory first.
    pub(crate) fn zip_with_repeated(
        name: &str,
        head: &[u8],
        filler: &[u8],
        times: usize,
        tail: &[u8],
    ) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6));
        writer.start_file(name, options).unwrap();
        writer.write_all(head).unwrap();
        let block = filler
            .repeat(64 * 1024 / filler.len().max(1))
            .into_boxed_slice();
        let per_block = block.len() / filler.len();
        let mut left = times;
        while left >= per_block {
            writer.write_all(&block).unwrap();
            left -= per_block;
        }
        for _ in 0..left {
            writer.write_all(filler).unwrap();
        }
        writer.write_all(tail).unwrap();
        writer.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_scales_with_size_within_bounds() {
        assert_eq!(expansion_limit(10), MIN_EXPANSION);
        assert_eq!(expansion_limit(1 << 20), 64 << 20);
        assert_eq!(expansion_limit(100 << 20), MAX_EXPANSION);
    }

    #[test]
    fn capped_reader_stops_at_the_budget() {
        let budget = Expansion::new(10);
        let mut reader = Capped {
            inner: &[7u8; 64][..],
            budget: &budget,
        };
        let mut sink = Vec::new();
        assert!(reader.read_to_end(&mut sink).is_err());
        assert!(matches!(
            budget.exceeded(),
            Some(ExtractError::TooLarge { limit: 10 })
        ));
    }

    #[test]
    fn ole_file_is_an_encrypted_office_document() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 504]);
        assert!(matches!(
            Package::open(bytes, "docx"),
            Err(ExtractError::Encrypted)
        ));
    }
}
