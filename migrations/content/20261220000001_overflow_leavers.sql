-- A speaker the overflow voting did not select leaves the session for good: a late
-- acceptance (from another topic, in no order with the decision) must not bring them back.
alter table session_speakers add column left_in_overflow boolean not null default false;
