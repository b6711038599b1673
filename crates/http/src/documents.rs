//! `POST /v1/documents`: index one file now.
//!
//! The path is confined before the engine hears of it: it must be absolute,
//! and once canonical (symbolic links followed, `..` gone) it must be a
//! regular file inside an active source. So `../../etc/passwd`, a link from a
//! source to elsewhere, or any file outside the sources is refused with 403,
//! and the API can only refresh what the user already chose to index.
//!
//! Paths travel in the index's text form (`gleaner_core::store::path_text`),
//! the form search hits have: a file name's bytes that are not UTF-8 are
//! U+FFFD and two hex digits. The path a client sends is decoded to the
//! real bytes before anything is checked, and the answer names the file in
//! that form again, so the API never confuses two such names or loses one.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gleaner_core::engine::control::{Request, Response};
use gleaner_core::index::lookup_path;
use gleaner_core::source::Source;
use gleaner_core::store::{path_text, text_path};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::body::{json_object, WhenEmpty};
use crate::context::{blocking, Lane, SharedApi};
use crate::error::{ApiError, ApiResult};

/// The body of `POST /v1/documents`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentBody {
    /// Absolute path of the file.
    pub path: String,
}

/// A body `POST /v1/documents` takes, for error sentences.
const DOCUMENT_EXAMPLE: &str = r#"{"path": "/home/me/notes/today.md"}"#;

/// `POST /v1/documents`: 200 when the file was indexed before the answer,
/// 202 when it waits behind a running job of its source or the global pause.
pub async fn ingest_one(
    State(api): State<SharedApi>,
    request: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body: DocumentBody = json_object(request, WhenEmpty::Refuse, DOCUMENT_EXAMPLE).await?;
    blocking(&api, Lane::Engine, move |api| {
        let sources = api.read(|store| Ok(store.sources()?))?;
        let path = confine(&body.path, &sources)?;
        let (indexed, deferred) = match api.request(&Request::Index {
            paths: vec![path.clone()],
        })? {
            Response::Indexed { indexed, deferred } => (indexed > 0, deferred > 0),
            // The source was disabled or removed since the check above.
            Response::Error { message } => return Err(ApiError::forbidden(message)),
            other => {
                return Err(ApiError::internal(format!(
                    "unexpected answer from the engine: {other:?}"
                )))
            }
        };
        let has_text = api.read(|store| Ok(store.document_text(&path_text(&path))?.is_some()))?;
        let status = if deferred {
            StatusCode::ACCEPTED
        } else {
            StatusCode::OK
        };
        Ok((
            status,
            Json(json!({
                "path": path_text(&path),
                "indexed": indexed,
                "deferred": deferred,
                "has_text": has_text,
            })),
        ))
    })
    .await
}

