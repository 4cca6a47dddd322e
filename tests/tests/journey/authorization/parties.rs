//! The parties of the authorization journey's world and what each owns there, built
//! through the gateway as their users build it. Each party also holds the callers whose
//! own (and someone else's) resources these are.

use fleet_tests::api::Api;
use fleet_tests::content::{declaration, pdf, png};
use fleet_tests::planning::drafted_evening_with;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::gateway::{Caller, SubjectIds};
use crate::{until, Journey};

/// The id in `field` of an answer.
fn id(body: &Value, field: &str) -> Uuid {
    body[field]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id in {field}: {body}"))
}

/// Two companies that are partners; what the own partner's integration keeps.
pub struct Partners {
    pub company: Uuid,
    pub partner: Uuid,
    /// The token subject of the own integration (notification settings are kept per subject).
    pub subject: Uuid,
    pub contact: Uuid,
    pub subscription: Uuid,
    pub meeting: Uuid,
    pub suggestion: Uuid,
    pub own: Caller,
    pub other: Caller,
}

impl Partners {
    pub async fn build(journey: &Journey) -> Partners {
        let (o, run) = (&journey.organizer, &journey.run);
        let portal = |company: Uuid, subject: Uuid| {
            let ids = SubjectIds {
                company: Some(company),
                ..SubjectIds::default()
            };
            journey
                .public
                .with_token(&subject.to_string(), &["partner"], ids)
        };
        let (company, other_company) = (
            new_company(o, "Own", run).await,
            new_company(o, "Other", run).await,
        );
        let partner = new_partner(o, company).await;
        // The other company is a partner too: its integration is refused as one.
        new_partner(o, other_company).await;
        let subject = Uuid::now_v7();
        let (own, other) = (
            portal(company, subject),
            portal(other_company, Uuid::now_v7()),
        );
        // Only the own partner has a primary contact: of the two, the meeting invites it alone.
        let contact = own
            .post(&format!("/api/v1/partners/{partner}/contacts"), &json!({"firstName": "Paula", "lastName": "Portal",
                "email": journey.address("paula"), "role": "Head of Engineering", "language": "en", "isPrimary": true}))
            .await
            .expect(StatusCode::CREATED);
        let at = chrono::Utc::now() + chrono::Duration::days(90);
        let meeting = o
            .post(
                "/api/v1/partner-meetings",
                &json!({"meetingType": "autumn", "title": format!("Authorization {run}"),
                    "scheduledAt": at, "location": "Bern", "agenda": "Who may do what"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let subscription = own
            .post(&format!("/api/v1/partners/{partner}/webhooks"),
                &json!({"url": "https://hooks.example.ch/batbern", "eventTypes": ["partners.meeting.invited.v1"]}))
            .await
            .expect(StatusCode::CREATED);
        let suggestion = own
            .post(
                "/api/v1/topic-suggestions",
                &json!({"title": format!("Access control {run}"), "category": "technical"}),
            )
            .await
            .expect(StatusCode::CREATED);
        Partners {
            company,
            partner,
            subject,
            contact: id(&contact, "id"),
            subscription: id(&subscription, "id"),
            meeting: id(&meeting, "id"),
            suggestion: id(&suggestion, "id"),
            own,
            other,
        }
    }
}

/// Two speakers, an event in planning where the own speaker accepted a session and
/// submitted its content, and the demo conference (published, open for registration).
pub struct Program {
    pub speaker: Uuid,
    /// The demo conference: the public reads call on it. Publishing an event of its own
    /// would mail the newsletter to the other journeys' readers.
    pub published_event: Uuid,
    /// At `agenda_draft`: only organizers see it.
    pub draft_event: Uuid,
    pub session: Uuid,
    pub slot: Uuid,
    /// Used by the draft event.
    pub topic: Uuid,
    /// The own speaker's assignment to `session`, and the token of its link.
    pub assignment: Uuid,
    pub invitation_token: String,
    pub own: Caller,
    pub other: Caller,
}

impl Program {
    pub async fn build(journey: &Journey, company: Uuid) -> Program {
        let (o, run) = (&journey.organizer, &journey.run);
        let speaker = new_speaker(o, company, &journey.address("sven")).await;
        let other_speaker = new_speaker(o, company, &journey.address("sina")).await;
        let caller = |id: Uuid| {
            let ids = SubjectIds {
                speaker: Some(id),
                ..SubjectIds::default()
            };
            journey
                .public
                .with_token(&format!("speaker-{id}"), &["speaker"], ids)
        };
        let own = caller(speaker);

        let planner = Api::at(&journey.fleet.gateway, Some(o.token().to_owned()));
        let (draft_event, sessions, _) =
            drafted_evening_with(&planner, event_number(), 50, &[speaker]).await;
        let demo = crate::demo::demo_event(&journey.public).await;
        let topic = o
            .post("/api/v1/topics", &json!({"title": format!("Authorization {run}"), "description": "Who may do what", "category": "technical"}))
            .await
            .expect(StatusCode::CREATED);
        o.post(
            &format!("/api/v1/events/{draft_event}/topics"),
            &json!({"topicId": topic["id"]}),
        )
        .await
        .expect(StatusCode::CREATED);
        let slots = o
            .get(&format!("/api/v1/events/{draft_event}/slots"))
            .await
            .expect(StatusCode::OK);
        o.put(&format!("/api/v1/events/{draft_event}/quality-review"),
            &json!({"moderatorId": format!("moderator-{run}"), "reviewDeadline": "2027-03-01T12:00:00Z"}))
            .await
            .expect(StatusCode::CREATED);

        let session: Uuid = sessions[0].parse().unwrap();
        let invitation = o
            .post(
                "/api/v1/invitations",
                &json!({"speakerId": speaker, "sessionId": session,
                    "role": "primary_speaker", "presentationTitle": "Who may do what"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let assignment = id(&invitation["assignment"], "id");
        let invitation_token = invitation["token"].as_str().unwrap().to_owned();
        journey
            .public
            .post(
                &format!("/api/v1/invitations/{assignment}/accept"),
                &json!({"token": invitation_token}),
            )
            .await
            .expect(StatusCode::OK);
        own.put(&format!("/api/v1/session-speakers/{assignment}/submission"),
            &json!({"abstract": "Roles, owners and what the others must not learn.", "bio": "Sven checks access."}))
            .await
            .expect(StatusCode::OK);
        Program {
            speaker,
            published_event: id(&demo, "id"),
            draft_event: draft_event.parse().unwrap(),
            session,
            slot: id(&slots[0], "id"),
            topic: id(&topic, "id"),
            assignment,
            invitation_token,
            own,
            other: caller(other_speaker),
        }
    }
}

/// Two attendees, the own one registered for the demo conference (on its waiting list: the
/// conference is full, and its seats stay as the demo journey expects them).
pub struct Audience {
    pub attendee: Uuid,
    pub registration: Uuid,
    pub own: Caller,
    pub other: Caller,
}

impl Audience {
    pub async fn build(journey: &Journey, event: Uuid) -> Audience {
        let o = &journey.organizer;
        let attendee = new_attendee(o, &journey.address("alba")).await;
        let other_attendee = new_attendee(o, &journey.address("arno")).await;
        let caller = |id: Uuid| {
            let ids = SubjectIds {
                attendee: Some(id),
                ..SubjectIds::default()
            };
            journey
                .public
                .with_token(&format!("attendee-{id}"), &["attendee"], ids)
        };
        let own = caller(attendee);
        // The attendees service opens registration once it has heard of the event's status.
        let registered = until(
            "the own attendee's registration",
            async || {
                let answer = own
                    .post("/api/v1/registrations", &json!({"eventId": event}))
                    .await;
                json!({"status": answer.status.as_u16(), "body": answer.body})
            },
            |answer| answer["status"] == 201,
        )
        .await;
        Audience {
            attendee,
            registration: id(&registered["body"], "id"),
            own,
            other: caller(other_attendee),
        }
    }
}

/// What organizers keep: a role grant and a request to change it, an escalation rule, the
/// active version of a mail template and a logged notification.
pub struct Office {
    pub role_grant: Uuid,
    pub role_change: Uuid,
    pub rule: Uuid,
    pub template: Option<Uuid>,
    pub notification: Option<Uuid>,
}

impl Office {
    pub async fn build(journey: &Journey, program: &Program) -> Office {
        let (o, run, event) = (&journey.organizer, &journey.run, program.draft_event);
        let user = format!("organizer-{run}");
        let role_grant = o
            .post("/api/v1/roles", &json!({"userId": user, "role": "organizer", "eventId": event, "reason": "Runs the authorization event"}))
            .await
            .expect(StatusCode::CREATED);
        // Asked by another organizer: whoever asks for a change may not decide it.
        let requester = journey.public.with_token(
            &format!("requester-{run}"),
            &["organizer"],
            SubjectIds::default(),
        );
        let role_change = requester
            .post(
                "/api/v1/role-change-requests",
                &json!({"userId": user, "currentRole": "organizer", "eventId": event,
                    "requestedRole": "attendee", "reason": "Steps back"}),
            )
            .await
            .expect(StatusCode::CREATED);
        let rule = o
            .post(
                "/api/v1/escalation-rules",
                &json!({"eventId": event, "ruleType": "content_review",
                    "tier1HoursBefore": 48, "tier2HoursBefore": 24, "tier3HoursBefore": 2}),
            )
            .await
            .expect(StatusCode::CREATED);
        // An active version: activating it again changes no one's mail.
        let templates = o
            .get("/api/v1/email-templates?activeOnly=true")
            .await
            .expect(StatusCode::OK);
        let mailed = format!(
            "/api/v1/notifications?recipientId={}&limit=1",
            program.speaker
        );
        let notifications = until(
            "the own speaker's invitation in the notification log",
            async || o.get(&mailed).await.body,
            |page| {
                page["items"]
                    .as_array()
                    .is_some_and(|items| !items.is_empty())
            },
        )
        .await;
        let first = |page: &Value| page["items"][0]["id"].as_str().and_then(|s| s.parse().ok());
        Office {
            role_grant: id(&role_grant, "id"),
            role_change: id(&role_change, "id"),
            rule: id(&rule, "id"),
            template: first(&templates),
            notification: first(&notifications),
        }
    }
}

/// Files declared and not uploaded yet (seen only by those who manage their owner): the
/// own speaker's CV and the own company's logo; the company's current logo is up.
pub struct Files {
    pub speaker_cv: Uuid,
    pub company_logo: Uuid,
}

impl Files {
    pub async fn build(journey: &Journey, partners: &Partners, program: &Program) -> Files {
        upload_logo(journey, partners).await;
        let speaker_cv = program
            .own
            .post("/api/v1/files", &speaker_cv(program.speaker))
            .await
            .expect(StatusCode::CREATED);
        let company_logo = partners
            .own
            .post("/api/v1/files", &company_logo(partners.company, 1_000))
            .await
            .expect(StatusCode::CREATED);
        // The content service learns of the session and the acceptance from the bus.
        let materials = format!("/api/v1/session-materials/{}", program.session);
        until(
            "the content service knows the own speaker's session",
            async || json!(program.own.get(&materials).await.status.as_u16()),
            |status| *status == 200,
        )
        .await;
        Files {
            speaker_cv: id(&speaker_cv, "fileId"),
            company_logo: id(&company_logo, "fileId"),
        }
    }
}

/// The declaration of a CV of `speaker`.
pub fn speaker_cv(speaker: Uuid) -> Value {
    let cv = pdf(1_000, 1);
    declaration(
        "cv.pdf",
        "speaker_cv",
        "application/pdf",
        &cv,
        json!({"speakerId": speaker}),
    )
}

/// The declaration of a logo of `company` of `size` bytes.
pub fn company_logo(company: Uuid, size: usize) -> Value {
    declaration(
        "logo.png",
        "logo",
        "image/png",
        &png(size),
        json!({"companyId": company}),
    )
}

/// The partner puts up its company's logo (`GET /companies/{id}/logo` answers for it).
async fn upload_logo(journey: &Journey, partners: &Partners) {
    let logo = png(2_000);
    let declared = company_logo(partners.company, logo.len());
    let link = partners
        .own
        .post("/api/v1/files", &declared)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(fleet_tests::content::put(&link, logo).await, StatusCode::OK);
    let file = link["fileId"].as_str().unwrap();
    let stored = partners
        .own
        .post(
            &format!("/api/v1/files/{file}/confirm"),
            &json!({"checksum": declared["checksum"]}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(stored["uploadStatus"], "completed", "{stored}");
    let path = format!("/api/v1/companies/{}", partners.company);
    until(
        "the company shows its logo",
        async || journey.organizer.get(&path).await.body,
        |c| c["logo"]["url"].is_string(),
    )
    .await;
}

/// A unique event number (the events API takes 1 to 100,000).
fn event_number() -> i32 {
    1_000 + (Uuid::new_v4().as_u128() % 99_000) as i32
}

async fn new_company(o: &Caller, name: &str, run: &str) -> Uuid {
    let body = json!({"name": format!("{name} Access AG {run}"), "industry": "Software"});
    let created = o.post("/api/v1/companies", &body).await;
    id(&created.expect(StatusCode::CREATED), "id")
}

async fn new_partner(o: &Caller, company: Uuid) -> Uuid {
    let start = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let body =
        json!({"companyId": company, "partnershipLevel": "silver", "partnershipStartDate": start});
    let created = o.post("/api/v1/partners", &body).await;
    id(&created.expect(StatusCode::CREATED), "id")
}

async fn new_speaker(o: &Caller, company: Uuid, email: &str) -> Uuid {
    let body = json!({"email": email, "firstName": "Access", "lastName": "Speaker", "companyId": company,
        "communicationPreferences": {"language": "en", "emailNotifications": true}});
    let created = o.post("/api/v1/speakers", &body).await;
    id(&created.expect(StatusCode::CREATED), "id")
}

async fn new_attendee(o: &Caller, email: &str) -> Uuid {
    let body = json!({"email": email, "firstName": "Access", "lastName": "Attendee", "language": "en",
        "gdprConsent": {"given": true, "policyVersion": "2026-01"}});
    let created = o.post("/api/v1/attendees", &body).await;
    id(&created.expect(StatusCode::CREATED), "id")
}
