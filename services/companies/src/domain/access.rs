//! Who may do what with companies: organizers write; a partner may update only its own
//! company and may not change its partner status; every authenticated caller reads.

use uuid::Uuid;

use super::CompanyError;

/// The caller as these rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub organizer: bool,
    /// The company a partner caller speaks for.
    pub partner_of: Option<Uuid>,
}

/// Creating and archiving are organizer decisions.
pub fn can_manage(caller: Caller) -> Result<(), CompanyError> {
    if caller.organizer {
        Ok(())
    } else {
        Err(CompanyError::Forbidden(
            "Only organizers create or archive companies",
        ))
    }
}

/// Updating company `id`, possibly changing its partner flag.
pub fn can_update(
    caller: Caller,
    id: Uuid,
    changes_partner_flag: bool,
) -> Result<(), CompanyError> {
    if caller.organizer {
        return Ok(());
    }
    if caller.partner_of != Some(id) {
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

    const ORGANIZER: Caller = Caller {
        organizer: true,
        partner_of: None,
    };

    #[test]
    fn partner_updates_only_its_own_company_and_not_its_status() {
        let own = Uuid::now_v7();
        let partner = Caller {
            organizer: false,
            partner_of: Some(own),
        };
        assert!(can_update(partner, own, false).is_ok());
        assert!(can_update(partner, Uuid::now_v7(), false).is_err());
        assert!(can_update(partner, own, true).is_err());
        assert!(can_manage(partner).is_err());
        let stranger = Caller {
            organizer: false,
            partner_of: None,
        };
        assert!(can_update(stranger, own, false).is_err());
        assert!(can_update(ORGANIZER, own, true).is_ok());
    }
}
