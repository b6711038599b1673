//! The search index: tantivy, an inverted index derived from the store.
//!
//! SQLite stays the source of truth; everything here can be rebuilt from it.

pub mod analysis;
