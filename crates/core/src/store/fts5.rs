//! FTS5's C API, reached from Rust: the module's API object, through which
//! [`super::rank`] adds a ranking function, and its tokenizers, which
//! [`super::snippet`] runs to find the query's words in a chunk exactly as
//! the index found them (same folding, same stems).

use std::ffi::{c_char, c_int, c_void, CString};
use std::marker::PhantomData;
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

use crate::error::Result;

/// The tokenizer of `chunks_fts`, as its `tokenize` option in the schema
/// spells it, word by word (a test checks the two agree).
pub(crate) const CHUNK_TOKENIZER: &[&str] = &["porter", "unicode61", "remove_diacritics", "2"];

/// The FTS5 API object of `conn`.
pub(crate) fn api(conn: &Connection) -> Result<*mut ffi::fts5_api> {
    // FTS5 hands out its API through a pointer-typed result of `fts5(?)`.
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    // SAFETY: `db` is the live handle of `conn`; the statement is finalized
    // before returning, and `api` outlives the step that writes it.
    let rc = unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let mut rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        );
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_bind_pointer(
                stmt,
                1,
                (&mut api as *mut *mut ffi::fts5_api).cast(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
            ffi::sqlite3_step(stmt);
            rc = ffi::sqlite3_finalize(stmt);
        }
        rc
    };
    if rc != ffi::SQLITE_OK || api.is_null() {
        return Err(fts5_error(rc, "FTS5's API is not available"));
    }
    Ok(api)
}

pub(crate) fn fts5_error(rc: c_int, what: &str) -> crate::error::Error {
    let rc = if rc == ffi::SQLITE_OK {
        ffi::SQLITE_ERROR
    } else {
        rc
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(what.into())).into()
}

/// Why a piece of text is tokenized: FTS5's tokenizers may treat a query
/// term differently from a document's text (a prefix term is not stemmed
/// past its end by every tokenizer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenizeFor {
    Document,
    Query,
    Prefix,
}

impl TokenizeFor {
    fn flags(self) -> c_int {
        match self {
            TokenizeFor::Document => ffi::FTS5_TOKENIZE_DOCUMENT,
            TokenizeFor::Query => ffi::FTS5_TOKENIZE_QUERY,
            TokenizeFor::Prefix => ffi::FTS5_TOKENIZE_QUERY | ffi::FTS5_TOKENIZE_PREFIX,
        }
    }
}

/// One token: its indexed form and the bytes of the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// An instance of one of FTS5's tokenizers, living no longer than the
/// connection whose FTS5 module made it.
pub(crate) struct Tokenizer<'conn> {
    methods: ffi::fts5_tokenizer,
    instance: *mut ffi::Fts5Tokenizer,
    _conn: PhantomData<&'conn Connection>,
}

impl<'conn> Tokenizer<'conn> {
    /// Makes the tokenizer a `tokenize = '…'` option names, given word by
    /// word (`["porter", "unicode61", "remove_diacritics", "2"]`).
    pub(crate) fn new(conn: &'conn Connection, spec: &[&str]) -> Result<Tokenizer<'conn>> {
        let api = api(conn)?;
        let (name, args) = spec
            .split_first()
            .ok_or_else(|| fts5_error(ffi::SQLITE_ERROR, "no tokenizer named"))?;
        let name = CString::new(*name).map_err(|_| fts5_error(0, "bad tokenizer name"))?;
        let args: Vec<CString> = args
            .iter()
            .map(|a| CString::new(*a))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| fts5_error(0, "bad tokenizer argument"))?;
        let mut arg_ptrs: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let mut user: *mut c_void = ptr::null_mut();
        // SAFETY: an all-None table of function pointers is a valid value.
        let mut methods: ffi::fts5_tokenizer = unsafe { std::mem::zeroed() };
        let mut instance: *mut ffi::Fts5Tokenizer = ptr::null_mut();
        // SAFETY: `api` is the live API of `conn`; the argument strings
        // outlive xCreate, which copies what it keeps.
        let rc = unsafe {
            match (*api).xFindTokenizer {
                Some(find) => {
                    let rc = find(api, name.as_ptr(), &mut user, &mut methods);
                    match (rc, methods.xCreate) {
                        (ffi::SQLITE_OK, Some(create)) => create(
                            user,
                            arg_ptrs.as_mut_ptr(),
                            arg_ptrs.len() as c_int,
                            &mut instance,
                        ),
                        (ffi::SQLITE_OK, None) => ffi::SQLITE_ERROR,
                        (rc, _) => rc,
                    }
                }
                None => ffi::SQLITE_ERROR,
            }
        };
        if rc != ffi::SQLITE_OK || instance.is_null() || methods.xTokenize.is_none() {
            return Err(fts5_error(rc, "FTS5 could not make the tokenizer"));
        }
        Ok(Tokenizer {
            methods,
            instance,
            _conn: PhantomData,
        })
    }

    /// The tokens of `text`, in order.
    pub(crate) fn tokens(&self, text: &str, purpose: TokenizeFor) -> Result<Vec<Token>> {
        unsafe extern "C" fn collect(
            ctx: *mut c_void,
            _flags: c_int,
            token: *const c_char,
            len: c_int,
            start: c_int,
            end: c_int,
        ) -> c_int {
            let out = &mut *(ctx as *mut Vec<Token>);
            let bytes = if token.is_null() || len <= 0 {
                &[][..]
            } else {
                std::slice::from_raw_parts(token.cast::<u8>(), len as usize)
            };
            out.push(Token {
                text: String::from_utf8_lossy(bytes).into_owned(),
                start: start.max(0) as usize,
                end: end.max(0) as usize,
            });
            ffi::SQLITE_OK
        }
        let len = c_int::try_from(text.len())
            .map_err(|_| fts5_error(ffi::SQLITE_TOOBIG, "text too long to tokenize"))?;
        let mut out: Vec<Token> = Vec::new();
        let tokenize = self.methods.xTokenize.expect("checked in new");
        // SAFETY: `instance` is live until drop; `out` outlives the call,
        // and the callback only pushes to it.
        let rc = unsafe {
            tokenize(
                self.instance,
                (&mut out as *mut Vec<Token>).cast(),
                purpose.flags(),
                text.as_ptr().cast(),
                len,
                Some(collect),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(fts5_error(rc, "FTS5's tokenizer failed"));
        }
        Ok(out)
    }
}

impl Drop for Tokenizer<'_> {
    fn drop(&mut self) {
        if let Some(delete) = self.methods.xDelete {
            // SAFETY: made by this table's xCreate and not deleted before.
            unsafe { delete(self.instance) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunk_tokenizer_is_the_schemas() {
        let spec = CHUNK_TOKENIZER.join(" ");
        let schema = super::super::schema::MIGRATIONS[0];
        assert!(
            schema.contains(&format!("tokenize = '{spec}'")),
            "chunks_fts is no longer tokenized with '{spec}'"
        );
    }

    #[test]
    fn tokens_are_folded_and_stemmed_with_their_byte_ranges() {
        let conn = Connection::open_in_memory().unwrap();
        let tokenizer = Tokenizer::new(&conn, CHUNK_TOKENIZER).unwrap();
        let tokens = tokenizer
            .tokens("Café SYSTEMS, running", TokenizeFor::Document)
            .unwrap();
        let words: Vec<(&str, usize, usize)> = tokens
            .iter()
            .map(|t| (t.text.as_str(), t.start, t.end))
            .collect();
        assert_eq!(words, [("cafe", 0, 5), ("system", 6, 13), ("run", 15, 22)]);
    }
}
