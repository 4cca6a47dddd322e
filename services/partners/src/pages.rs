//! The page the address-change mail links to (`/partner/email/confirm?token=…`): showing
//! it changes nothing; its button posts the token back and the contact moves to the new
//! address.

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use service_kit::email_change_page;
use service_kit::RequestContext;

use crate::api::AppState;

const EMAIL_CHANGE: &str = "/partner/email/confirm";

/// The confirmation of a contact's new address.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(EMAIL_CHANGE, get(show).post(confirm))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

async fn show(State(state): State<AppState>, Query(q): Query<LinkQuery>) -> Response {
    email_change_page::show(q.token, EMAIL_CHANGE, |token| async move {
        let (change, language) = crate::email_links::pending(&state.pool, &token).await?;
        Ok((change.new_email, language))
    })
    .await
}

async fn confirm(
    State(state): State<AppState>,
    Query(q): Query<LinkQuery>,
    RequestContext(context): RequestContext,
    form: Result<Form<LinkQuery>, FormRejection>,
) -> Response {
    let from_form = form.ok().and_then(|Form(f)| f.token);
    email_change_page::follow(from_form, q.token, |token| async move {
        crate::email_links::confirm(&state.pool, &token, &context).await
    })
    .await
}
