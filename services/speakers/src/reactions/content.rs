//! The content context's files: the `content_files` read model a submission's materials are
//! checked against, and the profile photo a speaker's photo upload sets (announced again
//! as `SpeakerProfileChanged`, so the agenda shows it).

use chrono::Utc;
use event_bus::{Envelope, EventContext, ReactionError};
use shared_domain::contracts::content::{ContentDeleted, ContentType, ContentUploaded, OwnerKind};
use shared_domain::contracts::Known;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::photo::{self, PhotoChange, UploadedPhoto};
use crate::store;

/// Applies an event of the content context; false for any other event.
pub async fn apply(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    let context = EventContext::caused_by(envelope);
    match envelope.event_type.as_str() {
        ContentUploaded::EVENT_TYPE => {
            on_content_uploaded(conn, envelope.decode()?, &context).await?
        }
        ContentDeleted::EVENT_TYPE => {
            on_content_deleted(conn, envelope.decode()?, &context).await?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Whether a file is a speaker's profile photo (the speaker it belongs to).
fn photo_of(
    content_type: &Known<ContentType>,
    owner_kind: &Known<OwnerKind>,
    owner_id: Uuid,
) -> Option<Uuid> {
    let photo = content_type.get() == Some(ContentType::SpeakerPhoto)
        && owner_kind.get() == Some(OwnerKind::Speaker);
    photo.then_some(owner_id)
}

async fn on_content_uploaded(
    conn: &mut PgConnection,
    e: ContentUploaded,
    context: &EventContext,
) -> Result<(), ReactionError> {
    store::content_files::insert_file(conn, &e).await?;
    let (Some(speaker_id), Some(url)) = (
        photo_of(&e.content_type, &e.owner_kind, e.owner_id),
        e.public_url.clone(),
    ) else {
        return Ok(());
    };
    let upload = UploadedPhoto {
        file_id: e.file_id,
        url,
        uploaded_at: e.uploaded_at,
    };
    change_photo(conn, speaker_id, context, |current| {
        photo::on_upload(current.uploaded().as_ref(), upload)
    })
    .await
}

async fn on_content_deleted(
    conn: &mut PgConnection,
    e: ContentDeleted,
    context: &EventContext,
) -> Result<(), ReactionError> {
    store::content_files::mark_deleted(conn, &e).await?;
    let Some(speaker_id) = photo_of(&e.content_type, &e.owner_kind, e.owner_id) else {
        return Ok(());
    };
    change_photo(conn, speaker_id, context, |current| {
        photo::on_deletion(
            current.uploaded().as_ref(),
            current.shown_url.as_deref(),
            e.file_id,
        )
    })
    .await
}

/// Decides a photo change under the speaker's row lock, applies it and, when the shown
/// photo changed, announces the profile. An unknown or erased speaker changes nothing.
async fn change_photo(
    conn: &mut PgConnection,
    speaker_id: Uuid,
    context: &EventContext,
    decide: impl FnOnce(&store::speakers::PhotoRecord) -> PhotoChange,
) -> Result<(), ReactionError> {
    let Some(current) = store::speakers::lock_photo(conn, speaker_id).await? else {
        return Ok(());
    };
    if current.erased_at.is_some() {
        return Ok(());
    }
    let change = decide(&current);
    let now = Utc::now();
    store::speakers::update_photo(conn, speaker_id, &change, now).await?;
    if matches!(change, PhotoChange::Show(_) | PhotoChange::Clear) {
        let speaker = store::speakers::fetch_speaker(&mut *conn, speaker_id)
            .await?
            .ok_or_else(|| ReactionError::Refused(format!("speaker {speaker_id} vanished")))?;
        crate::announce::profile(conn, speaker_id, &speaker.fields(), now, context).await?;
    }
    Ok(())
}
