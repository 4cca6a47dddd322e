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

#[cfg(test)]
mod tests {
    use super::*;

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
