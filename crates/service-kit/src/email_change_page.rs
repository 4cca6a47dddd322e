//! The page the address-confirmation mail links to, alike in every service that holds
//! people: GET shows the new address with a button, the button posts the token back, and
//! only the post changes the address (a mail scanner following the link changes nothing).

use std::future::Future;
use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::pages::{problem_page, Pages};
use crate::problem::ApiError;

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
pub fn question(language: &str, address: &str, token: &str, action: &str) -> Response {
    let (lang, w) = words(language);
    let context = json!({"lang": lang, "title": w.title, "question": w.question,
        "address": address, "button": w.button, "action": action, "token": token});
    PAGES.render(StatusCode::OK, "question.html", context)
}

/// The answer once the address changed.
pub fn done(language: &str) -> Response {
    let (lang, w) = words(language);
    PAGES.render(
        StatusCode::OK,
        "message.html",
        json!({"lang": lang, "title": w.title, "message": w.done}),
    )
}

/// The token of a link, from the form or the query (401 when missing).
pub fn token(form: Option<String>, query: Option<String>) -> Result<String, ApiError> {
    form.or(query)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthenticated("This link is incomplete; open it from the mail"))
}

/// Shows the page of the link holding `token`: `pending` answers the new address and the
/// person's language; the button posts to `action`.
pub async fn show<F, Fut>(token: Option<String>, action: &str, pending: F) -> Response
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
pub async fn follow<F, Fut>(form: Option<String>, query: Option<String>, confirm: F) -> Response
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
