//! Request bodies: read under a size cap and a time limit, and accepted only
//! as the one JSON object a route expects.
//!
//! A body is read only by a route that takes one, so only after the guard
//! has checked the `Host` header and the token: a client without the token
//! never gets a byte of its body read. Anything but a JSON object is refused
//! with 400 before serde sees it, because serde reads a struct from an array
//! too: `[null]` would otherwise be `{"source": null}`, which means "scan
//! every source".

use std::pin::Pin;
use std::time::Duration;

use axum::body::HttpBody;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::limits::{BODY_READ_TIMEOUT, MAX_BODY_BYTES};

/// What an empty body means to a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenEmpty {
    /// The body's default value (`POST /v1/ingest`: every source).
    Default,
    /// A 400.
    Refuse,
}

/// The body of `request` as a `T`, read from a JSON object; `example` is a
/// body the route takes, for the error sentences.
pub async fn json_object<T: DeserializeOwned + Default>(
    request: Request,
    when_empty: WhenEmpty,
    example: &str,
) -> ApiResult<T> {
    let bytes = read(request, BODY_READ_TIMEOUT).await?;
    parse(&bytes, when_empty, example)
}

/// The whole body, within [`MAX_BODY_BYTES`] and `timeout`.
async fn read(request: Request, timeout: Duration) -> ApiResult<Vec<u8>> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes, the limit"),
        )
    };
    // A declared length over the cap is refused before a byte is read.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = request.into_body();
    let reading = async {
        let mut bytes = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let frame = frame.map_err(|err| {
                ApiError::bad_request(format!("the request body could not be read: {err}"))
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(bytes)
    };
    tokio::time::timeout(timeout, reading)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    timeout.as_secs_f64()
                ),
            ))
        })
}

