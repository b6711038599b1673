//! `gleaner config …`

use anyhow::Result;
use gleaner_core::settings::{self, SettingKind, REGISTRY};
use gleaner_core::Index;
use serde::Serialize;

use super::print_json;
use crate::args::ConfigCommand;

#[derive(Serialize)]
struct SettingRow {
    key: &'static str,
    value: String,
    default: &'static str,
    range: String,
    description: &'static str,
}

pub fn run(index: &Index, command: ConfigCommand) -> Result<()> {
    let current = index.settings()?;
    match command {
        ConfigCommand::List { json } => {
            let rows: Vec<SettingRow> = REGISTRY
                .iter()
                .map(|spec| SettingRow {
                    key: spec.key,
                    value: current.get(spec.key).to_string(),
                    default: spec.default,
                    range: match spec.kind {
                        SettingKind::Integer { min, max } => format!("{min}..={max}"),
                        SettingKind::Boolean => "true|false".to_string(),
                        SettingKind::Text { max_len } => format!("text ≤ {max_len} bytes"),
                    },
                    description: spec.description,
                })
                .collect();
            if json {
                return print_json(&rows);
            }
            for row in rows {
                println!(
                    "{} = {}  ({}; default {}) {}",
                    row.key, row.value, row.range, row.default, row.description
                );
            }
        }
        ConfigCommand::Get { key } => {
            settings::spec(&key)?;
            println!("{}", current.get(&key));
        }
        ConfigCommand::Set { key, value } => {
            let stored = index.store().set_setting(&key, &value)?;
            println!("{key} = {stored}");
        }
    }
    Ok(())
}
