-- Local database bootstrap, run once by the postgres image on an empty data volume.
-- Every service gets its own login role `<name>_svc` owning exactly one schema `<name>`;
-- the service creates its tables there by running its own migrations at start-up.
-- Passwords below are for local use only.

select 'create database batbern'
where not exists (select from pg_database where datname = 'batbern')\gexec

\connect batbern

-- Nothing is created in public: each service lives in its own schema.
revoke create on schema public from public;

-- One role and schema per service; a new service adds its name to the list.
do $$
declare
  service text;
begin
  foreach service in array array['companies', 'events', 'speakers', 'content', 'attendees', 'partners', 'notifications'] loop
    if not exists (select from pg_roles where rolname = service || '_svc') then
      execute format('create role %I login password %L', service || '_svc', service || '_svc');
    end if;
    execute format('create schema if not exists %I authorization %I', service, service || '_svc');
  end loop;
end
$$;
