-- Announces the details (name, date, place) of every event created before they were
-- published, so the read models of other contexts (speakers' invitation pages,
-- notifications) know every event. Event ids are UUIDv7 (millisecond time, then random bits).
insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, occurred_at, payload)
select
    encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
    'events', 'event', e.id::text, 'events.event.details_changed.v1', '/services/events', now(),
    jsonb_build_object('eventId', e.id, 'eventNumber', e.event_number, 'title', e.title,
        'eventDate', e.event_date, 'registrationDeadline', e.registration_deadline,
        'venueName', e.venue_name, 'venueAddress', e.venue_address,
        'version', e.version, 'changedAt', e.updated_at)
from events e
where not exists (
    select 1 from outbox o
    where o.event_type = 'events.event.details_changed.v1' and o.aggregate_id = e.id::text);
