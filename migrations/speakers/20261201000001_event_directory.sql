-- The events speakers are invited to, as the events context announces them
-- (events.event.details_changed.v1): what an invitation page shows of the event.
create table event_directory (
    event_id uuid primary key,
    event_number integer not null,
    title varchar(255) not null,
    event_date timestamptz not null,
    venue_name varchar(255) not null,
    venue_address text not null,
    version bigint not null
);
