-- Logos come from the content saga (ContentUploaded of a company logo): each keeps the public
-- address it is served from, and each uploaded file is recorded once, so a redelivered
-- upload finds its row and changes nothing.

alter table company_logos add column public_url varchar(1000);

create unique index company_logos_file_unique on company_logos (file_id);
-- The newest upload of a company decides whether a late one may become current.
create index company_logos_newest_idx on company_logos (company_id, uploaded_at desc, file_id desc);
