-- Local database bootstrap, run once by the postgres image on an empty data volume.
-- Every service gets its own login role `<name>_svc` owning exactly one schema `<name>`;
-- the service creates its tables there by running its own migrations at start-up.
-- Passwords below are for local use only.

select 'create database batbern'
where not exists (select from pg_database where datname = 'batbern')\gexec

\connect batbern

-- Nothing is created in public: each service lives in its own schema.
revoke create on schema public from public;

-- companies ------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'companies_svc') then
    create role companies_svc login password 'companies_svc';
  end if;
end
$$;
create schema if not exists companies authorization companies_svc;

-- events ---------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'events_svc') then
    create role events_svc login password 'events_svc';
  end if;
end
$$;
create schema if not exists events authorization events_svc;

-- attendees ------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'attendees_svc') then
    create role attendees_svc login password 'attendees_svc';
  end if;
end
$$;
create schema if not exists attendees authorization attendees_svc;

-- speakers -------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'speakers_svc') then
    create role speakers_svc login password 'speakers_svc';
  end if;
end
$$;
create schema if not exists speakers authorization speakers_svc;

-- Next service: copy a block above, replacing the name (role <name>_svc, schema <name>).
