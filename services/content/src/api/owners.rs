//! What a file belongs to, checked against the read models: a known session that is not
//! cancelled, a known company, a speaker not erased, a known event; and whether a caller
//! may manage or see a file.

use service_kit::read_model::await_known;
use service_kit::ApiError;
use shared_domain::contracts::content::OwnerKind;
use uuid::Uuid;

use super::AppState;
use crate::domain::access::{materials_public, Uploader};
use crate::domain::file::is_public;
use crate::domain::intent::owner_field;
use crate::store::files::FileRecord;
use crate::store::{materials, read_models};

/// 422 (or 503 for an id minted a moment ago) unless the owner can hold files.
pub async fn require_known(state: &AppState, kind: OwnerKind, id: Uuid) -> Result<(), ApiError> {
    let field = owner_field(kind);
    match kind {
        OwnerKind::Session => {
            let session = await_known(field, "session", id, || {
                read_models::session(&state.pool, id)
            })
            .await?;
            if session.cancelled {
                return Err(ApiError::invalid_field(
                    field,
                    format!("session {id} is cancelled"),
                ));
            }
        }
        OwnerKind::Company => {
            service_kit::directory::require_company(&state.pool, field, id).await?
        }
        OwnerKind::Speaker => {
            if read_models::speaker_erased(&state.pool, id).await? {
                return Err(ApiError::invalid_field(
                    field,
                    format!("speaker {id} was erased"),
                ));
            }
        }
        OwnerKind::Event => {
            await_known(field, "event", id, || {
                read_models::event_known(&state.pool, id)
            })
            .await?;
        }
    }
    Ok(())
}

/// Whether `who` may put files on or change the owner `(kind, id)`.
pub async fn may_manage(
    state: &AppState,
    who: Uploader,
    kind: OwnerKind,
    id: Uuid,
) -> Result<bool, ApiError> {
    let speaks = match (who, kind) {
        (Uploader::Speaker { speaker_id }, OwnerKind::Session) => {
            read_models::speaks_in(&state.pool, id, speaker_id).await?
        }
        _ => false,
    };
    Ok(who.may_manage(kind, id, speaks))
}

/// How a caller sees a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Its uploader, or whoever manages its owner: everything about it.
    Managing,
    /// Anybody, as the file is public: not who uploaded it.
    Public,
}

/// How `who` (subject `subject`) may see file `f`, if at all: its uploader and whoever
/// manages its owner; for completed files everybody when the file is public by nature or is
/// material of a session whose materials and event are published.
pub async fn sight(
    state: &AppState,
    who: Uploader,
    subject: Option<&str>,
    f: &FileRecord,
) -> Result<Option<Sight>, ApiError> {
    if subject == Some(f.uploaded_by.as_str())
        || may_manage(state, who, *f.owner_kind, f.owner_id).await?
    {
        return Ok(Some(Sight::Managing));
    }
    if *f.upload_status != crate::domain::status::UploadStatus::Completed {
        return Ok(None);
    }
    let public = is_public(*f.content_type) || session_material_public(state, f).await?;
    Ok(public.then_some(Sight::Public))
}

/// Whether `f` is material of a session whose materials and event are published.
pub async fn session_material_public(state: &AppState, f: &FileRecord) -> Result<bool, ApiError> {
    if *f.owner_kind != OwnerKind::Session {
        return Ok(false);
    }
    let (Some(session), Some(m)) = (
        read_models::session(&state.pool, f.owner_id).await?,
        materials::fetch(&state.pool, f.owner_id).await?,
    ) else {
        return Ok(false);
    };
    Ok(materials_public(
        session.event_published,
        m.materials_published_at.is_some(),
    ))
}
