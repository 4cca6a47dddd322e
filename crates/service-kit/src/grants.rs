//! Roles from the platform: the role grants the events context keeps (global and for one
//! event, with history) reach every service as `RoleGranted` / `RoleRevoked` and are kept in
//! its `role_grants` read model (in the events schema, a view over `user_roles`). A token's
//! roles claim is what the identity provider says; the platform's grants refine it on every
//! request: a role revoked on the platform stops working at once, a grant adds a role, and a
//! grant for one event gives that role for that event only.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use event_bus::{Envelope, Reaction, ReactionError};
use shared_domain::contracts::events::{RoleGranted, RoleRevoked};
use shared_domain::IntegrationEvent;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::{Actor, Role};

/// One row of the read model: a grant as it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// None: the role holds platform-wide.
    pub event_id: Option<Uuid>,
    pub active: bool,
    pub changed_at: DateTime<Utc>,
}

/// The actor's roles once the platform's grants are applied: for each role and scope the
/// latest grant decides; a global grant that was revoked withdraws the token's role too.
pub fn refine(actor: &mut Actor, grants: &[Grant]) {
    let mut latest: HashMap<(Role, Option<Uuid>), &Grant> = HashMap::new();
    for grant in grants {
        let slot = latest.entry((grant.role, grant.event_id)).or_insert(grant);
        if grant.changed_at > slot.changed_at {
            *slot = grant;
        }
    }
    for ((role, event_id), grant) in latest {
        match (event_id, grant.active) {
            (None, true) if !actor.roles.contains(&role) => actor.roles.push(role),
            (None, false) => actor.roles.retain(|r| *r != role),
            (Some(event), true) => actor.event_roles.push((role, event)),
            _ => {}
        }
    }
    actor
        .event_roles
        .sort_unstable_by_key(|(role, event)| (*event, *role as u8));
}

/// The grants recorded for `subject`.
pub async fn of_subject(pool: &PgPool, subject: &str) -> sqlx::Result<Vec<Grant>> {
    let rows: Vec<(String, Option<Uuid>, bool, DateTime<Utc>)> = sqlx::query_as(
        "select role, event_id, active, changed_at from role_grants where user_id = $1",
    )
    .bind(subject)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(role, event_id, active, changed_at)| {
            Some(Grant {
                role: role.parse().ok()?,
                event_id,
                active,
                changed_at,
            })
        })
        .collect())
}

/// Keeps the read model from `RoleGranted` / `RoleRevoked`; false for any other event. An
/// older announcement never overwrites a newer one.
pub async fn record(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ReactionError> {
    let (role_id, user_id, role, event_id, active, at) = match envelope.event_type.as_str() {
        RoleGranted::EVENT_TYPE => {
            let e: RoleGranted = envelope.decode()?;
            (e.role_id, e.user_id, e.role, e.event_id, true, e.granted_at)
        }
        RoleRevoked::EVENT_TYPE => {
            let e: RoleRevoked = envelope.decode()?;
            (
                e.role_id,
                e.user_id,
                e.role,
                e.event_id,
                false,
                e.revoked_at,
            )
        }
        _ => return Ok(false),
    };
    let Some(role) = role.get() else {
        return Ok(true);
    };
    let role = serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    sqlx::query(
        "insert into role_grants (role_id, user_id, role, event_id, active, changed_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (role_id) do update set active = excluded.active, changed_at = excluded.changed_at
         where role_grants.changed_at <= excluded.changed_at",
    )
    .bind(role_id)
    .bind(user_id)
    .bind(role)
    .bind(event_id)
    .bind(active)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(true)
}

/// The reaction of a service that learns nothing else from the events context.
pub struct GrantsReaction;

#[async_trait]
impl Reaction for GrantsReaction {
    fn handler(&self) -> &'static str {
        "role_grants"
    }

    async fn react(
        &self,
        conn: &mut PgConnection,
        envelope: &Envelope,
    ) -> Result<(), ReactionError> {
        record(conn, envelope).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            subject: "u-1".into(),
            roles: roles.to_vec(),
            event_roles: Vec::new(),
            speaker_id: None,
            company_id: None,
            attendee_id: None,
            email: None,
        }
    }

    fn grant(role: Role, event_id: Option<Uuid>, active: bool, minutes: i64) -> Grant {
        Grant {
            role,
            event_id,
            active,
            changed_at: DateTime::UNIX_EPOCH + Duration::minutes(minutes),
        }
    }

    #[test]
    fn a_revoked_platform_role_withdraws_the_tokens_claim() {
        let mut organizer = actor(&[Role::Organizer]);
        refine(
            &mut organizer,
            &[
                grant(Role::Organizer, None, true, 1),
                grant(Role::Organizer, None, false, 2),
            ],
        );
        assert!(!organizer.has(Role::Organizer));
    }

    #[test]
    fn the_latest_grant_decides_and_grants_add_roles() {
        let mut attendee = actor(&[Role::Attendee]);
        refine(
            &mut attendee,
            &[
                grant(Role::Organizer, None, false, 1),
                grant(Role::Organizer, None, true, 2),
            ],
        );
        assert!(attendee.has(Role::Organizer) && attendee.has(Role::Attendee));
    }

    #[test]
    fn an_event_grant_holds_for_that_event_only() {
        let (event, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mut attendee = actor(&[Role::Attendee]);
        refine(
            &mut attendee,
            &[grant(Role::Organizer, Some(event), true, 1)],
        );
        assert!(!attendee.has(Role::Organizer));
        assert!(attendee.has_for(Role::Organizer, event));
        assert!(!attendee.has_for(Role::Organizer, other));
    }
}
