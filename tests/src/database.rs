//! A fresh database per test, set up the way the fleet sets up production: each service has
//! its own login role owning only its schema, and connects as that role.

use sqlx::{Connection, Executor, PgConnection};

/// Admin connection (the machine's trust-auth superuser unless `TEST_DATABASE_ADMIN_URL`).
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database created for one test.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    /// Creates an empty database `t_<random>`.
    pub async fn create() -> Self {
        let name = crate::unique("t_");
        let mut admin = PgConnection::connect(&admin_url())
            .await
            .expect("the test Postgres is reachable");
        admin
            .execute(format!("create database {name}").as_str())
            .await
            .expect("create test database");
        Self { name }
    }

    /// Creates `schema` owned by role `<schema>_svc` and returns that role's URL.
    pub async fn service_url(&self, schema: &str) -> String {
        let role = format!("{schema}_svc");
        let mut admin = PgConnection::connect(&self.admin_url())
            .await
            .expect("connect to the test database");
        // Roles are cluster-wide and tests run concurrently: tolerate a parallel creation.
        let create_role = format!(
            "do $$ begin create role {role} login; exception when duplicate_object or unique_violation then null; end $$"
        );
        admin
            .execute(create_role.as_str())
            .await
            .expect("create service role");
        admin
            .execute(format!("revoke create on schema public from public; create schema {schema} authorization {role}").as_str())
            .await
            .expect("create service schema");
        let base = admin_url();
        let host = base
            .split('@')
            .nth(1)
            .and_then(|h| h.split('/').next())
            .unwrap_or("127.0.0.1:5432")
            .to_owned();
        format!("postgres://{role}@{host}/{}", self.name)
    }

    /// The superuser URL of this database (for checks that read across schemas).
    pub fn admin_url(&self) -> String {
        let base = admin_url();
        let (prefix, _) = base.rsplit_once('/').expect("a database URL has a path");
        format!("{prefix}/{}", self.name)
    }
}
