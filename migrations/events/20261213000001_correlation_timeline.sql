-- The saga timeline (/ops/correlations/{id}) finds a correlation's events in the outbox,
-- the inbox and the dead letters; the inbox now keeps the correlation id it applied.
alter table inbox add column correlation_id text;
create index outbox_by_correlation on outbox (correlation_id) where correlation_id is not null;
create index inbox_by_correlation on inbox (correlation_id) where correlation_id is not null;
