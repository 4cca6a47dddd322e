-- Transactional outbox, idempotent inbox, dead letters and idempotency keys of this schema.
-- Every service's schema carries the same four tables; the event-bus and service-kit
-- crates rely on their shape.

create table outbox (
    seq bigint generated always as identity primary key,
    event_id uuid not null constraint outbox_event_id_unique unique,
    context text not null,
    aggregate_type text not null,
    aggregate_id text not null,
    event_type text not null,
    source text not null,
    occurred_at timestamptz not null,
    correlation_id text,
    causation_id text,
    traceparent text,
    payload jsonb not null,
    published_at timestamptz
);

create index outbox_unpublished_idx on outbox (seq) where published_at is null;
create index outbox_occurred_at_idx on outbox (occurred_at);

-- Wakes the relay on commit (notifications are delivered only when the transaction commits).
create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify(tg_table_schema || '_outbox', '');
    return null;
end;
$$;

create trigger outbox_notify after insert on outbox
    for each statement execute function outbox_notify();

create table inbox (
    event_id uuid not null,
    handler text not null,
    event_type text not null,
    processed_at timestamptz not null default now(),
    constraint inbox_once_per_handler primary key (event_id, handler)
);

create table dead_letters (
    id uuid primary key,
    handler text not null,
    event_id uuid,
    event_type text,
    topic text not null,
    partition integer not null,
    "offset" bigint not null,
    message_key text,
    headers jsonb not null,
    payload text,
    error text not null,
    attempts integer not null,
    created_at timestamptz not null default now(),
    replayed_at timestamptz
);

create index dead_letters_pending_idx on dead_letters (id) where replayed_at is null;

-- A creating POST with an Idempotency-Key stores its first response here, in the same
-- transaction as its work; a replay with the same key and actor returns it.
create table idempotency_keys (
    actor text not null,
    idempotency_key text not null,
    request_hash text not null,
    response_status smallint,
    response_headers jsonb,
    response_body bytea,
    created_at timestamptz not null default now(),
    constraint idempotency_key_per_actor primary key (actor, idempotency_key)
);
