//! Text extraction: turns the bytes of one file into the plain text that gets
//! chunked and indexed.
//!
//! The format is decided from the file name alone ([`Format::for_path`]), so
//! the scanner can skip reading images, archives and other files that hold no
//! text. [`extract`] then dispatches to one extractor per format, each in its
//! own file: `text` (encoding detection), `html` (a streaming tokenizer),
//! `pdf` (pdf_oxide), `docx` and `odt` (zip + quick-xml, sharing the zip-bomb
//! guard in `package`).
//!
//! Parsers of complex binary formats are the part of the indexer most likely
//! to crash or spin on a hostile or broken file, and one bad file must never
//! take the indexer down or stall it. So PDF, DOCX and ODT run on a thread of
//! their own inside `catch_unwind`, and the caller stops waiting after a time
//! budget. A Rust thread cannot be killed: a timed-out parser is abandoned and
//! keeps its CPU and memory until it finishes by itself
//! ([`stray_extractions`] counts them so a scheduler can back off). Text and
//! HTML are cheap and linear-time, so they run inline on the caller's thread
//! with `catch_unwind` only: a thread per small text file would cost more than
//! the extraction.
//!
//! Every extractor returns text without NUL characters (SQLite FTS and C
//! strings downstream treat NUL as a terminator), and every extractor has a
//! versioned id ([`extractor_id`]) stored with its output, so that improving
//! an extractor and bumping its version lets the indexer re-extract exactly the
//! documents it produced.

mod docx;
mod html;
mod odt;
mod package;
mod pdf;
mod text;

pub use text::decode_text;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// What kind of extraction a file needs, decided from its name alone (no IO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Plain text, markdown, source code, config: decoded as text (UTF-8 fast
    /// path; legacy encodings detected with chardetng + encoding_rs).
    Text,
    /// HTML and XHTML pages (`.html`, `.htm`, `.xhtml`, `.shtml`).
    Html,
    /// PDF documents.
    Pdf,
    /// Office Open XML word-processing documents (`.docx`, `.docm`, `.dotx`,
    /// `.dotm`).
    Docx,
    /// OpenDocument files (`.odt`, `.ott`, and also `.ods`/`.odp`/`.odg`,
    /// whose `content.xml` uses the same text elements).
    Odt,
    /// Unknown extension (or none): sniff the bytes; text if it decodes and
    /// has no NUL bytes in the first 8 KiB, else binary.
    Sniff,
    /// Known to hold no extractable text (images, audio, video, archives,
    /// compressed files, fonts, executables, databases, ...): the caller does
    /// not even read the file.
    NoText,
}

impl Format {
    /// Decides the format of a file from its name (case-insensitive
    /// extension). Names without an extension (`Makefile`, `README`,
    /// `.bashrc`) and unknown extensions give [`Format::Sniff`].
    pub fn for_path(path: &Path) -> Format {
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            return Format::Sniff;
        };
        // Extensions are short; anything long is not one we know.
        if ext.len() > 16 {
            return Format::Sniff;
        }
        let ext = ext.to_ascii_lowercase();
        format_for_extension(&ext)
    }

    /// The lowercase name of the format, as serialized (`"text"`, `"html"`,
    /// `"pdf"`, `"docx"`, `"odt"`, `"sniff"`, `"notext"`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Odt => "odt",
            Format::Sniff => "sniff",
            Format::NoText => "notext",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The table behind [`Format::for_path`]; `ext` is already lowercase.
