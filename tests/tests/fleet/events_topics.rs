//! The topic library through HTTP: near-duplicates on creation, full-text search, filters,
//! and the usage an event assignment records.

use fleet_tests::api::Api;
use fleet_tests::planning::evening_event;
use fleet_tests::{TestDb, TestService};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn create_topic(api: &Api, title: &str, description: &str, category: &str) -> Value {
    api.post(
        "/api/v1/topics",
        &json!({"title": title, "description": description, "category": category}),
    )
    .await
    .expect(StatusCode::CREATED)
}

fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn creating_a_topic_names_its_near_duplicates() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let first = create_topic(
        &organizer,
        "Event Sourcing in Practice",
        "How teams run event sourcing and CQRS in production",
        "technical",
    )
    .await;
    assert_eq!(first["similarTopics"], json!([]));
    create_topic(
        &organizer,
        "Zero Trust Networks",
        "Security without a perimeter",
        "technical",
    )
    .await;

    let created = organizer
        .post("/api/v1/topics", &json!({"title": "Event Sourcing Basics", "description": "An introduction for beginners", "category": "technical"}))
        .await;

    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        format!("/api/v1/topics/{}", created.body["id"].as_str().unwrap())
    );
    assert_eq!(created.etag(), "\"1\"");
    let similar = &created.body["similarTopics"];
    assert_eq!(titles(similar), ["Event Sourcing in Practice"], "{similar}");
    assert_eq!(similar[0]["id"], first["id"]);
    assert!(similar[0]["rank"].as_f64().unwrap() > 0.1);
    assert_eq!(created.body["usageCount"], 0);
    assert_eq!(created.body["stalenessScore"], 100.0);
    assert_eq!(created.body["calculatedWaitPeriod"], 0);
    assert_eq!(created.body["isActive"], true);
}

