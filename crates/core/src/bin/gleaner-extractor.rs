//! An extractor process on its own: what the engine's tests start (the
//! `gleaner` and desktop binaries serve as extractors themselves, see
//! `gleaner_core::extract::serve_if_asked`).

fn main() {
    std::process::exit(gleaner_core::extract::serve())
}
