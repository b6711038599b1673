//! Which addresses the server may listen on: loopback only.
//!
//! The API hands out the index and starts indexing jobs; on any other
//! interface it would serve the network, so a non-loopback address is
//! refused before anything is bound, with the fix in the message.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use gleaner_core::settings::Settings;

use crate::server::HttpError;

/// The address used when `http.addr` is not set.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7878";

/// Parses `text` (`127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT`) into a
/// loopback socket address; anything else is an error.
pub fn loopback_addr(text: &str) -> Result<SocketAddr, HttpError> {
    let text = text.trim();
    let addr = match text.parse::<SocketAddr>() {
        Ok(addr) => addr,
        Err(_) => match text.rsplit_once(':') {
            // `localhost` is the one name allowed: it means the IPv4
            // loopback without asking a resolver.
            Some((host, port)) if host.eq_ignore_ascii_case("localhost") => {
                let port = port.parse().map_err(|_| HttpError::BadAddress {
                    text: text.to_string(),
                })?;
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
            }
            _ => {
                return Err(HttpError::BadAddress {
                    text: text.to_string(),
                })
            }
        },
    };
    if !addr.ip().is_loopback() {
        return Err(HttpError::NotLoopback { addr });
    }
    Ok(addr)
}

/// The address from the settings when `http.enabled` is true.
pub fn configured_addr(settings: &Settings) -> Option<Result<SocketAddr, HttpError>> {
    settings
        .boolean("http.enabled")
        .then(|| loopback_addr(settings.get("http.addr")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_accepted() {
        for text in ["127.0.0.1:7878", "[::1]:80", "localhost:9", " 127.0.0.1:0 "] {
            let addr = loopback_addr(text).unwrap();
            assert!(addr.ip().is_loopback(), "{text}");
        }
        assert_eq!(
            loopback_addr("localhost:9").unwrap().to_string(),
            "127.0.0.1:9"
        );
    }

    #[test]
    fn other_interfaces_are_refused() {
        for text in ["0.0.0.0:7878", "192.168.1.5:80", "[::]:80", "10.0.0.1:1"] {
            let err = loopback_addr(text).unwrap_err();
            assert!(
                matches!(err, HttpError::NotLoopback { .. }),
                "{text}: {err}"
            );
            assert!(err.to_string().contains("loopback"), "{err}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for text in ["", "7878", "example.org:80", "localhost", "127.0.0.1:http"] {
            assert!(
                matches!(loopback_addr(text), Err(HttpError::BadAddress { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn the_setting_is_read_only_when_enabled() {
        let off = Settings::defaults();
        assert!(configured_addr(&off).is_none());
        let on = Settings::from_stored([("http.enabled".to_string(), "true".to_string())]);
        assert_eq!(
            configured_addr(&on).unwrap().unwrap().to_string(),
            DEFAULT_ADDR
        );
    }
}