/// The canonical form of `text` (a path in the index's text form) when it is
/// a regular file inside an active source; the error says which rule it
/// broke.
pub fn confine(text: &str, sources: &[Source]) -> ApiResult<PathBuf> {
    let decoded = text_path(text.trim());
    let path = decoded.as_path();
    if text.trim().is_empty() || !path.is_absolute() {
        return Err(ApiError::bad_request(format!(
            "path {text:?} is not an absolute path"
        )));
    }
    let inside = |path: &Path| {
        sources
            .iter()
            .any(|source| source.active && path.starts_with(&source.path))
    };
    let outside = |path: &Path| {
        ApiError::forbidden(format!(
            "{} is outside every active source: only files in the folders Gleaner indexes can be ingested",
            path_text(path)
        ))
    };
    let canonical = match std::fs::canonicalize(path) {
        Ok(canonical) => canonical,
        Err(err) => {
            // Whether a path outside the sources exists is none of the
            // client's business: that is 403 like any other path out there.
            let lexical = lookup_path(path);
            if !inside(&lexical) {
                return Err(outside(&lexical));
            }
            return Err(match err.kind() {
                std::io::ErrorKind::NotFound => {
                    ApiError::not_found(format!("{text} does not exist"))
                }
                _ => ApiError::unprocessable(format!("{text}: {err}")),
            });
        }
    };
    if !inside(&canonical) {
        return Err(outside(&canonical));
    }
    if !canonical.is_file() {
        return Err(ApiError::unprocessable(format!(
            "{} is not a regular file",
            path_text(&canonical)
        )));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &Path, active: bool) -> Source {
        Source {
            id: 1,
            path: std::fs::canonicalize(path).unwrap(),
            recursive: true,
            include: Vec::new(),
            exclude: Vec::new(),
            active,
            scan_interval_s: None,
            created_at: 0,
            last_full_scan: None,
            last_scan_status: gleaner_core::source::ScanStatus::Pending,
            last_error: None,
        }
    }

    struct World {
        _tmp: tempfile::TempDir,
        docs: PathBuf,
        outside: PathBuf,
    }

    fn world() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let docs = tmp.path().join("docs");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(docs.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(docs.join("sub/note.md"), "hello").unwrap();
        std::fs::write(outside.join("secret.txt"), "secret").unwrap();
        World {
            _tmp: tmp,
            docs,
            outside,
        }
    }

    #[test]
    fn a_file_inside_a_source_is_accepted_canonical() {
        let w = world();
        let sources = [source(&w.docs, true)];
        let dotted = w.docs.join("sub/../sub/./note.md");
        let path = confine(dotted.to_str().unwrap(), &sources).unwrap();
        assert_eq!(path, sources[0].path.join("sub/note.md"));
    }

    #[test]
    fn dot_dot_cannot_leave_the_source() {
        let w = world();
        let sources = [source(&w.docs, true)];
        let escape = w.docs.join("../outside/secret.txt");
        let err = confine(escape.to_str().unwrap(), &sources).unwrap_err();
        assert_eq!(err.status, StatusCode::FORBIDDEN, "{}", err.message);
    }

    #[test]
    fn a_symlink_out_of_the_source_is_refused() {
        let w = world();
        let sources = [source(&w.docs, true)];
        let link = w.docs.join("link.txt");
        std::os::unix::fs::symlink(w.outside.join("secret.txt"), &link).unwrap();
        let err = confine(link.to_str().unwrap(), &sources).unwrap_err();
        assert_eq!(err.status, StatusCode::FORBIDDEN);
    }

    #[test]
    fn disabled_sources_and_no_sources_refuse() {
        let w = world();
        let file = w.docs.join("sub/note.md");
        let file = file.to_str().unwrap();
        assert_eq!(
            confine(file, &[source(&w.docs, false)]).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            confine(file, &[]).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
    }

    #[test]
    fn a_name_that_is_not_utf8_is_found_by_its_text_form() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let w = world();
        let sources = [source(&w.docs, true)];
        let latin1 = sources[0].path.join(OsStr::from_bytes(b"caf\xe9.txt"));
        std::fs::write(&latin1, "heron").unwrap();
        let text = path_text(&latin1);
        assert!(text.ends_with("caf\u{FFFD}E9.txt"), "{text}");
        assert_eq!(confine(&text, &sources).unwrap(), latin1);
        // The neighbouring byte is another file, which does not exist.
        let e8 = text.replace("E9", "E8");
        assert_eq!(
            confine(&e8, &sources).unwrap_err().status,
            StatusCode::NOT_FOUND
        );
        // Outside the sources it is refused like any other path.
        let outside = path_text(&w.outside.join(OsStr::from_bytes(b"caf\xe9.txt")));
        assert_eq!(
            confine(&outside, &sources).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
    }

    #[test]
    fn relative_missing_and_folder_paths_are_refused() {
        let w = world();
        let sources = [source(&w.docs, true)];
        assert_eq!(
            confine("sub/note.md", &sources).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            confine("", &sources).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let missing = sources[0].path.join("missing.md");
        assert_eq!(
            confine(missing.to_str().unwrap(), &sources)
                .unwrap_err()
                .status,
            StatusCode::NOT_FOUND
        );
        // Outside the sources, existing or not, the answer is the same.
        let missing_outside = w.outside.join("missing.txt");
        assert_eq!(
            confine(missing_outside.to_str().unwrap(), &sources)
                .unwrap_err()
                .status,
            StatusCode::FORBIDDEN
        );
        let folder = w.docs.join("sub");
        assert_eq!(
            confine(folder.to_str().unwrap(), &sources)
                .unwrap_err()
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
