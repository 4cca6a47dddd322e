-- The account (token subject) an attendee signed up with: one record per account. Records
-- organizers create have none; erasure removes it.

alter table attendees add column account_subject text;
create unique index attendees_account_subject_unique on attendees (account_subject)
    where account_subject is not null;
