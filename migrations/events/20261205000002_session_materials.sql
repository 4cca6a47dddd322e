-- What the published agenda shows beside a session: its materials as the content context
-- announces them (content.session_materials.changed.v1), the latest version per session;
-- and the profile photo of each speaker (speakers.speaker.profile_changed.v2), shown when
-- no approved submission carries a photo.

create table session_materials (
    session_id uuid primary key,
    event_id uuid not null,
    published_at timestamptz,
    presentations jsonb not null default '[]',
    supplementary jsonb not null default '[]',
    recording_url text,
    photo_urls jsonb not null default '[]',
    version bigint not null,
    changed_at timestamptz not null
);

create index session_materials_event_idx on session_materials (event_id);

alter table speaker_profiles add column photo_url text;
