//! Who may do what with companies: organizers write; a partner may update only its own
//! company and may not change its partner status; every authenticated caller reads.

use service_kit::{Actor, Role};
use uuid::Uuid;

use super::CompanyError;

/// Creating and archiving are organizer decisions.
pub fn can_manage(actor: &Actor) -> Result<(), CompanyError> {
    if actor.has(Role::Organizer) {
        Ok(())
    } else {
        Err(CompanyError::Forbidden(
            "Only organizers create or archive companies",
        ))
    }
}

/// Updating company `id`, possibly changing its partner flag.
pub fn can_update(actor: &Actor, id: Uuid, changes_partner_flag: bool) -> Result<(), CompanyError> {
    if actor.has(Role::Organizer) {
        return Ok(());
    }
    if !actor.has(Role::Partner) || actor.company_id != Some(id) {
        return Err(CompanyError::Forbidden(
            "Only organizers or the company's own partner may update it",
        ));
    }
    if changes_partner_flag {
        return Err(CompanyError::Forbidden(
            "Only organizers change a company's partner status",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, company_id: Option<Uuid>) -> Actor {
        Actor {
            subject: "s".into(),
            roles: vec![role],
            event_roles: Vec::new(),
            speaker_id: None,
            company_id,
            attendee_id: None,
            email: None,
        }
    }

    #[test]
    fn partner_updates_only_its_own_company_and_not_its_status() {
        let own = Uuid::now_v7();
        let partner = actor(Role::Partner, Some(own));
        assert!(can_update(&partner, own, false).is_ok());
        assert!(can_update(&partner, Uuid::now_v7(), false).is_err());
        assert!(can_update(&partner, own, true).is_err());
        assert!(can_manage(&partner).is_err());
        assert!(can_update(&actor(Role::Speaker, Some(own)), own, false).is_err());
        assert!(can_update(&actor(Role::Organizer, None), own, true).is_ok());
    }
}
