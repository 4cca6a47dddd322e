-- Address changes are kept alike in every schema that holds people (service_kit::email_change).

alter table email_changes rename column attendee_id to person_id;
alter table email_changes rename constraint email_changes_one_per_attendee to email_changes_one_per_person;
