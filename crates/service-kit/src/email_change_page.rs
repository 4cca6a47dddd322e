//! The page the address-confirmation mail links to, alike in every service that holds
//! people: GET shows the new address with a button, the button posts the token back, and
//! only the post changes the address (a mail scanner following the link changes nothing).
//! A service serves it with [`routes`] over its [`AddressBook`].

use std::future::Future;
use std::sync::LazyLock;

use async_trait::async_trait;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use event_bus::EventContext;
use serde::Deserialize;
use serde_json::json;

use crate::extract::RequestContext;
use crate::pages::{problem_page, Pages};
use crate::problem::ApiError;

/// Where a service keeps its people's pending address changes (`crate::email_change`).
#[async_trait]
pub trait AddressBook: Clone + Send + Sync + 'static {
    /// The new address of the change `token` belongs to and its person's language
    /// (404 for an unknown token, 410 once expired).
    async fn pending(&self, token: &str) -> Result<(String, String), ApiError>;
    /// Moves the person to the new address (announcing it); answers their language.
    async fn confirm(&self, token: &str, context: &EventContext) -> Result<String, ApiError>;
}

/// The confirmation page at `path`: GET shows it, POST follows the link.
pub fn routes<B: AddressBook>(path: &'static str, book: B) -> Router {
    Router::new()
        .route(path, get(show_page::<B>).post(follow_page::<B>))
        .with_state((path, book))
}

#[derive(Debug, Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

async fn show_page<B: AddressBook>(
    State((path, book)): State<(&'static str, B)>,
    Query(q): Query<LinkQuery>,
) -> Response {
    show(
        q.token,
        path,
        |token| async move { book.pending(&token).await },
    )
    .await
}

async fn follow_page<B: AddressBook>(
    State((_, book)): State<(&'static str, B)>,
    Query(q): Query<LinkQuery>,
    RequestContext(context): RequestContext,
    form: Result<Form<LinkQuery>, FormRejection>,
) -> Response {
    let from_form = form.ok().and_then(|Form(f)| f.token);
    follow(from_form, q.token, |token| async move {
        book.confirm(&token, &context).await
    })
    .await
}

static PAGES: LazyLock<Pages> = LazyLock::new(|| {
    Pages::new(&[
        (
            "question.html",
            r#"{% extends "layout.html" %}
{% block content %}
<p>{{ question }}</p>
<p><strong>{{ address }}</strong></p>
<form method="post" action="{{ action }}">
  <input type="hidden" name="token" value="{{ token }}">
  <button type="submit">{{ button }}</button>
</form>
{% endblock %}"#,
        ),
        (
            "message.html",
            r#"{% extends "layout.html" %}
{% block content %}
<p class="notice">{{ message }}</p>
{% endblock %}"#,
        ),
    ])
});

struct Words {
    title: &'static str,
    question: &'static str,
    button: &'static str,
    done: &'static str,
}

fn words(language: &str) -> (&'static str, Words) {
    match language {
        "en" => (
            "en",
            Words {
                title: "Confirm your new address",
                question: "Please confirm that BATbern should write to this address from now on:",
                button: "Confirm address",
                done: "Thank you: mails now go to your new address.",
            },
        ),
        _ => (
            "de",
            Words {
                title: "Neue Adresse bestätigen",
                question:
                    "Bitte bestätigen Sie, dass BATbern Ihnen ab jetzt an diese Adresse schreibt:",
                button: "Adresse bestätigen",
                done: "Vielen Dank: Mails gehen ab jetzt an Ihre neue Adresse.",
            },
        ),
    }
}

/// The question: move to `address`? The button posts `token` to `action`.
fn question(language: &str, address: &str, token: &str, action: &str) -> Response {
    let (lang, w) = words(language);
    let context = json!({"lang": lang, "title": w.title, "question": w.question,
        "address": address, "button": w.button, "action": action, "token": token});
    PAGES.render(StatusCode::OK, "question.html", context)
}

/// The answer once the address changed.
fn done(language: &str) -> Response {
    let (lang, w) = words(language);
    PAGES.render(
        StatusCode::OK,
        "message.html",
        json!({"lang": lang, "title": w.title, "message": w.done}),
    )
}

/// The token of a link, from the form or the query (401 when missing).
fn token(form: Option<String>, query: Option<String>) -> Result<String, ApiError> {
    form.or(query)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthenticated("This link is incomplete; open it from the mail"))
}

/// Shows the page of the link holding `token`: `pending` answers the new address and the
/// person's language; the button posts to `action`.
async fn show<F, Fut>(token: Option<String>, action: &str, pending: F) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(String, String), ApiError>>,
{
    let shown = async {
        let token = self::token(None, token)?;
        let (address, language) = pending(token.clone()).await?;
        Ok::<_, ApiError>(question(&language, &address, &token, action))
    };
    shown.await.unwrap_or_else(problem_page)
}

/// Follows the link: `confirm` applies the change and answers the person's language.
async fn follow<F, Fut>(form: Option<String>, query: Option<String>, confirm: F) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<String, ApiError>>,
{
    let followed = async {
        let language = confirm(token(form, query)?).await?;
        Ok::<_, ApiError>(done(&language))
    };
    followed.await.unwrap_or_else(problem_page)
}
