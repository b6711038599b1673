//! `gleaner search QUERY`

use std::path::Path;

use anyhow::Result;
use gleaner_core::search::SearchFilter;
use gleaner_core::Index;

use super::print_json;
use crate::output::render_snippet;

pub fn run(
    index: &Index,
    query: &str,
    limit: usize,
    source: Option<&Path>,
    ext: Option<String>,
    json: bool,
) -> Result<()> {
    let mut filter = SearchFilter::new();
    if let Some(path) = source {
        filter = filter.source(index.source(path)?.id);
    }
    if let Some(ext) = ext {
        filter = filter.extension(&ext);
    }
    let answer = index.search(query, &filter, limit)?;
    // Notes (a relaxed query, a prefix cut short, an index being built)
    // go to stderr, so the hits stay the whole of stdout.
    for note in &answer.notes {
        eprintln!("gleaner: {note}");
    }
    let hits = answer.hits;
    if json {
        return print_json(&hits);
    }
    if hits.is_empty() {
        println!("no matches");
    }
    for (rank, hit) in hits.iter().enumerate() {
        let place = match (hit.line_start, hit.line_end) {
            (Some(a), Some(b)) if a == b => format!("{}:{a}", hit.path),
            (Some(a), Some(b)) => format!("{}:{a}-{b}", hit.path),
            _ => hit.path.clone(),
        };
        println!("{:>2}. {place}  ({:.2})", rank + 1, hit.score);
        if !hit.snippet.is_empty() {
            println!("    {}", render_snippet(&hit.snippet));
        }
        for other in &hit.other_paths {
            println!("    same content: {other}");
        }
    }
    Ok(())
}
