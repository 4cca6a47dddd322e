//! The attendees service's saga steps.
//!
//! * seat answers (`SeatReserved`, `SeatRefused`) move the registration: confirmed,
//!   waitlisted or rejected; a seat reserved for a registration cancelled meanwhile is
//!   given back;
//! * `SeatReleased` promotes the oldest waitlisted registration of the event by requesting
//!   a seat for it again (the same saga, step 2), `SeatsAdded` as many as seats are free;
//!   a promoted registration refused as full goes back to its place in the queue quietly;
//! * company events keep the company directory read model, event publication and status
//!   changes the event calendar (attendance is confirmed only before an event); the end of
//!   registration turns the event's waitlist away (rejected, `closed`);
//! * a download by an attendee (`ContentDownloaded`) is a `download` engagement of the
//!   file as a material; downloads of unknown or erased attendees are not kept.
//!
//! Each runs in the inbox transaction; every step is safe to apply twice.

use async_trait::async_trait;
use chrono::Utc;
use event_bus::outbox::enqueue;
use event_bus::{Envelope, EventContext, Reaction, ReactionError};
use shared_domain::contracts;
use shared_domain::contracts::attendees::{RegistrationCancelled, RegistrationRequested};
use shared_domain::contracts::content::ContentDownloaded;
use shared_domain::contracts::events::{
    EventDetailsChanged, EventPublished, EventState, EventStatusChanged, SeatRefusal, SeatRefused,
    SeatReleased, SeatReserved, SeatsAdded,
};
use shared_domain::contracts::Known;
use shared_domain::IntegrationEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::calendar::closes_the_waitlist;
use crate::domain::registration::{
    is_announced, on_seat_refused_closed, on_seat_refused_full, on_seat_reserved,
    RegistrationStatus, SeatOutcome,
};
use crate::store;
use crate::store::engagement::NewEngagement;

/// The consumer of the attendees service.
pub struct AttendeesReactions;

/// The event types this service's reaction acts on (its spec's `reacts_to`); the
/// consumer passes the other events of its topics by.
pub const REACTS_TO: &[&str] = &[
    contracts::events::RoleGranted::EVENT_TYPE,
    contracts::events::RoleRevoked::EVENT_TYPE,
    contracts::events::SeatReserved::EVENT_TYPE,
    contracts::events::SeatRefused::EVENT_TYPE,
    contracts::events::SeatReleased::EVENT_TYPE,
    contracts::events::SeatsAdded::EVENT_TYPE,
    contracts::events::EventPublished::EVENT_TYPE,
    contracts::events::EventDetailsChanged::EVENT_TYPE,
    contracts::events::EventStatusChanged::EVENT_TYPE,
    contracts::content::ContentDownloaded::EVENT_TYPE,
    contracts::companies::CompanyCreated::EVENT_TYPE,
    contracts::companies::CompanyUpdated::EVENT_TYPE,
    contracts::companies::CompanyArchived::EVENT_TYPE,
];

#[async_trait]
impl Reaction for AttendeesReactions {
    fn handler(&self) -> &'static str {
        "attendees"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        if service_kit::grants::record(conn, envelope).await? {
            return Ok(());
        }
        let context = EventContext::caused_by(envelope);
        match envelope.event_type.as_str() {
            SeatReserved::EVENT_TYPE => {
                let seat: SeatReserved = envelope.decode()?;
                on_seat_answer(conn, seat.registration_id, on_seat_reserved, None, &context).await
            }
            SeatRefused::EVENT_TYPE => {
                let refused: SeatRefused = envelope.decode()?;
                match refused.reason {
                    SeatRefusal::Full => {
                        on_seat_answer(
                            conn,
                            refused.registration_id,
                            on_seat_refused_full,
                            None,
                            &context,
                        )
                        .await
                    }
                    SeatRefusal::Closed => {
                        on_seat_answer(
                            conn,
                            refused.registration_id,
                            on_seat_refused_closed,
                            Some("closed"),
                            &context,
                        )
                        .await
                    }
                }
            }
            SeatReleased::EVENT_TYPE => {
                let released: SeatReleased = envelope.decode()?;
                promote(conn, released.event_id, 1, &context).await
            }
            SeatsAdded::EVENT_TYPE => {
                let added: SeatsAdded = envelope.decode()?;
                promote(conn, added.event_id, added.seats_free(), &context).await
            }
            EventPublished::EVENT_TYPE => {
                let e: EventPublished = envelope.decode()?;
                Ok(store::engagement::upsert_calendar(
                    conn,
                    e.event_id,
                    Some(e.event_date),
                    &Known::Value(EventState::Published),
                )
                .await?)
            }
            EventDetailsChanged::EVENT_TYPE => {
                let e: EventDetailsChanged = envelope.decode()?;
                Ok(store::engagement::upsert_calendar_details(
                    conn,
                    e.event_id,
                    e.event_date,
                    e.registration_deadline,
                )
                .await?)
            }
            EventStatusChanged::EVENT_TYPE => {
                let e: EventStatusChanged = envelope.decode()?;
                store::engagement::upsert_calendar(conn, e.event_id, None, &e.to).await?;
                if closes_the_waitlist(&e.to) {
                    turn_the_waitlist_away(conn, e.event_id, &context).await?;
                }
                Ok(())
            }
            ContentDownloaded::EVENT_TYPE => {
                on_content_downloaded(conn, envelope.id, envelope.decode()?).await
            }
            _ => service_kit::directory::apply_company_event(conn, envelope)
                .await
                .map(|_| ()),
        }
    }
}

