//! Who sees and changes what: organizers everything; a partner token (role `partner` with
//! a `companyId` claim) only its own partner and what hangs off it; anyone else nothing.
//! What is not the caller's is answered as absent, so nobody learns what exists.

use uuid::Uuid;

use super::PartnerError;

/// The caller as these rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Organizer,
    /// A partner integration speaking for this company.
    Partner {
        company_id: Uuid,
    },
    Other,
}

impl Caller {
    /// Whether the caller sees the partner of `company_id`.
    pub fn sees(self, company_id: Uuid) -> bool {
        match self {
            Caller::Organizer => true,
            Caller::Partner { company_id: own } => own == company_id,
            Caller::Other => false,
        }
    }

    /// 403 unless organizer (for what only organizers do; partners learn nothing more).
    pub fn require_organizer(self) -> Result<(), PartnerError> {
        match self {
            Caller::Organizer => Ok(()),
            _ => Err(PartnerError::Forbidden("This requires the role organizer")),
        }
    }

    /// 403 unless organizer or partner (the roles of the partner API).
    pub fn require_known(self) -> Result<(), PartnerError> {
        match self {
            Caller::Other => Err(PartnerError::Forbidden(
                "This requires the role organizer or partner",
            )),
            _ => Ok(()),
        }
    }

    /// The company a partner caller speaks for; 403 for anyone else (votes and
    /// suggestions are partners' own acts).
    pub fn partner_company(self) -> Result<Uuid, PartnerError> {
        match self {
            Caller::Partner { company_id } => Ok(company_id),
            _ => Err(PartnerError::Forbidden(
                "This requires a partner token naming its company",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_sees_only_its_own_company() {
        let own = Uuid::now_v7();
        let partner = Caller::Partner { company_id: own };
        assert!(partner.sees(own));
        assert!(!partner.sees(Uuid::now_v7()));
        assert!(Caller::Organizer.sees(own));
        assert!(!Caller::Other.sees(own));
        assert!(partner.require_organizer().is_err());
        assert!(Caller::Other.require_known().is_err());
    }
}
