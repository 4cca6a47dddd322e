-- Partner topic votes as the partners context announces them (TopicVoteCast /
-- TopicVoteWithdrawn): each topic's partner influence score is derived from them. The tier
-- is the partner's tier as last announced (a vote carries the tier at casting; a later
-- PartnerChanged re-weights the partner's votes).

create table partner_votes (
    topic_id uuid not null constraint partner_votes_topic_fk references topics (id) on delete cascade,
    partner_id uuid not null,
    value smallint not null constraint partner_votes_value_range check (value between 1 and 5),
    tier text not null constraint partner_votes_tier_known check (tier in ('bronze', 'silver', 'gold', 'platinum', 'strategic')),
    tier_as_of timestamptz not null,
    cast_at timestamptz not null,
    constraint partner_votes_pk primary key (topic_id, partner_id)
);

create index partner_votes_partner_idx on partner_votes (partner_id);
create index topics_partner_influence_idx on topics ((coalesce(partner_influence_score, -1)) desc, id);