fn format_for_extension(ext: &str) -> Format {
    match ext {
        // Prose, markup and data formats.
        "txt" | "text" | "md" | "markdown" | "mdown" | "mkd" | "mkdn" | "mdx" | "rst" | "adoc"
        | "asciidoc" | "org" | "tex" | "latex" | "ltx" | "sty" | "cls" | "bib" | "bst" | "csv"
        | "tsv" | "psv" | "log" | "out" | "json" | "jsonl" | "ndjson" | "json5" | "jsonc"
        | "geojson" | "ipynb" | "yaml" | "yml" | "toml" | "ini" | "cfg" | "conf" | "cnf"
        | "config" | "properties" | "prefs" | "xml" | "xsd" | "xsl" | "xslt" | "dtd" | "svg"
        | "rss" | "atom" | "opml" | "gpx" | "kml" | "plist" | "fodt" | "fods" | "fodp" | "rtf"
        | "eml" | "mbox" | "ics" | "vcf" | "vcard" | "srt" | "vtt" | "po" | "pot" | "man"
        | "mdoc" | "texi" | "texinfo" | "nfo" | "diz" | "me" | "1st" | "readme" | "todo"
        | "changelog" | "license" | "authors" | "news" | "lst" | "list" | "reg" | "desktop"
        | "service" | "socket" | "timer" | "mount" | "target" | "rules" | "env"
        | "editorconfig" | "gitignore" | "gitattributes" | "dockerignore" | "npmrc" | "lock"
        | "sum" | "in" | "am" | "ac" | "m4" | "patch" | "diff" | "rej" | "http" | "rest"
        | "graphql" | "gql" | "proto" | "thrift" | "avdl" | "avsc" | "wsdl" | "sarif" | "har"
        | "map" | "cue" | "dhall" | "jsonnet" | "libsonnet" | "ron" | "kdl" | "hjson" => {
            Format::Text
        }
        // Source code, scripts and build files.
        "rs" | "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "inl"
        | "ipp" | "tpp" | "py" | "pyi" | "pyw" | "pyx" | "pxd" | "js" | "mjs" | "cjs" | "ts"
        | "mts" | "cts" | "tsx" | "jsx" | "vue" | "svelte" | "astro" | "go" | "java" | "kt"
        | "kts" | "groovy" | "gradle" | "scala" | "sc" | "sbt" | "rb" | "erb" | "rake"
        | "gemspec" | "php" | "phtml" | "pl" | "pm" | "pod" | "sh" | "bash" | "zsh" | "fish"
        | "ksh" | "csh" | "tcsh" | "ps1" | "psm1" | "psd1" | "bat" | "cmd" | "lua" | "sql"
        | "css" | "scss" | "sass" | "less" | "styl" | "m" | "mm" | "gp" | "gnuplot" | "plt"
        | "octave" | "r" | "rmd" | "qmd" | "jl" | "hs" | "lhs" | "ml" | "mli" | "mly" | "mll"
        | "fs" | "fsi" | "fsx" | "ex" | "exs" | "heex" | "erl" | "hrl" | "clj" | "cljs"
        | "cljc" | "edn" | "lisp" | "lsp" | "cl" | "el" | "scm" | "ss" | "rkt" | "swift"
        | "dart" | "zig" | "nim" | "cr" | "v" | "sv" | "svh" | "vh" | "vhd" | "vhdl" | "dts"
        | "dtsi" | "s" | "asm" | "nasm" | "inc" | "f" | "for" | "f77" | "f90" | "f95" | "f03"
        | "f08" | "cob" | "cbl" | "pas" | "dpr" | "lpr" | "ada" | "adb" | "ads" | "cs" | "csx"
        | "vb" | "vbs" | "fsproj" | "csproj" | "vcxproj" | "sln" | "props" | "cmake" | "mk"
        | "mak" | "make" | "ninja" | "bzl" | "bazel" | "star" | "nix" | "tf" | "tfvars" | "hcl"
        | "dockerfile" | "containerfile" | "vim" | "awk" | "sed" | "tcl" | "tk" | "coffee"
        | "elm" | "purs" | "hx" | "sol" | "cu" | "cuh" | "glsl" | "vert" | "frag" | "geom"
        | "comp" | "hlsl" | "wgsl" | "metal" | "ld" | "lds" | "pro" | "pri" | "qml" | "ui"
        | "xaml" | "j2" | "jinja" | "jinja2" | "tmpl" | "tpl" | "mustache" | "hbs"
        | "handlebars" | "liquid" | "twig" | "haml" | "slim" | "pug" | "ejs" | "cshtml"
        | "razor" | "jsp" | "asp" | "aspx" | "ino" | "pde" | "prisma" | "gd" | "gdshader"
        | "rq" | "sparql" | "ttl" | "n3" | "nt" | "ebnf" | "bnf" | "peg" | "y" | "yy" | "l"
        | "lex" | "g4" | "smt2" | "lean" | "agda" | "idr" | "thy" | "coq" | "mlir" | "ll"
        | "wat" | "wast" | "pyproject" | "cabal" | "opam" | "rockspec" | "nimble" | "podspec"
        | "pbxproj" | "xcconfig" | "entitlements" | "storyboard" | "xib" | "ksy"
        | "applescript" | "ahk" | "au3" | "nsi" | "iss" | "spec" | "ebuild" | "eclass" | "bb"
        | "bbappend" | "pkgbuild" | "install" => Format::Text,
        "html" | "htm" | "xhtml" | "shtml" | "xht" => Format::Html,
        "pdf" => Format::Pdf,
        "docx" | "docm" | "dotx" | "dotm" => Format::Docx,
        "odt" | "ott" | "ods" | "ots" | "odp" | "otp" | "odg" | "otg" => Format::Odt,
        // Images.
        "png" | "jpg" | "jpeg" | "jpe" | "jfif" | "gif" | "bmp" | "dib" | "tif" | "tiff"
        | "webp" | "ico" | "icns" | "cur" | "heic" | "heif" | "avif" | "jxl" | "jp2" | "j2k"
        | "psd" | "psb" | "xcf" | "kra" | "ora" | "exr" | "hdr" | "tga" | "pcx" | "ppm" | "pgm"
        | "pbm" | "pnm" | "raw" | "cr2" | "cr3" | "crw" | "nef" | "nrw" | "arw" | "srf" | "sr2"
        | "orf" | "rw2" | "raf" | "dng" | "pef" | "x3f" | "djvu" | "djv" | "ai" | "indd"
        | "sketch" | "fig" | "afphoto" | "afdesign" | "blend" | "fbx" | "glb" | "3ds" | "max"
        | "stl" | "obj" | "dwg" | "skp" => Format::NoText,
        // Audio and video.
        "mp3" | "wav" | "flac" | "ogg" | "oga" | "opus" | "m4a" | "m4b" | "aac" | "wma"
        | "aiff" | "aif" | "aifc" | "mid" | "midi" | "ape" | "wv" | "amr" | "au" | "snd"
        | "mka" | "caf" | "dsf" | "mp4" | "m4v" | "mkv" | "webm" | "avi" | "mov" | "qt" | "wmv"
        | "flv" | "f4v" | "mpg" | "mpeg" | "m2v" | "m2ts" | "3gp" | "3g2" | "ogv" | "vob"
        | "rm" | "rmvb" | "asf" | "swf" => Format::NoText,
        // Archives, compressed streams, disk and package images.
        "zip" | "7z" | "rar" | "tar" | "gz" | "tgz" | "bz2" | "tbz" | "tbz2" | "xz" | "txz"
        | "zst" | "zstd" | "tzst" | "lz4" | "lzma" | "tlz" | "lz" | "lzo" | "z" | "br" | "cab"
        | "arj" | "lha" | "lzh" | "ace" | "cpio" | "iso" | "dmg" | "img" | "vmdk" | "vdi"
        | "vhdx" | "qcow" | "qcow2" | "deb" | "rpm" | "apk" | "aab" | "ipa" | "jar" | "war"
        | "ear" | "aar" | "whl" | "egg" | "nupkg" | "crx" | "xpi" | "snap" | "flatpak"
        | "appimage" | "msi" | "msix" | "appx" | "pkg" | "xar" | "sit" | "sitx" | "gem"
        | "crate" | "epub" | "mobi" | "azw" | "azw3" | "kfx" | "cbz" | "cbr" | "pak" | "wad"
        | "vpk" | "torrent" => Format::NoText,
        // Fonts.
        "ttf" | "otf" | "ttc" | "woff" | "woff2" | "eot" | "pfb" | "pfm" | "fon" | "fnt" => {
            Format::NoText
        }
        // Executables, object code and bytecode.
        "exe" | "dll" | "so" | "dylib" | "o" | "a" | "lib" | "ko" | "elf" | "bin" | "com"
        | "sys" | "drv" | "efi" | "class" | "dex" | "pyc" | "pyo" | "pyd" | "wasm" | "rlib"
        | "rmeta" | "beam" | "elc" | "luac" | "jmod" | "node" | "pch" | "gch" | "pcm" | "ilk"
        | "exp" | "idb" | "nib" | "car" => Format::NoText,
        // Databases, binary data and model files.
        "sqlite" | "sqlite3" | "db" | "db3" | "sdb" | "mdb" | "accdb" | "frm" | "ibd" | "myd"
        | "myi" | "ldb" | "kdbx" | "kdb" | "parquet" | "arrow" | "feather" | "avro" | "orc"
        | "npy" | "npz" | "pkl" | "pickle" | "joblib" | "pt" | "pth" | "onnx" | "h5" | "hdf5"
        | "hdf" | "nc" | "safetensors" | "gguf" | "ggml" | "ckpt" | "tflite" | "pb" | "mat"
        | "sav" | "dta" | "rds" | "rdata" | "xlsb" | "dbf" | "realm" | "lmdb" | "idx" | "pack"
        | "swp" | "swo" => Format::NoText,
        // Office formats without an extractor yet. Listed so their (often
        // large) bytes are not read; bumping them to a real format later
        // changes `for_path`, which the scanner re-evaluates on every scan.
        "doc" | "dot" | "xls" | "xlt" | "xlsx" | "xlsm" | "ppt" | "pps" | "pptx" | "pptm"
        | "ppsx" | "key" | "numbers" | "pages" | "vsd" | "vsdx" | "pub" | "one" | "wpd" | "wps"
        | "xps" | "oxps" => Format::NoText,
        _ => Format::Sniff,
    }
}

