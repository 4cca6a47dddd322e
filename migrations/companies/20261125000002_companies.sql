-- Companies: the central directory of organisations that speakers, partners and attendees
-- belong to. Other contexts keep read models of it, fed by CompanyCreated/Updated/Archived.

create table companies (
    id uuid primary key,
    name varchar(255) not null,
    display_name varchar(255) not null,
    is_partner boolean not null default false,
    website varchar(500),
    industry varchar(100) not null,
    employee_count integer constraint companies_employee_count_not_negative check (employee_count >= 0),
    headquarters jsonb,
    description text,
    social_links jsonb not null default '{}',
    -- The token subject of the organizer who created it.
    created_by text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    archived_at timestamptz,
    -- Optimistic concurrency: the ETag of the company.
    version bigint not null default 1
);

-- Names are unique regardless of case; the API turns a violation into 409 with the existing id.
create unique index companies_name_unique on companies (lower(name));
create index companies_list_order_idx on companies (lower(name), id);
create index companies_is_partner_idx on companies (is_partner);
create index companies_industry_idx on companies (lower(industry));

create table company_logos (
    id uuid primary key,
    company_id uuid not null constraint company_logos_company_fk references companies (id) on delete cascade,
    file_id uuid not null,
    file_name varchar(255) not null,
    mime_type varchar(100) not null,
    file_size_bytes bigint not null constraint company_logos_size_positive check (file_size_bytes > 0),
    s3_key varchar(500) not null,
    uploaded_at timestamptz not null,
    uploaded_by text not null,
    is_current boolean not null default true
);

-- At most one current logo per company (the content saga swaps it atomically).
create unique index company_logos_one_current on company_logos (company_id) where is_current;
