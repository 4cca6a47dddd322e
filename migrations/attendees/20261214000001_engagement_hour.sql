-- A view or download counts once per attendee, content item and hour: repeating it within
-- the hour does not inflate the item's figures. Rows recorded before carry no hour.
alter table content_engagement add column engaged_hour timestamptz;

create unique index content_engagement_once_an_hour on content_engagement (attendee_id, content_type, content_id, engagement_type, engaged_hour)
    where engagement_type in ('view', 'download') and engaged_hour is not null;