/// The text of one document and which extractor produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The extracted text: never contains NUL characters. Lines are
    /// meaningful (paragraphs, HTML blocks, source lines); PDF pages are
    /// separated by `"\n\x0c\n"` (a form feed on its own line).
    pub text: String,
    /// The id of the extractor that produced `text`, as given by
    /// [`extractor_id`].
    pub extractor: &'static str,
}

/// Identifies extractor + its version, e.g. `"text/1"`, `"html/1"`,
/// `"pdf_oxide-0.3/2"`, `"docx/1"`, `"odt/1"`.
///
/// Stored with every content so an improved extractor can re-extract what it
/// handles better: the trailing number is bumped whenever an extractor's
/// output changes. [`Format::Text`] and [`Format::Sniff`] share the text
/// extractor and so its id.
pub fn extractor_id(format: Format) -> &'static str {
    match format {
        Format::Text | Format::Sniff => text::EXTRACTOR_ID,
        Format::Html => html::EXTRACTOR_ID,
        Format::Pdf => pdf::EXTRACTOR_ID,
        Format::Docx => docx::EXTRACTOR_ID,
        Format::Odt => odt::EXTRACTOR_ID,
        Format::NoText => "notext/1",
    }
}

/// Why a file's text could not be extracted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The bytes are not text (NUL bytes / undecodable) — for Text/Sniff,
    /// and for [`Format::NoText`], whose files are never decoded.
    #[error("binary file: no text to extract")]
    Binary,
    /// The document is encrypted and cannot be opened without a password.
    #[error("encrypted document")]
    Encrypted,
    /// The document is damaged or not of the format its name says.
    #[error("malformed {format}: {reason}")]
    Malformed {
        /// The format that was expected (`"pdf"`, `"docx"`, ...).
        format: &'static str,
        /// What the parser reported.
        reason: String,
    },
    /// The extractor panicked; the panic was caught. Also used when the
    /// extractor thread could not be started at all.
    #[error("extractor crashed: {message}")]
    Panicked {
        /// The panic message, when it was a string.
        message: String,
    },
    /// The extractor did not finish within the caller's budget. Its thread is
    /// left running (threads cannot be killed) and its result discarded.
    #[error("extraction took longer than {budget:?}")]
    TimedOut {
        /// The budget that was exceeded.
        budget: Duration,
    },
    /// The document decompresses to more than `limit` bytes (a zip bomb, or
    /// a document too large to index).
    #[error("document expands past {limit} bytes")]
    TooLarge {
        /// The decompression cap that was hit.
        limit: u64,
    },
}

