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
//! Parsers of complex formats are the part of the indexer most likely to
//! crash, spin or allocate without bound on a hostile or broken file, and
//! `catch_unwind` cannot stop a parser that overflows its stack (the whole
//! process aborts) or loops. So every parser of an untrusted format (PDF,
//! DOCX, ODT, HTML) runs in an extractor process (`child`, confined by
//! `seccomp` to its pipes), taken from a small pool (`pool`) and driven over
//! a pipe protocol (`protocol`) under memory, stack, CPU-time and wall-time
//! limits (`process`). A crash, abort, stack overflow, limit or hang fails
//! that file alone with its reason ([`ExtractError::Crashed`],
//! [`ExtractError::TimedOut`]); the process is replaced and the scan goes
//! on. Plain text stays in the engine: decoding is linear, our own code,
//! and a process round trip per small file would cost more than the work.
//!
//! Every extractor returns text without NUL characters (C strings
//! downstream treat NUL as a terminator), and every extractor has a
//! versioned id ([`extractor_id`]) stored with its output, so that improving
//! an extractor and bumping its version lets the indexer re-extract exactly the
//! documents it produced.

mod child;
mod docx;
mod html;
mod odt;
mod package;
mod pdf;
mod pool;
mod process;
mod protocol;
#[cfg(target_os = "linux")]
mod seccomp;
mod text;
mod title;

pub use child::{serve, serve_if_asked, EXTRACTOR_ARG};
pub use pool::{
    end_idle_processes, idle_processes, peak_rss_bytes, processes_started, set_extractor_program,
    EXTRACTOR_ENV,
};
pub use text::decode_text;
pub use title::from_heading as title_from_heading;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
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

    /// The format's name in a sentence ("stack overflow in the PDF
    /// parser").
    pub fn display_name(&self) -> &'static str {
        match self {
            Format::Text | Format::Sniff => "text",
            Format::Html => "HTML",
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Odt => "ODT",
            Format::NoText => "binary",
        }
    }

    /// Whether files of this format are parsed in an extractor process.
    pub fn runs_out_of_process(&self) -> bool {
        matches!(
            self,
            Format::Html | Format::Pdf | Format::Docx | Format::Odt
        )
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
    /// The document's title (HTML `<title>`, PDF `/Title`, office
    /// `dc:title`), when it has one.
    pub title: Option<String>,
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
    /// The parser panicked; the panic was caught and the parser's process
    /// lives on.
    #[error("extractor crashed: {message}")]
    Panicked {
        /// The panic message, when it was a string.
        message: String,
    },
    /// The parser's process died or was stopped at one of its limits.
    #[error("{cause} in the {} parser", format.display_name())]
    Crashed {
        /// The format being parsed.
        format: Format,
        /// How the process ended.
        cause: CrashCause,
    },
    /// The extractor did not answer within its time budget; its process
    /// was killed.
    #[error("took longer than {} s", budget.as_secs_f64().ceil() as u64)]
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
    /// No extractor process could be started or confined. Not the file's
    /// fault: it is tried again later.
    #[error("no extractor process: {reason}")]
    Unavailable {
        /// Why.
        reason: String,
    },
}

impl ExtractError {
    /// Whether the file itself brought its parser down (a crash, a limit,
    /// a hang). Such a file is not tried again until it changes, so one
    /// hostile file can never make the engine crash or stall in a loop
    /// (Watchman's poison rule).
    pub fn is_poison(&self) -> bool {
        matches!(
            self,
            ExtractError::Crashed { .. } | ExtractError::TimedOut { .. }
        )
    }
}

/// How an extractor process ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrashCause {
    /// It ran out of stack (deep nesting).
    #[error("stack overflow")]
    StackOverflow,
    /// An allocation failed at its memory limit.
    #[error("memory limit {} reached", human_bytes(*limit_bytes))]
    MemoryLimit {
        /// The limit.
        limit_bytes: u64,
    },
    /// It spun past its CPU-time budget and the kernel stopped it.
    #[error("CPU time limit reached")]
    CpuLimit,
    /// Something else killed it (the kernel's out-of-memory killer, most
    /// likely).
    #[error("process killed (out of memory?)")]
    Killed,
    /// It died of a signal (a segmentation fault, an abort).
    #[error("crash (signal {number})")]
    Signal {
        /// The signal.
        number: i32,
    },
    /// It exited before answering.
    #[error("unexpected exit (status {code})")]
    Exited {
        /// The exit status.
        code: i32,
    },
    /// It answered something that is not an answer.
    #[error("unreadable answer ({reason})")]
    Protocol {
        /// What was wrong.
        reason: String,
    },
}

