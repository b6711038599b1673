//! Turning what a user types into an FTS5 query.
//!
//! Users type words, not FTS5 syntax: `C++`, `don't`, `foo.bar` or an unpaired
//! quote must not turn into an SQLite syntax error. The grammar kept is small
//! and familiar from web search: words (all must match), `"exact phrases"`,
//! `prefix*`, `-excluded`, and `OR` between two terms. Every term is emitted as
//! a quoted FTS5 string, so no user text is ever parsed as FTS5 syntax.

use crate::error::{Error, Result};

/// A parsed query, ready for `MATCH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtsQuery {
    /// The FTS5 expression.
    pub expression: String,
    /// The positive terms, for highlighting elsewhere.
    pub terms: Vec<String>,
    /// The text of each positive `prefix*` term (without the `*`), which
    /// [`FtsQuery::expression_with`] may replace by a list of words.
    pub prefixes: Vec<String>,
    /// The query as an AND of OR-groups, and the excluded terms: what the
    /// expression is rendered from.
    positives: Vec<Vec<Term>>,
    negatives: Vec<Term>,
}

/// One term of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    /// `text*`: every word starting with `text`.
    prefix: bool,
}

impl FtsQuery {
    /// Each positive term's text (a phrase's words, as typed) and whether
    /// it is a `prefix*`: what a snippet highlights.
    pub fn positive_terms(&self) -> impl Iterator<Item = (&str, bool)> {
        self.positives
            .iter()
            .flatten()
            .map(|term| (term.text.as_str(), term.prefix))
    }