/// Extracts the text of a file whose whole content is `bytes`.
///
/// Never panics and never runs past `budget` from the caller's point of
/// view. PDF, DOCX and ODT parsers run on a thread of their own inside
/// `catch_unwind`: a panicking parser becomes [`ExtractError::Panicked`], and
/// if it has not answered within `budget` the caller gets
/// [`ExtractError::TimedOut`] while the stray thread is left to finish on its
/// own — it cannot be killed, so it keeps using CPU and memory until it ends
/// (see [`stray_extractions`]). Text, Sniff and HTML run inline on the
/// caller's thread with `catch_unwind` only, and ignore `budget`: they are
/// linear-time, and a thread per small file would cost more than the work.
///
/// `bytes` is taken by value so the guarded thread owns the data without a
/// copy, and so valid UTF-8 text becomes the returned `String` without one.
/// [`Format::NoText`] gives [`ExtractError::Binary`].
pub fn extract(
    format: Format,
    bytes: Vec<u8>,
    budget: Duration,
) -> Result<Extracted, ExtractError> {
    let text = match format {
        Format::Text | Format::Sniff => run_inline(move || text::extract_owned(bytes))?,
        Format::Html => run_inline(move || html::extract(bytes))?,
        Format::Pdf => run_guarded(budget, move || pdf::extract(bytes))?,
        Format::Docx => run_guarded(budget, move || docx::extract(bytes))?,
        Format::Odt => run_guarded(budget, move || odt::extract(bytes))?,
        Format::NoText => return Err(ExtractError::Binary),
    };
    Ok(Extracted {
        text: strip_nul(text),
        extractor: extractor_id(format),
    })
}

