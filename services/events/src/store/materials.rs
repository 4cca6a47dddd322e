//! Sessions' materials as the content context announces them: the latest version per
//! session (an older or repeated version changes nothing), shown on the published agenda.

use chrono::{DateTime, Utc};
use shared_domain::contracts::content::{
    PublishedMaterial, PublishedPresentation, SessionMaterialsChanged,
};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// A session's materials as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionMaterialsRecord {
    pub session_id: Uuid,
    pub published_at: Option<DateTime<Utc>>,
    pub presentations: Json<Vec<PublishedPresentation>>,
    pub supplementary: Json<Vec<PublishedMaterial>>,
    pub recording_url: Option<String>,
    pub photo_urls: Json<Vec<String>>,
}

/// Keeps `e` when it is newer than the stored version of its session.
pub async fn upsert_materials(
    conn: &mut PgConnection,
    e: &SessionMaterialsChanged,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into session_materials (session_id, event_id, published_at, presentations, supplementary, recording_url, photo_urls, version, changed_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         on conflict (session_id) do update set event_id = excluded.event_id, published_at = excluded.published_at, \
         presentations = excluded.presentations, supplementary = excluded.supplementary, recording_url = excluded.recording_url, \
         photo_urls = excluded.photo_urls, version = excluded.version, changed_at = excluded.changed_at \
         where session_materials.version < excluded.version",
    )
    .bind(e.session_id)
    .bind(e.event_id)
    .bind(e.published_at)
    .bind(Json(&e.presentations))
    .bind(Json(&e.supplementary))
    .bind(&e.recording_url)
    .bind(Json(&e.photo_urls))
    .bind(e.version)
    .bind(e.changed_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The materials of an event's sessions.
pub async fn of_event(
    db: impl PgExecutor<'_>,
    event_id: Uuid,
) -> sqlx::Result<Vec<SessionMaterialsRecord>> {
    sqlx::query_as(
        "select session_id, published_at, presentations, supplementary, recording_url, photo_urls \
         from session_materials where event_id = $1",
    )
    .bind(event_id)
    .fetch_all(db)
    .await
}
