//! What a user types, parsed: words, phrases, prefixes, exclusions, `OR`,
//! and fields that filter.
//!
//! The grammar is small and familiar from web search, and nothing a user
//! types is ever parsed as another engine's syntax:
//!
//! | typed | meaning |
//! |---|---|
//! | `borrow checker` | both words (stemmed: `checkers` matches), in one passage or in the file's name |
//! | `"package pinning"` | the words in this order, as typed (not stemmed) |
//! | `kern*` | every word starting with `kern` |
//! | `-draft` | not this word (`--` ends options on the command line first) |
//! | `cat OR dog` | either word; `AND` may be written and changes nothing |
//! | `name:report` | a word of the file's name only |
//! | `ext:pdf`, `format:pdf`, `in:~/notes`, `after:2024-01-01`, `before:2025-06-30` | filters |
//!
//! A malformed query (an unclosed quote, `OR` with nothing on one side, a
//! filter without a value, too many terms) is a [`Error::BadQuery`] with a
//! sentence saying what is wrong, never "no matches".

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The most terms one query may have: what anyone types is far fewer, and
/// a pasted wall of text must be refused before it is searched.
pub const MAX_QUERY_TERMS: usize = 64;

/// The longest query, in bytes.
pub const MAX_QUERY_BYTES: usize = 4096;

/// One thing to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A word (stemmed), or an identifier that splits into a phrase.
    Word(String),
    /// A quoted phrase, matched as typed.
    Phrase(String),
    /// Every word starting with this.
    Prefix(String),
    /// A word of the file name only.
    Name(String),
}

/// Restrictions that apply to documents, whatever their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFilters {
    /// Extensions (lower case, no dot); any of them.
    pub ext: Vec<String>,
    /// Formats (`pdf`, `html`, `text`, …); any of them.
    pub format: Vec<String>,
    /// Folders; documents below any of them.
    pub dirs: Vec<PathBuf>,
    /// Modified at or after this (unix ms).
    pub after_ms: Option<i64>,
    /// Modified before this (unix ms).
    pub before_ms: Option<i64>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Every group must match; within a group, any atom (`OR`).
    pub groups: Vec<Vec<Atom>>,
    /// No atom here may match.
    pub excluded: Vec<Atom>,
    /// Filters given in the query.
    pub filters: QueryFilters,
}

impl ParsedQuery {
    /// Every positive atom.
    pub fn atoms(&self) -> impl Iterator<Item = &Atom> {
        self.groups.iter().flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Atom { atom: Atom, negated: bool },
    Filter(FilterToken),
    Or,
    And,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FilterToken {
    Ext(String),
    Format(String),
    In(String),
    After(String),
    Before(String),
}

/// Parses a user query.
pub fn parse(input: &str) -> Result<ParsedQuery> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(Error::BadQuery(format!(
            "the query is {} bytes long; at most {MAX_QUERY_BYTES} are accepted",
            input.len()
        )));
    }
    let tokens = tokenize(input)?;
    let n_terms = tokens
        .iter()
        .filter(|t| matches!(t, Token::Atom { .. }))
        .count();
    if n_terms > MAX_QUERY_TERMS {
        return Err(Error::BadQuery(format!(
            "the query has {n_terms} terms; at most {MAX_QUERY_TERMS} are accepted"
        )));
    }
    let mut query = ParsedQuery::default();
    let mut pending_or = false;
    let mut previous_was_term = false;
    for token in tokens {
        match token {
            Token::Or | Token::And => {
                let word = if token == Token::Or { "OR" } else { "AND" };
                if !previous_was_term {
                    return Err(Error::BadQuery(format!("{word} needs a word before it")));
                }
                pending_or = token == Token::Or;
                previous_was_term = false;
            }
            Token::Filter(filter) => {
                apply_filter(&mut query.filters, filter)?;
            }
            Token::Atom { atom, negated } => {
                if negated {
                    if pending_or {
                        return Err(Error::BadQuery(
                            "OR cannot be followed by an excluded word".into(),
                        ));
                    }
                    query.excluded.push(atom);
                    previous_was_term = false;
                    continue;
                }
                match query.groups.last_mut() {
                    Some(group) if pending_or => group.push(atom),
                    _ => query.groups.push(vec![atom]),
                }
                pending_or = false;
                previous_was_term = true;
            }
        }
    }
    if pending_or || (!previous_was_term && ends_with_operator(input)) {
        return Err(Error::BadQuery(
            "the query ends with OR or AND: add a word after it".into(),
        ));
    }
    if query.groups.is_empty() {
        let reason = if query.excluded.is_empty() {
            "the search query is empty: type a word to look for"
        } else {
            "the search query only excludes words: add a word to look for"
        };
        return Err(Error::BadQuery(reason.into()));
    }
    Ok(query)
}