async fn on_seat_answer(
    conn: &mut PgConnection,
    registration_id: Uuid,
    decide: fn(RegistrationStatus) -> SeatOutcome,
    reason: Option<&str>,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let Some(registration) = store::registrations::lock_registration(conn, registration_id).await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    match decide(*registration.status) {
        SeatOutcome::Become(status) => {
            store::registrations::set_status(conn, registration.id, status, reason, now).await?;
            if !is_announced(status, registration.promoted_at.is_some()) {
                return Ok(());
            }
            let why = reason.or(registration
                .promoted_at
                .map(|_| "promoted from the waitlist")
                .filter(|_| status == RegistrationStatus::Confirmed));
            crate::announce::registration_status(
                conn,
                registration.id,
                registration.event_id,
                registration.attendee_id,
                status,
                why,
                context,
            )
            .await?;
        }
        SeatOutcome::ReleaseAgain => {
            let cancelled = RegistrationCancelled {
                registration_id,
                event_id: registration.event_id,
                attendee_id: registration.attendee_id,
                cancelled_at: now,
            };
            enqueue(conn, &cancelled, context).await?;
        }
        SeatOutcome::Ignore => {}
    }
    Ok(())
}

/// An attendee's download; the event's id keys the row (see `record_announced`).
async fn on_content_downloaded(
    conn: &mut PgConnection,
    event_id: Uuid,
    e: ContentDownloaded,
) -> Result<(), ReactionError> {
    let Some(attendee_id) = e.attendee_id else {
        return Ok(());
    };
    let attendee = store::attendees::fetch_attendee(&mut *conn, attendee_id).await?;
    if attendee.is_none_or(|a| a.erased_at.is_some()) {
        return Ok(());
    }
    let download = NewEngagement {
        attendee_id,
        content_type: "material",
        content_id: e.file_id,
        engagement_type: "download",
        value: None,
    };
    let at = e.downloaded_at;
    Ok(store::engagement::record_announced(conn, event_id, &download, at).await?)
}

/// Registration ended: every waitlisted registration of the event is refused as a seat
/// request after the close would be (rejected, reason `closed`, the attendee is told).
async fn turn_the_waitlist_away(
    conn: &mut PgConnection,
    event_id: Uuid,
    context: &EventContext,
) -> Result<(), ReactionError> {
    for id in store::registrations::waitlisted_of(conn, event_id).await? {
        on_seat_answer(conn, id, on_seat_refused_closed, Some("closed"), context).await?;
    }
    Ok(())
}

/// Requests a seat again for up to `seats` of the event's oldest waitlisted registrations.
async fn promote(
    conn: &mut PgConnection,
    event_id: Uuid,
    seats: i32,
    context: &EventContext,
) -> Result<(), ReactionError> {
    let now = Utc::now();
    for _ in 0..seats {
        let Some((registration_id, attendee_id)) =
            store::registrations::promote_oldest(conn, event_id, now).await?
        else {
            break;
        };
        let request = RegistrationRequested {
            registration_id,
            event_id,
            attendee_id,
            requested_at: now,
        };
        enqueue(conn, &request, context).await?;
    }
    Ok(())
}
