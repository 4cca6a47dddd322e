//! The people the published agenda names: speakers' sealed profiles, company names and
//! approved content, kept from the speakers and companies contexts' events.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Keeps a speaker's sealed identity and company (an older announcement never wins).
pub async fn upsert_profile(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    identity: &Value,
    company_id: Option<Uuid>,
    changed_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into speaker_profiles (speaker_id, identity, company_id, changed_at) values ($1, $2, $3, $4) \
         on conflict (speaker_id) do update set identity = excluded.identity, company_id = excluded.company_id, \
         changed_at = excluded.changed_at where speaker_profiles.changed_at <= excluded.changed_at",
    )
    .bind(speaker_id)
    .bind(Json(identity))
    .bind(company_id)
    .bind(changed_at)
    .execute(&mut *conn)
    .await?;
    touch_speaker(conn, speaker_id, changed_at).await
}

/// Forgets an erased speaker: the profile and the approved content; agendas show the id only.
pub async fn forget_speaker(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("delete from speaker_profiles where speaker_id = $1")
        .bind(speaker_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "update session_speakers set abstract = null, photo_url = null where speaker_id = $1",
    )
    .bind(speaker_id)
    .execute(&mut *conn)
    .await?;
    touch_speaker(conn, speaker_id, at).await
}

/// Keeps a company's shown name.
pub async fn upsert_company(
    conn: &mut PgConnection,
    company_id: Uuid,
    name: &str,
    changed_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into company_names (company_id, name, changed_at) values ($1, $2, $3) \
         on conflict (company_id) do update set name = excluded.name, changed_at = excluded.changed_at \
         where company_names.changed_at <= excluded.changed_at",
    )
    .bind(company_id)
    .bind(name)
    .bind(changed_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update session_speakers set updated_at = greatest(updated_at, $2) \
         where speaker_id in (select speaker_id from speaker_profiles where company_id = $1)",
    )
    .bind(company_id)
    .bind(changed_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Records the approved abstract and photo of a speaker's session.
pub async fn approve_content(
    conn: &mut PgConnection,
    session_id: Uuid,
    speaker_id: Uuid,
    abstract_text: &str,
    photo_url: Option<&str>,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update session_speakers set abstract = $3, photo_url = $4, updated_at = greatest(updated_at, $5) \
         where session_id = $1 and speaker_id = $2",
    )
    .bind(session_id)
    .bind(speaker_id)
    .bind(abstract_text)
    .bind(photo_url)
    .bind(at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A change to what the agenda shows of a speaker changes the agenda's stamp.
async fn touch_speaker(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "update session_speakers set updated_at = greatest(updated_at, $2) where speaker_id = $1",
    )
    .bind(speaker_id)
    .bind(at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// What the agenda shows of one speaker of one session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgendaPerson {
    pub session_id: Uuid,
    pub speaker_id: Uuid,
    pub identity: Option<Json<Value>>,
    pub company: Option<String>,
    pub abstract_text: Option<String>,
    pub photo_url: Option<String>,
}

/// The people of an event's sessions.
pub async fn of_event(db: impl PgExecutor<'_>, event_id: Uuid) -> sqlx::Result<Vec<AgendaPerson>> {
    sqlx::query_as(
        "select ss.session_id, ss.speaker_id, p.identity, c.name as company, ss.abstract as abstract_text, ss.photo_url \
         from session_speakers ss join sessions s on s.id = ss.session_id \
         left join speaker_profiles p on p.speaker_id = ss.speaker_id \
         left join company_names c on c.company_id = p.company_id where s.event_id = $1",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}

/// The confirmed speakers of the sessions in the event's slots whose content is not
/// approved yet.
pub async fn unapproved_on_agenda(
    conn: &mut PgConnection,
    event_id: Uuid,
) -> sqlx::Result<Vec<AgendaPerson>> {
    sqlx::query_as(
        "select ss.session_id, ss.speaker_id, p.identity, null::text as company, ss.abstract as abstract_text, ss.photo_url \
         from event_slots sl join session_speakers ss on ss.session_id = sl.assigned_session_id \
         left join speaker_profiles p on p.speaker_id = ss.speaker_id \
         where sl.event_id = $1 and ss.is_confirmed and ss.abstract is null order by sl.slot_number, ss.speaker_id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}
