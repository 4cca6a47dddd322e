-- The sender claims the oldest due mail in (send_after, id) order: an index in that order
-- lets each claim read its one row instead of every pending mail.
drop index notification_log_due;
create index notification_log_due on notification_log (send_after, id) where delivery_status = 'pending';