#[tokio::test]
async fn search_ranks_title_matches_above_description_matches() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    create_topic(
        &organizer,
        "Event-driven Architektur",
        "Ereignisse mit Kafka in der Praxis",
        "technical",
    )
    .await;
    create_topic(
        &organizer,
        "Kafka Streams in Production",
        "Stateful stream processing",
        "tools_platforms",
    )
    .await;
    create_topic(
        &organizer,
        "Leading Engineering Teams",
        "Growing leaders in Swiss companies",
        "management",
    )
    .await;
    let reader = Api::as_roles(&service, &["attendee"]);

    let found = reader
        .get("/api/v1/topics?q=kafka")
        .await
        .expect(StatusCode::OK);

    assert_eq!(
        titles(&found["items"]),
        ["Kafka Streams in Production", "Event-driven Architektur"]
    );
    let ranks: Vec<f64> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rank"].as_f64().unwrap())
        .collect();
    assert!(ranks[0] > ranks[1], "{ranks:?}");
    let phrase = reader
        .get("/api/v1/topics?q=%22stream%20processing%22")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&phrase["items"]), ["Kafka Streams in Production"]);
    let paged = reader
        .get("/api/v1/topics?q=kafka&limit=1")
        .await
        .expect(StatusCode::OK);
    let cursor = paged["nextCursor"].as_str().unwrap();
    let rest = reader
        .get(&format!("/api/v1/topics?q=kafka&limit=1&cursor={cursor}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&rest["items"]), ["Event-driven Architektur"]);
    assert!(rest["nextCursor"].is_null());
}

#[tokio::test]
async fn topics_are_listed_by_title_and_filtered_by_category_and_activity() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    create_topic(
        &organizer,
        "Observability",
        "Tracing and metrics",
        "technical",
    )
    .await;
    let leadership = create_topic(&organizer, "Leadership", "Leading teams", "management").await;
    create_topic(&organizer, "API Design", "Designing HTTP APIs", "technical").await;

    let first = organizer
        .get("/api/v1/topics?limit=2")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&first["items"]), ["API Design", "Leadership"]);
    assert!(first["items"][0].get("rank").is_none());
    let next = organizer
        .get(&format!(
            "/api/v1/topics?limit=2&cursor={}",
            first["nextCursor"].as_str().unwrap()
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&next["items"]), ["Observability"]);
    let technical = organizer
        .get("/api/v1/topics?category=technical")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&technical["items"]), ["API Design", "Observability"]);

    let id = leadership["id"].as_str().unwrap();
    let retired = organizer
        .patch_if(
            &format!("/api/v1/topics/{id}"),
            &json!({"isActive": false, "description": null}),
            "\"1\"",
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            retired["isActive"].clone(),
            retired["description"].clone(),
            retired["version"].clone()
        ),
        (json!(false), Value::Null, json!(2))
    );
    let active = organizer
        .get("/api/v1/topics?active=true")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&active["items"]), ["API Design", "Observability"]);
    let stale = organizer
        .patch_if(
            &format!("/api/v1/topics/{id}"),
            &json!({"title": "Leadership 2"}),
            "\"1\"",
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn bad_topic_input_is_refused_naming_the_field() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);

    let bad_filter = organizer.get("/api/v1/topics?category=cooking").await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_filter.body["errors"][0]["field"], "category");
    let bad_category = organizer
        .post(
            "/api/v1/topics",
            &json!({"title": "Baking", "category": "cooking"}),
        )
        .await;
    assert_eq!(bad_category.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_category.body["errors"][0]["field"], "category");
    let long_title = organizer
        .post(
            "/api/v1/topics",
            &json!({"title": "x".repeat(501), "category": "technical"}),
        )
        .await;
    assert_eq!(long_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(long_title.body["errors"][0]["field"], "title");
    let unknown = organizer
        .post(
            "/api/v1/topics",
            &json!({"title": "Rust", "category": "technical", "usageCount": 3}),
        )
        .await;
    assert_eq!(unknown.body["errors"][0]["field"], "usageCount");

    let attendee = Api::as_roles(&service, &["attendee"]);
    let refused = attendee
        .post(
            "/api/v1/topics",
            &json!({"title": "Rust", "category": "technical"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        Api::anonymous(&service).get("/api/v1/topics").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attendee
            .get(&format!("/api/v1/topics/{}", uuid::Uuid::now_v7()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn assigning_a_topic_to_an_event_records_its_use() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(70, 100))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap();
    let topic = create_topic(
        &organizer,
        "Platform Engineering",
        "Internal developer platforms",
        "technical",
    )
    .await;
    let topic_id = topic["id"].as_str().unwrap();

    let assigned = organizer
        .post(
            &format!("/api/v1/events/{event_id}/topics"),
            &json!({"topicId": topic_id}),
        )
        .await
        .expect(StatusCode::CREATED);

    assert_eq!(assigned["usageCount"], 1);
    assert_eq!(assigned["lastUsedDate"], "2027-03-12T16:00:00Z");
    assert_eq!(
        assigned["stalenessScore"], 0.0,
        "a topic of an upcoming event counts as just used"
    );
    assert_eq!(assigned["calculatedWaitPeriod"], 12);
    assert_eq!(
        assigned["usageHistory"],
        json!([{"eventId": event_id, "usedDate": "2027-03-12T16:00:00Z", "attendeeCount": 0, "feedbackScore": null}])
    );
    let read = organizer.get(&format!("/api/v1/topics/{topic_id}")).await;
    assert_eq!(read.etag(), format!("\"{}\"", assigned["version"]));
    assert_eq!(read.body["usageCount"], 1);
    let topics = organizer
        .get(&format!("/api/v1/events/{event_id}/topics"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&topics), ["Platform Engineering"]);
    assert_eq!(topics[0]["assignedBy"], "user-organizer");

    let twice = organizer
        .post(
            &format!("/api/v1/events/{event_id}/topics"),
            &json!({"topicId": topic_id}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(
        organizer
            .get(&format!("/api/v1/topics/{topic_id}"))
            .await
            .body["usageCount"],
        1
    );
}

#[tokio::test]
async fn feedback_on_a_use_moves_the_wait_period() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(71, 100))
        .await
        .expect(StatusCode::CREATED);
    let event_id = event["id"].as_str().unwrap();
    let topic = create_topic(
        &organizer,
        "Domain-driven Design",
        "Strategic design in practice",
        "technical",
    )
    .await;
    let topic_id = topic["id"].as_str().unwrap();
    let feedback = format!("/api/v1/topics/{topic_id}/usage/{event_id}/feedback");
    assert_eq!(
        organizer
            .put(&feedback, &json!({"feedbackScore": 4}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not used there yet"
    );
    organizer
        .post(
            &format!("/api/v1/events/{event_id}/topics"),
            &json!({"topicId": topic_id}),
        )
        .await
        .expect(StatusCode::CREATED);

    for outside in [5.5, -0.5] {
        let refused = organizer
            .put(&feedback, &json!({"feedbackScore": outside}))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body["errors"][0]["field"], "feedbackScore");
    }
    let excellent = organizer
        .put(&feedback, &json!({"feedbackScore": 5}))
        .await
        .expect(StatusCode::OK);

    assert_eq!(excellent["usageHistory"][0]["feedbackScore"], 5.0);
    assert_eq!(
        excellent["calculatedWaitPeriod"], 6,
        "excellent feedback shortens the rest by six months"
    );
    let poor = organizer
        .put(&feedback, &json!({"feedbackScore": 0.5}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(poor["calculatedWaitPeriod"], 17);
}

#[tokio::test]
async fn retired_topics_cannot_be_assigned() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let organizer = Api::as_roles(&service, &["organizer"]);
    let event = organizer
        .post("/api/v1/events", &evening_event(72, 100))
        .await
        .expect(StatusCode::CREATED);
    let topic = organizer
        .post("/api/v1/topics", &json!({"title": "Mainframe Modernisation", "category": "industry_trends", "isActive": false}))
        .await
        .expect(StatusCode::CREATED);

    let refused = organizer
        .post(
            &format!("/api/v1/events/{}/topics", event["id"].as_str().unwrap()),
            &json!({"topicId": topic["id"]}),
        )
        .await;

    assert_eq!(refused.status, StatusCode::CONFLICT);
    let unknown = organizer
        .post(
            &format!("/api/v1/events/{}/topics", event["id"].as_str().unwrap()),
            &json!({"topicId": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn topics_with_query_operators_in_their_text_are_stored_and_compared() {
    let db = fleet_tests::TestDb::create().await;
    let service = fleet_tests::TestService::events(&db).await;
    let organizer = fleet_tests::api::Api::as_roles(&service, &["organizer"]);
    let body = serde_json::json!({"title": "Rust (programming language) & it's ownership!", "description": "See en.wikipedia.org/wiki/Rust_(programming_language): a | b & !c", "category": "technical"});
    organizer
        .post("/api/v1/topics", &body)
        .await
        .expect(reqwest::StatusCode::CREATED);
    let again = organizer
        .post(
            "/api/v1/topics",
            &serde_json::json!({"title": "Rust ownership (again)", "category": "technical"}),
        )
        .await
        .expect(reqwest::StatusCode::CREATED);
    assert_eq!(again["similarTopics"].as_array().unwrap().len(), 1);
    let nul = organizer
        .post(
            "/api/v1/topics",
            &serde_json::json!({"title": "bad\u{0}title", "category": "technical"}),
        )
        .await;
    assert_eq!(nul.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        organizer.get("/api/v1/topics?q=%00").await.status,
        reqwest::StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn topics_sort_and_filter_by_staleness_and_a_resting_topic_is_flagged() {
    let db = TestDb::create().await;
    let service = TestService::events(&db).await;
    let api = Api::as_roles(&service, &["organizer"]);
    let used = create_topic(
        &api,
        "Observability budgets",
        "Paying for telemetry",
        "technical",
    )
    .await["id"]
        .clone();
    create_topic(
        &api,
        "Pairing at scale",
        "Mob and pair programming",
        "soft_skills",
    )
    .await;
    let mut events = Vec::new();
    for number in [73, 74] {
        let event = api
            .post("/api/v1/events", &evening_event(number, 100))
            .await
            .expect(StatusCode::CREATED);
        events.push(event["id"].as_str().unwrap().to_owned());
    }
    let first = api
        .post(
            &format!("/api/v1/events/{}/topics", events[0]),
            &json!({"topicId": used}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert!(
        first.get("warnings").is_none(),
        "a fresh topic rests nothing: {first}"
    );

    let by_staleness = api
        .get("/api/v1/topics?sort=staleness")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        titles(&by_staleness["items"]),
        ["Pairing at scale", "Observability budgets"]
    );
    assert_eq!(by_staleness["items"][0]["stalenessScore"], 100.0);
    let rested = api
        .get("/api/v1/topics?minStaleness=100")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&rested["items"]), ["Pairing at scale"]);
    let tired = api
        .get("/api/v1/topics?maxStaleness=50&sort=staleness")
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&tired["items"]), ["Observability budgets"]);
    api.get("/api/v1/topics?minStaleness=101")
        .await
        .expect_problem(StatusCode::BAD_REQUEST, Some("minStaleness"));

    let again = api
        .post(
            &format!("/api/v1/events/{}/topics", events[1]),
            &json!({"topicId": used}),
        )
        .await
        .expect(StatusCode::CREATED);
    let warning = again["warnings"][0].as_str().unwrap_or_default();
    assert!(warning.contains("wait period"), "{again}");
}
