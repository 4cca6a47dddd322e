-- Address changes of partner contacts made by a partner integration, waiting for the link
-- mailed to the new address (organizers change an address at once). Only the token's hash
-- is kept; a newer request replaces an older one.

create table email_changes (
    id uuid primary key,
    person_id uuid not null constraint email_changes_contact_fk references partner_contacts (id) on delete cascade,
    new_email varchar(255) not null,
    token_hash text not null constraint email_changes_token_unique unique,
    requested_at timestamptz not null,
    expires_at timestamptz not null,
    constraint email_changes_one_per_person unique (person_id)
);
