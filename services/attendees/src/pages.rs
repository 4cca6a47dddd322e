//! The pages the links in mails open: `/newsletter/confirm?token=…`,
//! `/newsletter/unsubscribe?token=…` and `/attendee/email/confirm?token=…` show a button in
//! the person's language that posts the token back; only the post changes anything, so a
//! mail scanner following the link changes nothing. The unsubscribe post also serves
//! one-click unsubscription (RFC 8058) with the token in the query.

use std::sync::LazyLock;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;
use service_kit::pages::{problem_page, Pages};
use service_kit::{ApiError, RequestContext};

use crate::api::AppState;
use crate::newsletter_links::{self, LinkAction};

static PAGES: LazyLock<Pages> = LazyLock::new(|| {
    Pages::new(&[
        ("link.html", include_str!("pages/link.html")),
        ("message.html", include_str!("pages/message.html")),
    ])
});

/// `/newsletter/confirm` and `/newsletter/unsubscribe`, each shown (GET) and followed (POST),
/// and the confirmation of a new address.
pub fn router(state: AppState) -> Router {
    let address_changes = service_kit::email_change_page::routes(
        "/attendee/email/confirm",
        crate::email_links::Attendees(state.pool.clone()),
    );
    Router::new()
        .route("/newsletter/confirm", get(show_confirm).post(confirm))
        .route(
            "/newsletter/unsubscribe",
            get(show_unsubscribe).post(unsubscribe),
        )
        .with_state(state)
        .merge(address_changes)
}

#[derive(Debug, Deserialize)]
struct TokenParam {
    token: Option<String>,
}

/// The words of one page in German (the default) or English.
struct Words {
    title: &'static str,
    question: &'static str,
    button: &'static str,
    done: &'static str,
}

fn words(action: LinkAction, language: &str) -> Words {
    match (action, language) {
        (LinkAction::Confirm, "en") => Words {
            title: "Confirm your newsletter subscription",
            question: "Please confirm that you want to receive the BATbern newsletter.",
            button: "Confirm subscription",
            done: "Thank you: your subscription is confirmed.",
        },
        (LinkAction::Confirm, _) => Words {
            title: "Newsletter-Anmeldung bestätigen",
            question: "Bitte bestätigen Sie, dass Sie den BATbern-Newsletter erhalten möchten.",
            button: "Anmeldung bestätigen",
            done: "Vielen Dank: Ihre Anmeldung ist bestätigt.",
        },
        (LinkAction::Unsubscribe, "en") => Words {
            title: "Unsubscribe from the newsletter",
            question: "Do you no longer want to receive the BATbern newsletter?",
            button: "Unsubscribe",
            done: "You are unsubscribed and will receive no more newsletters.",
        },
        (LinkAction::Unsubscribe, _) => Words {
            title: "Newsletter abbestellen",
            question: "Möchten Sie den BATbern-Newsletter nicht mehr erhalten?",
            button: "Abbestellen",
            done: "Sie sind abgemeldet und erhalten keine Newsletter mehr.",
        },
    }
}

fn path(action: LinkAction) -> &'static str {
    match action {
        LinkAction::Confirm => "/newsletter/confirm",
        LinkAction::Unsubscribe => "/newsletter/unsubscribe",
    }
}

fn token_of(param: Option<String>) -> Result<String, ApiError> {
    param
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthenticated("This link is incomplete; open it from the mail"))
}

async fn show(state: AppState, token: Option<String>, action: LinkAction) -> Response {
    let shown = async {
        let token = token_of(token)?;
        let subscription = newsletter_links::subscription_of(&state.pool, &token, action).await?;
        Ok::<_, ApiError>((
            token,
            newsletter_links::language_of(&state.pool, &subscription).await,
        ))
    };
    match shown.await {
        Ok((token, language)) => {
            let w = words(action, &language);
            let context = json!({"lang": language, "title": w.title, "question": w.question,
                "button": w.button, "action": path(action), "token": token});
            PAGES.render(StatusCode::OK, "link.html", context)
        }
        Err(error) => problem_page(error),
    }
}

async fn follow(
    state: AppState,
    query: Option<String>,
    form: Result<Form<TokenParam>, FormRejection>,
    action: LinkAction,
    context: event_bus::EventContext,
) -> Response {
    let followed = async {
        let from_form = form.ok().and_then(|Form(f)| f.token);
        let token = token_of(from_form.or(query))?;
        let subscription = newsletter_links::follow(&state.pool, &token, action, &context).await?;
        Ok::<_, ApiError>(newsletter_links::language_of(&state.pool, &subscription).await)
    };
    match followed.await {
        Ok(language) => {
            let w = words(action, &language);
            let context = json!({"lang": language, "title": w.title, "message": w.done});
            PAGES.render(StatusCode::OK, "message.html", context)
        }
        Err(error) => problem_page(error),
    }
}

async fn show_confirm(State(state): State<AppState>, Query(q): Query<TokenParam>) -> Response {
    show(state, q.token, LinkAction::Confirm).await
}

async fn show_unsubscribe(State(state): State<AppState>, Query(q): Query<TokenParam>) -> Response {
    show(state, q.token, LinkAction::Unsubscribe).await
}

async fn confirm(
    State(state): State<AppState>,
    Query(q): Query<TokenParam>,
    RequestContext(context): RequestContext,
    form: Result<Form<TokenParam>, FormRejection>,
) -> Response {
    follow(state, q.token, form, LinkAction::Confirm, context).await
}

async fn unsubscribe(
    State(state): State<AppState>,
    Query(q): Query<TokenParam>,
    RequestContext(context): RequestContext,
    form: Result<Form<TokenParam>, FormRejection>,
) -> Response {
    follow(state, q.token, form, LinkAction::Unsubscribe, context).await
}
