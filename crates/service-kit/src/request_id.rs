//! A caller's `X-Request-Id` is kept only when it is a short run of visible ASCII;
//! otherwise it is dropped and the service mints its own. The id travels into logs, event
//! headers and the outbox's indexed `correlation_id`, where an overlong one would fail the
//! request's transaction.

use http::Request;

use crate::around::Around;

/// Longest request id kept (a UUID is 36 characters; tracing systems' ids are shorter
/// than this).
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// Whether `value` may serve as a request id.
pub fn usable(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_BYTES
        && value.iter().all(u8::is_ascii_graphic)
}

/// The middleware, placed before the one that mints missing ids.
#[derive(Clone, Copy)]
pub struct DropUnusable;

impl Around for DropUnusable {
    type Carry = ();

    fn before<B>(&self, request: &mut Request<B>) {
        if request
            .headers()
            .get_all("x-request-id")
            .iter()
            .any(|value| !usable(value.as_bytes()))
        {
            request.headers_mut().remove("x-request-id");
        }
    }

    fn after<B>((): (), _: &mut http::Response<B>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_visible_ids_are_kept_and_others_are_not() {
        assert!(usable(b"0190f3c2-6f4e-7a51-9b1e-2d1f3a4b5c6d"));
        assert!(!usable(b""));
        assert!(!usable(b"with space"));
        assert!(!usable("grüezi".as_bytes()));
        assert!(!usable("x".repeat(MAX_REQUEST_ID_BYTES + 1).as_bytes()));
    }
}
