//! Partner contacts follow the rules of every person's address: an organizer corrects it at
//! once; a new address set by the partner integration is used only once its owner follows
//! the link mailed there, and the current address is told. A removed contact is erased: the
//! notifications directory forgets them and no mail reaches them any more.

use fleet_tests::mail::{mails_to, wait_for_mails};
use fleet_tests::partners::{id_of, PartnersFleet};
use fleet_tests::{unique, TestDb};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_new_contact_address_waits_for_its_link_and_a_removed_contact_is_erased() {
    let db = TestDb::create().await;
    let fleet = PartnersFleet::start(&db).await;
    let company = fleet.company("Acme AG").await;
    let partner = fleet.partner(company, "gold").await;
    let portal = fleet.partner_of(company);
    let (old, new, fixed) = (
        format!("{}@acme.ch", unique("old")),
        format!("{}@acme.ch", unique("new")),
        format!("{}@acme.ch", unique("fixed")),
    );
    let contact = portal
        .post(
            &format!("/api/v1/partners/{partner}/contacts"),
            &json!({"firstName": "Eva", "lastName": "Egger", "email": old, "role": "CTO", "language": "en", "isPrimary": true}),
        )
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/api/v1/partners/{partner}/contacts/{}", id_of(&contact));

    let asked = portal
        .patch_if(&path, &json!({"email": new, "role": "CIO"}), "\"1\"")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (asked["email"].as_str(), asked["role"].as_str()),
        (Some(old.as_str()), Some("CIO"))
    );
    wait_for_mails(&old, 1).await;
    let confirmation = wait_for_mails(&new, 1).await;
    let text = confirmation[0].text();
    let token = text
        .split("/partner/email/confirm?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned();
    let page = reqwest::get(
        fleet
            .partners
            .url(&format!("/partner/email/confirm?token={token}")),
    )
    .await
    .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(&new));
    let follow = || {
        reqwest::Client::new()
            .post(fleet.partners.url("/partner/email/confirm"))
            .form(&[("token", token.as_str())])
            .send()
    };
    assert_eq!(follow().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        follow().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "a link works once"
    );
    let moved = portal
        .get(&format!("/api/v1/partners/{partner}/contacts"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved[0]["email"], new.as_str());

    // An organizer corrects the address at once; nobody is asked.
    let organizer = fleet.organizer(&fleet.partners);
    let current = format!("\"{}\"", moved[0]["version"]);
    let fixed_now = organizer
        .patch_if(&path, &json!({"email": fixed}), &current)
        .await
        .expect(StatusCode::OK);
    assert_eq!(fixed_now["email"], fixed.as_str());

    // Once the directory holds the corrected address, the meeting invitation goes there;
    // after removal nothing does.
    let admin = sqlx::PgPool::connect(&db.admin_url()).await.unwrap();
    let directory_holds = |email: String| {
        let admin = admin.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from notifications.recipients where email = $1",
            )
            .bind(email)
            .fetch_one(&admin)
            .await
            .ok()
        }
    };
    fleet_tests::eventually(
        std::time::Duration::from_secs(20),
        "the directory holds the corrected address",
        || async { (directory_holds(fixed.clone()).await? == 1).then_some(()) },
    )
    .await;
    let at = chrono::Utc::now() + chrono::Duration::days(20);
    let meeting = json!({"meetingType": "ad_hoc", "title": "Roadmap", "scheduledAt": at, "location": "Bern", "agenda": "2027"});
    organizer
        .post("/api/v1/partner-meetings", &meeting)
        .await
        .expect(StatusCode::CREATED);
    wait_for_mails(&fixed, 1).await;
    let removed = portal.delete(&path).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    fleet_tests::eventually(
        std::time::Duration::from_secs(20),
        "the directory forgets the contact",
        || async { (directory_holds(fixed.clone()).await? == 0).then_some(()) },
    )
    .await;
    let keys: i64 =
        sqlx::query_scalar("select count(*) from partners.person_keys where person_id = $1")
            .bind(id_of(&contact))
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(keys, 0, "the contact's key is destroyed");
    assert_eq!(
        mails_to(&new).await.len(),
        1,
        "nothing more reached the moved-from address"
    );
}