fn ends_with_operator(input: &str) -> bool {
    matches!(input.split_whitespace().last(), Some("OR") | Some("AND"))
}

fn apply_filter(filters: &mut QueryFilters, filter: FilterToken) -> Result<()> {
    match filter {
        FilterToken::Ext(ext) => filters
            .ext
            .push(ext.trim_start_matches('.').to_ascii_lowercase()),
        FilterToken::Format(format) => filters.format.push(format.to_ascii_lowercase()),
        FilterToken::In(dir) => filters.dirs.push(expand_home(&dir)),
        FilterToken::After(date) => filters.after_ms = Some(parse_date(&date, "after")?),
        FilterToken::Before(date) => filters.before_ms = Some(parse_date(&date, "before")?),
    }
    Ok(())
}

fn expand_home(dir: &str) -> PathBuf {
    match dir.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let home = dirs::home_dir().unwrap_or_default();
            home.join(rest.trim_start_matches('/'))
        }
        _ => crate::index::lookup_path(std::path::Path::new(dir)),
    }
}

/// `YYYY-MM-DD` (UTC midnight) to unix ms.
fn parse_date(text: &str, field: &str) -> Result<i64> {
    let bad = || {
        Error::BadQuery(format!(
            "{field}:{text} is not a date: write it as YYYY-MM-DD"
        ))
    };
    let mut parts = text.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return Err(bad());
    }
    Ok(crate::time::days_from_civil(y, m, d) * 86_400_000)
}

fn tokenize(input: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().filter(|&c| c != '\0').peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut text = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                text.push(c);
            }
            if !closed {
                return Err(Error::BadQuery(format!(
                    "the quote before {:?} is not closed",
                    text.chars().take(20).collect::<String>()
                )));
            }
            push_atom(&mut tokens, Atom::Phrase(text), negated);
            continue;
        }
        let mut text = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            text.push(c);
            chars.next();
        }
        if !negated {
            match text.as_str() {
                "OR" => {
                    tokens.push(Token::Or);
                    continue;
                }
                "AND" => {
                    tokens.push(Token::And);
                    continue;
                }
                _ => {}
            }
        }
        if let Some((field, value)) = text.split_once(':') {
            if let Some(token) = field_token(field, value, negated)? {
                tokens.push(token);
                continue;
            }
        }
        let atom = match text.strip_suffix('*') {
            Some(stem) if !stem.ends_with('*') => Atom::Prefix(stem.to_string()),
            _ => Atom::Word(text.trim_end_matches('*').to_string()),
        };
        push_atom(&mut tokens, atom, negated);
    }
    Ok(tokens)
}

/// A `field:value` token, or `None` when `field` is not a field name (a
/// word like `http://x` or `12:30` stays a word).
fn field_token(field: &str, value: &str, negated: bool) -> Result<Option<Token>> {
    let filter = match field {
        "ext" => FilterToken::Ext(value.to_string()),
        "format" | "kind" => FilterToken::Format(value.to_string()),
        "in" | "path" => FilterToken::In(value.to_string()),
        "after" => FilterToken::After(value.to_string()),
        "before" => FilterToken::Before(value.to_string()),
        "name" => {
            if value.is_empty() {
                return Err(Error::BadQuery("name: needs a word after it".into()));
            }
            return Ok(Some(Token::Atom {
                atom: Atom::Name(value.to_string()),
                negated,
            }));
        }
        _ => return Ok(None),
    };
    if value.is_empty() {
        return Err(Error::BadQuery(format!("{field}: needs a value after it")));
    }
    if negated {
        return Err(Error::BadQuery(format!(
            "-{field}: is not supported: a filter keeps what matches it"
        )));
    }
    Ok(Some(Token::Filter(filter)))
}

