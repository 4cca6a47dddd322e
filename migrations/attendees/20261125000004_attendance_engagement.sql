-- Attendance, content engagement, and the event calendar read model fed by the events
-- context (attendance can be confirmed only before the event).

create table event_calendar (
    event_id uuid primary key,
    event_date timestamptz not null,
    status text not null
);

create table content_engagement (
    id uuid primary key,
    attendee_id uuid not null constraint content_engagement_attendee_fk references attendees (id) on delete cascade,
    content_type text not null constraint content_engagement_content_type_known check (content_type in ('session', 'material')),
    content_id uuid not null,
    engagement_type text not null constraint content_engagement_type_known check (engagement_type in ('view', 'download', 'rating')),
    -- The rating (0–5) for ratings; null for views and downloads.
    engagement_value numeric(3, 2) constraint content_engagement_rating_range check (engagement_value between 0 and 5),
    engaged_at timestamptz not null,
    constraint content_engagement_rating_has_value check ((engagement_type = 'rating') = (engagement_value is not null))
);

-- One rating per attendee and content item (rating again replaces it).
create unique index content_engagement_one_rating on content_engagement (attendee_id, content_type, content_id) where engagement_type = 'rating';
create index content_engagement_content_idx on content_engagement (content_type, content_id);
