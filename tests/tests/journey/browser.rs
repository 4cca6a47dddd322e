//! A browser on the organizer front end's origin calls the API with its token through
//! the gateway, as the real front end does: headless Chromium loads a page served on
//! `http://localhost:5173` (the origin the local fleet allows) whose script fetches with an
//! `Authorization` header, which needs a preflight that names that header. The same page
//! on another origin is refused by the browser.

use std::process::Command;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::gateway::{Fleet, SubjectIds};

/// Serves `page` at `/` on 127.0.0.1:5173 until the test ends.
async fn serve_front_end(page: String) {
    let listener = TcpListener::bind("127.0.0.1:5173")
        .await
        .expect("port 5173 (the front end's origin) is free");
    let app = Router::new().route("/", get(move || async move { Html(page) }));
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// What the page shows after the budget of virtual time Chromium gives its scripts.
pub(crate) fn rendered(url: &str) -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let profile = tempdir();
    let output = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={profile}"),
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ])
        .output()
        .unwrap_or_else(|e| panic!("{chromium} runs (scripts/test installs it): {e}"));
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn tempdir() -> String {
    let dir = std::env::temp_dir().join(format!("journey-chromium-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_page_on_the_front_end_origin_calls_the_api_with_its_token() {
    let fleet = Fleet::from_env();
    let caller = crate::gateway::Caller::anonymous(&fleet, &Default::default());
    let token = caller
        .with_token("browser-organizer", &["organizer"], SubjectIds::default())
        .token()
        .to_owned();
    let page = format!(
        r#"<!doctype html><html><body>waiting<script>
fetch("{}/api/v1/companies", {{headers: {{"Authorization": "Bearer {token}"}}}})
  .then(r => {{ document.body.textContent = "status " + r.status; }})
  .catch(e => {{ document.body.textContent = "refused " + e; }});
</script></body></html>"#,
        fleet.gateway
    );
    serve_front_end(page).await;

    let allowed = tokio::task::spawn_blocking(|| rendered("http://localhost:5173/"))
        .await
        .unwrap();
    assert!(
        allowed.contains("status 200"),
        "from the front end's origin: {allowed}"
    );
    let foreign = tokio::task::spawn_blocking(|| rendered("http://127.0.0.1:5173/"))
        .await
        .unwrap();
    assert!(
        foreign.contains("refused"),
        "from an origin not allowed: {foreign}"
    );
}
