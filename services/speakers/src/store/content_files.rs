//! The content context's files as this service knows them: uploads are recorded once (a
//! redelivery changes nothing), a deletion marks the file and is kept however often it
//! arrives.

use chrono::{DateTime, Utc};
use shared_domain::contracts::content::{ContentDeleted, ContentUploaded, OwnerKind};
use shared_domain::contracts::Known;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::materials::MaterialFile;

/// A file as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContentFileRecord {
    pub file_id: Uuid,
    /// The content type as the producer named it.
    pub content_type: String,
    /// The owner kind as the producer named it.
    pub owner_kind: String,
    pub owner_id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub checksum: String,
    pub public_url: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl ContentFileRecord {
    /// What the material rules see of the file.
    pub fn material(&self) -> MaterialFile {
        MaterialFile {
            content_type: Known::named(&self.content_type),
            owner_kind: Known::named(&self.owner_kind),
            owner_id: self.owner_id,
            deleted: self.deleted_at.is_some(),
        }
    }
}

const COLUMNS: &str = "file_id, content_type, owner_kind, owner_id, file_name, mime_type, size_bytes, checksum, public_url, uploaded_by, uploaded_at, deleted_at";

/// Records an uploaded file; a file already known stays as it is (so a deletion that
/// arrived first is kept).
pub async fn insert_file(conn: &mut PgConnection, e: &ContentUploaded) -> sqlx::Result<()> {
    sqlx::query(
        "insert into content_files (file_id, content_type, owner_kind, owner_id, file_name, mime_type, size_bytes, checksum, public_url, uploaded_by, uploaded_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (file_id) do nothing",
    )
    .bind(e.file_id)
    .bind(e.content_type.to_string())
    .bind(e.owner_kind.to_string())
    .bind(e.owner_id)
    .bind(&e.file_name)
    .bind(&e.mime_type)
    .bind(e.size_bytes)
    .bind(&e.checksum)
    .bind(&e.public_url)
    .bind(&e.uploaded_by)
    .bind(e.uploaded_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks a file deleted (the first deletion's time stays).
pub async fn mark_deleted(conn: &mut PgConnection, e: &ContentDeleted) -> sqlx::Result<()> {
    sqlx::query("update content_files set deleted_at = coalesce(deleted_at, $2) where file_id = $1")
        .bind(e.file_id)
        .bind(e.deleted_at)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Reads one file (deleted ones too).
pub async fn fetch_file(
    db: impl PgExecutor<'_>,
    file_id: Uuid,
) -> sqlx::Result<Option<ContentFileRecord>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from content_files where file_id = $1"
    ))
    .bind(file_id)
    .fetch_optional(db)
    .await
}

/// Reads the files of `ids` that are known, in no particular order.
pub async fn fetch_files(
    db: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> sqlx::Result<Vec<ContentFileRecord>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from content_files where file_id = any($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Neutralises the names of an erased speaker's files (the content context deletes the
/// files themselves and announces it).
pub async fn forget_names_of(conn: &mut PgConnection, speaker_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "update content_files set file_name = 'erased', uploaded_by = 'erased' \
         where owner_kind = $2 and owner_id = $1",
    )
    .bind(speaker_id)
    .bind(Known::from(OwnerKind::Speaker).to_string())
    .execute(conn)
    .await
    .map(|_| ())
}
