-- Overflow management: when more sessions were accepted than the event has slots,
-- organizers vote on the speakers; selection by votes, then topic fit.

create table overflow_management (
    event_id uuid primary key constraint overflow_management_event_fk references events (id),
    voting_deadline timestamptz not null,
    -- Talk slots to fill when voting opened.
    seats integer not null constraint overflow_management_seats_positive check (seats > 0),
    is_voting_complete boolean not null default false,
    completed_at timestamptz,
    created_at timestamptz not null
);

create table overflow_speakers (
    event_id uuid not null constraint overflow_speakers_management_fk references overflow_management (event_id),
    speaker_id uuid not null,
    session_id uuid not null constraint overflow_speakers_session_fk references sessions (id),
    topic_fit_score numeric(5, 2) not null default 0 constraint overflow_speakers_topic_fit_range check (topic_fit_score between 0 and 100),
    is_selected boolean not null default false,
    declined_at timestamptz,
    decline_reason text,
    constraint overflow_speakers_pk primary key (event_id, speaker_id)
);

create table speaker_selection_votes (
    event_id uuid not null,
    organizer_id text not null,
    speaker_id uuid not null,
    vote text not null constraint speaker_selection_votes_vote_known check (vote in ('approve', 'reject', 'abstain')),
    reason text,
    voted_at timestamptz not null,
    -- One vote per organizer and speaker; voting again replaces it.
    constraint speaker_selection_votes_pk primary key (event_id, organizer_id, speaker_id),
    constraint speaker_selection_votes_speaker_fk foreign key (event_id, speaker_id) references overflow_speakers (event_id, speaker_id)
);
