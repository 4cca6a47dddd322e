//! What the notifications schema's unique constraints mean to a client that runs into one (the
//! shared problem mapping answers every other violation generically, never with a 500).

use service_kit::problem::ConstraintAnswer;

/// The constraint table of the notifications service.
pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "email_templates_version_unique",
        field: "version",
        message: "this template version exists already",
    },
    ConstraintAnswer {
        constraint: "email_templates_one_active",
        field: "templateType",
        message: "another version of this template is active",
    },
    ConstraintAnswer {
        constraint: "notification_preferences_unique",
        field: "notificationType",
        message: "a preference for this channel and type exists already",
    },
    ConstraintAnswer {
        constraint: "escalation_rules_one_active",
        field: "ruleType",
        message: "the event has an active rule of this type already",
    },
];
