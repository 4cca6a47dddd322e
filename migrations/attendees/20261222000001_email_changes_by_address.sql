-- Links to one new address are counted across people (service_kit::email_change::start).

create index email_changes_by_address on email_changes (new_email, requested_at);