/// How many extractor threads timed out and are still running. They hold a
/// core and their document's memory until they end by themselves, so a
/// scheduler may wait for this to drop before starting more heavy
/// extractions.
pub fn stray_extractions() -> usize {
    STRAY_THREADS.load(Ordering::Relaxed)
}

static STRAY_THREADS: AtomicUsize = AtomicUsize::new(0);

/// The guarded thread's stack. Document parsers recurse on nested
/// structures, and a stack overflow aborts the whole process (it cannot be
/// caught), so give them far more than the 2 MiB default; untouched stack
/// pages cost no memory.
const GUARDED_STACK_BYTES: usize = 64 << 20;

const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const ABANDONED: u8 = 2;

/// Runs `work` on its own thread inside `catch_unwind`, waiting at most
/// `budget` for its answer.
fn run_guarded<T, F>(budget: Duration, work: F) -> Result<T, ExtractError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ExtractError> + Send + 'static,
{
    // One buffered slot: the worker never blocks on send, even when nobody
    // listens any more.
    let (tx, rx) = mpsc::sync_channel(1);
    // The worker finishing and the caller giving up can happen at the same
    // instant; one atomic state settles which of them accounts for a stray
    // thread, so the count can neither leak nor go negative.
    let state = Arc::new(AtomicU8::new(RUNNING));
    let worker_state = Arc::clone(&state);
    let spawned = std::thread::Builder::new()
        .name("gleaner-extract".into())
        .stack_size(GUARDED_STACK_BYTES)
        .spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(work))
                .unwrap_or_else(|payload| Err(panicked(payload)));
            let _ = tx.send(result);
            if worker_state.swap(FINISHED, Ordering::AcqRel) == ABANDONED {
                STRAY_THREADS.fetch_sub(1, Ordering::Relaxed);
                tracing::debug!("a timed-out extractor thread finished");
            }
        });
    if let Err(err) = spawned {
        return Err(ExtractError::Panicked {
            message: format!("could not start the extractor thread: {err}"),
        });
    }
    match rx.recv_timeout(budget) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            STRAY_THREADS.fetch_add(1, Ordering::Relaxed);
            match state.compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    tracing::warn!(
                        ?budget,
                        strays = stray_extractions(),
                        "extractor timed out; its thread is left to finish on its own"
                    );
                    Err(ExtractError::TimedOut { budget })
                }
                Err(_) => {
                    // It finished in the instant between the timeout and
                    // now, and sent before saying so: take its answer.
                    STRAY_THREADS.fetch_sub(1, Ordering::Relaxed);
                    rx.recv().unwrap_or_else(|_| Err(vanished()))
                }
            }
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(vanished()),
    }
}

