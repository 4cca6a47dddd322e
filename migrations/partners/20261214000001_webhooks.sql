-- Outgoing webhooks of partner integrations: a partner's subscriptions (an https address,
-- the event types it wants, the signing secret) and every delivery with its attempts, the
-- last answer and when it is due again.
create table webhook_subscriptions (
    id uuid primary key,
    partner_id uuid not null,
    url text not null,
    event_types text[] not null,
    secret text not null,
    status text not null default 'active'
        constraint webhook_subscription_status_known check (status in ('active', 'disabled')),
    -- Deliveries that failed in a row, each after all its retries; reset by a success.
    failed_deliveries integer not null default 0,
    created_at timestamptz not null,
    disabled_at timestamptz
);
create index webhook_subscriptions_partner_idx on webhook_subscriptions (partner_id);

create table webhook_deliveries (
    id uuid primary key,
    subscription_id uuid not null
        constraint webhook_delivery_subscription references webhook_subscriptions (id) on delete cascade,
    event_id uuid not null,
    event_type text not null,
    body jsonb not null,
    status text not null default 'pending'
        constraint webhook_delivery_status_known check (status in ('pending', 'succeeded', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    created_at timestamptz not null,
    delivered_at timestamptz,
    -- A redelivered event makes no second delivery.
    constraint webhook_delivery_once_per_event unique (subscription_id, event_id)
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_subscription_idx on webhook_deliveries (subscription_id, created_at desc);
