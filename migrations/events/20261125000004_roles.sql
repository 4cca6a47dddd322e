-- Platform roles with their history, and the approval workflow for role changes.
-- user_id / granted_by / revoked_by are identity-provider subjects (token `sub`).

create table user_roles (
    id uuid primary key,
    user_id text not null,
    role text not null constraint user_roles_role_known check (role in ('organizer', 'speaker', 'partner', 'attendee')),
    -- Optional: the role holds for one event only.
    event_id uuid constraint user_roles_event_fk references events (id),
    granted_by text not null,
    granted_at timestamptz not null,
    revoked_at timestamptz,
    revoked_by text,
    reason text,
    is_active boolean not null default true,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint user_roles_revocation_complete check (is_active or (revoked_at is not null and revoked_by is not null))
);

-- One active grant of a role per user and scope (the seed's UNIQUE ... WHERE as a partial index).
create unique index user_roles_one_active_grant on user_roles (user_id, role, coalesce(event_id, '00000000-0000-0000-0000-000000000000'::uuid)) where is_active;
create index user_roles_user_idx on user_roles (user_id, is_active);
create index user_roles_event_idx on user_roles (event_id) where event_id is not null;

create table role_change_requests (
    id uuid primary key,
    user_id text not null,
    event_id uuid constraint role_change_requests_event_fk references events (id),
    "current_role" text not null constraint role_change_requests_current_known check ("current_role" in ('organizer', 'speaker', 'partner', 'attendee')),
    requested_role text not null constraint role_change_requests_requested_known check (requested_role in ('organizer', 'speaker', 'partner', 'attendee')),
    requested_by text not null,
    -- Set for organizer demotions: any other organizer than the requester and the target.
    requires_approval boolean not null,
    reason text not null,
    status text not null constraint role_change_requests_status_known check (status in ('pending', 'approved', 'rejected', 'expired')),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    decided_at timestamptz,
    constraint role_change_requests_changes_role check ("current_role" <> requested_role)
);

create index role_change_requests_status_idx on role_change_requests (status, expires_at);
create index role_change_requests_user_idx on role_change_requests (user_id);

create table role_change_approvals (
    id uuid primary key,
    role_change_request_id uuid not null constraint role_change_approvals_request_fk references role_change_requests (id),
    approved_by text not null,
    approved boolean not null,
    comments text,
    approved_at timestamptz not null,
    constraint role_change_approvals_one_per_approver unique (role_change_request_id, approved_by)
);
