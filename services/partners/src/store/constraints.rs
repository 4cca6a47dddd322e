//! What the partners schema's constraints mean to a client that runs into one.

use service_kit::problem::ConstraintAnswer;

pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "partners_one_per_company",
        field: "companyId",
        message: "the company is a partner already",
    },
    ConstraintAnswer {
        constraint: "partner_contacts_one_primary",
        field: "isPrimary",
        message: "the partner has a primary contact already; make that one non-primary first",
    },
    ConstraintAnswer {
        constraint: "partner_contacts_email_unique",
        field: "email",
        message: "the partner has a contact with this address already",
    },
    ConstraintAnswer {
        constraint: "topic_votes_once_per_partner",
        field: "topicId",
        message: "the partner voted on this topic already",
    },
];
