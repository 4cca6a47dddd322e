//! The page the invitation mail links to (`/speaker/invitations/{id}?token=…`): it shows
//! the event, the session and the role in the speaker's language, and answers with two
//! forms (accept; decline with a reason) posted back here with the same token. Showing the
//! page changes nothing, so a mail scanner that follows the link answers nothing.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Zurich;
use serde::Deserialize;
use serde_json::{json, Value};
use service_kit::pages::{problem_page, Pages};
use service_kit::{ApiError, RequestContext};
use std::sync::{Arc, LazyLock};
use uuid::Uuid;

use crate::answers::{self, InvitationDetails};
use crate::api::AppState;
use crate::domain::workflow::SpeakerWorkflowState;

static PAGES: LazyLock<Arc<Pages>> = LazyLock::new(|| {
    Arc::new(Pages::new(&[
        ("invitation.html", include_str!("pages/invitation.html")),
        ("message.html", include_str!("pages/message.html")),
    ]))
});

/// `/speaker/invitations/{id}` and its two answers, and the confirmation of a new address.
pub fn router(state: AppState) -> Router {
    let address_changes = service_kit::email_change_page::routes(
        "/speaker/email/confirm",
        crate::email_links::Speakers(state.pool.clone()),
    );
    Router::new()
        .route("/speaker/invitations/{id}", get(show))
        .route("/speaker/invitations/{id}/accept", post(accept))
        .route("/speaker/invitations/{id}/decline", post(decline))
        .with_state(state)
        .merge(address_changes)
}

#[derive(Debug, Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    token: String,
    reason: Option<String>,
}

/// Words of the page in German (the default) and English.
fn words(language: &str) -> Value {
    if language == "en" {
        json!({"title": "Your invitation to speak", "event": "Event", "date": "Date", "venue": "Venue",
            "session": "Session", "role": "Role", "presentation": "Presentation", "expires": "Answer by",
            "accept": "Accept the invitation", "decline": "Decline", "reason": "Reason (optional)",
            "accepted": "You accepted this invitation. Thank you! The organizers will be in touch.",
            "declined": "You declined this invitation. Thank you for letting us know.",
            "other": "This invitation has already been answered."})
    } else {
        json!({"title": "Ihre Einladung als Speaker", "event": "Anlass", "date": "Datum", "venue": "Ort",
            "session": "Session", "role": "Rolle", "presentation": "Vortrag", "expires": "Antwort bis",
            "accept": "Einladung annehmen", "decline": "Absagen", "reason": "Grund (freiwillig)",
            "accepted": "Sie haben die Einladung angenommen. Vielen Dank! Das Organisationsteam meldet sich bei Ihnen.",
            "declined": "Sie haben die Einladung abgelehnt. Danke für Ihre Rückmeldung.",
            "other": "Diese Einladung wurde bereits beantwortet."})
    }
}

/// A role as the invitation mail names it in `language` (German by default).
fn role_name(role: &str, language: &str) -> String {
    let name = match (role, language == "en") {
        ("primary_speaker", true) => "primary speaker",
        ("co_speaker", true) => "co-speaker",
        ("moderator", true) => "moderator",
        ("panelist", true) => "panelist",
        ("primary_speaker", false) => "Hauptreferentin bzw. Hauptreferent",
        ("co_speaker", false) => "Co-Referentin bzw. Co-Referent",
        ("moderator", false) => "Moderatorin bzw. Moderator",
        ("panelist", false) => "Podiumsteilnehmerin bzw. Podiumsteilnehmer",
        (other, _) => return other.replace('_', " "),
    };
    name.to_owned()
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Zurich)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

fn invitation_page(status: StatusCode, details: InvitationDetails, token: &str) -> Response {
    let t = words(&details.language);
    let a = &details.assignment;
    let state = *a.workflow_state;
    let answered = match state {
        SpeakerWorkflowState::Declined => &t["declined"],
        s if s.awaits_answer() => &Value::Null,
        SpeakerWorkflowState::Open => &t["other"],
        _ => &t["accepted"],
    };
    let context = json!({
        "lang": details.language, "title": t["title"], "t": t, "id": a.id, "token": token,
        "role": role_name(&a.role, &details.language), "presentation_title": a.presentation_title,
        "expires_at": a.invitation_expires_at.map(local),
        "awaits_answer": state.awaits_answer(), "answered": answered,
        "event": details.event.map(|e| json!({"number": e.event_number, "title": e.title,
            "date": local(e.event_date), "venue": format!("{}, {}", e.venue_name, e.venue_address)})),
        "session": details.session.map(|s| json!({"title": s.title,
            "time": format!("{} – {}", local(s.start_time), s.end_time.with_timezone(&Zurich).format("%H:%M"))})),
    });
    PAGES.render(status, "invitation.html", context)
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::not_found("No invitation at this address"))
}

async fn show(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Query(query): Query<LinkQuery>,
) -> Response {
    let Some(token) = query.token.filter(|t| !t.is_empty()) else {
        return problem_page(ApiError::unauthenticated(
            "This link is incomplete; open it from the invitation mail",
        ));
    };
    let shown = async {
        let id = parse_id(&raw_id)?;
        answers::details(&state.pool, &state.signing_secret, id, &token).await
    };
    match shown.await {
        Ok(details) => invitation_page(StatusCode::OK, details, &token),
        Err(error) => problem_page(error),
    }
}

async fn answer(
    state: &AppState,
    raw_id: &str,
    form: Result<Form<AnswerForm>, FormRejection>,
    context: &event_bus::EventContext,
    accepting: bool,
) -> Response {
    let answered = async {
        let id = parse_id(raw_id)?;
        let Form(form) =
            form.map_err(|rejection| ApiError::malformed_field("token", rejection.body_text()))?;
        let (pool, secret) = (&state.pool, &state.signing_secret);
        if accepting {
            answers::accept(pool, secret, id, &form.token, context).await?;
        } else {
            let reason = form.reason.as_deref();
            answers::decline(pool, secret, id, &form.token, reason, context).await?;
        }
        let details = answers::details(pool, secret, id, &form.token).await?;
        Ok::<_, ApiError>((details, form.token))
    };
    match answered.await {
        Ok((details, token)) => invitation_page(StatusCode::OK, details, &token),
        Err(error) => problem_page(error),
    }
}

async fn accept(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    RequestContext(context): RequestContext,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    answer(&state, &raw_id, form, &context, true).await
}

async fn decline(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    RequestContext(context): RequestContext,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Response {
    answer(&state, &raw_id, form, &context, false).await
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn the_page_names_the_role_as_the_mail_does() {
        assert_eq!(
            role_name("primary_speaker", "de"),
            "Hauptreferentin bzw. Hauptreferent"
        );
        assert_eq!(role_name("co_speaker", "en"), "co-speaker");
        assert_eq!(role_name("keynote_speaker", "de"), "keynote speaker");
    }
}
