//! Whether an event's agenda is complete enough to publish: every slot that takes sessions
//! has one, and every speaker of an assigned session has accepted.

use uuid::Uuid;

use super::slots::SlotType;

/// A slot with what is assigned to it.
#[derive(Debug, Clone)]
pub struct SlotState {
    pub slot_number: i32,
    pub slot_type: SlotType,
    pub session: Option<SessionState>,
}

/// An assigned session and its speakers' acceptance.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub id: Uuid,
    pub title: String,
    /// `(speaker id, accepted)` for every speaker of the session.
    pub speakers: Vec<(Uuid, bool)>,
}

/// Every reason the agenda cannot be published yet (empty when it can).
pub fn missing_for_publication(slots: &[SlotState]) -> Vec<String> {
    let mut missing = Vec::new();
    if !slots.iter().any(|s| s.slot_type.is_assignable()) {
        missing.push("the event has no slot grid".to_owned());
    }
    for slot in slots.iter().filter(|s| s.slot_type.is_assignable()) {
        match &slot.session {
            None => missing.push(format!("slot {} has no session", slot.slot_number)),
            Some(session) if session.speakers.is_empty() => missing.push(format!(
                "session \"{}\" in slot {} has no speaker",
                session.title, slot.slot_number
            )),
            Some(session) => {
                for (speaker, _) in session.speakers.iter().filter(|(_, accepted)| !accepted) {
                    missing.push(format!(
                        "speaker {speaker} of session \"{}\" has not accepted",
                        session.title
                    ));
                }
            }
        }
    }
    missing
}

/// Publication needs every speaker on the agenda with approved content, unless an organizer
/// overrides the content review with a reason (`unapproved` names those still waiting).
pub fn check_content(
    unapproved: Vec<String>,
    override_reason: Option<&str>,
) -> Result<(), super::EventError> {
    match override_reason.map(str::trim) {
        _ if unapproved.is_empty() => Ok(()),
        Some(reason) if !reason.is_empty() => Ok(()),
        _ => Err(super::EventError::ContentNotApproved(unapproved)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_waits_for_approved_content_unless_overridden_with_a_reason() {
        let waiting = || vec!["Anna Aebi".to_owned()];
        assert!(check_content(Vec::new(), None).is_ok());
        assert!(check_content(waiting(), None).is_err());
        assert!(check_content(waiting(), Some("  ")).is_err());
        assert!(check_content(waiting(), Some("a surprise talk")).is_ok());
    }

    #[test]
    fn empty_slots_and_pending_speakers_block_publication() {
        let pending = Uuid::now_v7();
        let slots = vec![
            SlotState {
                slot_number: 1,
                slot_type: SlotType::Keynote,
                session: None,
            },
            SlotState {
                slot_number: 2,
                slot_type: SlotType::Break,
                session: None,
            },
            SlotState {
                slot_number: 3,
                slot_type: SlotType::Practical,
                session: Some(SessionState {
                    id: Uuid::now_v7(),
                    title: "T".into(),
                    speakers: vec![(pending, false), (Uuid::now_v7(), true)],
                }),
            },
        ];
        let missing = missing_for_publication(&slots);
        assert_eq!(missing.len(), 2);
        assert!(missing[0].contains("slot 1"));
        assert!(missing[1].contains(&pending.to_string()));
    }

    #[test]
    fn a_full_agenda_with_accepted_speakers_can_be_published() {
        let slots = vec![SlotState {
            slot_number: 1,
            slot_type: SlotType::Keynote,
            session: Some(SessionState {
                id: Uuid::now_v7(),
                title: "K".into(),
                speakers: vec![(Uuid::now_v7(), true)],
            }),
        }];
        assert!(missing_for_publication(&slots).is_empty());
        assert_eq!(missing_for_publication(&[]), ["the event has no slot grid"]);
    }
}
