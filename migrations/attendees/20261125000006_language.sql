-- The language an attendee's mails are written in; existing attendees get German, the
-- conference's default.
alter table attendees add column language varchar(2) not null default 'de'
    constraint attendees_language_known check (language in ('de', 'en'));
