-- A speaker's slot preferences per event (also published to the events context).
create table speaker_slot_preferences (
    speaker_id uuid not null constraint speaker_slot_preferences_speaker_fk references speakers (id) on delete cascade,
    event_id uuid not null,
    preferences jsonb not null,
    submitted_at timestamptz not null,
    last_updated_at timestamptz not null,
    constraint speaker_slot_preferences_pk primary key (speaker_id, event_id)
);
