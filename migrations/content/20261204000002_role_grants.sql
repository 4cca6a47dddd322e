-- The platform's role grants as the events context announces them (RoleGranted /
-- RoleRevoked): every request's roles are refined by them, so a revoked role stops working
-- at once and a grant for one event holds for that event.

create table role_grants (
    role_id uuid primary key,
    user_id text not null,
    role text not null,
    event_id uuid,
    active boolean not null,
    changed_at timestamptz not null
);

create index role_grants_user_idx on role_grants (user_id);
