-- The event-level quality review: a moderator, a review deadline and the review status of
-- each speaker session. The per-speaker content review (abstract, bio, photo, revisions)
-- belongs to the speakers context. moderator_id / reviewer_id are identity-provider
-- subjects (token `sub`).

create table event_quality_reviews (
    event_id uuid primary key constraint event_quality_reviews_event_fk references events (id) on delete cascade,
    moderator_id text not null constraint event_quality_reviews_moderator_present check (moderator_id <> ''),
    review_deadline timestamptz not null,
    -- Set while every live speaker session is approved; cleared when one is reopened.
    completed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1
);

-- A missing row for a live speaker session means `pending` (sessions created after the
-- review was set up get their row on their first review change).
create table session_quality_reviews (
    event_id uuid not null constraint session_quality_reviews_review_fk references event_quality_reviews (event_id) on delete cascade,
    session_id uuid not null constraint session_quality_reviews_session_fk references sessions (id) on delete cascade,
    status text not null constraint session_quality_reviews_status_known check (status in (
        'pending', 'in_review', 'approved', 'requires_changes', 'rejected', 'revision_submitted')),
    reviewer_id text,
    feedback text,
    reviewed_at timestamptz,
    updated_at timestamptz not null,
    constraint session_quality_reviews_pk primary key (event_id, session_id),
    constraint session_quality_reviews_feedback_when_refused check (status not in ('requires_changes', 'rejected') or feedback is not null)
);

create index session_quality_reviews_session_idx on session_quality_reviews (session_id);
