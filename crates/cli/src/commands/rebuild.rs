//! `gleaner rebuild`: set a damaged or foreign index aside and index the
//! sources again into a new one.

use anyhow::{bail, Result};
use gleaner_core::lock::EngineLock;
use gleaner_core::rebuild::set_aside_and_recreate;
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
    data_dir.create()?;
    let lock = match EngineLock::acquire(&data_dir.engine_lock()) {
        Ok(lock) => lock,
        Err(Error::EngineBusy { pid }) => bail!(
            "an engine is running for this data directory (pid {pid}); stop it first with `gleaner stop`"
        ),
        Err(err) => return Err(err.into()),
    };
    let aside = set_aside_and_recreate(data_dir)?;
    drop(aside.store);
    let mut index = Index::open(data_dir.clone())?;
    let mut summary = RebuildSummary {
        kept_at: aside.kept_at.map(|p| p.display().to_string()),
        sources: Vec::new(),
        sources_lost: None,
        sources_missing: Vec::new(),
        index: None,
    };
    match aside.salvaged {
        Ok(salvaged) => {
            for salvaged in salvaged {
                let path = salvaged.source.path.clone();
                match index.add_source(salvaged.source) {
                    Ok(_) => {
                        if !salvaged.active {
                            index.set_source_active(&path, false)?;
                        }
                        summary.sources.push(path.display().to_string());
                    }
                    // A folder gone since: say so, keep going.
                    Err(err) => {
                        eprintln!("gleaner: warning: not re-adding {}: {err}", path.display());
                        summary.sources_missing.push(path.display().to_string());
                    }
                }
            }
        }
        Err(err) => summary.sources_lost = Some(err.to_string()),
    }
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
    // The scan below takes the engine lock itself.
    drop(lock);
    let has_active = index.sources()?.iter().any(|s| s.active);
    if has_active {
        summary.index = super::index::scan_all(&mut index, None, json)?;
    }
    if json {
        print_json(&summary)?;
    }
    Ok(())
}
