//! Company logos as the content saga records them (`company_logos`): one row per uploaded
//! file, at most one current per company. Every function runs in the consumer's inbox
//! transaction, under the company's row lock, so two uploads of one company never race.

use shared_domain::contracts::content::ContentUploaded;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::logo::UploadStamp;

/// The newest upload recorded for a company, current or not.
pub async fn fetch_newest(
    conn: &mut PgConnection,
    company_id: Uuid,
) -> Result<Option<UploadStamp>, sqlx::Error> {
    let newest: Option<(chrono::DateTime<chrono::Utc>, Uuid)> = sqlx::query_as(
        "select uploaded_at, file_id from company_logos where company_id = $1 \
         order by uploaded_at desc, file_id desc limit 1",
    )
    .bind(company_id)
    .fetch_optional(conn)
    .await?;
    Ok(newest.map(|(uploaded_at, file_id)| UploadStamp {
        uploaded_at,
        file_id,
    }))
}

/// Records an uploaded logo, not current yet; false when its file is recorded already (a
/// redelivered upload).
pub async fn insert_logo(
    conn: &mut PgConnection,
    id: Uuid,
    upload: &ContentUploaded,
    public_url: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into company_logos (id, company_id, file_id, file_name, mime_type, file_size_bytes, s3_key, \
         uploaded_at, uploaded_by, public_url, is_current) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, false) \
         on conflict (file_id) do nothing",
    )
    .bind(id)
    .bind(upload.owner_id)
    .bind(upload.file_id)
    .bind(&upload.file_name)
    .bind(&upload.mime_type)
    .bind(upload.size_bytes)
    .bind(&upload.s3_key)
    .bind(upload.uploaded_at)
    .bind(&upload.uploaded_by)
    .bind(public_url)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Makes `file_id` the company's current logo. The current one retires first: the
/// `company_logos_one_current` index is checked row by row, not at the end of the statement.
pub async fn make_current(
    conn: &mut PgConnection,
    company_id: Uuid,
    file_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("update company_logos set is_current = false where company_id = $1 and is_current")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "update company_logos set is_current = true where company_id = $1 and file_id = $2",
    )
    .bind(company_id)
    .bind(file_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Retires the company's logo if it is `file_id`; false when that file is not current (a
/// replaced logo, a file never recorded, a redelivered deletion).
pub async fn clear_current(
    conn: &mut PgConnection,
    company_id: Uuid,
    file_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let cleared = sqlx::query(
        "update company_logos set is_current = false where company_id = $1 and file_id = $2 and is_current",
    )
    .bind(company_id)
    .bind(file_id)
    .execute(conn)
    .await?;
    Ok(cleared.rows_affected() == 1)
}
