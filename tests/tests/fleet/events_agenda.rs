//! The public agenda: JSON, iCalendar and frab schedule JSON, with ETag revalidation.

use fleet_tests::api::Api;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;

use fleet_tests::planning::published_evening;

#[tokio::test]
async fn the_published_agenda_is_public_in_three_formats_and_revalidates() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let (id, _, speakers) =
        published_evening(&Api::as_roles(&service, &["organizer"]), 59, 200).await;
    let public = Api::anonymous(&service);

    let json = public.get(&format!("/api/v1/events/{id}/agenda")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.body["event"]["eventNumber"], 59);
    let slots = json.body["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 6);
    assert_eq!(slots[0]["session"]["title"], "Keynote: Platform Teams");
    assert_eq!(slots[2]["slotType"], "break");
    assert!(slots
        .iter()
        .any(|s| s["session"]["speakers"][0]["speakerId"] == speakers[1].to_string()));

    let ical = public
        .get(&format!("/api/v1/events/{id}/agenda/ical"))
        .await;
    assert_eq!(ical.status, StatusCode::OK);
    assert!(ical.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = ical.body.as_str().unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 6);
    assert!(text.contains("SUMMARY:Event Sourcing in Practice"));

    let frab = public
        .get(&format!("/api/v1/events/{id}/agenda/frab"))
        .await;
    let day = &frab.body["schedule"]["conference"]["days"][0];
    assert_eq!(day["date"], "2027-03-12");
    let arena = day["rooms"]["Arena"].as_array().unwrap();
    assert_eq!(arena.len(), 4);
    assert_eq!(arena[0]["start"], "17:00");
    assert_eq!(arena[0]["duration"], "00:40");

    let etag = json.etag();
    let revalidated = service
        .client
        .get(service.url(&format!("/api/v1/events/{id}/agenda")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let other_format = service
        .client
        .get(service.url(&format!("/api/v1/events/{id}/agenda/ical")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_format.status(),
        StatusCode::OK,
        "each format has its own ETag"
    );
}
