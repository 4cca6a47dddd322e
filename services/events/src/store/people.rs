//! The people the published agenda names: speakers' sealed profiles, company names and
//! approved content, kept from the speakers and companies contexts' events.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A speaker's profile as the speakers context announces it.
pub struct SpeakerProfile<'a> {
    pub speaker_id: Uuid,
    /// The sealed identity.
    pub identity: &'a Value,
    pub company_id: Option<Uuid>,
    pub photo_url: Option<&'a str>,
    pub changed_at: DateTime<Utc>,
}

/// Keeps a speaker's sealed identity, company and profile photo (an older announcement
/// never wins).
pub async fn upsert_profile(conn: &mut PgConnection, p: &SpeakerProfile<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "insert into speaker_profiles (speaker_id, identity, company_id, photo_url, changed_at) values ($1, $2, $3, $4, $5) \
         on conflict (speaker_id) do update set identity = excluded.identity, company_id = excluded.company_id, \
         photo_url = excluded.photo_url, changed_at = excluded.changed_at \
         where speaker_profiles.changed_at <= excluded.changed_at",
    )
    .bind(p.speaker_id)
    .bind(Json(p.identity))
    .bind(p.company_id)
    .bind(p.photo_url)
    .bind(p.changed_at)
    .execute(&mut *conn)
    .await?;
    touch_speaker(conn, p.speaker_id, p.changed_at).await
}

/// Forgets an erased speaker: the profile, the approved content and the reason given when
/// declining; agendas show the id only.
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
    // The reason they gave when declining was in their words.
    sqlx::query(
        "update overflow_speakers set decline_reason = 'declined the invitation' \
         where speaker_id = $1 and decline_reason is not null",
    )
    .bind(speaker_id)
    .execute(&mut *conn)
    .await?;
    touch_speaker(conn, speaker_id, at).await
}

/// Keeps a company's shown name and the public address of its current logo.
pub async fn upsert_company(
    conn: &mut PgConnection,
    company_id: Uuid,
    name: &str,
    logo_url: Option<&str>,
    changed_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into company_names (company_id, name, logo_url, changed_at) values ($1, $2, $3, $4) \
         on conflict (company_id) do update set name = excluded.name, logo_url = excluded.logo_url, \
         changed_at = excluded.changed_at where company_names.changed_at <= excluded.changed_at",
    )
    .bind(company_id)
    .bind(name)
    .bind(logo_url)
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

/// A change to what the agenda shows of a speaker touches their sessions' speaker rows,
/// whose trigger announces the change to the agenda cache.
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
    pub company_logo_url: Option<String>,
    pub abstract_text: Option<String>,
    /// The photo of the approved submission, else the profile photo.
    pub photo_url: Option<String>,
}

/// The people of an event's sessions.
pub async fn of_event(db: impl PgExecutor<'_>, event_id: Uuid) -> sqlx::Result<Vec<AgendaPerson>> {
    sqlx::query_as(
        "select ss.session_id, ss.speaker_id, p.identity, c.name as company, c.logo_url as company_logo_url, ss.abstract as abstract_text, coalesce(ss.photo_url, p.photo_url) as photo_url \
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
        "select ss.session_id, ss.speaker_id, p.identity, null::text as company, null::text as company_logo_url, ss.abstract as abstract_text, ss.photo_url \
         from event_slots sl join session_speakers ss on ss.session_id = sl.assigned_session_id \
         left join speaker_profiles p on p.speaker_id = ss.speaker_id \
         where sl.event_id = $1 and ss.is_confirmed and ss.abstract is null order by sl.slot_number, ss.speaker_id",
    )
    .bind(event_id)
    .fetch_all(conn)
    .await
}
