//! The slot grid of an event, generated from its slot configuration: talk slots in blocks
//! separated by breaks (and lunch in the middle of a full day), closed by networking.

use super::event::EventSlotConfiguration;
use chrono::{DateTime, Duration, Timelike, Utc};

pub use slot_assignment::SlotType;

/// A slot before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSlot {
    pub slot_number: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub slot_type: SlotType,
}

/// Minutes of a break between blocks of talks.
pub const BREAK_MINUTES: i64 = 20;
/// Minutes of the lunch break of a full day.
pub const LUNCH_MINUTES: i64 = 60;
/// Minutes of the closing networking (apéro).
pub const NETWORKING_MINUTES: i64 = 60;
/// Talk slots starting before this hour (UTC) count as morning slots.
pub const MORNING_ENDS_HOUR: u32 = 12;

/// Lays out `talks` talk slots (within the configuration's bounds) from `start`.
///
/// The talks are split into `breaks + lunches + 1` blocks as evenly as possible (earlier
/// blocks take the remainder); the lunch, if any, separates the middle blocks and breaks
/// the others. The first talk slot is the keynote; with `theoreticalSlotsAM` the other talk
/// slots before noon (UTC) are theoretical, every other talk slot is practical.
pub fn generate(
    config: &EventSlotConfiguration,
    start: DateTime<Utc>,
    talks: i32,
) -> Result<Vec<PlannedSlot>, String> {
    if talks < config.min_slots || talks > config.max_slots {
        return Err(format!(
            "slotCount must be between {} and {}",
            config.min_slots, config.max_slots
        ));
    }
    let separators = (config.break_slots + config.lunch_slots) as usize;
    let blocks = separators + 1;
    let talks = talks as usize;
    let lunch_after_block = (config.lunch_slots > 0).then_some(blocks / 2 - 1 + blocks % 2);
    let mut slots = Vec::new();
    let mut at = start;
    let mut number = 1;
    let mut push = |slots: &mut Vec<PlannedSlot>,
                    at: &mut DateTime<Utc>,
                    minutes: i64,
                    slot_type: SlotType| {
        let end = *at + Duration::minutes(minutes);
        slots.push(PlannedSlot {
            slot_number: number,
            start: *at,
            end,
            slot_type,
        });
        number += 1;
        *at = end;
    };
    for block in 0..blocks {
        let size = talks / blocks + usize::from(block < talks % blocks);
        for _ in 0..size {
            let talk_type = if slots.is_empty() {
                SlotType::Keynote
            } else if config.theoretical_slots_am && at.hour() < MORNING_ENDS_HOUR {
                SlotType::Theoretical
            } else {
                SlotType::Practical
            };
            push(
                &mut slots,
                &mut at,
                i64::from(config.slot_duration),
                talk_type,
            );
        }
        if block + 1 < blocks {
            if Some(block) == lunch_after_block {
                push(&mut slots, &mut at, LUNCH_MINUTES, SlotType::Lunch);
            } else {
                push(&mut slots, &mut at, BREAK_MINUTES, SlotType::Break);
            }
        }
    }
    push(
        &mut slots,
        &mut at,
        NETWORKING_MINUTES,
        SlotType::Networking,
    );
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventSlotConfiguration, EventType};

    fn types(slots: &[PlannedSlot]) -> Vec<SlotType> {
        slots.iter().map(|s| s.slot_type).collect()
    }

    #[test]
    fn an_evening_has_two_blocks_and_an_apero() {
        let config = EventSlotConfiguration::default_for(EventType::Evening);
        let slots = generate(&config, "2027-03-12T16:00:00Z".parse().unwrap(), 4).unwrap();
        use SlotType::*;
        assert_eq!(
            types(&slots),
            [Keynote, Practical, Break, Practical, Practical, Networking]
        );
        assert_eq!(slots[0].end, slots[1].start);
        assert_eq!((slots[2].end - slots[2].start).num_minutes(), BREAK_MINUTES);
        assert_eq!(slots.last().unwrap().slot_number, 6);
    }

    #[test]
    fn a_full_day_puts_theory_in_the_morning_and_lunch_in_the_middle() {
        let config = EventSlotConfiguration::default_for(EventType::FullDay);
        let slots = generate(&config, "2027-06-01T08:00:00Z".parse().unwrap(), 8).unwrap();
        use SlotType::*;
        assert_eq!(
            types(&slots),
            [
                Keynote,
                Theoretical,
                Break,
                Theoretical,
                Theoretical,
                Lunch,
                Practical,
                Practical,
                Break,
                Practical,
                Practical,
                Networking
            ]
        );
    }

    #[test]
    fn slot_counts_outside_the_configuration_are_refused() {
        let config = EventSlotConfiguration::default_for(EventType::Evening);
        assert!(generate(&config, Utc::now(), 5).is_err());
        assert!(generate(&config, Utc::now(), 2).is_err());
    }
}
