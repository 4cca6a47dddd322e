//! Escalation rules; one active rule per event and rule type (partial unique index).

use chrono::{DateTime, Utc};
use service_kit::Stored;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::escalation::{RuleType, Tiers};

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub rule_type: Stored<RuleType>,
    pub tier_1_hours_before: i32,
    pub tier_2_hours_before: i32,
    pub tier_3_hours_before: i32,
    pub escalation_threshold: Option<i32>,
    pub backup_organizer_ids: Vec<Uuid>,
    pub material_deadline: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl RuleRow {
    pub fn tiers(&self) -> Tiers {
        Tiers {
            tier_1_hours: self.tier_1_hours_before,
            tier_2_hours: self.tier_2_hours_before,
            tier_3_hours: self.tier_3_hours_before,
            threshold_minutes: self.escalation_threshold,
        }
    }
}

const COLUMNS: &str = "id, event_id, rule_type, tier_1_hours_before, tier_2_hours_before, tier_3_hours_before, escalation_threshold, backup_organizer_ids, material_deadline, is_active, created_at, updated_at, version";

/// Inserts `rule` as given.
pub async fn insert_rule(conn: &mut PgConnection, rule: &RuleRow) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "insert into escalation_rules ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(rule.id)
    .bind(rule.event_id)
    .bind(rule.rule_type)
    .bind(rule.tier_1_hours_before)
    .bind(rule.tier_2_hours_before)
    .bind(rule.tier_3_hours_before)
    .bind(rule.escalation_threshold)
    .bind(&rule.backup_organizer_ids)
    .bind(rule.material_deadline)
    .bind(rule.is_active)
    .bind(rule.created_at)
    .bind(rule.updated_at)
    .bind(rule.version)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Replaces the settings of a rule and bumps its version.
pub async fn update_rule(conn: &mut PgConnection, rule: &RuleRow) -> sqlx::Result<()> {
    sqlx::query(
        "update escalation_rules set tier_1_hours_before = $2, tier_2_hours_before = $3,
             tier_3_hours_before = $4, escalation_threshold = $5, backup_organizer_ids = $6,
             material_deadline = $7, is_active = $8, updated_at = $9, version = version + 1
         where id = $1",
    )
    .bind(rule.id)
    .bind(rule.tier_1_hours_before)
    .bind(rule.tier_2_hours_before)
    .bind(rule.tier_3_hours_before)
    .bind(rule.escalation_threshold)
    .bind(&rule.backup_organizer_ids)
    .bind(rule.material_deadline)
    .bind(rule.is_active)
    .bind(rule.updated_at)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn fetch_rule<'e>(
    executor: impl PgExecutor<'e>,
    id: Uuid,
) -> sqlx::Result<Option<RuleRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from escalation_rules where id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

pub async fn lock_rule(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<RuleRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from escalation_rules where id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Rules, optionally of one event; newest first.
pub async fn list_rules<'e>(
    executor: impl PgExecutor<'e>,
    event_id: Option<Uuid>,
) -> sqlx::Result<Vec<RuleRow>> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from escalation_rules where ($1::uuid is null or event_id = $1)
         order by created_at desc, id"
    ))
    .bind(event_id)
    .fetch_all(executor)
    .await
}
