//! What the events schema's unique constraints mean to a client that runs into one (the
//! shared problem mapping answers every other violation generically, never with a 500).

use service_kit::problem::ConstraintAnswer;

/// The constraint table of the events service.
pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "events_event_number_unique",
        field: "eventNumber",
        message: "another event has this number",
    },
    ConstraintAnswer {
        constraint: "event_slots_number_unique",
        field: "slotNumber",
        message: "the event has a slot with this number",
    },
    ConstraintAnswer {
        constraint: "event_slots_one_slot_per_session",
        field: "sessionId",
        message: "the session is placed in another slot",
    },
    ConstraintAnswer {
        constraint: "event_topics_pk",
        field: "topicId",
        message: "the topic is assigned to this event already",
    },
    ConstraintAnswer {
        constraint: "topic_usage_history_once_per_event",
        field: "topicId",
        message: "the topic's use at this event is recorded already",
    },
    ConstraintAnswer {
        constraint: "user_roles_one_active_grant",
        field: "role",
        message: "the user holds this role in this scope already",
    },
    ConstraintAnswer {
        constraint: "role_change_approvals_one_per_approver",
        field: "approverId",
        message: "this organizer decided on the request already",
    },
    ConstraintAnswer {
        constraint: "session_speakers_pk",
        field: "speakerId",
        message: "the speaker is on this session already",
    },
    ConstraintAnswer {
        constraint: "speaker_selection_votes_pk",
        field: "speakerId",
        message: "this organizer voted on the speaker already",
    },
    ConstraintAnswer {
        constraint: "overflow_speakers_pk",
        field: "speakerId",
        message: "the speaker competes for this event already",
    },
];
