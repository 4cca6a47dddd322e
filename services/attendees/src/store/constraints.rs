//! What the attendees schema's unique constraints mean to a client that runs into one (the
//! shared problem mapping answers every other violation generically, never with a 500).

use service_kit::problem::ConstraintAnswer;

/// The constraint table of the attendees service.
pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "attendees_email_unique",
        field: "email",
        message: "cannot be used for this attendee",
    },
    ConstraintAnswer {
        constraint: "attendees_account_subject_unique",
        field: "email",
        message: "this account already has an attendee record",
    },
    ConstraintAnswer {
        constraint: "event_registrations_once_per_event",
        field: "eventId",
        message: "the attendee is registered for this event already",
    },
    ConstraintAnswer {
        constraint: "newsletter_subscriptions_one_live",
        field: "attendeeId",
        message: "the attendee has a live subscription already",
    },
    ConstraintAnswer {
        constraint: "content_engagement_one_rating",
        field: "rating",
        message: "the attendee rated this already",
    },
];
