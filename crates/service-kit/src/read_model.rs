//! Reading your own writes across services. A request may name something another service
//! created a moment ago (a company, a session) before that service's event reached the
//! local read model. [`await_known`] gives the read model a short while to catch up; if
//! it still does not know an id that was minted recently (ids are UUIDv7, so they carry
//! their creation time), the answer is `503` with `Retry-After` and the problem code
//! `not_yet_known`: the caller repeats the same request. Only an id that is not recent
//! is refused as unknown (`422`).

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::problem::ApiError;

/// How long a request waits for a read model to learn a recent id.
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(3);
/// How often the read model is asked again while waiting.
const POLL: Duration = Duration::from_millis(25);
/// Ids minted within this window may still be on their way to the read model.
const RECENT: Duration = Duration::from_secs(600);
/// The `Retry-After` (seconds) of a `not_yet_known` answer.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Looks `id` up with `lookup` until it is found or [`CATCH_UP_WAIT`] passes. Unknown
/// then: `not_yet_known` (503, retry) when `id` is recent, else 422 on `field` saying it
/// is not a known `noun`. Call it outside a transaction: it may wait.
pub async fn await_known<T, F, Fut>(
    field: &str,
    noun: &str,
    id: Uuid,
    mut lookup: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, sqlx::Error>>,
{
    let deadline = tokio::time::Instant::now() + CATCH_UP_WAIT;
    loop {
        if let Some(found) = lookup().await? {
            return Ok(found);
        }
        if !minted_recently(id) || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    if minted_recently(id) {
        Err(ApiError::not_yet_known(
            field,
            format!("{noun} {id} is not known here yet"),
        ))
    } else {
        Err(ApiError::invalid_field(
            field,
            format!("is not a known {noun}"),
        ))
    }
}

/// [`await_known`], then the same short while for the read model to reach a state that
/// `settled` accepts (a change the caller may have made elsewhere a moment ago); answers the
/// last state seen either way, for the caller to decide on.
pub async fn await_settled<T, F, Fut>(
    field: &str,
    noun: &str,
    id: Uuid,
    mut lookup: F,
    settled: impl Fn(&T) -> bool,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, sqlx::Error>>,
{
    let deadline = tokio::time::Instant::now() + CATCH_UP_WAIT;
    loop {
        let found = await_known(field, noun, id, &mut lookup).await?;
        if settled(&found) || tokio::time::Instant::now() >= deadline {
            return Ok(found);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether `id` is a UUIDv7 minted within [`RECENT`] (or slightly in the future, for clock
/// skew between services).
pub fn minted_recently(id: Uuid) -> bool {
    let Some(timestamp) = id.get_timestamp() else {
        return false;
    };
    let (seconds, nanos) = timestamp.to_unix();
    let minted = UNIX_EPOCH + Duration::new(seconds, nanos);
    let now = SystemTime::now();
    match now.duration_since(minted) {
        Ok(age) => age <= RECENT,
        Err(ahead) => ahead.duration() <= Duration::from_secs(60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_v7_id_is_recent_and_an_old_or_random_one_is_not() {
        assert!(minted_recently(Uuid::now_v7()));
        assert!(!minted_recently(Uuid::new_v4()));
        let old = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            1_600_000_000,
            0,
        ));
        assert!(!minted_recently(old));
    }

    #[tokio::test]
    async fn an_id_the_read_model_learns_while_waiting_is_found() {
        let mut asked = 0;
        let found = await_known("companyId", "company", Uuid::now_v7(), || {
            asked += 1;
            let answer = (asked == 3).then_some("acme");
            async move { Ok(answer) }
        })
        .await
        .unwrap();
        assert_eq!(found, "acme");
    }

    #[tokio::test]
    async fn a_recent_id_still_unknown_asks_to_retry() {
        let error = await_known::<(), _, _>("sessionId", "session", Uuid::now_v7(), || async {
            Ok(None)
        })
        .await
        .unwrap_err();
        assert_eq!(error.kind, crate::ProblemKind::NotYetKnown);
        assert_eq!(error.errors[0].field, "sessionId");
    }

    #[tokio::test]
    async fn an_old_unknown_id_is_refused_at_once() {
        let started = std::time::Instant::now();
        let error = await_known::<(), _, _>("companyId", "company", Uuid::new_v4(), || async {
            Ok(None)
        })
        .await
        .unwrap_err();
        assert_eq!(error.kind, crate::ProblemKind::ValidationFailed);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
