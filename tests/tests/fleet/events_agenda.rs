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

#[tokio::test]
async fn the_agenda_is_served_precompressed_to_callers_that_take_gzip() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let (id, _, _) = published_evening(&Api::as_roles(&service, &["organizer"]), 61, 200).await;
    let url = service.url(&format!("/api/v1/events/{id}/agenda"));
    let plain = service.client.get(&url).send().await.unwrap();
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=5, must-revalidate"
    );
    // One Vary line naming every header the answer varies by: a cache keeping one line
    // keeps them all.
    let vary: Vec<&str> = plain
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(vary.len(), 1, "{vary:?}");
    assert!(
        vary[0].split(", ").any(|name| name == "accept-encoding")
            && vary[0].split(", ").any(|name| name == "origin"),
        "{vary:?}"
    );
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();

    let gzipped = service
        .client
        .get(&url)
        .header("accept-encoding", "br;q=1.0, gzip;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let gzip_etag = gzipped.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(gzip_etag, plain_etag, "each encoding has its own ETag");
    let compressed = gzipped.bytes().await.unwrap();
    assert!(compressed.len() < plain.len());
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, plain);

    let refused = service
        .client
        .get(&url)
        .header("accept-encoding", "gzip;q=0, identity")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    let revalidated = service
        .client
        .get(&url)
        .header("if-none-match", &gzip_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_change_through_one_replica_shows_in_every_replicas_agenda() {
    let db = TestDb::create().await;
    let first = TestService::events(&db).await;
    let second = TestService::events_replica(&first).await;
    let organizer = Api::as_roles(&first, &["organizer"]);
    let (id, _, _) = published_evening(&organizer, 62, 200).await;
    let path = format!("/api/v1/events/{id}/agenda");
    let title_on = |replica: &TestService| {
        let (api, path) = (Api::anonymous(replica), path.clone());
        async move { api.get(&path).await.expect(StatusCode::OK)["event"]["title"].clone() }
    };
    let before = title_on(&second).await;
    assert_eq!(title_on(&first).await, before);

    let event = organizer.get(&format!("/api/v1/events/{id}")).await;
    let etag = event.etag();
    organizer
        .patch_if(
            &format!("/api/v1/events/{id}"),
            &serde_json::json!({"title": "Renamed evening"}),
            &etag,
        )
        .await
        .expect(StatusCode::OK);

    assert_eq!(
        title_on(&first).await,
        "Renamed evening",
        "the replica that answered the write shows it at once"
    );
    fleet_tests::eventually(
        std::time::Duration::from_secs(10),
        "the other replica's agenda shows the new title",
        || async { (title_on(&second).await == "Renamed evening").then_some(()) },
    )
    .await;
}