    /// The FTS5 expression with each positive prefix term for which
    /// `words_for` has words replaced by `("word1" OR "word2" …)`; a prefix
    /// it has none for stays an FTS5 prefix query. Excluded prefixes always
    /// stay whole, so that an exclusion never lets through what it names.
    pub fn expression_with(&self, words_for: impl Fn(&str) -> Option<Vec<String>>) -> String {
        let render = |term: &Term| -> String {
            if term.prefix {
                match words_for(&term.text) {
                    Some(words) if !words.is_empty() => {
                        let quoted: Vec<String> = words.iter().map(|w| quote(w, false)).collect();
                        format!("({})", quoted.join(" OR "))
                    }
                    _ => quote(&term.text, true),
                }
            } else {
                quote(&term.text, false)
            }
        };
        let mut expression = self
            .positives
            .iter()
            .map(|group| match group.as_slice() {
                [single] => render(single),
                alternatives => {
                    let rendered: Vec<String> = alternatives.iter().map(render).collect();
                    format!("({})", rendered.join(" OR "))
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        // All exclusions go into one flat OR-group behind a single NOT:
        // `(P) NOT ("a" OR "b")` matches what `((P) NOT "a") NOT "b"` does,
        // but nesting a parenthesis per exclusion overflows FTS5's parser
        // stack (about 100 levels) and makes the query an SQLite error.
        let excluded: Vec<String> = self
            .negatives
            .iter()
            .map(|negative| quote(&negative.text, negative.prefix))
            .collect();
        match excluded.as_slice() {
            [] => {}
            [single] => expression = format!("({expression}) NOT {single}"),
            several => expression = format!("({expression}) NOT ({})", several.join(" OR ")),
        }
        expression
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Term {
        text: String,
        prefix: bool,
        negated: bool,
        phrase: bool,
    },
    Or,
}

/// Parses a user query. Errors are friendly sentences, never SQLite's.
pub fn parse_query(input: &str) -> Result<FtsQuery> {
    // A NUL ends an FTS5 string literal early ("unterminated string"), and
    // no word of a document contains one: it is dropped (found by fuzzing).
    let input: std::borrow::Cow<str> = if input.contains('\0') {
        input.replace('\0', "").into()
    } else {
        input.into()
    };
    let tokens = tokenize(&input);
    if tokens.iter().all(|t| matches!(t, Token::Or)) {
        return Err(Error::BadQuery(
            "the search query is empty: type a word to look for".into(),
        ));
    }
    let mut positives: Vec<Vec<Term>> = Vec::new(); // AND of OR-groups
    let mut negatives: Vec<Term> = Vec::new();
    let mut terms = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut pending_or = false;
    for token in tokens {
        match token {
            Token::Or => pending_or = !positives.is_empty(),
            Token::Term {
                text,
                prefix,
                negated,
                phrase,
            } => {
                let term = Term {
                    text: text.clone(),
                    prefix: prefix && !phrase,
                };
                if negated {
                    negatives.push(term);
                    pending_or = false;
                    continue;
                }
                if term.prefix && !prefixes.contains(&text) {
                    prefixes.push(text.clone());
                }
                terms.push(text);
                match positives.last_mut() {
                    Some(group) if pending_or => group.push(term),
                    _ => positives.push(vec![term]),
                }
                pending_or = false;
            }
        }
    }
    if positives.is_empty() {
        return Err(Error::BadQuery(
            "the search query only excludes words: add a word to look for".into(),
        ));
    }
    let mut query = FtsQuery {
        expression: String::new(),
        terms,
        prefixes,
        positives,
        negatives,
    };
    query.expression = query.expression_with(|_| None);
    Ok(query)
}

fn quote(text: &str, prefix: bool) -> String {
    let escaped = text.replace('"', "\"\"");
    if prefix {
        format!("\"{escaped}\"*")
    } else {
        format!("\"{escaped}\"")
    }
}

fn tokenize(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
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
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
            push_term(&mut tokens, text, false, negated, true);
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
        if text == "OR" && !negated {
            tokens.push(Token::Or);
            continue;
        }
        let prefix = text.ends_with('*');
        let text = text.trim_end_matches('*').to_string();
        push_term(&mut tokens, text, prefix, negated, false);
    }
    tokens
}

/// Keeps a term only if the FTS5 tokenizer will see a word in it: a lone
/// `-` or `*` or punctuation-only text would match nothing or everything.
fn push_term(tokens: &mut Vec<Token>, text: String, prefix: bool, negated: bool, phrase: bool) {
    if text.chars().any(char::is_alphanumeric) {
        tokens.push(Token::Term {
            text,
            prefix,
            negated,
            phrase,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(input: &str) -> String {
        parse_query(input).unwrap().expression
    }

    #[test]
    fn words_are_quoted_and_anded() {
        assert_eq!(expr("hello world"), r#""hello" AND "world""#);
        assert_eq!(expr("C++ don't"), r#""C++" AND "don't""#);
    }

    #[test]
    fn phrases_prefixes_or_and_not() {
        assert_eq!(
            expr(r#""exact phrase" pre*"#),
            r#""exact phrase" AND "pre"*"#
        );
        assert_eq!(expr("cat OR dog fish"), r#"("cat" OR "dog") AND "fish""#);
        assert_eq!(expr("cat -dog"), r#"("cat") NOT "dog""#);
        assert_eq!(expr(r#"say "it "#), r#""say" AND "it ""#);
    }

    #[test]
    fn prefixes_can_be_replaced_by_words_but_exclusions_stay_whole() {
        let query = parse_query("sys* OR kern* -conf* \"pre*\"").unwrap();
        assert_eq!(query.prefixes, ["sys", "kern"]);
        let words = |prefix: &str| match prefix {
            "sys" => Some(vec!["system".to_string(), "sysfs".to_string()]),
            "conf" => Some(vec!["config".to_string()]),
            _ => None,
        };
        assert_eq!(
            query.expression_with(words),
            r#"((("system" OR "sysfs") OR "kern"*) AND "pre*") NOT "conf"*"#
        );
        assert_eq!(query.expression_with(|_| None), query.expression);
    }

    #[test]
    fn sqlite_syntax_in_input_is_inert() {
        assert_eq!(expr("a AND NOT b"), r#""a" AND "AND" AND "NOT" AND "b""#);
        assert_eq!(expr(r#"x" OR 1=1 --"#), r#""x" AND " OR 1=1 --""#);
    }

    #[test]
    fn exclusions_share_one_not() {
        assert_eq!(expr("cat -dog -fish*"), r#"("cat") NOT ("dog" OR "fish"*)"#);
    }

    /// One nested `(…) NOT` per exclusion made a query with about 100
    /// exclusions overflow FTS5's parser stack: an SQLite error instead of
    /// results (kept in `tests/fixtures/fuzz/query/`).
    #[test]
    fn many_exclusions_stay_flat() {
        let input = format!("a{}", " -b".repeat(500));
        let expression = expr(&input);
        assert_eq!(expression.matches('(').count(), 2, "{expression}");
        assert!(expression.starts_with(r#"("a") NOT ("b" OR "b""#));
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(text);
             INSERT INTO t(text) VALUES ('a c');",
        )
        .unwrap();
        let hits: i64 = db
            .query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [&expression],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 1);
    }

    #[test]
    fn empty_and_negative_only_queries_are_friendly_errors() {
        for input in ["", "   ", "OR", "-x", "***", "- -"] {
            let err = parse_query(input).unwrap_err();
            assert!(matches!(err, Error::BadQuery(_)), "{input:?}: {err}");
        }
    }
}
