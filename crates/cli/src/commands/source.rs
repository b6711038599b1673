//! `gleaner source …`

use anyhow::Result;
use gleaner_core::source::{NewSource, SourceUpdate};
use gleaner_core::Index;

use super::print_json;
use crate::args::SourceCommand;
use crate::output::maybe_time;

pub fn run(index: &Index, command: SourceCommand) -> Result<()> {
    match command {
        SourceCommand::Add {
            path,
            include,
            exclude,
            no_recursive,
        } => {
            let source = index.add_source(NewSource {
                path,
                include,
                exclude,
                recursive: !no_recursive,
            })?;
            println!("added source {}", source.path.display());
            println!("run `gleaner index` to index it now");
        }
        SourceCommand::List { json } => {
            let sources = index.source_statuses()?;
            if json {
                return print_json(&sources);
            }
            if sources.is_empty() {
                println!("no sources yet: add one with `gleaner source add PATH`");
            }
            for row in sources {
                let s = &row.source;
                let mut flags = Vec::new();
                if !s.active {
                    flags.push("disabled".to_string());
                }
                if !s.recursive {
                    flags.push("not recursive".to_string());
                }
                if !s.include.is_empty() {
                    flags.push(format!("include {}", s.include.join(" ")));
                }
                if !s.exclude.is_empty() {
                    flags.push(format!("exclude {}", s.exclude.join(" ")));
                }
                println!(
                    "{}  {} documents, last scan {} ({}){}",
                    s.path.display(),
                    row.documents,
                    maybe_time(s.last_full_scan),
                    s.last_scan_status.as_str(),
                    if flags.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", flags.join("; "))
                    }
                );
            }
        }
        SourceCommand::Remove { path } => {
            let source = index.remove_source(&path)?;
            println!("removed source {} and its documents", source.path.display());
        }
        SourceCommand::Enable { path } => {
            let source = index.set_source_active(&path, true)?;
            println!("enabled {}", source.path.display());
        }
        SourceCommand::Disable { path } => {
            let source = index.set_source_active(&path, false)?;
            println!(
                "disabled {} (its documents stay searchable)",
                source.path.display()
            );
        }
        SourceCommand::Set {
            path,
            include,
            exclude,
            clear_include,
            clear_exclude,
            recursive,
            scan_interval_s,
            mute,
            unmute,
        } => {
            let changes_rules = !include.is_empty()
                || !exclude.is_empty()
                || clear_include
                || clear_exclude
                || recursive.is_some()
                || scan_interval_s.is_some();
            if mute || unmute {
                let source = index.set_source_muted(&path, mute)?;
                if mute {
                    println!(
                        "muted {}: its notifications go to the log only",
                        source.path.display()
                    );
                } else {
                    println!("unmuted {}", source.path.display());
                }
                if !changes_rules {
                    return Ok(());
                }
            }
            if let Some(interval) = scan_interval_s {
                if interval != 0 {
                    gleaner_core::settings::spec("scan.full_interval_s")?
                        .validate(&interval.to_string())?;
                }
            }
            let update = SourceUpdate {
                include: if clear_include {
                    Some(Vec::new())
                } else {
                    Some(include).filter(|v| !v.is_empty())
                },
                exclude: if clear_exclude {
                    Some(Vec::new())
                } else {
                    Some(exclude).filter(|v| !v.is_empty())
                },
                recursive,
                scan_interval_s: scan_interval_s.map(|n| Some(n).filter(|n| *n != 0)),
            };
            let source = index.update_source(&path, &update)?;
            println!(
                "updated {}; the next scan applies the new rules",
                source.path.display()
            );
        }
    }
    Ok(())
}
