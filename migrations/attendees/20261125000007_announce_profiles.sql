-- Announces the contact of every attendee created before contact changes were published,
-- so the notifications context's recipient directory knows everyone. Erased attendees are
-- not announced. Event ids are UUIDv7 (millisecond time, then random bits).
insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, occurred_at, payload)
select
    encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
    'attendees', 'attendee', a.id::text, 'attendees.attendee.profile_changed.v1', '/services/attendees', now(),
    jsonb_build_object('attendeeId', a.id, 'email', a.email, 'firstName', a.first_name,
        'lastName', a.last_name, 'language', a.language, 'changedAt', now())
from attendees a
where a.erased_at is null
  and not exists (
    select 1 from outbox o
    where o.event_type = 'attendees.attendee.profile_changed.v1' and o.aggregate_id = a.id::text);
