-- Attendees, their event registrations (the attendee side of the registration saga) and
-- the company directory read model fed by the companies context.

create table attendees (
    id uuid primary key,
    email varchar(255) not null,
    first_name varchar(100) not null,
    last_name varchar(100) not null,
    company_id uuid,
    position varchar(255),
    newsletter_subscription boolean not null default false,
    gdpr_consent_given boolean not null default false,
    gdpr_consent_date timestamptz,
    gdpr_policy_version varchar(50),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    last_login_at timestamptz,
    version bigint not null default 1,
    constraint attendees_consent_recorded check (not gdpr_consent_given or (gdpr_consent_date is not null and gdpr_policy_version is not null))
);

-- Emails are unique regardless of case.
create unique index attendees_email_unique on attendees (lower(email));
create index attendees_company_idx on attendees (company_id);

create table event_registrations (
    id uuid primary key,
    event_id uuid not null,
    attendee_id uuid not null constraint event_registrations_attendee_fk references attendees (id) on delete cascade,
    -- Place in the waitlist: the time of the (latest) request.
    registration_date timestamptz not null,
    status text not null constraint event_registrations_status_known check (status in (
        'registered', 'waitlisted', 'confirmed', 'cancelled', 'attended', 'rejected')),
    refusal_reason text,
    session_preferences jsonb not null default '[]',
    special_requests text,
    attendance_confirmed boolean not null default false,
    actual_attendance boolean not null default false,
    promoted_at timestamptz,
    updated_at timestamptz not null,
    constraint event_registrations_once_per_event unique (event_id, attendee_id)
);

create index event_registrations_waitlist_idx on event_registrations (event_id, registration_date, id) where status = 'waitlisted';
create index event_registrations_attendee_idx on event_registrations (attendee_id);

create table company_directory (
    company_id uuid primary key,
    name varchar(255) not null,
    display_name varchar(255) not null,
    is_partner boolean not null,
    archived_at timestamptz,
    version bigint not null default 1
);
