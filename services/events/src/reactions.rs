//! The events service's saga steps: the seat side of the registration saga, and the
//! session speaker summary from the invitation saga (invited, accepted, declined, withdrawn;
//! a decline also leaves the overflow list); sessions' materials from the content saga
//! (`content`).
//!
//! `on_registration_requested` locks the event row, decides, and writes the reservation,
//! the new count and the answer event in the inbox transaction; concurrent consumers of the
//! same event queue on the row lock, so confirmed seats never exceed capacity. Every
//! request gets exactly one answer (the inbox drops redeliveries).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use event_bus::{Envelope, EventContext, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::attendees::{RegistrationCancelled, RegistrationRequested};
use shared_domain::contracts::companies::{CompanyCreated, CompanyUpdated};
use shared_domain::contracts::events::{SeatRefusal, SeatRefused, SeatReleased, SeatReserved};
use shared_domain::contracts::speakers::{
    ChangesRequested, ContentApproved, InvitationWithdrawn, MaterialSubmitted,
    SlotPreferencesSubmitted, SpeakerAccepted, SpeakerDeclined, SpeakerErased, SpeakerInvited,
    SpeakerProfileChanged,
};
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::quality::{self, QualityReviewStatus};
use crate::domain::seats::{decide, SeatDecision};
use crate::store;

mod content;
mod partners;

