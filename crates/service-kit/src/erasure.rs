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
