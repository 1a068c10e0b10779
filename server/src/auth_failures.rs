//! Wrong tokens, counted per client address (issue 23, F4): after [`FAILURES_PER_MINUTE`]
//! wrong tokens from one address in a minute, the next ones answer 429 with `Retry-After`
//! instead of 401, until the address's allowance refills (one every three seconds).
//!
//! Only failures count, and a good token is checked before any count is consulted, so a phone
//! with a good token is never slowed, not even one behind the same NAT as the address that
//! fails (a village office's Wi-Fi). A missing `Authorization` header is not counted either: it
//! guesses nothing. Tokens are 256 random bits, so guessing one is hopeless at any rate; the
//! limit tells a misbehaving client to back off and makes the hammering visible (the log says
//! which address, the metrics count `too_many_attempts`), so the proxy in front
//! (docs/deploy.md) can block it for good.
//!
//! The address is the TCP peer's; when the peer is the machine itself (the reverse proxy of
//! docs/deploy.md), the last address in `X-Forwarded-For`, which that proxy appended.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Wrong tokens one address may send in a minute before it is answered 429.
pub const FAILURES_PER_MINUTE: u32 = 20;

/// Addresses remembered before the ones that stopped failing are forgotten.
const REMEMBERED_ADDRESSES: usize = 10_000;

/// The count of wrong tokens by client address (one per server, in [`crate::AppState`]).
pub struct AuthFailures {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for AuthFailures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthFailures")
            .field("addresses", &self.limiter.len())
            .finish()
    }
}

impl Default for AuthFailures {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(FAILURES_PER_MINUTE).expect("not zero");
        AuthFailures {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
        }
    }
}

impl AuthFailures {
    /// Counts a wrong token from `address`: `None` while the address is within its allowance,
    /// else how long it must wait before it is heard again.
    pub fn failed(&self, address: IpAddr) -> Option<Duration> {
        if self.limiter.len() > REMEMBERED_ADDRESSES {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&address) {
            Ok(()) => None,
            Err(not_until) => Some(not_until.wait_time_from(self.clock.now())),
        }
    }
}

/// The client's address: the TCP peer's, or what the local proxy says it is. `None` when the
/// server runs without connection info (the tests' in-process requests without one).
pub fn client_address(parts: &Parts) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())?;
    if !peer.is_loopback() {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back();
    Some(forwarded.unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts_from(peer: &str, forwarded: &[&str]) -> Parts {
        let mut request = Request::builder();
        for f in forwarded {
            request = request.header("x-forwarded-for", *f);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let peer: SocketAddr = peer.parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    #[test]
    fn the_local_proxys_last_forwarded_address_is_the_client() {
        // A client can put anything first; the proxy appends what it saw last.
        let parts = parts_from("127.0.0.1:5000", &["6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_address(&parts), Some("203.0.113.7".parse().unwrap()));
        let parts = parts_from("127.0.0.1:5000", &["6.6.6.6", "203.0.113.8"]);
        assert_eq!(client_address(&parts), Some("203.0.113.8".parse().unwrap()));
        // From anywhere else the header is the client's own word: not believed.
        let parts = parts_from("198.51.100.2:5000", &["203.0.113.7"]);
        assert_eq!(
            client_address(&parts),
            Some("198.51.100.2".parse().unwrap())
        );
        let parts = parts_from("[::1]:5000", &[]);
        assert_eq!(client_address(&parts), Some("::1".parse().unwrap()));
    }

    #[test]
    fn an_address_is_stopped_after_its_allowance_and_others_are_not() {
        let failures = AuthFailures::default();
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        for n in 0..FAILURES_PER_MINUTE {
            assert_eq!(failures.failed(a), None, "failure {n}");
        }
        let wait = failures.failed(a).expect("the 21st is stopped");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(3),
            "{wait:?}"
        );
        assert_eq!(failures.failed("203.0.113.8".parse().unwrap()), None);
    }
}
