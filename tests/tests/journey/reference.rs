//! The API reference as a developer of the front end or of a partner integration opens it:
//! the gateway serves the merged document of every service and one interactive page that
//! renders it in a browser with nothing fetched from elsewhere, and each service's own
//! document. What the gateway itself cannot read it refuses as a problem, as the services do.

use reqwest::{Method, StatusCode};

use crate::browser::rendered;
use crate::gateway::{Caller, Fleet};

fn committed_merged_document() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/batbern.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/batbern.json"))
        .expect("the merged document is JSON")
}

#[tokio::test]
async fn the_gateway_serves_the_merged_document_and_its_reference_page() {
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());

    let document = public.get("/api/v1/openapi.json").await;
    assert_eq!(
        document.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let document = document.expect(StatusCode::OK);
    assert_eq!(document, committed_merged_document());
    for path in [
        "/api/v1/companies",
        "/api/v1/registrations",
        "/api/v1/files",
    ] {
        assert!(document["paths"][path].is_object(), "{path} is documented");
    }

    let script = public.get("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));

    let url = format!("{}/api/docs/", fleet.gateway);
    let page = tokio::task::spawn_blocking(move || rendered(&url))
        .await
        .unwrap();
    assert!(
        page.contains("BATbern API"),
        "the page shows the merged title"
    );
    for tag in ["registrations", "topic-votes", "files", "email-templates"] {
        assert!(
            page.contains(&format!("operations-tag-{tag}")),
            "the page lists the {tag} operations"
        );
    }
}

#[tokio::test]
async fn the_gateway_routes_every_services_own_document() {
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());
    for service in [
        "companies",
        "events",
        "speakers",
        "content",
        "partners",
        "attendees",
        "notifications",
    ] {
        let document = public
            .get(&format!("/api/v1/{service}/openapi.json"))
            .await
            .expect(StatusCode::OK);
        assert!(document["paths"].is_object(), "{service}: {document}");
    }
}

#[tokio::test]
async fn a_request_the_gateway_cannot_read_is_refused_as_a_problem() {
    let fleet = Fleet::from_env();
    let public = Caller::anonymous(&fleet, &Default::default());
    let long_address = format!("/api/v1/topics?q={}", "a".repeat(9000));
    let long = public.get(&long_address).await;
    let padding = "b".repeat(20_000);
    let large_header = public
        .send(
            Method::GET,
            "/api/v1/topics",
            None,
            &[("x-padding", &padding)],
        )
        .await;
    for (answer, status, code) in [
        (long, StatusCode::URI_TOO_LONG, "uri_too_long"),
        (large_header, StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        assert_eq!(answer.status, status, "{}", answer.text);
        assert_eq!(
            answer.headers["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        assert_eq!(answer.body["code"], code, "{}", answer.text);
    }
}
