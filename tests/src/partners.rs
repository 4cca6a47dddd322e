//! The partner-votes saga's participants started together on one bus: companies (the
//! company directory and the partner flag), events (the topic library and its influence
//! scores), partners, and notifications (which opens partner contacts with the partners
//! service's key route), each knowing where the others answer.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::Api;
use crate::database::TestDb;
use crate::people::start_group;
use crate::{token, TestService};

/// Companies, events, partners and notifications on one bus.
pub struct PartnersFleet {
    pub companies: TestService,
    pub events: TestService,
    pub partners: TestService,
    pub notifications: TestService,
    pub organizer: String,
}

impl PartnersFleet {
    /// Starts the four services on fresh schemas of `db`.
    pub async fn start(db: &TestDb) -> Self {
        let names = ["companies", "events", "partners", "notifications"];
        let mut started = start_group(db, &names).await.into_iter();
        let mut next = || started.next().expect("every service started");
        Self {
            companies: next(),
            events: next(),
            partners: next(),
            notifications: next(),
            organizer: token(&["organizer"], None),
        }
    }

    /// Kills the events service abruptly (kill -9: nothing flushed, in-flight transactions
    /// lost) and starts it again on its schema and bus.
    pub async fn with_events_killed(self) -> Self {
        let (url, prefix) = self.events.crash().await;
        let events = TestService::restart_events(url, prefix).await;
        Self { events, ..self }
    }

    /// Kills the partners service abruptly and starts it again on its schema and bus.
    pub async fn with_partners_killed(self) -> Self {
        let (url, prefix) = self.partners.crash().await;
        let partners = TestService::restart_partners(url, prefix).await;
        Self { partners, ..self }
    }

    /// A caller of `service` as an organizer.
    pub fn organizer(&self, service: &TestService) -> Api {
        Api::at(&service.base_url, Some(self.organizer.clone()))
    }

    /// A caller of the partners service as the partner integration of `company`.
    pub fn partner_of(&self, company: Uuid) -> Api {
        Api::at(
            &self.partners.base_url,
            Some(token(&["partner"], Some(company))),
        )
    }

    /// Creates a company and answers its id.
    pub async fn company(&self, name: &str) -> Uuid {
        let body = self
            .organizer(&self.companies)
            .post(
                "/api/v1/companies",
                &json!({"name": name, "industry": "Software"}),
            )
            .await
            .expect(StatusCode::CREATED);
        id_of(&body)
    }

    /// Makes `company` a partner of `tier` (active since yesterday) and answers its id.
    pub async fn partner(&self, company: Uuid, tier: &str) -> Uuid {
        let start = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
        let body =
            json!({"companyId": company, "partnershipLevel": tier, "partnershipStartDate": start});
        let created = self
            .organizer(&self.partners)
            .post("/api/v1/partners", &body)
            .await
            .expect(StatusCode::CREATED);
        id_of(&created)
    }

    /// Creates a library topic and answers its id.
    pub async fn topic(&self, title: &str) -> Uuid {
        let body = self
            .organizer(&self.events)
            .post(
                "/api/v1/topics",
                &json!({"title": title, "category": "technical"}),
            )
            .await
            .expect(StatusCode::CREATED);
        id_of(&body)
    }
}

/// The `id` of an answer body.
pub fn id_of(body: &Value) -> Uuid {
    body["id"].as_str().expect("an id").parse().expect("a uuid")
}
