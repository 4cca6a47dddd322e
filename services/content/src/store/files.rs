//! Files and their upload states.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::contracts::content::{ContentType, OwnerKind};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::status::UploadStatus;

/// A file as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRecord {
    pub id: Uuid,
    pub s3_key: String,
    pub original_filename: String,
    pub file_size_bytes: i64,
    pub mime_type: String,
    pub checksum: String,
    pub content_type: Stored<ContentType>,
    pub owner_kind: Stored<OwnerKind>,
    pub owner_id: Uuid,
    pub upload_status: Stored<UploadStatus>,
    pub failure_reason: Option<String>,
    pub uploaded_by: String,
    pub quota_id: Option<Uuid>,
    pub upload_expires_at: DateTime<Utc>,
    pub uploaded_at: Option<DateTime<Utc>>,
    pub public_url: Option<String>,
    pub metadata: sqlx::types::Json<serde_json::Value>,
    pub download_count: i32,
    pub last_accessed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, s3_key, original_filename, file_size_bytes, mime_type, checksum, content_type, owner_kind, \
     owner_id, upload_status, failure_reason, uploaded_by, quota_id, upload_expires_at, uploaded_at, public_url, metadata, \
     download_count, last_accessed_at, created_at";

/// A file about to be uploaded.
pub struct NewFile<'a> {
    pub id: Uuid,
    pub bucket: &'a str,
    pub s3_key: &'a str,
    pub file_name: &'a str,
    pub size_bytes: i64,
    pub mime_type: &'a str,
    pub checksum: &'a str,
    pub content_type: ContentType,
    pub owner: (OwnerKind, Uuid),
    pub uploaded_by: &'a str,
    pub uploader_role: &'a str,
    pub quota_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub metadata: serde_json::Value,
}

/// Records a pending upload.
pub async fn insert(
    conn: &mut PgConnection,
    f: &NewFile<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into files (id, s3_bucket, s3_key, original_filename, file_size_bytes, mime_type, checksum, content_type, \
         owner_kind, owner_id, upload_status, uploaded_by, uploader_role, quota_id, upload_expires_at, metadata, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13, $14, $15, $16, $16)",
    )
    .bind(f.id)
    .bind(f.bucket)
    .bind(f.s3_key)
    .bind(f.file_name)
    .bind(f.size_bytes)
    .bind(f.mime_type)
    .bind(f.checksum)
    .bind(Stored(f.content_type))
    .bind(Stored(f.owner.0))
    .bind(f.owner.1)
    .bind(f.uploaded_by)
    .bind(f.uploader_role)
    .bind(f.quota_id)
    .bind(f.expires_at)
    .bind(sqlx::types::Json(&f.metadata))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// File `id`.
pub async fn fetch(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from files where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// File `id`, locked until the transaction ends.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The completed file stored under `key`.
pub async fn by_key(db: impl PgExecutor<'_>, key: &str) -> Result<Option<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where s3_key = $1 and upload_status = 'completed'"
    ))
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Moves file `id` to `status` (with a reason for failures).
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: UploadStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update files set upload_status = $2, failure_reason = $3, updated_at = $4, \
         deleted_at = case when $2 = 'deleted' then $4 else deleted_at end where id = $1",
    )
    .bind(id)
    .bind(Stored(status))
    .bind(reason)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks a pending file `uploading` (its confirmation under way); a decided file stays as
/// it is.
pub async fn mark_uploading(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update files set upload_status = 'uploading', updated_at = $2 where id = $1 and upload_status = 'pending'")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Marks file `id` completed at `now` with its public address (if it has one).
pub async fn complete(
    conn: &mut PgConnection,
    id: Uuid,
    public_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update files set upload_status = 'completed', failure_reason = null, uploaded_at = $3, public_url = $2, \
         updated_at = $3 where id = $1",
    )
    .bind(id)
    .bind(public_url)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The owner's other completed files of `content_type`, locked (a newer one replaces them).
pub async fn lock_previous(
    conn: &mut PgConnection,
    owner: (OwnerKind, Uuid),
    content_type: ContentType,
    except: Uuid,
) -> Result<Vec<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where owner_kind = $1 and owner_id = $2 and content_type = $3 \
         and upload_status = 'completed' and id <> $4 order by id for update"
    ))
    .bind(Stored(owner.0))
    .bind(owner.1)
    .bind(Stored(content_type))
    .bind(except)
    .fetch_all(conn)
    .await
}

/// The owner's completed and pending files (an erased person's), locked.
pub async fn lock_of_owner(
    conn: &mut PgConnection,
    owner: (OwnerKind, Uuid),
) -> Result<Vec<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where owner_kind = $1 and owner_id = $2 \
         and upload_status in ('pending', 'uploading', 'completed') order by id for update"
    ))
    .bind(Stored(owner.0))
    .bind(owner.1)
    .fetch_all(conn)
    .await
}

/// Bytes of `user`'s uploads still under way (links not yet expired).
pub async fn pending_bytes(
    conn: &mut PgConnection,
    user: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select coalesce(sum(file_size_bytes), 0)::bigint from files where uploaded_by = $1 \
         and upload_status in ('pending', 'uploading') and upload_expires_at > $2",
    )
    .bind(user)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Uploads whose link expired `grace` ago without a confirmation, locked (replicas skip
/// each other's).
pub async fn lock_expired(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
) -> Result<Vec<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where upload_status in ('pending', 'uploading') and upload_expires_at < $1 \
         order by upload_expires_at limit 100 for update skip locked"
    ))
    .bind(before)
    .fetch_all(conn)
    .await
}

/// Files whose object must leave the store (failed, infected, deleted), locked.
pub async fn lock_objects_to_remove(
    conn: &mut PgConnection,
) -> Result<Vec<FileRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from files where object_removed_at is null \
         and upload_status in ('failed', 'virus_detected', 'deleted') order by updated_at limit 100 for update skip locked"
    ))
    .fetch_all(conn)
    .await
}

/// Notes that file `id`'s object is gone.
pub async fn object_removed(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("update files set object_removed_at = $2 where id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Counts a download of `id` by `downloader` in `hour`; false when this downloader was
/// counted in that hour already.
pub async fn count_download(
    conn: &mut PgConnection,
    id: Uuid,
    downloader: &str,
    hour: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let first = sqlx::query(
        "insert into file_downloads (file_id, downloader, hour) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(id)
    .bind(downloader)
    .bind(hour)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let counted = if first {
        "download_count + 1"
    } else {
        "download_count"
    };
    sqlx::query(&format!(
        "update files set download_count = {counted}, last_accessed_at = $2 where id = $1"
    ))
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(first)
}
