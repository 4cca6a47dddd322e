//! What the shared tables of a schema keep about a person, forgotten at erasure: dead
//! letters whose message names them and stored idempotent answers that show them. The
//! owning service erases its own rows; this covers what every schema carries.

use sqlx::PgConnection;
use uuid::Uuid;

/// Deletes the dead letters that hold `id` or `email` (in any case) and the stored answers
/// that hold `id` or the (lower-cased, as every service answers it) `email`. Call it inside
/// the erasing transaction, before the email is overwritten.
pub async fn forget_person(conn: &mut PgConnection, id: Uuid, email: &str) -> sqlx::Result<()> {
    let (id, email) = (id.to_string(), email.to_lowercase());
    sqlx::query(
        "delete from dead_letters
         where strpos(lower(coalesce(payload, '')), $1) > 0
            or strpos(lower(coalesce(payload, '')), $2) > 0
            or message_key = $1",
    )
    .bind(&id)
    .bind(&email)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "delete from idempotency_keys
         where position(convert_to($1, 'UTF8') in coalesce(response_body, ''::bytea)) > 0
            or position(convert_to($2, 'UTF8') in coalesce(response_body, ''::bytea)) > 0",
    )
    .bind(&id)
    .bind(&email)
    .execute(conn)
    .await
    .map(|_| ())
}

/// What a service that holds people's profiles (attendees, speakers) forgets besides the
/// profile row: a pending address change and the person's key, which leaves everything ever
/// sealed for them on the bus, in outboxes and in dead letters unreadable. Outbox rows
/// written before sealing carried the identity in plain text; they get neutral values, so
/// neither the table nor a later replay gives the person back.
pub async fn forget_profile(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("delete from email_changes where person_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::person_keys::destroy(conn, id).await?;
    sqlx::query(
        "update outbox set payload = payload || jsonb_build_object('email', 'erased-' || aggregate_id || '@erased.invalid', \
         'firstName', 'Erased', 'lastName', 'Erased') where aggregate_id = $1 and payload ? 'email'",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update outbox set payload = payload || jsonb_build_object('newEmail', 'erased-' || aggregate_id || '@erased.invalid', \
         'confirmationToken', '') where aggregate_id = $1 and jsonb_typeof(payload -> 'newEmail') = 'string'",
    )
    .bind(id.to_string())
    .execute(conn)
    .await
    .map(|_| ())
}
