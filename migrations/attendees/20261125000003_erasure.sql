-- GDPR erasure: an erased attendee keeps its row (so registration counts stay right) with
-- every personal field anonymised.
alter table attendees add column erased_at timestamptz;
