-- Who the published agenda names: speakers' profiles as the speakers context announces them
-- (the identity stays sealed with the speaker's key and is opened when an agenda is
-- rendered; erasure deletes the row and destroys the key), company names from the
-- companies context, and each speaker's approved abstract and photo.

create table speaker_profiles (
    speaker_id uuid primary key,
    identity jsonb not null,
    company_id uuid,
    changed_at timestamptz not null
);

create table company_names (
    company_id uuid primary key,
    name text not null,
    changed_at timestamptz not null
);

alter table session_speakers
    add column abstract text,
    add column photo_url varchar(500);
