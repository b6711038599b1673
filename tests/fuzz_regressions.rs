//! Replays what the fuzzers found or start from through the engine's
//! extraction entry point and the query parser: the crash reproducers
//! (`tests/fixtures/fuzz/TARGET/*`), so a fixed crash stays fixed, and the
//! committed seeds (`fuzz/seeds/TARGET/*`: small real documents and the
//! hostile ones, deep nesting first), so a change that breaks on one is
//! caught without running a fuzzer. Runs in `cargo test`; the fuzzers
//! themselves live in `fuzz/` (see its README). The corpus a fuzzer grows
//! (`fuzz/corpus/`) stays on the machine that ran it and is not replayed
//! here. `tests/fixtures/fuzz/open/` holds findings in the PDF library we
//! cannot fix: not replayed.
//!
//! `cargo test -p gleaner-cli --test fuzz_regressions -- --ignored` writes
//! the generated seeds (documents built here and by `common::fixtures`)
//! into `fuzz/seeds/`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gleaner_core::extract::{extract, ExtractError, ExtractLimits, Format};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/fuzz")
}

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds")
}

/// Each extracting fuzz target and the formats its files are replayed as:
/// `zip` feeds the package reader that DOCX and ODT share, so its files go
/// through both; `sniff` inputs are made non-UTF-8 first, as the target
/// does.
const TARGETS: [(&str, &[Format]); 7] = [
    ("pdf", &[Format::Pdf]),
    ("docx", &[Format::Docx]),
    ("odt", &[Format::Odt]),
    ("zip", &[Format::Docx, Format::Odt]),
    ("html", &[Format::Html]),
    ("text", &[Format::Text]),
    ("sniff", &[Format::Sniff]),
];

/// The reproducers, then the seeds, of one target.
fn files_of(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in [fixtures(), seeds()] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// The `sniff` fuzz target's transformation (`fuzz/src/lib.rs`,
/// `legacy_bytes`): NUL bytes become 0x80 and valid UTF-8 gets a trailing
/// 0xFF, so every input reaches encoding detection.
fn legacy_bytes(data: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = data
        .iter()
        .map(|&b| if b == 0 { 0x80 } else { b })
        .collect();
    if std::str::from_utf8(&bytes).is_ok() {
        bytes.push(0xFF);
    }
    bytes
}

/// Through the engine's entry point, so the parsers run in extractor
/// processes as they do when indexing: every input must come back with an
/// answer (text or the file's own error), none may crash, hang or exhaust
/// its process. The `zip` files also go through the package reader alone,
/// in this process, as the `zip` target runs it.
#[test]
fn extractors_survive_every_kept_input() {
    gleaner_core::extract::set_extractor_program(env!("CARGO_BIN_EXE_gleaner").into());
    let limits = ExtractLimits {
        timeout: Duration::from_secs(20),
        ..ExtractLimits::default()
    };
    let mut replayed = 0;
    for (target, formats) in TARGETS {
        for file in files_of(target) {
            let mut bytes = std::fs::read(&file).unwrap();
            if target == "sniff" {
                bytes = legacy_bytes(&bytes);
            }
            if target == "zip" {
                let read = gleaner_core::extract::read_package_in_process(bytes.clone());
                if let Err(ExtractError::Panicked { message }) = read {
                    panic!("{}: the package reader panicked: {message}", file.display())
                }
            }
            for &format in formats {
                match extract(format, bytes.clone(), &limits) {
                    Err(err @ ExtractError::TimedOut { .. })
                    | Err(err @ ExtractError::Crashed { .. })
                    | Err(err @ ExtractError::Unavailable { .. }) => {
                        panic!("{} as {format}: {err}", file.display())
                    }
                    Err(ExtractError::Panicked { message }) if format != Format::Pdf => {
                        panic!("{}: the extractor panicked: {message}", file.display())
                    }
                    _ => {}
                }
                replayed += 1;
            }
        }
    }
    println!("replayed {replayed} kept fuzz inputs");
}

/// What the parser accepts must analyse without a panic and, written as an
/// FTS5 expression (the answer of an upgraded index while its search index
/// is built), be valid FTS5, as the `query` fuzz target checks.
#[test]
fn the_query_parser_survives_every_kept_input() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
         INSERT INTO t(text) VALUES ('borrow checker café running');",
    )
    .unwrap();
    for file in files_of("query") {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(query) = gleaner_core::search::parse(&String::from_utf8_lossy(&bytes)) else {
            continue;
        };
        analyse_atoms(&query);
        let Some(expression) = gleaner_core::search::legacy::expression(&query) else {
            continue;
        };
        let result: rusqlite::Result<i64> = db.query_row(
            "SELECT count(*) FROM t WHERE t MATCH ?1",
            [&expression],
            |r| r.get(0),
        );
        if let Err(err) = result {
            panic!("{}: FTS5 refuses the parsed query: {err}", file.display());
        }
    }
}

