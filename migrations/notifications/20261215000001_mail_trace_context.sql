-- A queued mail keeps the trace context of the reaction that queued it, so its delivery
-- to SES is a span of the same trace as the request that caused it.
alter table notification_log add column traceparent text;
