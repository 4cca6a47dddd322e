//! Who may upload for, change and see what: organizers everything; a speaker their own
//! photo and CV and the materials of sessions they accepted; a partner integration its
//! company's logo; published materials of a published event everybody.

use shared_domain::contracts::content::OwnerKind;
use uuid::Uuid;

use super::quota::QuotaRole;

/// The caller as the content rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploader {
    Organizer,
    Speaker { speaker_id: Uuid },
    Partner { company_id: Uuid },
    Attendee,
    Anonymous,
}

impl Uploader {
    /// The quota the caller's uploads count against.
    pub fn quota_role(self) -> Option<QuotaRole> {
        match self {
            Self::Organizer => Some(QuotaRole::Organizer),
            Self::Speaker { .. } => Some(QuotaRole::Speaker),
            Self::Partner { .. } => Some(QuotaRole::Partner),
            Self::Attendee => Some(QuotaRole::Attendee),
            Self::Anonymous => None,
        }
    }

    /// Whether the caller may put files on (or change the materials of) the owner
    /// `(kind, id)`; `speaks_in_session` tells whether a speaker accepted that session.
    pub fn may_manage(self, kind: OwnerKind, id: Uuid, speaks_in_session: bool) -> bool {
        match (self, kind) {
            (Self::Organizer, _) => true,
            (Self::Speaker { speaker_id }, OwnerKind::Speaker) => speaker_id == id,
            (Self::Speaker { .. }, OwnerKind::Session) => speaks_in_session,
            (Self::Partner { company_id }, OwnerKind::Company) => company_id == id,
            _ => false,
        }
    }
}

/// Whether anyone may see a session's materials: organizers published them and the event
/// is published.
pub fn materials_public(event_published: bool, materials_published: bool) -> bool {
    event_published && materials_published
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_manages_only_its_own() {
        let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let speaker = Uploader::Speaker { speaker_id: me };
        assert!(speaker.may_manage(OwnerKind::Speaker, me, false));
        assert!(!speaker.may_manage(OwnerKind::Speaker, other, false));
        assert!(speaker.may_manage(OwnerKind::Session, other, true));
        assert!(!speaker.may_manage(OwnerKind::Session, other, false));
        assert!(!speaker.may_manage(OwnerKind::Company, me, true));
        let partner = Uploader::Partner { company_id: me };
        assert!(partner.may_manage(OwnerKind::Company, me, false));
        assert!(!partner.may_manage(OwnerKind::Company, other, false));
        assert!(!Uploader::Attendee.may_manage(OwnerKind::Event, me, true));
        assert!(Uploader::Organizer.may_manage(OwnerKind::Event, me, false));
    }

    #[test]
    fn materials_are_public_only_when_both_are_published() {
        assert!(materials_public(true, true));
        assert!(!materials_public(true, false));
        assert!(!materials_public(false, true));
    }
}
