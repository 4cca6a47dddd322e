-- Downloads of session materials by a partner company's employees (attendees whose
-- company the attendance records name) and by its integration, from the content
-- context's `content.file.downloaded.v1` (analytics: `materialDownloads`).

create table material_downloads (
    -- The announcement's id: a redelivery is counted once.
    id uuid primary key,
    file_id uuid not null,
    event_id uuid,
    company_id uuid not null,
    downloaded_at timestamptz not null
);

create index material_downloads_company_idx on material_downloads (company_id);
