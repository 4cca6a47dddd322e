-- Announces every topic of the library created before topics were announced, so the
-- partners context can take votes on all of them. Event ids are UUIDv7 (millisecond time,
-- then random bits).
insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, occurred_at, payload)
select
    encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
    'events', 'topic', t.id::text, 'events.topic.changed.v1', '/services/events', now(),
    jsonb_build_object('topicId', t.id, 'title', t.title, 'category', t.category,
        'isActive', t.is_active, 'partnerInfluenceScore', t.partner_influence_score::float8,
        'version', t.version, 'changedAt', now())
from topics t
where not exists (
    select 1 from outbox o
    where o.event_type = 'events.topic.changed.v1' and o.aggregate_id = t.id::text);

-- Their uses so far close their votes there.
insert into outbox (event_id, context, aggregate_type, aggregate_id, event_type, source, occurred_at, payload)
select
    encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
    'events', 'topic', u.topic_id::text, 'events.topic.used.v1', '/services/events', now(),
    jsonb_build_object('topicId', u.topic_id, 'eventId', u.event_id, 'usedDate', u.used_date,
        'assignedAt', et.assigned_at)
from topic_usage_history u
join event_topics et on et.topic_id = u.topic_id and et.event_id = u.event_id
where not exists (
    select 1 from outbox o
    where o.event_type = 'events.topic.used.v1' and o.aggregate_id = u.topic_id::text
      and o.payload ->> 'eventId' = u.event_id::text);
