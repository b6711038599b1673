//! `gleaner rebuild`: set a damaged or foreign index aside and index the
//! sources again into a new one.

use anyhow::{bail, Result};
use gleaner_core::rebuild::rebuild;
use gleaner_core::{DataDir, Error, Index};
use serde::Serialize;

use super::print_json;

#[derive(Debug, Serialize)]
struct RebuildSummary {
    kept_at: Option<String>,
    sources: Vec<String>,
    sources_lost: Option<String>,
    sources_missing: Vec<String>,
    index: Option<super::index::IndexSummary>,
}

pub fn run(data_dir: &DataDir, json: bool) -> Result<()> {
    // The engine lock is held while the file is set aside and the sources
    // added again, and released before the scan below, which takes it itself.
    let rebuilt = match rebuild(data_dir) {
        Ok(rebuilt) => rebuilt,
        Err(Error::EngineBusy { pid }) => bail!(
            "an engine is running for this data directory (pid {pid}); stop it first with `gleaner stop`"
        ),
        Err(err) => return Err(err.into()),
    };
    for (path, err) in &rebuilt.sources_missing {
        eprintln!("gleaner: warning: not re-adding {}: {err}", path.display());
    }
    let mut summary = RebuildSummary {
        kept_at: rebuilt.kept_at.map(|p| p.display().to_string()),
        sources: rebuilt
            .sources
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        sources_lost: rebuilt.sources_lost.map(|err| err.to_string()),
        sources_missing: rebuilt
            .sources_missing
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect(),
        index: None,
    };
    if !json {
        match &summary.kept_at {
            Some(kept) => println!("The old index was set aside as {kept} (not deleted)."),
            None => println!("There was no index; a new one was created."),
        }
        match &summary.sources_lost {
            Some(why) => println!(
                "Its sources could not be read ({why}): add your folders again with `gleaner source add PATH`."
            ),
            None => println!(
                "{} source(s) recovered; indexing them again.",
                summary.sources.len()
            ),
        }
    }
    let mut index = Index::open(data_dir.clone())?;
    let has_active = index.sources()?.iter().any(|s| s.active);
    if has_active {
        summary.index = super::index::scan_all(&mut index, None, json)?;
    }
    if json {
        print_json(&summary)?;
    }
    Ok(())
}
