//! The checks every request passes before a handler sees it: the `Host`
//! header names the loopback interface, and the bearer token is right.
//!
//! The Host check comes first and holds even with a good token. A web page
//! can point a name it controls at 127.0.0.1 (DNS rebinding) and then talk
//! to this port as "same origin"; the browser still sends the page's name as
//! `Host`, and that is refused with 421. The token keeps out every other
//! local program that is not the user's, and every page that cannot read
//! the user's files.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::context::SharedApi;
use crate::error::ApiError;
use crate::token::Token;

/// The middleware: Host first, then the token.
pub async fn guard(State(api): State<SharedApi>, request: Request, next: Next) -> Response {
    if let Err(err) = check_host(request.headers()) {
        return err.into_response();
    }
    if let Err(err) = check_bearer(request.headers(), api.token()) {
        return err.into_response();
    }
    next.run(request).await
}

/// A `Host` header naming the loopback interface, with or without a port.
pub fn check_host(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(host) = headers.get(header::HOST) else {
        return Err(ApiError::bad_request("the Host header is missing"));
    };
    let host = host.to_str().unwrap_or_default();
    if is_loopback_host(host) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!("Host {host:?} is not a loopback name: use localhost, 127.0.0.1 or [::1]"),
        ))
    }
}

/// `localhost` or a loopback IP literal (IPv6 in brackets), and then
/// optionally `:PORT`.
pub fn is_loopback_host(host: &str) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        return port.is_none_or(valid_port)
            && inside
                .parse::<std::net::Ipv6Addr>()
                .is_ok_and(|ip| ip.is_loopback());
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    if !port.is_none_or(valid_port) {
        return false;
    }
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_ipv4() && ip.is_loopback())
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.parse::<u16>().is_ok()
}

/// `Authorization: Bearer TOKEN` with the right token; 401 otherwise.
pub fn check_bearer(headers: &HeaderMap, token: &Token) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, message);
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "missing bearer token: send `Authorization: Bearer TOKEN` with the token from http.token in the data directory",
        ));
    };
    let value = value.as_bytes();
    // The scheme name is case-insensitive (RFC 7235); the token is not.
    let presented = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => &value[7..],
        _ => {
            return Err(unauthorized(
                "the Authorization header must be `Bearer TOKEN`",
            ))
        }
    };
    if token.matches(presented.trim_ascii()) {
        Ok(())
    } else {
        Err(unauthorized("wrong bearer token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn loopback_hosts_pass() {
        for host in [
            "localhost",
            "localhost:7878",
            "LOCALHOST:1",
            "127.0.0.1",
            "127.0.0.1:7878",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:7878",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for host in [
            "",
            "example.org",
            "evil.example:7878",
            "localhost.evil.example",
            "127.0.0.1.nip.io:7878",
            "192.168.1.2:7878",
            "0.0.0.0:7878",
            "[::]:7878",
            "[::1]x",
            "::1",
            "localhost:",
            "localhost:99999",
            "localhost:7878:1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_missing_or_foreign_host_is_refused() {
        assert_eq!(
            check_host(&headers(&[])).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let err = check_host(&headers(&[(header::HOST, "attacker.example")])).unwrap_err();
        assert_eq!(err.status, StatusCode::MISDIRECTED_REQUEST);
        assert!(check_host(&headers(&[(header::HOST, "localhost:1")])).is_ok());
    }

    #[test]
    fn the_bearer_token_must_match() {
        let token = Token::for_tests("0123456789abcdef0123456789abcdef");
        let check = |value: Option<&str>| {
            let map = match value {
                Some(value) => headers(&[(header::AUTHORIZATION, value)]),
                None => headers(&[]),
            };
            check_bearer(&map, &token)
        };
        assert!(check(Some("Bearer 0123456789abcdef0123456789abcdef")).is_ok());
        assert!(check(Some("bearer 0123456789abcdef0123456789abcdef")).is_ok());
        for bad in [
            None,
            Some("Bearer"),
            Some("Bearer "),
            Some("Bearer 0123456789abcdef0123456789abcdeF"),
            Some("Basic 0123456789abcdef0123456789abcdef"),
            Some("0123456789abcdef0123456789abcdef"),
        ] {
            let err = check(bad).unwrap_err();
            assert_eq!(err.status, StatusCode::UNAUTHORIZED, "{bad:?}");
        }
    }
}