/// Every atom through the analyzer, as a search would.
fn analyse_atoms(query: &gleaner_core::search::ParsedQuery) {
    use gleaner_core::search::query::Atom;
    let mut analyzer = gleaner_core::search::analysis::Analyzer::new();
    for atom in query.atoms().chain(&query.excluded) {
        match atom {
            Atom::Word(t) | Atom::Name(t) => {
                analyzer.word_terms(t);
                analyzer.phrase_terms(t);
            }
            Atom::Phrase(t) => {
                analyzer.phrase_terms(t);
            }
            Atom::Prefix(t) => {
                analyzer.prefix_term(t);
            }
        }
    }
}

#[test]
#[ignore = "writes the fuzzers' seeds; run by hand"]
fn write_fuzz_seeds() {
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = seeds().join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    write(
        "pdf",
        "hello.pdf",
        &common::fixtures::pdf("hello fuzzing world"),
    );
    write(
        "docx",
        "two.docx",
        &common::fixtures::docx(&["first", "second"]),
    );
    write(
        "odt",
        "two.odt",
        &common::fixtures::odt(&["first", "second"]),
    );
    write(
        "html",
        "page.html",
        b"<html><head><title>t</title><style>p{}</style></head><body><p>a &amp; b<br>c</p><script>x</script></body></html>",
    );
    write("text", "latin1.txt", b"caf\xe9 cr\xe8me br\xfbl\xe9e\n");
    write("text", "utf16.txt", b"\xff\xfeh\x00i\x00\n\x00");
    write(
        "query",
        "mixed.txt",
        b"\"exact phrase\" prefix* -excluded a OR b C++ don't",
    );
    for (target, name, bytes) in hostile_seeds() {
        write(target, &name, &bytes);
    }
}