/// `bytes` as a `T`, if they are one JSON object (or empty, when allowed).
fn parse<T: DeserializeOwned + Default>(
    bytes: &[u8],
    when_empty: WhenEmpty,
    example: &str,
) -> ApiResult<T> {
    if bytes.trim_ascii().is_empty() {
        return match when_empty {
            WhenEmpty::Default => Ok(T::default()),
            WhenEmpty::Refuse => Err(ApiError::bad_request(format!(
                "the request body is empty: send a JSON object such as {example}"
            ))),
        };
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        ApiError::bad_request(format!("the request body is not valid JSON: {err}"))
    })?;
    let kind = match &value {
        Value::Object(_) => None,
        Value::Array(_) => Some("an array"),
        Value::Null => Some("null"),
        Value::Bool(_) => Some("a boolean"),
        Value::Number(_) => Some("a number"),
        Value::String(_) => Some("a string"),
    };
    if let Some(kind) = kind {
        return Err(ApiError::bad_request(format!(
            "the request body is {kind}: send a JSON object such as {example}"
        )));
    }
    serde_json::from_value(value).map_err(|err| {
        ApiError::bad_request(format!(
            "the request body is not valid: {err}; send a JSON object such as {example}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Ingest {
        source: Option<String>,
    }

    const EXAMPLE: &str = r#"{"source": "/home/me/notes"}"#;

    /// Far longer than a body in memory takes.
    const TEST_TIMEOUT: Duration = Duration::from_secs(60);

    fn parsed(body: &str) -> ApiResult<Ingest> {
        parse(body.as_bytes(), WhenEmpty::Default, EXAMPLE)
    }

    fn refused(body: &str) -> String {
        let err = parsed(body).unwrap_err();
        assert_eq!(
            err.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            err.message
        );
        err.message
    }

    #[test]
    fn an_object_is_read() {
        assert_eq!(parsed("").unwrap(), Ingest::default());
        assert_eq!(parsed(" \n").unwrap(), Ingest::default());
        assert_eq!(parsed("{}").unwrap(), Ingest::default());
        assert_eq!(
            parsed(r#"{"source": "/a"}"#).unwrap().source.as_deref(),
            Some("/a")
        );
    }

    /// Regression: `[null]` was read as `{"source": null}` and queued a
    /// scan of every source.
    #[test]
    fn an_array_is_refused_not_read_as_a_struct() {
        for body in ["[null]", "[]", r#"["/a"]"#, "[[]]"] {
            let message = refused(body);
            assert!(message.contains("is an array"), "{message}");
            assert!(message.contains(EXAMPLE), "{message}");
        }
    }

    #[test]
    fn other_json_values_are_refused_by_name() {
        for (body, kind) in [
            ("null", "null"),
            ("true", "a boolean"),
            ("3", "a number"),
            (r#""/a""#, "a string"),
        ] {
            let message = refused(body);
            assert!(message.contains(kind), "{body}: {message}");
        }
    }

    #[test]
    fn wrong_fields_and_types_are_refused_with_serde_naming_them() {
        let message = refused(r#"{"paths": [null]}"#);
        assert!(message.contains("unknown field `paths`"), "{message}");
        let message = refused(r#"{"source": 5}"#);
        assert!(message.contains("invalid type"), "{message}");
        let message = refused(r#"{"source": ["/a"]}"#);
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn invalid_json_is_refused() {
        for body in ["{", "{not json", r#"{"source": "/a"} trailing"#, "\u{1}"] {
            let message = refused(body);
            assert!(message.contains("not valid JSON"), "{body}: {message}");
        }
    }

    #[test]
    fn an_empty_body_is_refused_where_the_route_needs_one() {
        let err = parse::<Ingest>(b"", WhenEmpty::Refuse, EXAMPLE).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("empty"), "{}", err.message);
    }

    fn request(body: Body, length: Option<usize>) -> Request {
        let mut builder = Request::post("/v1/ingest");
        if let Some(length) = length {
            builder = builder.header(header::CONTENT_LENGTH, length);
        }
        builder.body(body).unwrap()
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_413() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        // Declared, refused before reading.
        let err = read(
            request(Body::from(big.clone()), Some(big.len())),
            TEST_TIMEOUT,
        )
        .await
        .unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(err.message.contains("65536 bytes"), "{}", err.message);
        // Undeclared (chunked), refused once the cap is passed.
        let stream = chunked_body(vec![vec![b' '; MAX_BODY_BYTES], vec![b' '; 1]]);
        let err = read(request(stream, None), TEST_TIMEOUT).await.unwrap_err();
        assert_eq!(err.status, StatusCode::PAYLOAD_TOO_LARGE);
        // Exactly the cap is fine.
        let bytes = read(
            request(Body::from(vec![b' '; MAX_BODY_BYTES]), None),
            TEST_TIMEOUT,
        )
        .await
        .unwrap();
        assert_eq!(bytes.len(), MAX_BODY_BYTES);
    }

    #[tokio::test]
    async fn a_body_that_never_ends_is_408() {
        // A body whose sender is kept but never sends: the client that
        // announced a body and stopped.
        let (_sender, body) = pending_body();
        let err = read(request(body, Some(10)), Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(err.status, StatusCode::REQUEST_TIMEOUT);
        assert!(err.message.contains("0.05 s"), "{}", err.message);
    }

    /// A body of these chunks, as a chunked upload sends them.
    fn chunked_body(chunks: Vec<Vec<u8>>) -> Body {
        let (sender, body) = pending_body();
        for chunk in chunks {
            sender.try_send(chunk).unwrap();
        }
        body
    }

    /// A body fed through a channel: it ends when the sender is dropped.
    fn pending_body() -> (tokio::sync::mpsc::Sender<Vec<u8>>, Body) {
        let (sender, receiver) = tokio::sync::mpsc::channel(8);
        (sender, Body::new(ChannelBody(receiver)))
    }

    struct ChannelBody(tokio::sync::mpsc::Receiver<Vec<u8>>);

    impl HttpBody for ChannelBody {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
            self.0
                .poll_recv(cx)
                .map(|chunk| chunk.map(|chunk| Ok(hyper::body::Frame::data(chunk.into()))))
        }
    }
}
