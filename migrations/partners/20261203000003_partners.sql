-- Partners: companies that sponsor the conference series, their contacts, topic votes,
-- topic suggestions and partner meetings; plus the read models the partner context keeps
-- of other contexts (companies, topics, events, attendance by company).

create table partners (
    id uuid primary key,
    -- One partner per company (the company directory read model vouches for it).
    company_id uuid not null constraint partners_one_per_company unique,
    partnership_level text not null constraint partners_level_known check (partnership_level in (
        'bronze', 'silver', 'gold', 'platinum', 'strategic')),
    partnership_start_date date not null,
    partnership_end_date date,
    -- True from the start date to the end date (inclusive); the scheduler keeps it so.
    is_active boolean not null,
    -- Per-partner changes to the tier's benefit catalogue: {"<benefit>": true|false}.
    benefit_overrides jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1,
    constraint partners_ends_after_start check (partnership_end_date is null or partnership_end_date >= partnership_start_date)
);

create index partners_active_idx on partners (is_active);

create table partner_contacts (
    id uuid primary key,
    partner_id uuid not null constraint partner_contacts_partner_fk references partners (id) on delete cascade,
    first_name varchar(100) not null,
    last_name varchar(100) not null,
    email varchar(255) not null,
    contact_role varchar(100) not null,
    language text not null constraint partner_contacts_language_known check (language in ('de', 'en')),
    is_primary boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1
);

-- Exactly one primary contact per partner at most (safe under concurrency).
create unique index partner_contacts_one_primary on partner_contacts (partner_id) where is_primary;
create unique index partner_contacts_email_unique on partner_contacts (partner_id, lower(email));

-- The key each contact's personal data is sealed with on the bus (crypto-shredding).
create table person_keys (
    person_id uuid primary key,
    key bytea not null constraint person_keys_length check (octet_length(key) = 32),
    created_at timestamptz not null default now()
);

create table topic_votes (
    id uuid primary key,
    topic_id uuid not null,
    partner_id uuid not null constraint topic_votes_partner_fk references partners (id) on delete cascade,
    -- The weight of the partner's tier when it voted.
    vote_weight integer not null constraint topic_votes_weight_positive check (vote_weight > 0),
    vote_value integer not null constraint topic_votes_value_range check (vote_value between 1 and 5),
    voted_at timestamptz not null,
    constraint topic_votes_once_per_partner unique (topic_id, partner_id)
);

create index topic_votes_topic_idx on topic_votes (topic_id);

create table topic_suggestions (
    id uuid primary key,
    partner_id uuid not null constraint topic_suggestions_partner_fk references partners (id) on delete cascade,
    suggested_topic varchar(500) not null,
    description text,
    business_justification text,
    category text not null constraint topic_suggestions_category_known check (category in (
        'technical', 'management', 'soft_skills', 'industry_trends', 'tools_platforms')),
    suggested_at timestamptz not null,
    status text not null constraint topic_suggestions_status_known check (status in (
        'submitted', 'under_review', 'accepted', 'rejected', 'implemented')),
    rejection_reason text,
    reviewed_at timestamptz,
    reviewed_by text,
    -- The library topic an accepted suggestion became.
    topic_id uuid constraint topic_suggestions_topic_unique unique,
    implemented_at timestamptz,
    version bigint not null default 1,
    constraint topic_suggestions_rejection_has_reason check ((status = 'rejected') = (rejection_reason is not null))
);

create index topic_suggestions_partner_idx on topic_suggestions (partner_id, suggested_at desc);
create index topic_suggestions_status_idx on topic_suggestions (status);

create table partner_meetings (
    id uuid primary key,
    meeting_type text not null constraint partner_meetings_type_known check (meeting_type in ('spring', 'autumn', 'ad_hoc')),
    title varchar(255) not null,
    scheduled_at timestamptz not null,
    location varchar(255) not null,
    agenda text not null,
    materials_generated boolean not null default false,
    created_by text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create index partner_meetings_date_idx on partner_meetings (scheduled_at desc, id);

create table partner_meeting_attendance (
    id uuid primary key,
    meeting_id uuid not null constraint partner_meeting_attendance_meeting_fk references partner_meetings (id) on delete cascade,
    partner_id uuid not null constraint partner_meeting_attendance_partner_fk references partners (id) on delete cascade,
    -- The primary contact the invitation went to.
    contact_id uuid,
    rsvp_status text not null default 'invited' constraint partner_meeting_attendance_rsvp_known check (rsvp_status in (
        'invited', 'accepted', 'declined', 'tentative')),
    rsvp_at timestamptz,
    -- Recorded by organizers after the meeting; null until then.
    attended boolean,
    constraint partner_meeting_attendance_once unique (meeting_id, partner_id)
);

create index partner_meeting_attendance_partner_idx on partner_meeting_attendance (partner_id);

-- The meeting pack: each partner's analytics as JSON and CSV, produced on request.
create table partner_meeting_materials (
    meeting_id uuid not null constraint partner_meeting_materials_meeting_fk references partner_meetings (id) on delete cascade,
    partner_id uuid not null constraint partner_meeting_materials_partner_fk references partners (id) on delete cascade,
    analytics jsonb not null,
    csv text not null,
    generated_at timestamptz not null,
    constraint partner_meeting_materials_pk primary key (meeting_id, partner_id)
);

-- Read models.

create table company_directory (
    company_id uuid primary key,
    name varchar(255) not null,
    display_name varchar(255) not null,
    is_partner boolean not null,
    archived_at timestamptz,
    version bigint not null default 1
);

-- The topic library as the events context announces it (TopicChanged / TopicUsed).
create table topic_library (
    topic_id uuid primary key,
    title varchar(500) not null,
    category text not null,
    is_active boolean not null,
    partner_influence_score double precision,
    -- The first use by an event: votes are closed from then on.
    first_used_at timestamptz,
    version bigint not null
);

create table topic_uses (
    topic_id uuid not null,
    event_id uuid not null,
    used_date timestamptz not null,
    constraint topic_uses_pk primary key (topic_id, event_id)
);

-- Events as announced (for brand exposure: the events held while a partnership ran).
create table event_calendar (
    event_id uuid primary key,
    title varchar(500) not null,
    event_date timestamptz not null,
    published boolean not null default false,
    version bigint not null
);

-- Attendance recorded by the attendees context, by the attendee's company.
create table employee_attendance (
    registration_id uuid primary key,
    event_id uuid not null,
    -- Null once the attendee was erased (the count stays).
    attendee_id uuid,
    company_id uuid,
    attended boolean not null,
    recorded_at timestamptz not null
);

create index employee_attendance_company_idx on employee_attendance (company_id, event_id);
