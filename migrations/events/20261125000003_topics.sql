-- The topic library: topics with their usage history, full-text search and the topics
-- assigned to each event.
--
-- Staleness is not stored: it depends on the current date, so the service derives it on
-- every read from last_used_date and calculated_wait_period. The wait period depends only on
-- the usage history and is rewritten in the transaction that changes the history.

create table topics (
    id uuid primary key,
    title varchar(500) not null,
    description text,
    category text not null constraint topics_category_known check (category in (
        'technical', 'management', 'soft_skills', 'industry_trends', 'tools_platforms')),
    created_date timestamptz not null,
    last_used_date timestamptz,
    usage_count integer not null default 0 constraint topics_usage_count_not_negative check (usage_count >= 0),
    calculated_wait_period integer not null default 0 constraint topics_wait_period_not_negative check (calculated_wait_period >= 0),
    -- Written from partner votes; 0–100, absent until the first vote.
    partner_influence_score numeric(5, 2) constraint topics_partner_influence_in_range check (partner_influence_score between 0 and 100),
    is_active boolean not null default true,
    -- Titles are German and English: the 'simple' configuration lowercases without stemming
    -- or stop words, so both languages match word for word.
    title_vector tsvector generated always as (to_tsvector('simple', title)) stored,
    description_vector tsvector generated always as (to_tsvector('simple', coalesce(description, ''))) stored,
    updated_at timestamptz not null,
    version bigint not null default 1,
    constraint topics_used_when_counted check ((usage_count = 0) = (last_used_date is null))
);

create index topics_title_vector_idx on topics using gin (title_vector);
create index topics_description_vector_idx on topics using gin (description_vector);
create index topics_title_idx on topics (title, id);

create table topic_usage_history (
    id uuid primary key,
    topic_id uuid not null constraint topic_usage_history_topic_fk references topics (id) on delete cascade,
    event_id uuid not null constraint topic_usage_history_event_fk references events (id) on delete cascade,
    used_date timestamptz not null,
    attendee_count integer not null constraint topic_usage_history_attendees_not_negative check (attendee_count >= 0),
    feedback_score numeric(3, 2) constraint topic_usage_history_feedback_in_range check (feedback_score between 0 and 5),
    created_at timestamptz not null,
    constraint topic_usage_history_once_per_event unique (topic_id, event_id)
);

create index topic_usage_history_topic_idx on topic_usage_history (topic_id, used_date desc);

create table event_topics (
    event_id uuid not null constraint event_topics_event_fk references events (id) on delete cascade,
    topic_id uuid not null constraint event_topics_topic_fk references topics (id) on delete cascade,
    assigned_at timestamptz not null,
    assigned_by text not null,
    constraint event_topics_pk primary key (event_id, topic_id)
);

create index event_topics_topic_idx on event_topics (topic_id);
