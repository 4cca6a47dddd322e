-- Content submissions of a speaker's assignment (every revision kept, so a reviewer sees
-- what changed since the last review) and the quality review with its revision loop.

create table submission_revisions (
    assignment_id uuid not null constraint submission_revisions_assignment_fk references session_speakers (id) on delete cascade,
    revision integer not null,
    abstract text not null,
    bio text,
    photo_url varchar(500),
    materials jsonb not null default '[]',
    submitted_at timestamptz not null,
    constraint submission_revisions_pk primary key (assignment_id, revision)
);

create table quality_reviews (
    assignment_id uuid primary key constraint quality_reviews_assignment_fk references session_speakers (id) on delete cascade,
    status text not null constraint quality_reviews_status_known check (status in (
        'pending', 'in_review', 'approved', 'requires_changes', 'rejected', 'revision_submitted')),
    reviewer_id text,
    abstract_review jsonb,
    bio_review jsonb,
    photo_review jsonb,
    feedback text,
    revision_deadline timestamptz,
    -- The revision the latest decision was about (the diff baseline).
    reviewed_revision integer,
    reviewed_at timestamptz,
    updated_at timestamptz not null
);
