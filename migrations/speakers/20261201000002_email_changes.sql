-- Address changes a speaker asked for, waiting for the link mailed to the new address.
-- Only the token's hash is kept; a newer request replaces an older one.

create table email_changes (
    id uuid primary key,
    person_id uuid not null constraint email_changes_speaker_fk references speakers (id) on delete cascade,
    new_email varchar(255) not null,
    token_hash text not null constraint email_changes_token_unique unique,
    requested_at timestamptz not null,
    expires_at timestamptz not null,
    constraint email_changes_one_per_person unique (person_id)
);
