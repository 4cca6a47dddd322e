-- The relay is woken at commit only while it sleeps. A commit that notifies holds the
-- database-wide notify lock through its WAL flush, so the notifying commits of the whole
-- database follow one another instead of sharing flushes. While the relay is awake it
-- holds the advisory lock `outbox_awake.<schema>` and looks for rows itself; a writer
-- notifies only when it can take that lock shared, that is while the relay sleeps.
-- Before that check the writer takes `outbox_writing.<schema>` shared until its commit
-- ends: the relay goes to sleep only after it could take that lock exclusively, so no
-- writer that found it awake is still committing when it looks one last time
-- (crates/event-bus/src/wakeup.rs). The trigger fires at commit, which keeps both locks
-- held for the commit alone.
drop trigger outbox_notify on outbox;
drop function outbox_notify();

create function outbox_wake_relay() returns trigger language plpgsql as $$
begin
    perform pg_advisory_xact_lock_shared(hashtext('outbox_writing.' || tg_table_schema));
    if pg_try_advisory_xact_lock_shared(hashtext('outbox_awake.' || tg_table_schema)) then
        perform pg_notify(tg_table_schema || '_outbox', '');
    end if;
    return null;
end;
$$;

create constraint trigger outbox_wake_relay after insert on outbox
    deferrable initially deferred
    for each row execute function outbox_wake_relay();
