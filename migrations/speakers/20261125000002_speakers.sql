-- Speakers, their assignments to sessions (the 8-state speaker workflow and the
-- invitation), and the read models of companies and sessions fed by other contexts.

create table speakers (
    id uuid primary key,
    email varchar(255) not null,
    first_name varchar(100) not null,
    last_name varchar(100) not null,
    company_id uuid not null,
    position varchar(255),
    profile jsonb not null default '{}',
    availability text not null default 'available' constraint speakers_availability_known check (availability in ('available', 'busy', 'unavailable')),
    communication_preferences jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1
);

create unique index speakers_email_unique on speakers (lower(email));
create index speakers_company_idx on speakers (company_id);

create table session_speakers (
    id uuid primary key,
    session_id uuid not null,
    event_id uuid not null,
    speaker_id uuid not null constraint session_speakers_speaker_fk references speakers (id) on delete cascade,
    role text not null constraint session_speakers_role_known check (role in ('primary_speaker', 'co_speaker', 'moderator', 'panelist')),
    presentation_title varchar(255),
    workflow_state text not null constraint session_speakers_workflow_known check (workflow_state in (
        'open', 'contacted', 'ready', 'declined', 'accepted', 'slot_assigned', 'quality_reviewed', 'final_agenda')),
    is_confirmed boolean not null default false,
    invitation_id uuid,
    invited_at timestamptz,
    invitation_expires_at timestamptz,
    invitation_withdrawn_at timestamptz,
    confirmed_at timestamptz,
    declined_at timestamptz,
    decline_reason text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1,
    constraint session_speakers_once_per_session unique (session_id, speaker_id)
);

create index session_speakers_speaker_idx on session_speakers (speaker_id);

create table company_directory (
    company_id uuid primary key,
    name varchar(255) not null,
    display_name varchar(255) not null,
    is_partner boolean not null,
    archived_at timestamptz,
    version bigint not null default 1
);

create table session_directory (
    session_id uuid primary key,
    event_id uuid not null,
    title varchar(255) not null,
    session_type text not null,
    start_time timestamptz not null,
    end_time timestamptz not null,
    cancelled_at timestamptz,
    version bigint not null
);