/// Keeps an atom only if it holds something searchable: a lone `-` or `*`
/// or punctuation would match nothing or everything.
fn push_atom(tokens: &mut Vec<Token>, atom: Atom, negated: bool) {
    let text = match &atom {
        Atom::Word(t) | Atom::Phrase(t) | Atom::Prefix(t) | Atom::Name(t) => t,
    };
    if text.chars().any(char::is_alphanumeric) {
        tokens.push(Token::Atom { atom, negated });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(input: &str) -> Vec<Vec<Atom>> {
        parse(input).unwrap().groups
    }

    fn word(w: &str) -> Atom {
        Atom::Word(w.into())
    }

    #[test]
    fn words_phrases_prefixes_or() {
        assert_eq!(
            groups("hello world"),
            [vec![word("hello")], vec![word("world")]]
        );
        assert_eq!(
            groups(r#""exact phrase" pre*"#),
            [
                vec![Atom::Phrase("exact phrase".into())],
                vec![Atom::Prefix("pre".into())]
            ]
        );
        assert_eq!(
            groups("cat OR dog fish"),
            [vec![word("cat"), word("dog")], vec![word("fish")]]
        );
        assert_eq!(
            groups("cat AND dog"),
            [vec![word("cat")], vec![word("dog")]]
        );
        let query = parse("cat -dog").unwrap();
        assert_eq!(query.excluded, [word("dog")]);
    }

    #[test]
    fn other_syntax_is_inert() {
        assert_eq!(
            groups("C++ don't"),
            [vec![word("C++")], vec![word("don't")]]
        );
        assert_eq!(
            groups("http://x.org 12:30"),
            [vec![word("http://x.org")], vec![word("12:30")]]
        );
        assert_eq!(groups("a NOT b").len(), 3);
    }

    #[test]
    fn fields_filter() {
        let query = parse("report ext:PDF format:pdf after:2024-01-31 before:2024-02-01").unwrap();
        assert_eq!(query.groups, [vec![word("report")]]);
        assert_eq!(query.filters.ext, ["pdf"]);
        assert_eq!(query.filters.format, ["pdf"]);
        assert_eq!(query.filters.after_ms, Some(1_706_659_200_000));
        assert_eq!(query.filters.before_ms, Some(1_706_745_600_000));
        let query = parse("x in:/tmp name:readme").unwrap();
        assert_eq!(query.filters.dirs, [PathBuf::from("/tmp")]);
        assert_eq!(query.groups[1], [Atom::Name("readme".into())]);
    }

    #[test]
    fn malformed_queries_say_why() {
        for (input, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("-x", "only excludes"),
            ("foo AND", "ends with OR or AND"),
            ("foo OR", "ends with OR or AND"),
            ("OR foo", "needs a word before it"),
            (r#"say "unclosed"#, "not closed"),
            ("x ext:", "needs a value"),
            ("x after:yesterday", "YYYY-MM-DD"),
            ("x -ext:pdf", "not supported"),
        ] {
            let err = parse(input).unwrap_err();
            assert!(
                matches!(&err, Error::BadQuery(m) if m.contains(says)),
                "{input:?}: {err}"
            );
        }
    }

    #[test]
    fn a_wall_of_terms_is_refused_before_any_work() {
        let input = "word ".repeat(10_000);
        let err = parse(&input[..4000]).unwrap_err();
        assert!(err.to_string().contains("at most 64"), "{err}");
        let err = parse(&input).unwrap_err();
        assert!(err.to_string().contains("bytes long"), "{err}");
    }

    #[test]
    fn nul_is_dropped() {
        assert_eq!(groups("a\0b"), [vec![word("ab")]]);
    }
}
