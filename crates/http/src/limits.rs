//! The limits that keep a misbehaving or hostile client from holding the API
//! (and the engine's process, which it shares) down: how long a client may
//! take to send its request, how many connections may be open at once, how
//! big a body or a search query may be, and how many reads of each kind run
//! at once.
//!
//! They are constants, not settings: they only bound abuse, and every
//! figure is far beyond what a script or a local tool needs. A request
//! refused for a limit is answered with a sentence that names the limit.

use std::time::Duration;

use crate::error::{ApiError, ApiResult};

/// How long a client may take to send a request's line and headers, counted
/// from when the server starts waiting for them: from the connection's
/// start, and again after each answer on a kept-alive connection. So it is
/// also the idle timeout of a kept-alive connection: hyper starts the same
/// timer as soon as a connection waits for its next request. A client that
/// sends nothing, or trickles its headers (slowloris), is disconnected.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many connections are open at once. Each one is a file
/// descriptor of the engine's own process (the index, inotify watches, the
/// control socket and the extractors need theirs), and a desktop's usual
/// soft limit is 1,024. When all are open, the one that has been idle the
/// longest (waiting for its request's headers, or kept alive between
/// requests) is closed for the new one; see `connections.rs`.
pub const MAX_CONNECTIONS: usize = 256;

/// The request line and headers together may not be longer than this; past
/// it hyper answers 431 and closes the connection. It bounds the memory an
/// unfinished request can hold (256 such connections: 32 MiB at most), and
/// is still large enough that an oversized search query reaches the handler
/// and gets a JSON 400 that names the query limits.
pub const MAX_HEAD_BYTES: usize = 128 * 1024;

/// The largest request body: the API's bodies are one short JSON object.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a client may take to send a request's body, once its headers
/// are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest search query, in bytes of text (after URL decoding): the
/// engine's own limit, checked here before a search waits for its lane.
pub const MAX_QUERY_BYTES: usize = gleaner_core::search::query::MAX_QUERY_BYTES;

/// The most terms in one search query (words, phrases, `-excluded`; an
/// `OR` is not a term): the engine's own limit.
pub const MAX_QUERY_TERMS: usize = gleaner_core::search::query::MAX_QUERY_TERMS;

/// Searches that run at once; more wait their turn. A search is the only
/// read that can take long, so it has a lane of its own.
pub const CONCURRENT_SEARCHES: usize = 4;

/// Other reads (status, health, jobs) that run at once, beside the
/// searches: however many searches are waiting, health and status never
/// queue behind them.
pub const CONCURRENT_READS: usize = 4;

/// Requests that talk to the engine (ingest, one document, pause, resume,
/// cancel) that run at once. They mostly wait on the engine's socket, and
/// must not take the threads the reads need.
pub const CONCURRENT_ENGINE_REQUESTS: usize = 4;

/// Threads of the blocking pool the handlers run on: room for every lane at
/// once, and a bound on threads however many requests arrive.
pub const BLOCKING_THREADS: usize =
    CONCURRENT_SEARCHES + CONCURRENT_READS + CONCURRENT_ENGINE_REQUESTS + 4;

/// Refuses a search query over [`MAX_QUERY_BYTES`] or [`MAX_QUERY_TERMS`],
/// before it is parsed or searched: the count is one pass over text that
/// the head limit ([`MAX_HEAD_BYTES`]) already bounds.
pub fn check_search_query(text: &str) -> ApiResult<()> {
    let bytes = text.len();
    let terms = count_terms(text);
    if bytes <= MAX_QUERY_BYTES && terms <= MAX_QUERY_TERMS {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "the search query is too long ({bytes} bytes, {terms} terms): at most {MAX_QUERY_BYTES} bytes and {MAX_QUERY_TERMS} terms are allowed"
    )))
}

/// The terms of `text` as gleaner-core's query parser splits it: runs of
/// characters between spaces, a `"quoted phrase"` counting once, `OR` not
/// at all. (A term without a letter or digit, which the parser drops, is
/// counted: the count may be high, never low.)
fn count_terms(text: &str) -> usize {
    let mut terms = 0;
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(first) = chars.next() else { break };
        let quoted = first == '"' || (first == '-' && chars.peek() == Some(&'"'));
        if quoted {
            if first == '-' {
                chars.next();
            }
            // A phrase runs to its closing quote, or to the end.
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
            }
            terms += 1;
            continue;
        }
        let mut word = String::from(first);
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '"') {
            if word.len() < 3 {
                word.push(c);
            }
        }
        if word != "OR" {
            terms += 1;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn terms_are_counted_as_the_parser_splits_them() {
        let count = count_terms;
        assert_eq!(count(""), 0);
        assert_eq!(count("   "), 0);
        assert_eq!(count("borrow checker"), 2);
        assert_eq!(count(r#""exact phrase here" pre* -not"#), 3);
        assert_eq!(count(r#"-"excluded phrase" word"#), 2);
        assert_eq!(count("cat OR dog OR fish"), 3);
        assert_eq!(count("ORACLE or OR"), 2);
        assert_eq!(count(r#"say "unclosed phrase"#), 2);
        assert_eq!(count("a\tb\nc"), 3);
    }

    #[test]
    fn queries_within_the_limits_pass() {
        assert!(check_search_query("borrow checker").is_ok());
        let words: Vec<String> = (0..MAX_QUERY_TERMS).map(|i| format!("w{i}")).collect();
        assert!(check_search_query(&words.join(" ")).is_ok());
        assert!(check_search_query(&"x".repeat(MAX_QUERY_BYTES)).is_ok());
    }

    #[test]
    fn too_many_terms_or_bytes_are_refused_with_the_limits_named() {
        let words: Vec<String> = (0..=MAX_QUERY_TERMS).map(|i| format!("w{i}")).collect();
        let err = check_search_query(&words.join(" ")).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("65 terms"), "{}", err.message);
        assert!(err.message.contains("64 terms"), "{}", err.message);

        let err = check_search_query(&"x".repeat(MAX_QUERY_BYTES + 1)).unwrap_err();
        assert!(
            err.message.contains("4097 bytes, 1 terms"),
            "{}",
            err.message
        );
        assert!(err.message.contains("4096 bytes"), "{}", err.message);
    }

    #[test]
    fn a_ten_thousand_term_query_is_refused() {
        let words: Vec<String> = (0..10_000).map(|i| format!("w{i}")).collect();
        let err = check_search_query(&words.join(" ")).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("10000 terms"), "{}", err.message);
    }
}
