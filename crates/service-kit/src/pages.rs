//! Server-rendered pages behind the links in mails (an invitation to answer, a newsletter
//! subscription to confirm): one layout, minijinja templates with HTML auto-escaping, and
//! headers that keep the link's token out of caches, referrers and frames. A page changes
//! nothing on GET; its buttons post forms back to the owning service.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::problem::{ApiError, ProblemKind};

const LAYOUT: &str = r#"<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · BATbern</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; } dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; } form { margin: 1.5rem 0; } textarea { width: 100%; min-height: 5rem; }
button { font-size: 1rem; padding: .5rem 1.25rem; } .notice { padding: .75rem 1rem; background: #f2f2f7; }
</style>
</head>
<body>
<header><strong>BATbern</strong></header>
<main>
<h1>{{ title }}</h1>
{% block content %}{% endblock %}
</main>
</body>
</html>
"#;

/// The pages of one service: the shared layout plus its own templates, each extending
/// `layout.html` and filling its `content` block.
pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    /// Compiles `templates` (`(name, source)`, names ending in `.html`); a template that
    /// does not compile is a programming error caught by the service's first test.
    pub fn new(templates: &[(&'static str, &'static str)]) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_template("layout.html", LAYOUT)
            .expect("the page layout compiles");
        for (name, source) in templates {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("page template {name} compiles: {e}"));
        }
        Self { env }
    }

    /// Renders template `name` with `context` (which must hold `title` and `lang`) as an
    /// HTML answer with `status`; a rendering failure is logged and answered as a 500 page.
    pub fn render(&self, status: StatusCode, name: &str, context: impl Serialize) -> Response {
        let rendered = self
            .env
            .get_template(name)
            .and_then(|template| template.render(context));
        match rendered {
            Ok(html) => html_response(status, html),
            Err(error) => {
                tracing::error!(%error, page = name, "page could not be rendered");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<!doctype html><title>BATbern</title><p>Something went wrong; please try again later.</p>".into(),
                )
            }
        }
    }
}

/// The one message page every service shows when a link does not work.
static MESSAGE: LazyLock<Pages> = LazyLock::new(|| {
    Pages::new(&[(
        "message.html",
        r#"{% extends "layout.html" %}
{% block content %}
<p class="notice">{{ message }}</p>
{% endblock %}"#,
    )])
});

/// A page telling why a link does not work, with the status of the API's answer.
pub fn problem_page(error: ApiError) -> Response {
    let (status, _, title) = error.kind.describe();
    let message = match error.kind {
        ProblemKind::Internal => "Something went wrong; please try again later.".to_owned(),
        _ => error.detail,
    };
    MESSAGE.render(
        status,
        "message.html",
        serde_json::json!({"lang": "en", "title": title, "message": message}),
    )
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Whether `response` is a page (left as it is by the problem rendering of errors).
pub fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pages_escape_what_they_show_and_keep_the_link_private() {
        let pages = Pages::new(&[(
            "hello.html",
            "{% extends \"layout.html\" %}{% block content %}<p>{{ name }}</p>{% endblock %}",
        )]);
        let response = pages.render(
            StatusCode::OK,
            "hello.html",
            serde_json::json!({"title": "Hi", "lang": "en", "name": "<script>x</script>"}),
        );
        assert_eq!(response.headers()[header::REFERRER_POLICY], "no-referrer");
        assert!(is_page(&response));
        let body = axum::body::to_bytes(response.into_body(), 65536)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
    }
}
