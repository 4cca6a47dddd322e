-- The key each person's personal data is sealed with on the bus (crypto-shredding): created
-- with the first announcement that needs it, deleted when the person is erased, which leaves
-- every sealed copy (topics, outboxes, dead letters, backups) unreadable.

create table person_keys (
    person_id uuid primary key,
    key bytea not null constraint person_keys_length check (octet_length(key) = 32),
    created_at timestamptz not null default now()
);
