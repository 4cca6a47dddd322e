//! Company directory: a company is created, renamed and archived in companies; attendees,
//! content, partners and speakers keep it in their directories, events its display name.
//! Effects: each read model at the final state (version 2, archived; events: the new
//! name); the three events once each in companies' outbox.

use async_trait::async_trait;
use std::time::Duration;

use fleet_tests::api::Api;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{organizer, post_until_answered, until_answered, Run, Saga, Tally};
use crate::fleet::ProcessFleet;

const DIRECTORIES: [&str; 4] = ["attendees", "content", "partners", "speakers"];

pub struct Directory;

struct Started {
    name: String,
    display_name: String,
    company_id: std::sync::Mutex<Option<String>>,
}

#[async_trait]
impl Saga for Directory {
    fn name(&self) -> &'static str {
        "company directory"
    }

    fn kill_window(&self) -> Duration {
        Duration::from_millis(120)
    }

    fn participants(&self) -> &'static [&'static str] {
        &[
            "companies",
            "attendees",
            "content",
            "partners",
            "speakers",
            "events",
        ]
    }

    async fn prepare(&self, _fleet: &ProcessFleet) -> Box<dyn Run> {
        let name = fleet_tests::unique("Chaos AG ");
        let display_name = format!("{name} v2");
        Box::new(Started {
            name,
            display_name,
            company_id: Default::default(),
        })
    }
}

impl Started {
    /// Sends `method path` with `If-Match: version` until answered; a repeat that finds the
    /// change already made is answered 412 (the change is in).
    async fn change(api: &Api, method: Method, path: &str, body: &Value, version: i64) {
        let if_match = format!("\"{version}\"");
        let (status, answer) =
            until_answered(api, method, path, body, &[("If-Match", &if_match)]).await;
        assert!(
            status.is_success() || status == StatusCode::PRECONDITION_FAILED,
            "{path} answered {status}: {answer}"
        );
    }
}

#[async_trait]
impl Run for Started {
    async fn trigger(&self, fleet: &ProcessFleet) {
        let companies = organizer(fleet, "companies");
        let created = post_until_answered(
            &companies,
            "/api/v1/companies",
            &json!({"name": self.name, "industry": "Software"}),
            &self.name.replace(' ', "-"),
        )
        .await;
        let company_id = created["id"].as_str().expect("an id").to_owned();
        let path = format!("/api/v1/companies/{company_id}");
        *self.company_id.lock().expect("id lock") = Some(company_id);
        Self::change(
            &companies,
            Method::PATCH,
            &path,
            &json!({"displayName": self.display_name, "isPartner": true}),
            1,
        )
        .await;
        Self::change(
            &companies,
            Method::POST,
            &format!("{path}/archive"),
            &json!({}),
            2,
        )
        .await;
    }

    async fn tally(&self, fleet: &ProcessFleet) -> Tally {
        let Some(company_id) = self.company_id.lock().expect("id lock").clone() else {
            return Tally::number(DIRECTORIES.len() + 4, 0);
        };
        let mut current = 0;
        for schema in DIRECTORIES {
            let (rows,): (i64,) = sqlx::query_as(&format!(
                "select count(*) from {schema}.company_directory
                  where company_id::text = $1 and version = 2 and archived_at is not null and display_name = $2"
            ))
            .bind(&company_id)
            .bind(&self.display_name)
            .fetch_one(&fleet.admin)
            .await
            .expect("a directory can be read");
            current += rows;
        }
        let (named,): (i64,) = sqlx::query_as(
            "select count(*) from events.company_names where company_id::text = $1 and name = $2",
        )
        .bind(&company_id)
        .bind(&self.display_name)
        .fetch_one(&fleet.admin)
        .await
        .expect("events' company names can be read");
        let (published,): (i64,) =
            sqlx::query_as("select count(*) from companies.outbox where aggregate_id = $1")
                .bind(&company_id)
                .fetch_one(&fleet.admin)
                .await
                .expect("companies' outbox can be read");
        Tally::number(DIRECTORIES.len() + 1, (current + named) as usize)
            .and(Tally::number(3, published as usize))
    }
}
