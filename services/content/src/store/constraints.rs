//! What the content schema's constraints mean to a client that runs into one.

use service_kit::problem::ConstraintAnswer;

pub static CONSTRAINTS: &[ConstraintAnswer] = &[
    ConstraintAnswer {
        constraint: "presentation_files_one_primary",
        field: "isPrimary",
        message: "the session has a primary presentation already",
    },
    ConstraintAnswer {
        constraint: "supplementary_materials_file_fk",
        field: "fileId",
        message: "no such file",
    },
];
