-- Parked events are retried with backoff, and in order per aggregate: an event waits while
-- an earlier event of the same aggregate (`subject`, the Kafka key) is parked.
alter table deferred_events add column subject text;
alter table deferred_events add column next_attempt_at timestamptz;
update deferred_events set subject = envelope->>'subject', next_attempt_at = deferred_at;
alter table deferred_events alter column subject set not null;
alter table deferred_events alter column next_attempt_at set not null;
create index deferred_events_due on deferred_events (next_attempt_at);
create index deferred_events_subject on deferred_events (subject, deferred_at);

-- Suppression is kept by the SHA-256 of the lower-cased address, so erasing a person does
-- not lift it and keeps no address in the clear.
alter table suppressed_addresses add column email_hash char(64);
update suppressed_addresses set email_hash = encode(sha256(convert_to(lower(email), 'UTF8')), 'hex');
alter table suppressed_addresses alter column email_hash set not null;
alter table suppressed_addresses drop constraint suppressed_addresses_pkey;
alter table suppressed_addresses drop column email;
alter table suppressed_addresses add constraint suppressed_addresses_pkey primary key (email_hash);

comment on column material_obligations.tiers_sent is
    'Tiers mailed for the current deadline; starts over when the deadline changes.';
