//! Who holds a seat at which event: the recipients of an agenda change.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Records a registration's state (an older announcement never wins).
pub async fn record(
    conn: &mut PgConnection,
    registration_id: Uuid,
    event_id: Uuid,
    attendee_id: Uuid,
    confirmed: bool,
    changed_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into event_registrations (registration_id, event_id, attendee_id, confirmed, changed_at) \
         values ($1, $2, $3, $4, $5) on conflict (registration_id) do update set confirmed = excluded.confirmed, \
         changed_at = excluded.changed_at where event_registrations.changed_at <= excluded.changed_at",
    )
    .bind(registration_id)
    .bind(event_id)
    .bind(attendee_id)
    .bind(confirmed)
    .bind(changed_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The attendees holding a confirmed seat at `event_id`.
pub async fn confirmed_attendees(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "select distinct attendee_id from event_registrations where event_id = $1 and confirmed order by attendee_id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}
