-- The storage quota warning (the content context's `StorageQuotaWarning`): its default
-- templates, and what it takes to reach a partner integration's person: which partner a
-- company is (from `PartnerChanged`) and which of the partner's contacts is primary (from
-- `PartnerContactChanged`).

create table partner_directory (
    partner_id uuid primary key,
    company_id uuid not null
);
create index partner_directory_company_idx on partner_directory (company_id);

-- The contact's details are in `recipients` (same id); this row says whose contact it is.
create table partner_contacts (
    contact_id uuid primary key,
    partner_id uuid not null,
    is_primary boolean not null
);
create index partner_contacts_partner_idx on partner_contacts (partner_id) where is_primary;

insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'storage_quota_warning', 'de',
    $t$Ihr Speicherplatz ist zu {{ percentage }} % belegt$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Ihre hochgeladenen Dateien belegen {{ usage }} MB von {{ limit }} MB Speicherplatz ({{ percentage }} %). Ist er voll, können Sie keine weiteren Dateien hochladen.</p>
<p>Sie können Dateien, die Sie nicht mehr brauchen, löschen, um Speicherplatz freizugeben.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Ihre hochgeladenen Dateien belegen {{ usage }} MB von {{ limit }} MB Speicherplatz ({{ percentage }} %). Ist er voll, können Sie keine weiteren Dateien hochladen.

Sie können Dateien, die Sie nicht mehr brauchen, löschen, um Speicherplatz freizugeben.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "usage", "limit", "percentage"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'storage_quota_warning', 'en',
    $t$Your storage is {{ percentage }}% full$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Your uploaded files use {{ usage }} MB of your {{ limit }} MB of storage ({{ percentage }}%). Once it is full, you cannot upload further files.</p>
<p>You can delete files you no longer need to free up space.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Your uploaded files use {{ usage }} MB of your {{ limit }} MB of storage ({{ percentage }}%). Once it is full, you cannot upload further files.

You can delete files you no longer need to free up space.

Kind regards
BATbern$t$,
    '["recipientName", "usage", "limit", "percentage"]'::jsonb, 1, true, null, now(), now());