/// `1 GiB`, `512 MiB`.
fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// The limits one file's extraction runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Wall-clock time, and CPU time, for one file.
    pub timeout: Duration,
    /// Memory an extractor process may allocate.
    pub memory_bytes: u64,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            timeout: Duration::from_secs(60),
            memory_bytes: 1 << 30,
        }
    }
}

/// Extracts the text of a file whose whole content is `bytes`.
///
/// Never panics, and never takes longer than `limits.timeout` or more
/// memory than `limits.memory_bytes` for the formats parsed out of process
/// ([`Format::runs_out_of_process`]); plain text is decoded here, inside
/// `catch_unwind`. [`Format::NoText`] gives [`ExtractError::Binary`].
pub fn extract(
    format: Format,
    bytes: Vec<u8>,
    limits: &ExtractLimits,
) -> Result<Extracted, ExtractError> {
    if format.runs_out_of_process() {
        pool::extract(format, &bytes, limits)
    } else {
        extract_in_process(format, bytes)
    }
}

/// Extracts in this process, turning a panic into an error. What an
/// extractor process runs for each file, and what the fuzz targets call;
/// the engine itself uses it only for plain text (see [`extract`]).
///
/// `bytes` is taken by value so valid UTF-8 text becomes the returned
/// `String` without a copy.
pub fn extract_in_process(format: Format, bytes: Vec<u8>) -> Result<Extracted, ExtractError> {
    let (text, title) = run_inline(move || match format {
        Format::Text | Format::Sniff => text::extract_owned(bytes).map(|t| (t, None)),
        Format::Html => html::extract_titled(bytes),
        Format::Pdf => pdf::extract_titled(bytes),
        Format::Docx => docx::extract_titled(bytes),
        Format::Odt => odt::extract_titled(bytes),
        Format::NoText => Err(ExtractError::Binary),
    })?;
    Ok(Extracted {
        text: strip_nul(text),
        extractor: extractor_id(format),
        title: title.map(strip_nul),
    })
}

/// The zip and XML layers DOCX and ODT share, on every part of the package
/// at `bytes`, in this process: for the `zip` fuzz target, not for the
/// engine.
#[doc(hidden)]
pub fn read_package_in_process(bytes: Vec<u8>) -> Result<(), ExtractError> {
    run_inline(move || package::read_every_part(bytes))
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
        let limits = ExtractLimits::default();
        let got = extract(Format::Text, b"hello\0 world".to_vec(), &limits);
        assert!(matches!(got, Err(ExtractError::Binary)), "{got:?}");
        let got = extract(Format::Sniff, b"plain words\n".to_vec(), &limits).unwrap();
        assert_eq!(got.text, "plain words\n");
        assert_eq!(got.extractor, "text/1");
        let got = extract(Format::NoText, b"anything".to_vec(), &limits);
        assert!(matches!(got, Err(ExtractError::Binary)));
    }

    #[test]
    fn nul_after_the_sniffed_prefix_is_stripped() {
        let mut bytes = vec![b'a'; 9000];
        bytes.extend_from_slice(b"\0tail");
        let got = extract(Format::Text, bytes, &ExtractLimits::default()).unwrap();
        assert!(!got.text.contains('\0'));
        assert!(got.text.ends_with("atail"));
    }

    #[test]
    fn in_process_catches_a_panic() {
        let got: Result<(), _> = run_inline(|| panic!("inline boom"));
        assert!(matches!(got, Err(ExtractError::Panicked { message }) if message == "inline boom"));
    }

    #[test]
    fn only_untrusted_parsers_leave_the_process() {
        assert!(Format::Pdf.runs_out_of_process());
        assert!(Format::Html.runs_out_of_process());
        assert!(Format::Docx.runs_out_of_process());
        assert!(Format::Odt.runs_out_of_process());
        assert!(!Format::Text.runs_out_of_process());
        assert!(!Format::Sniff.runs_out_of_process());
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
        let crashed = |cause| ExtractError::Crashed {
            format: Format::Pdf,
            cause,
        };
        assert_eq!(
            crashed(CrashCause::StackOverflow).to_string(),
            "stack overflow in the PDF parser"
        );
        assert_eq!(
            crashed(CrashCause::MemoryLimit {
                limit_bytes: 1 << 30
            })
            .to_string(),
            "memory limit 1 GiB reached in the PDF parser"
        );
        assert_eq!(
            ExtractError::TimedOut {
                budget: Duration::from_secs(60)
            }
            .to_string(),
            "took longer than 60 s"
        );
        assert!(crashed(CrashCause::CpuLimit).is_poison());
        assert!(!ExtractError::Encrypted.is_poison());
        assert!(!ExtractError::Unavailable { reason: "x".into() }.is_poison());
    }
}