/// Runs `work` on the caller's thread, turning a panic into an error.
fn run_inline<T, F>(work: F) -> Result<T, ExtractError>
where
    F: FnOnce() -> Result<T, ExtractError>,
{
    // Unwind safety: `work` owns or borrows only data that is dropped or
    // discarded when it panics, so no broken invariant can be observed.
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| Err(panicked(payload)))
}

fn panicked(payload: Box<dyn Any + Send>) -> ExtractError {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    };
    ExtractError::Panicked { message }
}

/// The worker dropped its sender without sending: only possible if dropping
/// a panic payload itself panicked.
fn vanished() -> ExtractError {
    ExtractError::Panicked {
        message: "extractor thread ended without an answer".to_owned(),
    }
}

/// Removes NUL characters, without copying when there are none (the usual
/// case).
fn strip_nul(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn fmt(name: &str) -> Format {
        Format::for_path(Path::new(name))
    }

    #[test]
    fn formats_from_names() {
        assert_eq!(fmt("notes.txt"), Format::Text);
        assert_eq!(fmt("README.MD"), Format::Text);
        assert_eq!(fmt("src/main.rs"), Format::Text);
        assert_eq!(fmt("boot.S"), Format::Text);
        assert_eq!(fmt("plot.gp"), Format::Text);
        assert_eq!(fmt("board.dtsi"), Format::Text);
        assert_eq!(fmt("logo.svg"), Format::Text);
        assert_eq!(fmt("page.HTM"), Format::Html);
        assert_eq!(fmt("paper.Pdf"), Format::Pdf);
        assert_eq!(fmt("letter.docx"), Format::Docx);
        assert_eq!(fmt("letter.odt"), Format::Odt);
        assert_eq!(fmt("sheet.ods"), Format::Odt);
        assert_eq!(fmt("photo.JPG"), Format::NoText);
        assert_eq!(fmt("backup.tar.gz"), Format::NoText);
        assert_eq!(fmt("libfoo.so"), Format::NoText);
        assert_eq!(fmt("cache.sqlite"), Format::NoText);
        assert_eq!(fmt("mod.pyc"), Format::NoText);
        assert_eq!(fmt("Makefile"), Format::Sniff);
        assert_eq!(fmt(".bashrc"), Format::Sniff);
        assert_eq!(fmt("ls.1"), Format::Sniff);
        assert_eq!(fmt("data.weird"), Format::Sniff);
    }

    #[test]
    fn format_names_match_serde() {
        for f in [
            Format::Text,
            Format::Html,
            Format::Pdf,
            Format::Docx,
            Format::Odt,
            Format::Sniff,
            Format::NoText,
        ] {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.as_str()));
        }
    }

    #[test]
    fn extractor_ids_are_versioned() {
        assert_eq!(extractor_id(Format::Text), "text/1");
        assert_eq!(extractor_id(Format::Sniff), "text/1");
        assert_eq!(extractor_id(Format::Html), "html/1");
        assert_eq!(extractor_id(Format::Pdf), "pdf_oxide-0.3/2");
        assert_eq!(extractor_id(Format::Docx), "docx/1");
        assert_eq!(extractor_id(Format::Odt), "odt/1");
    }

    #[test]
    fn dispatch_text_and_notext() {
        let got = extract(
            Format::Text,
            b"hello\0 world".to_vec(),
            Duration::from_secs(1),
        );
        assert!(matches!(got, Err(ExtractError::Binary)), "{got:?}");
        let got = extract(
            Format::Sniff,
            b"plain words\n".to_vec(),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(got.text, "plain words\n");
        assert_eq!(got.extractor, "text/1");
        let got = extract(Format::NoText, b"anything".to_vec(), Duration::from_secs(1));
        assert!(matches!(got, Err(ExtractError::Binary)));
    }

    #[test]
    fn nul_after_the_sniffed_prefix_is_stripped() {
        let mut bytes = vec![b'a'; 9000];
        bytes.extend_from_slice(b"\0tail");
        let got = extract(Format::Text, bytes, Duration::from_secs(1)).unwrap();
        assert!(!got.text.contains('\0'));
        assert!(got.text.ends_with("atail"));
    }

    #[test]
    fn guard_returns_the_answer() {
        let got = run_guarded(Duration::from_secs(5), || Ok(42));
        assert_eq!(got.unwrap(), 42);
        let got: Result<(), _> =
            run_guarded(Duration::from_secs(5), || Err(ExtractError::Encrypted));
        assert!(matches!(got, Err(ExtractError::Encrypted)));
    }

    #[test]
    fn guard_catches_a_panic() {
        let got: Result<(), _> = run_guarded(Duration::from_secs(5), || panic!("parser exploded"));
        match got {
            Err(ExtractError::Panicked { message }) => assert_eq!(message, "parser exploded"),
            other => panic!("expected Panicked, got {other:?}"),
        }
        let n = 7;
        let got: Result<(), _> =
            run_guarded(Duration::from_secs(5), move || panic!("page {n} bad"));
        assert!(matches!(got, Err(ExtractError::Panicked { message }) if message == "page 7 bad"));
    }

    #[test]
    fn inline_catches_a_panic() {
        let got: Result<(), _> = run_inline(|| panic!("inline boom"));
        assert!(matches!(got, Err(ExtractError::Panicked { message }) if message == "inline boom"));
    }

    #[test]
    fn guard_times_out_and_leaves_the_thread() {
        let budget = Duration::from_millis(50);
        let start = Instant::now();
        let got: Result<(), _> = run_guarded(budget, || {
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        });
        let waited = start.elapsed();
        assert!(matches!(got, Err(ExtractError::TimedOut { budget: b }) if b == budget));
        assert!(waited < Duration::from_millis(300), "waited {waited:?}");
        // No other test times out, so the count is this thread's alone.
        assert_eq!(stray_extractions(), 1);
        let deadline = Instant::now() + Duration::from_secs(5);
        while stray_extractions() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            stray_extractions(),
            0,
            "the stray thread was not accounted for"
        );
    }

    #[test]
    fn errors_display() {
        let e = ExtractError::Malformed {
            format: "pdf",
            reason: "no header".into(),
        };
        assert_eq!(e.to_string(), "malformed pdf: no header");
        assert_eq!(
            ExtractError::TooLarge { limit: 10 }.to_string(),
            "document expands past 10 bytes"
        );
    }
}
