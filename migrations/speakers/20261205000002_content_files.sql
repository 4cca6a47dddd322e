-- The files of the content context (content.file.uploaded.v1 / content.file.deleted.v1):
-- a submission's materials must name files that exist, are presentations and belong to the
-- assignment's session or its speaker; a speaker photo becomes the profile photo. Content
-- types and owner kinds are kept as the producer named them (a newer producer may add
-- values), so no check constraint here.

create table content_files (
    file_id uuid primary key,
    content_type text not null,
    owner_kind text not null,
    owner_id uuid not null,
    file_name text not null,
    mime_type text not null,
    size_bytes bigint not null,
    checksum text not null,
    public_url text,
    uploaded_by text not null,
    uploaded_at timestamptz not null,
    deleted_at timestamptz
);

create index content_files_owner_idx on content_files (owner_kind, owner_id);

-- The uploaded file the profile photo shows (the newest upload wins), so a later, older
-- upload changes nothing and the file's deletion clears the photo.
alter table speakers
    add column profile_photo_file_id uuid,
    add column profile_photo_uploaded_at timestamptz;
