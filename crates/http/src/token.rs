//! The bearer token: 32 random bytes as hex, kept in `http.token` in the data
//! directory with mode 0600, made on first use.
//!
//! It is plain text on purpose: a script reads it with `cat`. What protects
//! it is the file's mode and the data directory's (0700): only the user the
//! engine runs as can read it, which is exactly who may use the API.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use gleaner_core::DataDir;

use crate::server::HttpError;

/// The token's file name in the data directory.
pub const TOKEN_FILE: &str = "http.token";

/// Random bytes in a token (64 hex characters).
const TOKEN_BYTES: usize = 32;

/// The secret every request must present as `Authorization: Bearer TOKEN`.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)") // never in a log
    }
}

impl Token {
    /// The token of `data_dir`, made (mode 0600) when there is none yet. A
    /// token file readable by others is tightened back to 0600.
    pub fn load_or_create(data_dir: &DataDir) -> Result<Token, HttpError> {
        let path = data_dir.path().join(TOKEN_FILE);
        let error = |source| HttpError::Token {
            path: path.clone(),
            source,
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut file) => {
                let token = Token(new_secret().map_err(error)?);
                file.write_all(token.0.as_bytes()).map_err(error)?;
                file.write_all(b"\n").map_err(error)?;
                file.sync_all().map_err(error)?;
                tracing::info!(path = %path.display(), "created the HTTP API token");
                Ok(token)
            }
            // Made by an earlier run (or by a second process a moment ago).
            Err(err) if err.kind() == ErrorKind::AlreadyExists => read_token(&path),
            Err(err) => Err(error(err)),
        }
    }

    /// Whether `candidate` is this token, in time that does not depend on
    /// where the first difference is.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate)
    }

    #[cfg(test)]
    pub fn for_tests(secret: &str) -> Token {
        Token(secret.to_string())
    }
}

fn read_token(path: &Path) -> Result<Token, HttpError> {
    let error = |source| HttpError::Token {
        path: PathBuf::from(path),
        source,
    };
    let mut file = OpenOptions::new().read(true).open(path).map_err(error)?;
    let mode = file.metadata().map_err(error)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "the HTTP token was readable by others; restricting it to 0600");
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(error)?;
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(error)?;
    let secret = text.trim();
    if secret.len() < 16 {
        return Err(error(std::io::Error::new(
            ErrorKind::InvalidData,
            "the token is empty or too short; delete the file and a new one is made",
        )));
    }
    Ok(Token(secret.to_string()))
}

fn new_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|err| std::io::Error::other(err.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares every byte whatever the earlier ones were, so the time taken
/// tells nothing about how much of a guess was right. The length is not
/// secret (every token has 64 characters).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
        dir.create().unwrap();
        (tmp, dir)
    }

    #[test]
    fn a_new_token_is_64_hex_characters_in_a_0600_file() {
        let (_tmp, dir) = data_dir();
        let token = Token::load_or_create(&dir).unwrap();
        assert_eq!(token.0.len(), 64);
        assert!(token.0.bytes().all(|b| b.is_ascii_hexdigit()));
        let meta = std::fs::metadata(dir.path().join(TOKEN_FILE)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let dir_mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
    }

    #[test]
    fn the_token_is_kept_across_starts() {
        let (_tmp, dir) = data_dir();
        let first = Token::load_or_create(&dir).unwrap();
        let second = Token::load_or_create(&dir).unwrap();
        assert_eq!(first.0, second.0);
        assert!(second.matches(first.0.as_bytes()));
    }

    #[test]
    fn a_token_file_readable_by_others_is_tightened() {
        let (_tmp, dir) = data_dir();
        let path = dir.path().join(TOKEN_FILE);
        std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let token = Token::load_or_create(&dir).unwrap();
        assert!(token.matches(b"0123456789abcdef0123456789abcdef"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn an_empty_token_file_is_an_error_not_an_open_door() {
        let (_tmp, dir) = data_dir();
        std::fs::write(dir.path().join(TOKEN_FILE), "\n").unwrap();
        let err = Token::load_or_create(&dir).unwrap_err();
        assert!(err.to_string().contains("too short"), "{err}");
    }

    #[test]
    fn comparison_needs_every_byte_and_the_length() {
        let token = Token::for_tests("secret-token-secret-token");
        assert!(token.matches(b"secret-token-secret-token"));
        assert!(!token.matches(b"secret-token-secret-tokeN"));
        assert!(!token.matches(b"secret-token-secret-toke"));
        assert!(!token.matches(b"secret-token-secret-token "));
        assert!(!token.matches(b""));
    }
}
