-- The registration deadline of each event (from the events context's EventDetailsChanged),
-- so a registration after it is refused without creating anything.

alter table event_calendar add column registration_deadline timestamptz;
