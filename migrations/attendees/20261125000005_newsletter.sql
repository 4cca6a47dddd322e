-- Newsletter double opt-in: a subscription waits for the confirmation link before the
-- attendee is subscribed; every subscription carries a one-click unsubscribe token.
-- Tokens are stored as SHA-256 hashes only.

create table newsletter_subscriptions (
    id uuid primary key,
    attendee_id uuid not null constraint newsletter_subscriptions_attendee_fk references attendees (id) on delete cascade,
    status text not null constraint newsletter_subscriptions_status_known check (status in ('pending', 'confirmed', 'unsubscribed')),
    confirmation_token_hash text not null constraint newsletter_subscriptions_confirmation_unique unique,
    unsubscribe_token_hash text not null constraint newsletter_subscriptions_unsubscribe_unique unique,
    -- Where the consent came from (e.g. registration form, event page).
    source varchar(100) not null,
    requested_at timestamptz not null,
    confirmed_at timestamptz,
    unsubscribed_at timestamptz
);

-- One live subscription per attendee.
create unique index newsletter_subscriptions_one_live on newsletter_subscriptions (attendee_id) where status <> 'unsubscribed';