/// The hostile seeds, deep nesting first: what once crashed a parser, or
/// would if a guard were missing. Each is small on disk (nesting inside a
/// zip deflates to almost nothing), the PDF ones aside.
fn hostile_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| {
        seeds.push((target, name.to_owned(), bytes));
    };

    // PDF: the library recurses once per level of its object syntax.
    add(
        "pdf",
        "nested-array-500k.pdf",
        pdf_with_catalog_value(&nested(b"[", b"]", 500_000)),
    );
    add(
        "pdf",
        "nested-dict-5k.pdf",
        pdf_with_catalog_value(&nested(b"<< /A ", b">>", 5_000)),
    );
    add(
        "pdf",
        "nested-array-dict-3k.pdf",
        pdf_with_catalog_value(&nested(b"[<< /A ", b">>]", 3_000)),
    );
    add(
        "pdf",
        "unclosed-array-at-eof.pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /X "
            .iter()
            .chain(&b"[".repeat(10_000))
            .copied()
            .collect(),
    );
    add(
        "pdf",
        "long-line.pdf",
        common::fixtures::pdf(&"longline".repeat(2 * 1024)),
    );

    // DOCX and ODT: nesting, entity expansion and expansion ratio in the
    // XML of a part.
    let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;
    let docx_body = |body: &[u8]| {
        let mut xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>"#)
            .into_bytes();
        xml.extend_from_slice(body);
        xml.extend_from_slice(b"</w:body></w:document>");
        zip_of(&[("word/document.xml", &xml)], true)
    };
    add(
        "docx",
        "nested-paragraphs-100k.docx",
        docx_body(&nested_around(
            b"<w:p>",
            b"<w:r><w:t>deep</w:t></w:r>",
            b"</w:p>",
            100_000,
        )),
    );
    add(
        "docx",
        "nested-runs-100k.docx",
        docx_body(&nested_around(
            b"<w:r>",
            b"<w:t>deep</w:t><w:tab/>",
            b"</w:r>",
            100_000,
        )),
    );
    add(
        "docx",
        "nested-fallback-100k.docx",
        docx_body(&nested_around(
            b"<mc:Fallback>",
            b"<w:t>skipped</w:t>",
            b"</mc:Fallback>",
            100_000,
        )),
    );
    add(
        "docx",
        "unclosed-paragraphs-100k.docx",
        docx_body(&b"<w:p><w:r><w:t>x</w:t>".repeat(100_000)),
    );
    add("docx", "billion-laughs.docx", {
        let xml = billion_laughs(
            &format!(
                r#"<w:document {w}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"#
            ),
            "w:document",
        );
        zip_of(&[("word/document.xml", &xml)], true)
    });
    add(
        "docx",
        "zip-bomb-32m.docx",
        docx_body(
            &[
                b"<w:p><w:r><w:t>".as_slice(),
                &b"a".repeat(32 << 20),
                b"</w:t></w:r></w:p>",
            ]
            .concat(),
        ),
    );
    add(
        "docx",
        "long-line.docx",
        docx_body(
            &[
                b"<w:p><w:r><w:t>".as_slice(),
                &b"wordy ".repeat(200_000),
                b"</w:t></w:r></w:p>",
            ]
            .concat(),
        ),
    );

    let odt_content = |body: &[u8]| {
        let mut xml = br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>"#.to_vec();
        xml.extend_from_slice(body);
        xml.extend_from_slice(b"</office:text></office:body></office:document-content>");
        zip_of(
            &[
                ("mimetype", b"application/vnd.oasis.opendocument.text"),
                ("content.xml", &xml),
            ],
            true,
        )
    };
    add(
        "odt",
        "nested-spans-100k.odt",
        odt_content(&nested_around(
            b"<text:p><text:span>",
            b"deep",
            b"</text:span></text:p>",
            100_000,
        )),
    );
    add(
        "odt",
        "nested-paragraphs-100k.odt",
        odt_content(&nested_around(b"<text:p>", b"deep", b"</text:p>", 100_000)),
    );
    add(
        "odt",
        "nested-annotations-100k.odt",
        odt_content(&nested_around(
            b"<text:p><office:annotation>",
            b"note",
            b"</office:annotation></text:p>",
            100_000,
        )),
    );
    add(
        "odt",
        "many-spaces.odt",
        odt_content(
            &[
                b"<text:p>".as_slice(),
                &br#"<text:s text:c="4294967295"/>"#.repeat(20_000),
                b"</text:p>",
            ]
            .concat(),
        ),
    );
    add("odt", "billion-laughs.odt", {
        let xml = billion_laughs(
            r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>&lol9;</text:p></office:text></office:body></office:document-content>"#,
            "office:document-content",
        );
        zip_of(
            &[
                ("mimetype", b"application/vnd.oasis.opendocument.text"),
                ("content.xml", &xml),
            ],
            true,
        )
    });
    add(
        "odt",
        "zip-bomb-32m.odt",
        odt_content(&[b"<text:p>".as_slice(), &b" ".repeat(32 << 20), b"</text:p>"].concat()),
    );

    // The zip container itself: what the package reader must refuse or
    // cap whatever the parts are.
    add(
        "zip",
        "overlapping-entries.zip",
        overlapping_entries_zip(500),
    );
    add("zip", "many-entries.zip", {
        let names: Vec<String> = (0..250).map(|i| format!("{i}.xml")).collect();
        let parts: Vec<(&str, &[u8])> = names
            .iter()
            .map(|n| (n.as_str(), b"<a/>".as_slice()))
            .collect();
        zip_of(&parts, false)
    });
    add(
        "zip",
        "nested-elements-100k.zip",
        zip_of(
            &[(
                "word/document.xml",
                &nested_around(b"<a>", b"deep", b"</a>", 100_000),
            )],
            true,
        ),
    );
    add("zip", "stored-bad-crc.zip", {
        let mut zip = zip_of(&[("content.xml", b"<text:p>crc</text:p>")], false);
        // The CRC-32 of the local header and of the central directory.
        let crc = |zip: &mut Vec<u8>, sig: &[u8], at: usize| {
            let pos = zip.windows(4).position(|w| w == sig).unwrap();
            zip[pos + at] ^= 0xFF;
        };
        crc(&mut zip, b"PK\x03\x04", 14);
        crc(&mut zip, b"PK\x01\x02", 16);
        zip
    });
    add("zip", "zip64.zip", {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().large_file(true);
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(b"<w:p><w:r><w:t>zip64</w:t></w:r></w:p>")
            .unwrap();
        zip.finish().unwrap();
        buffer.into_inner()
    });
    add("zip", "zip-inside-zip.zip", {
        let inner = common::fixtures::docx(&["inner"]);
        zip_of(&[("word/document.xml", &inner)], false)
    });

    // HTML: our own tokenizer keeps counters, never a stack.
    add(
        "html",
        "nested-b-30k.html",
        [b"<b>".repeat(30_000), b"deep".to_vec()].concat(),
    );
    add(
        "html",
        "nested-pre-2k.html",
        [
            b"<pre>".repeat(2_000),
            b"deep\n".to_vec(),
            b"</pre>".repeat(2_000),
        ]
        .concat(),
    );
    add(
        "html",
        "nested-svg-2k.html",
        [b"<svg><title>".repeat(2_000), b"deep".to_vec()].concat(),
    );
    add(
        "html",
        "unclosed-comment.html",
        [b"<p>before".as_slice(), &b"<!--".repeat(2_500)].concat(),
    );
    add(
        "html",
        "long-line.html",
        [b"<p>".as_slice(), &b"wordy&amp;&#x263A; ".repeat(1_000)].concat(),
    );

    // Text, and the encodings a text file may come in.
    add("text", "long-line.txt", b"wordy ".repeat(2_000));
    add("text", "long-line-no-spaces.txt", b"x".repeat(16 * 1024));

    // The query parser: past its limits, and nested to them.
    add(
        "query",
        "nested-parentheses.txt",
        [b"(".repeat(2_000), b"a".to_vec(), b")".repeat(2_000)].concat(),
    );
    add("query", "many-quotes.txt", b"\"a ".repeat(1_300));
    add("query", "too-long.txt", b"word ".repeat(1_000));
    add(
        "query",
        "combining-marks.txt",
        "a\u{301}".repeat(1_300).into_bytes(),
    );
    seeds
}

