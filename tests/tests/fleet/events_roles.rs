//! Roles and role changes: at least two organizers stay active under concurrent demotions,
//! demotions need another organizer's approval, requests expire after 7 days.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

async fn grant_organizers(api: &Api, names: &[&str]) {
    for name in names {
        api.post(
            "/api/v1/roles",
            &json!({"userId": name, "role": "organizer"}),
        )
        .await
        .expect(StatusCode::CREATED);
    }
}

async fn active_organizers(api: &Api) -> usize {
    let roles = api
        .get("/api/v1/roles?activeOnly=true&limit=100")
        .await
        .expect(StatusCode::OK);
    roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "organizer")
        .count()
}

#[tokio::test]
async fn concurrent_demotions_never_leave_fewer_than_two_organizers() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let anna = Api::as_user(&service, "anna", &["organizer"]);
    let targets = ["bert", "carla", "dora", "emil", "fritz"];
    grant_organizers(&anna, &targets).await;
    let mut requests = Vec::new();
    for target in targets {
        let request = anna
            .post("/api/v1/role-change-requests", &json!({"userId": target, "currentRole": "organizer", "requestedRole": "attendee", "reason": "steps back"}))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(request["status"], "pending");
        requests.push(request["id"].as_str().unwrap().to_owned());
    }

    let approver = Api::as_user(&service, "gina", &["organizer"]);
    let paths: Vec<String> = requests
        .iter()
        .map(|id| format!("/api/v1/role-change-requests/{id}/approve"))
        .collect();
    let empty = json!({});
    let answers = join_all(paths.iter().map(|path| approver.post(path, &empty))).await;

    let approved = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(approved, 3, "five organizers, three may go");
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|a| a.body["detail"]
        .as_str()
        .unwrap()
        .contains("at least 2 organizers")));
    assert_eq!(active_organizers(&anna).await, 2);
    let history = anna
        .get("/api/v1/roles?limit=100")
        .await
        .expect(StatusCode::OK);
    let revoked = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "organizer" && r["isActive"] == false)
        .count();
    assert_eq!(revoked, 3, "revoked grants stay as history");
}

#[tokio::test]
async fn demotions_need_another_organizer_and_expire_after_seven_days() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let anna = Api::as_user(&service, "anna", &["organizer"]);
    grant_organizers(&anna, &["anna", "bert", "carla"]).await;
    let roles = anna
        .get("/api/v1/roles?userId=bert")
        .await
        .expect(StatusCode::OK);
    let bert_grant = roles["items"][0]["id"].as_str().unwrap().to_owned();
    let direct = anna
        .post(
            &format!("/api/v1/roles/{bert_grant}/revoke"),
            &json!({"reason": "shortcut"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::CONFLICT);

    let request = anna
        .post("/api/v1/role-change-requests", &json!({"userId": "bert", "currentRole": "organizer", "requestedRole": "speaker", "reason": "focus on talks"}))
        .await
        .expect(StatusCode::CREATED);
    let id = request["id"].as_str().unwrap();
    assert_eq!(
        anna.post(
            &format!("/api/v1/role-change-requests/{id}/approve"),
            &json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let bert = Api::as_user(&service, "bert", &["organizer"]);
    assert_eq!(
        bert.post(
            &format!("/api/v1/role-change-requests/{id}/approve"),
            &json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let mut admin = sqlx::PgConnection::connect(&db.admin_url()).await.unwrap();
    sqlx::query("update events.role_change_requests set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = $1::uuid")
        .bind(id)
        .execute(&mut admin)
        .await
        .unwrap();
    let listed = anna
        .get("/api/v1/role-change-requests")
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["items"][0]["status"], "expired");
    let carla = Api::as_user(&service, "carla", &["organizer"]);
    let late = carla
        .post(
            &format!("/api/v1/role-change-requests/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body["detail"].as_str().unwrap().contains("expired"));
    assert_eq!(active_organizers(&anna).await, 3);
}

#[tokio::test]
async fn other_role_changes_apply_at_once_and_grants_are_unique_per_scope() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let anna = Api::as_user(&service, "anna", &["organizer"]);
    anna.post(
        "/api/v1/roles",
        &json!({"userId": "hans", "role": "attendee"}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(
        anna.post(
            "/api/v1/roles",
            &json!({"userId": "hans", "role": "attendee"})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        anna.post(
            "/api/v1/roles",
            &json!({"userId": "hans", "role": "wizard"})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let change = anna
        .post("/api/v1/role-change-requests", &json!({"userId": "hans", "currentRole": "attendee", "requestedRole": "speaker", "reason": "gives a talk"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(change["status"], "approved");
    let roles = anna
        .get("/api/v1/roles?userId=hans&activeOnly=true")
        .await
        .expect(StatusCode::OK);
    assert_eq!(roles["items"].as_array().unwrap().len(), 1);
    assert_eq!(roles["items"][0]["role"], "speaker");
    let not_held = anna
        .post("/api/v1/role-change-requests", &json!({"userId": "hans", "currentRole": "partner", "requestedRole": "speaker", "reason": "x"}))
        .await;
    assert_eq!(not_held.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(not_held.body["errors"][0]["field"], "currentRole");
    let speaker = Api::as_user(&service, "hans", &["speaker"]);
    assert_eq!(
        speaker.get("/api/v1/roles").await.status,
        StatusCode::FORBIDDEN
    );
}
