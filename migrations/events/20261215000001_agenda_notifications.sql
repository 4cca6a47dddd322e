-- Every committed change to what a public agenda shows announces the event's id on the
-- channel `agenda_changed` (delivered at commit, to every replica listening), so cached
-- renderings are dropped without a query per request. A speaker's profile or company
-- change touches their `session_speakers` rows, so those tables cover the people too.

create function agenda_changed() returns trigger language plpgsql set search_path from current as $$
declare
    changed record;
    event uuid;
begin
    if tg_op = 'DELETE' then
        changed := old;
    else
        changed := new;
    end if;
    if tg_table_name = 'events' then
        event := changed.id;
    elsif tg_table_name = 'session_speakers' then
        select s.event_id into event from sessions s where s.id = changed.session_id;
    else
        event := changed.event_id;
    end if;
    -- A row whose event is already gone (a cascade) names every agenda.
    perform pg_notify('agenda_changed', coalesce(event::text, '*'));
    return null;
end
$$;

create trigger events_agenda_changed after insert or update or delete on events
    for each row execute function agenda_changed();
create trigger event_slots_agenda_changed after insert or update or delete on event_slots
    for each row execute function agenda_changed();
create trigger sessions_agenda_changed after insert or update or delete on sessions
    for each row execute function agenda_changed();
create trigger session_speakers_agenda_changed after insert or update or delete on session_speakers
    for each row execute function agenda_changed();
create trigger session_materials_agenda_changed after insert or update or delete on session_materials
    for each row execute function agenda_changed();