/// Keeps who the published agenda names (speakers' sealed profiles, company names, approved
/// content) and reflects the speakers' content review in the event's quality review; false
/// for any other event.
async fn people(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    match envelope.event_type.as_str() {
        SpeakerProfileChanged::EVENT_TYPE => {
            let e: SpeakerProfileChanged = envelope.decode()?;
            let identity = serde_json::to_value(&e.identity)
                .map_err(|error| ReactionError::Refused(error.to_string()))?;
            let profile = store::people::SpeakerProfile {
                speaker_id: e.speaker_id,
                identity: &identity,
                company_id: e.company_id,
                photo_url: e.photo_url.as_deref(),
                changed_at: e.changed_at,
            };
            store::people::upsert_profile(conn, &profile).await?;
        }
        SpeakerErased::EVENT_TYPE => {
            let e: SpeakerErased = envelope.decode()?;
            store::people::forget_speaker(conn, e.speaker_id, e.erased_at).await?;
        }
        CompanyCreated::EVENT_TYPE => {
            let e: CompanyCreated = envelope.decode()?;
            let logo_url = e.logo_url.as_deref();
            store::people::upsert_company(
                conn,
                e.company_id,
                &e.display_name,
                logo_url,
                e.created_at,
            )
            .await?;
        }
        CompanyUpdated::EVENT_TYPE => {
            let e: CompanyUpdated = envelope.decode()?;
            let logo_url = e.logo_url.as_deref();
            store::people::upsert_company(
                conn,
                e.company_id,
                &e.display_name,
                logo_url,
                e.updated_at,
            )
            .await?;
        }
        ContentApproved::EVENT_TYPE => {
            let e: ContentApproved = envelope.decode()?;
            let photo = e.photo_url.as_deref();
            store::people::approve_content(
                conn,
                e.session_id,
                e.speaker_id,
                &e.abstract_text,
                photo,
                e.approved_at,
            )
            .await?;
            let approved = QualityReviewStatus::Approved;
            reflect_review(
                conn,
                e.event_id,
                e.session_id,
                approved,
                None,
                e.approved_at,
            )
            .await?;
        }
        ChangesRequested::EVENT_TYPE => {
            let e: ChangesRequested = envelope.decode()?;
            let status = QualityReviewStatus::RequiresChanges;
            let feedback = Some(e.feedback.as_str());
            reflect_review(
                conn,
                e.event_id,
                e.session_id,
                status,
                feedback,
                e.requested_at,
            )
            .await?;
        }
        MaterialSubmitted::EVENT_TYPE => {
            let e: MaterialSubmitted = envelope.decode()?;
            let status = if e.revision > 1 {
                QualityReviewStatus::RevisionSubmitted
            } else {
                QualityReviewStatus::InReview
            };
            reflect_review(conn, e.event_id, e.session_id, status, None, e.submitted_at).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The event's quality review shows the speakers' content review: a decision there moves the
/// session's review here (when the event has a review and the step is allowed).
async fn reflect_review(
    conn: &mut PgConnection,
    event_id: Uuid,
    session_id: Uuid,
    decision: QualityReviewStatus,
    feedback: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if store::quality::lock_review(conn, event_id).await?.is_none() {
        return Ok(());
    }
    let sessions = store::quality::live_session_reviews(&mut *conn, event_id).await?;
    let Some(session) = sessions.iter().find(|s| s.session_id == session_id) else {
        return Ok(());
    };
    let current = session.status.map_or(QualityReviewStatus::Pending, |s| *s);
    if let Some(next) = quality::reflect(current, decision) {
        let reviewer = "speakers-content-review";
        store::quality::upsert_session_review(
            conn, event_id, session_id, next, reviewer, feedback, at,
        )
        .await?;
    }
    Ok(())
}

/// The consumer of the events service.
pub struct EventsReactions;

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::attendees::RegistrationRequested::EVENT_TYPE,
    contracts::attendees::RegistrationCancelled::EVENT_TYPE,
    contracts::speakers::SpeakerProfileChanged::EVENT_TYPE,
    contracts::speakers::SpeakerErased::EVENT_TYPE,
    contracts::speakers::ContentApproved::EVENT_TYPE,
    contracts::speakers::ChangesRequested::EVENT_TYPE,
    contracts::speakers::MaterialSubmitted::EVENT_TYPE,
    contracts::speakers::SpeakerInvited::EVENT_TYPE,
    contracts::speakers::SpeakerAccepted::EVENT_TYPE,
    contracts::speakers::SpeakerDeclined::EVENT_TYPE,
    contracts::speakers::SlotPreferencesSubmitted::EVENT_TYPE,
    contracts::speakers::InvitationWithdrawn::EVENT_TYPE,
    contracts::companies::CompanyCreated::EVENT_TYPE,
    contracts::companies::CompanyUpdated::EVENT_TYPE,
    contracts::partners::TopicVoteCast::EVENT_TYPE,
    contracts::partners::TopicVoteWithdrawn::EVENT_TYPE,
    contracts::partners::PartnerChanged::EVENT_TYPE,
    contracts::partners::TopicSuggestionAccepted::EVENT_TYPE,
    contracts::content::SessionMaterialsChanged::EVENT_TYPE,
];

#[async_trait]
impl Reaction for EventsReactions {
    fn handler(&self) -> &'static str {
        "events"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if people(conn, envelope).await?
            || partners::apply(conn, envelope).await?
            || content::apply(conn, envelope).await?
        {
            return Ok(());
        }
        let context = EventContext::caused_by(envelope);
        match envelope.event_type.as_str() {
            RegistrationRequested::EVENT_TYPE => {
                on_registration_requested(conn, envelope.decode()?, &context).await
            }
            RegistrationCancelled::EVENT_TYPE => {
                on_registration_cancelled(conn, envelope.decode()?, &context).await
            }
            SpeakerInvited::EVENT_TYPE => {
                let invited: SpeakerInvited = envelope.decode()?;
                on_speaker_answer(
                    conn,
                    invited.session_id,
                    invited.speaker_id,
                    invited.role.to_string(),
                    invited.presentation_title,
                    false,
                )
                .await
            }
            SpeakerAccepted::EVENT_TYPE => {
                let accepted: SpeakerAccepted = envelope.decode()?;
                on_speaker_answer(
                    conn,
                    accepted.session_id,
                    accepted.speaker_id,
                    accepted.role.to_string(),
                    accepted.presentation_title,
                    true,
                )
                .await
            }
            SpeakerDeclined::EVENT_TYPE => {
                let declined: SpeakerDeclined = envelope.decode()?;
                store::sessions::remove_speaker(conn, declined.session_id, declined.speaker_id)
                    .await?;
                let reason = declined
                    .reason
                    .as_deref()
                    .unwrap_or("declined the invitation");
                Ok(store::overflow::decline_speaker(
                    conn,
                    declined.event_id,
                    declined.speaker_id,
                    reason,
                    declined.declined_at,
                )
                .await?)
            }
            SlotPreferencesSubmitted::EVENT_TYPE => {
                on_slot_preferences_submitted(conn, envelope).await
            }
            InvitationWithdrawn::EVENT_TYPE => {
                let withdrawn: InvitationWithdrawn = envelope.decode()?;
                Ok(store::sessions::remove_speaker(
                    conn,
                    withdrawn.session_id,
                    withdrawn.speaker_id,
                )
                .await?)
            }
            _ => Ok(()),
        }
    }
}

async fn on_registration_requested(
    conn: &mut PgConnection,
    request: RegistrationRequested,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let now = Utc::now();
    let refuse = |reason| SeatRefused {
        event_id: request.event_id,
        registration_id: request.registration_id,
        attendee_id: request.attendee_id,
        reason,
        refused_at: now,
    };
    let Some(store::seats::SeatRequest {
        event,
        seat_held: already_held,
    }) = store::seats::lock_for_request(conn, request.event_id, request.registration_id).await?
    else {
        enqueue(conn, &refuse(SeatRefusal::Closed), context).await?;
        return Ok(());
    };
    // A registration that already holds its seat (e.g. a repeated promotion) gets the same answer.
    let decision = if already_held {
        SeatDecision::Reserve
    } else {
        decide(event.seats(), now)
    };
    match decision {
        SeatDecision::Reserve => {
            let taken = if already_held {
                event.current_attendee_count
            } else {
                store::seats::reserve(
                    conn,
                    event.id,
                    request.registration_id,
                    request.attendee_id,
                    now,
                )
                .await?
            };
            let reserved = SeatReserved {
                event_id: event.id,
                registration_id: request.registration_id,
                attendee_id: request.attendee_id,
                seats_taken: taken,
                capacity: event.capacity,
                reserved_at: now,
            };
            enqueue(conn, &reserved, context).await?;
        }
        SeatDecision::Refuse(reason) => {
            enqueue(conn, &refuse(reason), context).await?;
        }
    }
    Ok(())
}

async fn on_registration_cancelled(
    conn: &mut PgConnection,
    cancelled: RegistrationCancelled,
    context: &EventContext,
) -> Result<(), ReactionError> {
    if store::events::lock_event(conn, cancelled.event_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let now = Utc::now();
    if let Some(taken) = store::seats::release(conn, cancelled.registration_id, now).await? {
        let released = SeatReleased {
            event_id: cancelled.event_id,
            registration_id: cancelled.registration_id,
            seats_taken: taken,
            released_at: now,
        };
        enqueue(conn, &released, context).await?;
    }
    Ok(())
}

async fn on_speaker_answer(
    conn: &mut PgConnection,
    session_id: uuid::Uuid,
    speaker_id: uuid::Uuid,
    role: String,
    presentation_title: Option<String>,
    is_confirmed: bool,
) -> Result<(), ReactionError> {
    let speaker = store::sessions::SessionSpeakerRecord {
        session_id,
        speaker_id,
        role,
        presentation_title,
        is_confirmed,
    };
    Ok(store::sessions::upsert_speaker(conn, &speaker, Utc::now()).await?)
}

/// Stores a speaker's preferences in the shape the organizer endpoint accepts, so the slot
/// assignment reads one format whatever the source.
async fn on_slot_preferences_submitted(
    conn: &mut PgConnection,
    envelope: &Envelope,
) -> Result<(), ReactionError> {
    let submitted: SlotPreferencesSubmitted = envelope.decode()?;
    let mut value = envelope.payload.clone();
    if let Some(fields) = value.as_object_mut() {
        for key in ["speakerId", "eventId", "submittedAt"] {
            fields.remove(key);
        }
    }
    let preferences: crate::api::dto::SlotPreferencesRequest = serde_json::from_value(value)
        .map_err(|e| ReactionError::Payload {
            event_type: envelope.event_type.clone(),
            message: e.to_string(),
        })?;
    let stored =
        serde_json::to_value(&preferences).map_err(|e| ReactionError::Refused(e.to_string()))?;
    if store::events::fetch_event(&mut *conn, submitted.event_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    Ok(store::slots::upsert_preferences(
        conn,
        submitted.event_id,
        submitted.speaker_id,
        &stored,
        submitted.submitted_at,
    )
    .await?)
}
