//! Speaker rows.

use chrono::{DateTime, Utc};
use service_kit::Stored;
use shared_domain::Valid;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::photo::{PhotoChange, UploadedPhoto};
use crate::domain::speaker::{
    ContactPreferences, SpeakerAvailability, SpeakerFields, SpeakerProfile,
};

/// A speaker as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpeakerRecord {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company_id: Uuid,
    pub position: Option<String>,
    pub profile: Json<SpeakerProfile>,
    pub availability: Stored<SpeakerAvailability>,
    pub communication_preferences: Json<ContactPreferences>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub erased_at: Option<DateTime<Utc>>,
}

impl SpeakerRecord {
    /// The editable fields as stored.
    pub fn fields(&self) -> SpeakerFields {
        SpeakerFields {
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company_id: self.company_id,
            position: self.position.clone(),
            profile: self.profile.0.clone(),
            availability: *self.availability,
            communication_preferences: self.communication_preferences.0.clone(),
        }
    }
}

const COLUMNS: &str = "id, email, first_name, last_name, company_id, position, profile, availability, communication_preferences, created_at, updated_at, version, erased_at";

/// Inserts a speaker; `Err(existing id)` when the email is taken.
pub async fn insert_speaker(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<SpeakerFields>,
    now: DateTime<Utc>,
) -> Result<Result<(), Uuid>, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into speakers (id, email, first_name, last_name, company_id, position, profile, availability, communication_preferences, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) on conflict (lower(email)) do nothing",
    )
    .bind(id)
    .bind(&f.email)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.company_id)
    .bind(&f.position)
    .bind(Json(&f.profile))
    .bind(Stored(f.availability))
    .bind(Json(&f.communication_preferences))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let existing: Uuid =
        sqlx::query_scalar("select id from speakers where lower(email) = lower($1)")
            .bind(&f.email)
            .fetch_one(conn)
            .await?;
    Ok(Err(existing))
}

/// Writes new fields; `Err(existing id)` when the new email belongs to another speaker.
pub async fn update_speaker(
    conn: &mut PgConnection,
    id: Uuid,
    f: &Valid<SpeakerFields>,
    now: DateTime<Utc>,
) -> Result<Result<(), Uuid>, sqlx::Error> {
    let taken: Option<Uuid> =
        sqlx::query_scalar("select id from speakers where lower(email) = lower($1) and id <> $2")
            .bind(&f.email)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(existing) = taken {
        return Ok(Err(existing));
    }
    sqlx::query(
        "update speakers set email = $2, first_name = $3, last_name = $4, company_id = $5, position = $6, profile = $7, availability = $8, \
         communication_preferences = $9, updated_at = $10, version = version + 1 where id = $1",
    )
    .bind(id)
    .bind(&f.email)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.company_id)
    .bind(&f.position)
    .bind(Json(&f.profile))
    .bind(Stored(f.availability))
    .bind(Json(&f.communication_preferences))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(Ok(()))
}

/// Reads one speaker.
pub async fn fetch_speaker(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<SpeakerRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from speakers where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// When speaker `id` was erased (`Some(None)`: not erased; `None`: no such speaker).
/// `hold` share-locks the row, so no erasure commits before this transaction ends.
pub async fn fetch_erased_at(
    conn: &mut PgConnection,
    id: Uuid,
    hold: bool,
) -> Result<Option<Option<DateTime<Utc>>>, sqlx::Error> {
    let lock = if hold { " for share" } else { "" };
    sqlx::query_scalar(&format!(
        "select erased_at from speakers where id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Reads one speaker and locks it.
pub async fn lock_speaker(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<SpeakerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from speakers where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Speakers after the id `after`.
pub async fn list_speakers(
    db: impl PgExecutor<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SpeakerRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from speakers where ($1::uuid is null or id > $1) order by id limit $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Replaces every personal field with a neutral value; the row (and so every assignment)
/// stays, as do the contact preferences (language, opt-out: no personal data); a pending
/// address change and the retained profile announcements go with it
/// (`service_kit::erasure::forget_profile`). Returns
/// whether the speaker was erased now (false: already erased).
pub async fn erase_speaker(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let erased = sqlx::query(
        "update speakers set email = 'erased-' || id || '@erased.invalid', first_name = 'Erased', \
         last_name = 'Erased', position = null, profile = '{}', profile_photo_file_id = null, \
         profile_photo_uploaded_at = null, erased_at = $2, updated_at = $2, \
         version = version + 1 where id = $1 and erased_at is null",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if erased.rows_affected() == 0 {
        return Ok(false);
    }
    service_kit::erasure::forget_profile(conn, id).await?;
    Ok(true)
}

/// The profile photo of a speaker as uploads set it, read under the speaker's row lock.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRecord {
    pub erased_at: Option<DateTime<Utc>>,
    /// The address the profile shows.
    pub shown_url: Option<String>,
    pub file_id: Option<Uuid>,
    pub uploaded_at: Option<DateTime<Utc>>,
    /// The remembered upload's address, while the file is known.
    pub file_url: Option<String>,
}

impl PhotoRecord {
    /// The upload the profile remembers.
    pub fn uploaded(&self) -> Option<UploadedPhoto> {
        Some(UploadedPhoto {
            file_id: self.file_id?,
            url: self.file_url.clone()?,
            uploaded_at: self.uploaded_at?,
        })
    }
}

/// Locks a speaker and reads its profile photo.
pub async fn lock_photo(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<PhotoRecord>, sqlx::Error> {
    sqlx::query_as(
        "select s.erased_at, s.profile->>'profilePhotoUrl' as shown_url, s.profile_photo_file_id as file_id, \
         s.profile_photo_uploaded_at as uploaded_at, f.public_url as file_url \
         from speakers s left join content_files f on f.file_id = s.profile_photo_file_id \
         where s.id = $1 for update of s",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Applies a photo change; a change of the shown photo is a new version of the speaker.
pub async fn update_photo(
    conn: &mut PgConnection,
    id: Uuid,
    change: &PhotoChange,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let query = match change {
        PhotoChange::Show(photo) => sqlx::query(
            "update speakers set profile = jsonb_set(profile, '{profilePhotoUrl}', to_jsonb($2::text)), \
             profile_photo_file_id = $3, profile_photo_uploaded_at = $4, updated_at = $5, version = version + 1 \
             where id = $1",
        )
        .bind(id)
        .bind(&photo.url)
        .bind(photo.file_id)
        .bind(photo.uploaded_at)
        .bind(now),
        PhotoChange::Clear => sqlx::query(
            "update speakers set profile = profile - 'profilePhotoUrl', profile_photo_file_id = null, \
             profile_photo_uploaded_at = null, updated_at = $2, version = version + 1 where id = $1",
        )
        .bind(id)
        .bind(now),
        PhotoChange::Forget => sqlx::query(
            "update speakers set profile_photo_file_id = null, profile_photo_uploaded_at = null where id = $1",
        )
        .bind(id),
        PhotoChange::Keep => return Ok(()),
    };
    query.execute(conn).await.map(|_| ())
}
