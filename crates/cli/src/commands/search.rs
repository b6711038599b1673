//! `gleaner search QUERY`

use std::path::Path;

use anyhow::Result;
use gleaner_core::store::SearchFilter;
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
    let filter = SearchFilter {
        source_id: match source {
            Some(path) => Some(index.source(path)?.id),
            None => None,
        },
        ext: ext.map(|e| e.trim_start_matches('.').to_ascii_lowercase()),
    };
    let hits = index.search(query, &filter, limit)?;
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
        println!("    {}", render_snippet(&hit.snippet));
    }
    Ok(())
}
