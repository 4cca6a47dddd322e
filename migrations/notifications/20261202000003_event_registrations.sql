-- Who holds a seat at which event (from the attendees context's registration statuses):
-- the attendees a change of a published agenda is mailed to.

create table event_registrations (
    registration_id uuid primary key,
    event_id uuid not null,
    attendee_id uuid not null,
    confirmed boolean not null,
    changed_at timestamptz not null
);

create index event_registrations_event_idx on event_registrations (event_id) where confirmed;
create index event_registrations_attendee_idx on event_registrations (attendee_id);
