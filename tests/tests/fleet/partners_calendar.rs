//! A partnership is active from its start date to its end date: the scheduler flips it when
//! the calendar gets there and announces it, the company's partner flag follows, and an
//! inactive partner's votes are refused.

use std::time::Duration;

use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::{eventually, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn company_is_partner(fleet: &PartnersFleet, company: Uuid, expected: bool) {
    let companies = fleet.organizer(&fleet.companies);
    eventually(
        Duration::from_secs(20),
        &format!("isPartner {expected}"),
        || async {
            let body = companies
                .get(&format!("/api/v1/companies/{company}"))
                .await
                .body;
            (body["isPartner"] == expected).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn the_calendar_starts_and_ends_a_partnership() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let company = fleet.company("Future AG").await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let organizer = fleet.organizer(&fleet.partners);
    let created = organizer
        .post("/api/v1/partners", &json!({"companyId": company, "partnershipLevel": "silver", "partnershipStartDate": tomorrow}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["isActive"], false);
    let id = id_of(&created);
    let topic = fleet.topic("Observability").await;
    let portal = fleet.partner_of(company);
    let refused = eventually(
        Duration::from_secs(20),
        "the topic reaches partners",
        || async {
            let answer = portal
                .put(
                    &format!("/api/v1/topic-votes/{topic}"),
                    &json!({"value": 3}),
                )
                .await;
            (answer.status != StatusCode::SERVICE_UNAVAILABLE).then_some(answer)
        },
    )
    .await;
    refused.expect_problem(StatusCode::CONFLICT, None);

    // The service's own role on its own schema, as the service connects.
    let options: sqlx::postgres::PgConnectOptions = fleet.partners.database_url.parse().unwrap();
    let pool = sqlx::PgPool::connect_with(options.options([("search_path", "partners")]))
        .await
        .unwrap();
    sqlx::query("update partners set partnership_start_date = current_date - 1, partnership_end_date = current_date where id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(partners::scheduler::tick(&pool).await.unwrap(), 1);
    assert_eq!(
        partners::scheduler::tick(&pool).await.unwrap(),
        0,
        "once per change"
    );
    let now = organizer
        .get(&format!("/api/v1/partners/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now["isActive"], true);
    company_is_partner(&fleet, company, true).await;
    portal
        .put(
            &format!("/api/v1/topic-votes/{topic}"),
            &json!({"value": 3}),
        )
        .await
        .expect(StatusCode::OK);

    sqlx::query("update partners set partnership_end_date = current_date - 1 where id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(partners::scheduler::tick(&pool).await.unwrap(), 1);
    company_is_partner(&fleet, company, false).await;
}
