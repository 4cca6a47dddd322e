-- Announces the contact of every speaker created before contact changes were published,
-- so the notifications context's recipient directory knows everyone. Event ids are UUIDv7
-- (millisecond time, then random bits).
insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, occurred_at, payload)
select
    encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
    'speakers', 'speaker', s.id::text, 'speakers.speaker.profile_changed.v1', '/services/speakers', now(),
    jsonb_build_object('speakerId', s.id, 'email', s.email, 'firstName', s.first_name,
        'lastName', s.last_name,
        'language', coalesce(s.communication_preferences->>'language', 'de'),
        'emailNotifications', coalesce((s.communication_preferences->>'emailNotifications')::boolean, true),
        'changedAt', now())
from speakers s
where not exists (
    select 1 from outbox o
    where o.event_type = 'speakers.speaker.profile_changed.v1' and o.aggregate_id = s.id::text);
