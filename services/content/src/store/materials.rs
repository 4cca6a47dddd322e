//! Session materials: presentations (one primary at most), supplementary materials, the
//! recording and the photo gallery.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::materials::{Details, MaterialType, Supplementary};

/// A session's materials row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialsRecord {
    pub session_id: Uuid,
    pub event_id: Uuid,
    pub recording_url: Option<String>,
    pub photo_file_ids: Vec<Uuid>,
    pub materials_published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "session_id, event_id, recording_url, photo_file_ids, materials_published_at, version, updated_at";

/// A presentation of a session with its file's figures.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresentationRow {
    pub file_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub is_primary: bool,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub download_count: i32,
    pub last_accessed_at: Option<DateTime<Utc>>,
    pub s3_key: String,
    pub mime_type: String,
    pub file_size_bytes: i64,
}

/// A supplementary material with its file's figures (if it has a file).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupplementaryRow {
    pub id: Uuid,
    pub file_id: Option<Uuid>,
    pub url: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub material_type: Stored<MaterialType>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub download_count: Option<i32>,
    pub s3_key: Option<String>,
}

/// The session's materials row (created empty on first use), locked: every change of a
/// session's materials goes through this lock, so concurrent changes take turns.
pub async fn lock(
    conn: &mut PgConnection,
    session_id: Uuid,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> Result<MaterialsRecord, sqlx::Error> {
    sqlx::query(
        "insert into session_materials (session_id, event_id, updated_at) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(session_id)
    .bind(event_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_materials where session_id = $1 for update"
    ))
    .bind(session_id)
    .fetch_one(conn)
    .await
}

/// The session's materials row, if any.
pub async fn fetch(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
) -> Result<Option<MaterialsRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from session_materials where session_id = $1"
    ))
    .bind(session_id)
    .fetch_optional(db)
    .await
}

/// Counts a change of the session's materials; answers the row after it.
pub async fn touch(
    conn: &mut PgConnection,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> Result<MaterialsRecord, sqlx::Error> {
    sqlx::query_as(&format!(
        "update session_materials set version = version + 1, updated_at = $2 where session_id = $1 returning {COLUMNS}"
    ))
    .bind(session_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// A presentation to attach.
pub struct NewPresentation<'a> {
    pub session_id: Uuid,
    pub file_id: Uuid,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub is_primary: bool,
    pub uploaded_by: &'a str,
}

/// Attaches a presentation (once per file); a new primary one demotes the previous.
/// The caller holds the session's lock.
pub async fn attach_presentation(
    conn: &mut PgConnection,
    p: &NewPresentation<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if p.is_primary {
        sqlx::query(
            "update presentation_files set is_primary = false where session_id = $1 and is_primary",
        )
        .bind(p.session_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "insert into presentation_files (id, session_id, file_id, title, description, is_primary, uploaded_by, uploaded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (file_id) do nothing",
    )
    .bind(shared_domain::new_id())
    .bind(p.session_id)
    .bind(p.file_id)
    .bind(p.title)
    .bind(p.description)
    .bind(p.is_primary)
    .bind(p.uploaded_by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Makes `file_id` the session's primary presentation; false when it is none of its.
pub async fn make_primary(
    conn: &mut PgConnection,
    session_id: Uuid,
    file_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query("update presentation_files set is_primary = false where session_id = $1 and is_primary and file_id <> $2")
        .bind(session_id)
        .bind(file_id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(
        "update presentation_files set is_primary = true where session_id = $1 and file_id = $2",
    )
    .bind(session_id)
    .bind(file_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The session's presentations, primary first.
pub async fn presentations(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
) -> Result<Vec<PresentationRow>, sqlx::Error> {
    sqlx::query_as(
        "select p.file_id, p.title, p.description, p.is_primary, p.uploaded_by, p.uploaded_at, f.download_count, \
         f.last_accessed_at, f.s3_key, f.mime_type, f.file_size_bytes from presentation_files p join files f on f.id = p.file_id \
         where p.session_id = $1 order by p.is_primary desc, p.uploaded_at, p.id",
    )
    .bind(session_id)
    .fetch_all(db)
    .await
}

/// Adds a supplementary material.
pub async fn add_supplementary(
    conn: &mut PgConnection,
    session_id: Uuid,
    s: &Supplementary,
    uploaded_by: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let id = shared_domain::new_id();
    sqlx::query(
        "insert into supplementary_materials (id, session_id, file_id, url, title, description, material_type, uploaded_by, uploaded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(session_id)
    .bind(s.file_id)
    .bind(s.url.as_deref())
    .bind(&s.title)
    .bind(s.description.as_deref())
    .bind(Stored(s.material_type))
    .bind(uploaded_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Removes supplementary material `id` of the session; false when there is none.
pub async fn remove_supplementary(
    conn: &mut PgConnection,
    session_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from supplementary_materials where session_id = $1 and id = $2")
        .bind(session_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The session's supplementary materials, in the order they were added.
pub async fn supplementary(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
) -> Result<Vec<SupplementaryRow>, sqlx::Error> {
    sqlx::query_as(
        "select s.id, s.file_id, s.url, s.title, s.description, s.material_type, s.uploaded_by, s.uploaded_at, \
         f.download_count, f.s3_key from supplementary_materials s left join files f on f.id = s.file_id \
         where s.session_id = $1 order by s.uploaded_at, s.id",
    )
    .bind(session_id)
    .fetch_all(db)
    .await
}

/// Sets the recording and the gallery.
pub async fn set_details(
    conn: &mut PgConnection,
    session_id: Uuid,
    d: &Details,
) -> Result<(), sqlx::Error> {
    sqlx::query("update session_materials set recording_url = $2, photo_file_ids = $3 where session_id = $1")
        .bind(session_id)
        .bind(d.recording_url.as_deref())
        .bind(&d.photo_file_ids)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Publishes (or withdraws) the session's materials.
pub async fn set_published(
    conn: &mut PgConnection,
    session_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update session_materials set materials_published_at = $2 where session_id = $1")
        .bind(session_id)
        .bind(at)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Removes every reference to file `id` from the session's materials; true when any went.
pub async fn forget_file(
    conn: &mut PgConnection,
    session_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let mut removed = 0;
    for sql in [
        "delete from presentation_files where session_id = $1 and file_id = $2",
        "delete from supplementary_materials where session_id = $1 and file_id = $2",
        "update session_materials set photo_file_ids = array_remove(photo_file_ids, $2) \
         where session_id = $1 and $2 = any(photo_file_ids)",
    ] {
        removed += sqlx::query(sql)
            .bind(session_id)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(removed > 0)
}

/// The object keys of the gallery's photos (completed files only), in gallery order.
pub async fn photo_keys(db: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select f.s3_key from unnest($1::uuid[]) with ordinality as g(id, n) join files f on f.id = g.id \
         where f.upload_status = 'completed' order by g.n",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}