/// `open` × depth, then `close` × depth.
fn nested(open: &[u8], close: &[u8], depth: usize) -> Vec<u8> {
    nested_around(open, b"", close, depth)
}

/// `open` × depth, `middle`, then `close` × depth.
fn nested_around(open: &[u8], middle: &[u8], close: &[u8], depth: usize) -> Vec<u8> {
    [open.repeat(depth), middle.to_vec(), close.repeat(depth)].concat()
}

/// A PDF with `value` as its catalog's `/X` entry, and no cross-reference
/// table (the library rebuilds it by scanning for objects).
fn pdf_with_catalog_value(value: &[u8]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ".to_vec();
    pdf.extend_from_slice(value);
    pdf.extend_from_slice(
        b" >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    );
    pdf
}

/// `root` (an XML document whose root element is `root_name`) behind a
/// DTD of ten entities, each ten times the one before: `&lol9;` is a
/// billion `lol`s to a parser that expands entities.
fn billion_laughs(root: &str, root_name: &str) -> Vec<u8> {
    let mut dtd =
        format!("<?xml version=\"1.0\"?>\n<!DOCTYPE {root_name} [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let previous = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    dtd.push_str("]>\n");
    dtd.push_str(root);
    dtd.into_bytes()
}

/// A zip of `parts`, deflated or stored.
fn zip_of(parts: &[(&str, &[u8])], deflated: bool) -> Vec<u8> {
    let method = if deflated {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(deflated.then_some(9));
    for (name, body) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap();
    buffer.into_inner()
}

/// A non-recursive zip bomb in the manner of overlapping-file bombs: one
/// deflated part of 1 MiB of XML, and `entries` central-directory records
/// that all point at it under different names, so the package claims
/// `entries` MiB from a few kilobytes.
fn overlapping_entries_zip(entries: usize) -> Vec<u8> {
    let body = [b"<a>".as_slice(), &b"b".repeat(1 << 20), b"</a>"].concat();
    let single = zip_of(&[("0.xml", &body)], true);
    let central = single.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    let eocd = single.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let record = &single[central..eocd];
    let name_len = u16::from_le_bytes([record[28], record[29]]) as usize;
    let mut out = single[..central].to_vec();
    let directory_start = out.len();
    for i in 0..entries {
        let name = format!("{i:05}.xml");
        let mut copy = record[..46].to_vec();
        copy[28..30].copy_from_slice(&(name.len() as u16).to_le_bytes());
        copy.extend_from_slice(name.as_bytes());
        copy.extend_from_slice(&record[46 + name_len..]);
        out.extend_from_slice(&copy);
    }
    let directory_len = out.len() - directory_start;
    let mut end = single[eocd..].to_vec();
    end[8..10].copy_from_slice(&(entries as u16).to_le_bytes());
    end[10..12].copy_from_slice(&(entries as u16).to_le_bytes());
    end[12..16].copy_from_slice(&(directory_len as u32).to_le_bytes());
    end[16..20].copy_from_slice(&(directory_start as u32).to_le_bytes());
    out.extend_from_slice(&end);
    out
}
