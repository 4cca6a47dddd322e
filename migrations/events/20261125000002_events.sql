-- Events, their slot grid, sessions and the seat inventory of the registration saga.

create table events (
    id uuid primary key,
    event_number integer not null constraint events_event_number_unique unique,
    title varchar(255) not null,
    description text,
    event_date timestamptz not null,
    registration_deadline timestamptz not null,
    event_type text not null constraint events_event_type_known check (event_type in ('full_day', 'afternoon', 'evening')),
    venue_name varchar(255) not null,
    venue_address text not null,
    venue_capacity integer not null constraint events_venue_capacity_positive check (venue_capacity > 0),
    capacity integer not null constraint events_capacity_positive check (capacity > 0),
    current_attendee_count integer not null default 0,
    status text not null constraint events_status_known check (status in (
        'planning', 'topic_defined', 'speakers_invited', 'agenda_draft', 'published',
        'registration_open', 'registration_closed', 'in_progress', 'completed', 'archived')),
    workflow_state text not null constraint events_workflow_state_known check (workflow_state in (
        'topic_selection', 'speaker_brainstorming', 'speaker_assignment', 'speaker_outreach',
        'content_collection', 'quality_review', 'slot_assignment', 'agenda_finalization', 'published')),
    slot_configuration jsonb not null,
    organizer_id text not null,
    metadata jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    published_at timestamptz,
    version bigint not null default 1,
    -- The seat invariant of the registration saga: never more confirmed seats than capacity.
    constraint events_seats_within_capacity check (current_attendee_count between 0 and capacity),
    constraint events_capacity_within_venue check (capacity <= venue_capacity),
    constraint events_deadline_before_event check (registration_deadline <= event_date)
);

create index events_status_idx on events (status);
create index events_event_date_idx on events (event_date, id);

create table event_slots (
    id uuid primary key,
    event_id uuid not null constraint event_slots_event_fk references events (id) on delete cascade,
    slot_number integer not null,
    start_time timestamptz not null,
    end_time timestamptz not null,
    slot_type text not null constraint event_slots_type_known check (slot_type in (
        'theoretical', 'practical', 'keynote', 'workshop', 'break', 'lunch', 'networking')),
    is_flexible boolean not null default false,
    technical_requirements jsonb not null default '[]',
    assigned_session_id uuid,
    constraint event_slots_number_unique unique (event_id, slot_number),
    constraint event_slots_times_ordered check (start_time < end_time)
);

-- A session fills at most one slot.
create unique index event_slots_one_slot_per_session on event_slots (assigned_session_id) where assigned_session_id is not null;

create table sessions (
    id uuid primary key,
    event_id uuid not null constraint sessions_event_fk references events (id) on delete cascade,
    title varchar(255) not null,
    description text,
    session_type text not null constraint sessions_type_known check (session_type in (
        'keynote', 'presentation', 'workshop', 'panel_discussion', 'networking', 'break', 'lunch')),
    start_time timestamptz not null,
    end_time timestamptz not null,
    room varchar(100),
    capacity integer constraint sessions_capacity_positive check (capacity > 0),
    language varchar(10) not null default 'de',
    tags jsonb not null default '[]',
    prerequisites jsonb not null default '[]',
    target_audience jsonb not null default '[]',
    cancelled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1,
    constraint sessions_times_ordered check (start_time < end_time)
);

create index sessions_event_idx on sessions (event_id, start_time, id);

-- The speakers of a session as the events service knows them (fed by the speakers
-- context's events; organizers may record them directly).
create table session_speakers (
    session_id uuid not null constraint session_speakers_session_fk references sessions (id) on delete cascade,
    speaker_id uuid not null,
    role text not null constraint session_speakers_role_known check (role in ('primary_speaker', 'co_speaker', 'moderator', 'panelist')),
    presentation_title varchar(255),
    is_confirmed boolean not null default false,
    updated_at timestamptz not null,
    constraint session_speakers_pk primary key (session_id, speaker_id)
);

create table slot_assignments (
    slot_id uuid primary key constraint slot_assignments_slot_fk references event_slots (id) on delete cascade,
    session_id uuid not null,
    assigned_at timestamptz not null,
    assigned_by text not null,
    automatically_assigned boolean not null,
    manual_override boolean not null,
    conflict_resolution text
);

create table speaker_slot_preferences (
    event_id uuid not null constraint speaker_slot_preferences_event_fk references events (id) on delete cascade,
    speaker_id uuid not null,
    preferences jsonb not null,
    submitted_at timestamptz not null,
    last_updated_at timestamptz not null,
    constraint speaker_slot_preferences_pk primary key (event_id, speaker_id)
);

-- One row per registration that holds (or held) a seat.
create table seat_reservations (
    registration_id uuid primary key,
    event_id uuid not null constraint seat_reservations_event_fk references events (id),
    attendee_id uuid not null,
    reserved_at timestamptz not null,
    released_at timestamptz
);

create index seat_reservations_event_idx on seat_reservations (event_id) where released_at is null;
