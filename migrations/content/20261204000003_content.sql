-- Files in S3 with their checks, storage quotas with a usage log, session materials, and
-- the read models of other contexts (sessions and their events, speaker assignments,
-- companies).

create table files (
    id uuid primary key,
    s3_bucket varchar(255) not null,
    s3_key varchar(1000) not null,
    original_filename varchar(255) not null,
    file_size_bytes bigint not null constraint files_size_positive check (file_size_bytes > 0),
    mime_type varchar(100) not null,
    -- SHA-256 the uploader declared (lowercase hex); the confirmation checks the object.
    checksum char(64) not null,
    content_type text not null constraint files_content_type_known check (content_type in (
        'presentation', 'logo', 'speaker_photo', 'speaker_cv', 'event_photo', 'archive_material')),
    owner_kind text not null constraint files_owner_kind_known check (owner_kind in ('session', 'company', 'speaker', 'event')),
    owner_id uuid not null,
    upload_status text not null constraint files_status_known check (upload_status in (
        'pending', 'uploading', 'completed', 'failed', 'virus_detected', 'deleted')),
    failure_reason text,
    uploaded_by text not null,
    uploader_role text not null,
    -- The quota the upload counts against (none for organizers).
    quota_id uuid,
    upload_expires_at timestamptz not null,
    uploaded_at timestamptz,
    public_url varchar(1000),
    metadata jsonb not null default '{}',
    download_count integer not null default 0,
    last_accessed_at timestamptz,
    deleted_at timestamptz,
    -- When the object left the store (deleted, failed, infected or expired files).
    object_removed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint files_s3_key_unique unique (s3_bucket, s3_key)
);

create index files_uploaded_by_idx on files (uploaded_by, created_at desc);
create index files_owner_idx on files (owner_kind, owner_id, content_type) where upload_status = 'completed';
create index files_pending_idx on files (upload_expires_at) where upload_status in ('pending', 'uploading');
create index files_object_to_remove_idx on files (updated_at)
    where object_removed_at is null and upload_status in ('failed', 'virus_detected', 'deleted');

create table storage_quotas (
    id uuid primary key,
    user_id text not null constraint storage_quotas_one_per_user unique,
    user_role text not null,
    quota_limit_bytes bigint not null,
    current_usage_bytes bigint not null default 0 constraint storage_quotas_usage_not_negative check (current_usage_bytes >= 0),
    file_count integer not null default 0 constraint storage_quotas_count_not_negative check (file_count >= 0),
    -- Who the person is, for the warning mail (the ids their token carries).
    speaker_id uuid,
    company_id uuid,
    attendee_id uuid,
    quota_warning_issued boolean not null default false,
    quota_exceeded_at timestamptz,
    last_updated timestamptz not null
);

create table storage_usage_log (
    id uuid primary key,
    user_id text not null,
    file_id uuid not null constraint storage_usage_log_file_fk references files (id),
    action text not null constraint storage_usage_log_action_known check (action in ('upload', 'delete')),
    file_size_bytes bigint not null,
    new_total_usage_bytes bigint not null,
    logged_at timestamptz not null
);

create index storage_usage_log_user_idx on storage_usage_log (user_id, logged_at desc);

-- Download links issued, one row per file, downloader and hour (the count's deduplication).
create table file_downloads (
    file_id uuid not null constraint file_downloads_file_fk references files (id),
    downloader text not null,
    hour timestamptz not null,
    constraint file_downloads_pk primary key (file_id, downloader, hour)
);

create table session_materials (
    session_id uuid primary key,
    event_id uuid not null,
    recording_url varchar(1000),
    photo_file_ids uuid[] not null default '{}',
    materials_published_at timestamptz,
    version bigint not null default 1,
    updated_at timestamptz not null
);

create table presentation_files (
    id uuid primary key,
    session_id uuid not null constraint presentation_files_session_fk references session_materials (session_id),
    file_id uuid not null constraint presentation_files_file_fk references files (id) constraint presentation_files_file_unique unique,
    title varchar(255) not null,
    description text,
    is_primary boolean not null default false,
    uploaded_by text not null,
    uploaded_at timestamptz not null
);

-- Exactly one primary presentation per session at most.
create unique index presentation_files_one_primary on presentation_files (session_id) where is_primary;
create index presentation_files_session_idx on presentation_files (session_id);

create table supplementary_materials (
    id uuid primary key,
    session_id uuid not null constraint supplementary_materials_session_fk references session_materials (session_id),
    -- A link without a file is allowed (resource links, demo videos elsewhere).
    file_id uuid constraint supplementary_materials_file_fk references files (id),
    url varchar(1000),
    title varchar(255) not null,
    description text,
    material_type text not null constraint supplementary_materials_type_known check (material_type in (
        'code_sample', 'slides', 'handout', 'resource_link', 'demo_video')),
    uploaded_by text not null,
    uploaded_at timestamptz not null,
    constraint supplementary_materials_file_or_link check ((file_id is null) <> (url is null))
);

create index supplementary_materials_session_idx on supplementary_materials (session_id);

-- Read models.

create table known_sessions (
    session_id uuid primary key,
    event_id uuid not null,
    title varchar(500) not null,
    cancelled boolean not null default false,
    version bigint not null
);

create table known_events (
    event_id uuid primary key,
    published boolean not null default false
);

-- Speakers who accepted a session (they manage its materials).
create table session_speakers (
    session_id uuid not null,
    speaker_id uuid not null,
    active boolean not null,
    constraint session_speakers_pk primary key (session_id, speaker_id)
);

create table company_directory (
    company_id uuid primary key,
    name varchar(255) not null,
    display_name varchar(255) not null,
    is_partner boolean not null,
    archived_at timestamptz,
    logo_url varchar(1000),
    version bigint not null default 1
);

create table erased_speakers (
    speaker_id uuid primary key,
    erased_at timestamptz not null
);
