//! Paths in JSON (the control socket, `--json` output, the settings
//! window), in the store's lossless text form.
//!
//! JSON strings are UTF-8: serde refuses a `PathBuf` whose name is not, so
//! `gleaner index` on such a folder could not even be asked, and
//! `gleaner source list --json` failed once one was added. Paths are written
//! as [`path_text`] gives them (every UTF-8 path unchanged) and turned back
//! into their bytes when read.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serializer};

use crate::store::{path_text, text_path};

pub(crate) mod one {
    use super::*;

    pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&path_text(path))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        Ok(text_path(&String::deserialize(d)?))
    }
}

pub(crate) mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(path: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
        match path {
            Some(path) => s.serialize_some(&path_text(path)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(|text| text_path(&text)))
    }
}

pub(crate) mod many {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(paths.len()))?;
        for path in paths {
            seq.serialize_element(&path_text(path))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
        Ok(Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| text_path(text))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    use crate::engine::control::{Request, ScanSummary};

    fn odd_path() -> PathBuf {
        PathBuf::from(OsString::from_vec(b"/tmp/caf\xe9/notes".to_vec()))
    }

    use super::*;

    #[test]
    fn a_path_that_is_not_utf8_makes_the_round_trip() {
        for request in [
            Request::Scan {
                path: Some(odd_path()),
                background: true,
            },
            Request::Scan {
                path: None,
                background: false,
            },
            Request::Index {
                paths: vec![odd_path(), PathBuf::from("/plain/ü.txt")],
            },
        ] {
            let line = serde_json::to_string(&request).unwrap();
            assert_eq!(serde_json::from_str::<Request>(&line).unwrap(), request);
        }
        let summary = ScanSummary {
            path: odd_path(),
            job_id: "j".into(),
            counts: Default::default(),
        };
        let line = serde_json::to_string(&summary).unwrap();
        assert_eq!(serde_json::from_str::<ScanSummary>(&line).unwrap(), summary);
    }

    #[test]
    fn utf8_paths_are_sent_as_they_are() {
        let line = serde_json::to_string(&Request::Scan {
            path: Some(PathBuf::from("/home/ana/Notes")),
            background: false,
        })
        .unwrap();
        assert_eq!(
            line,
            r#"{"op":"scan","path":"/home/ana/Notes","background":false}"#
        );
        // An older client's request without the field still parses.
        let old: Request = serde_json::from_str(r#"{"op":"scan"}"#).unwrap();
        assert_eq!(
            old,
            Request::Scan {
                path: None,
                background: false
            }
        );
    }
}
