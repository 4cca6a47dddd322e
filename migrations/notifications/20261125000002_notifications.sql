-- The notifications schema: the recipient directory and the other read models fed by
-- other contexts' events, templates, preferences, escalation rules with the material
-- obligations they watch, and the notification log that doubles as the delivery queue.

-- People who can be mailed: speakers and attendees (from their contexts' events) and
-- organizers (their own contact, given through the API). The id is the person's id in
-- the owning context (speaker id, attendee id, organizer's token subject).
create table recipients (
    id uuid primary key,
    kind text not null constraint recipients_kind_known check (kind in ('speaker', 'attendee', 'organizer')),
    email varchar(255) not null,
    display_name varchar(255) not null,
    language varchar(2) not null constraint recipients_language_known check (language in ('de', 'en')),
    -- False when the person opted out of optional mail in their own context.
    optional_mail boolean not null default true,
    updated_at timestamptz not null
);

-- Who organizes which event (event_id null: every event), from RoleGranted / RoleRevoked.
create table organizer_roles (
    role_id uuid primary key,
    user_id uuid not null,
    event_id uuid
);
create index organizer_roles_event_idx on organizer_roles (event_id);

create table event_directory (
    event_id uuid primary key,
    event_number integer not null,
    title varchar(255) not null,
    event_date timestamptz not null,
    registration_deadline timestamptz not null
);

create table session_directory (
    session_id uuid primary key,
    event_id uuid not null,
    title varchar(255) not null
);

-- Newsletter subscriptions by attendee, from NewsletterSubscriptionChanged.
create table newsletter_subscribers (
    attendee_id uuid primary key,
    status text not null
);

-- Addresses that bounced permanently or complained: no further mail goes to them.
create table suppressed_addresses (
    email varchar(255) primary key,
    reason text not null constraint suppressed_addresses_reason_known check (reason in ('bounce', 'complaint')),
    ses_message_id varchar(100),
    suppressed_at timestamptz not null
);

create table email_templates (
    id uuid primary key,
    template_type text not null,
    language varchar(2) not null constraint email_templates_language_known check (language in ('de', 'en')),
    subject varchar(200) not null,
    html_body text not null,
    text_body text not null,
    variables jsonb not null,
    version integer not null,
    is_active boolean not null,
    created_by uuid,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint email_templates_version_unique unique (template_type, language, version)
);
-- A new version never overwrites an old one; exactly one is active per type and language.
create unique index email_templates_one_active on email_templates (template_type, language) where is_active;

create table notification_preferences (
    id uuid primary key,
    user_id uuid not null,
    channel text not null constraint notification_preferences_channel_known check (channel in ('email', 'in_app', 'push', 'sms')),
    -- A notification type, or `all` for the user's default on the channel.
    notification_type varchar(50) not null,
    is_enabled boolean not null default true,
    frequency text not null default 'immediate' constraint notification_preferences_frequency_known check (frequency in ('immediate', 'daily_digest', 'weekly_digest')),
    quiet_hours_start time,
    quiet_hours_end time,
    updated_at timestamptz not null,
    constraint notification_preferences_unique unique (user_id, channel, notification_type),
    constraint notification_preferences_quiet_hours_paired check ((quiet_hours_start is null) = (quiet_hours_end is null))
);

create table escalation_rules (
    id uuid primary key,
    event_id uuid not null,
    rule_type text not null constraint escalation_rules_type_known check (rule_type in ('speaker_deadline', 'content_review')),
    tier_1_hours_before integer not null,
    tier_2_hours_before integer not null,
    tier_3_hours_before integer not null,
    -- Minutes after the tier 3 time with nothing submitted before backups are alerted.
    escalation_threshold integer,
    backup_organizer_ids uuid[] not null default '{}',
    -- The material deadline of the event's speakers (speaker_deadline rules).
    material_deadline timestamptz,
    is_active boolean not null default true,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 1,
    constraint escalation_rules_valid_tiers check (tier_1_hours_before > tier_2_hours_before and tier_2_hours_before > tier_3_hours_before and tier_3_hours_before >= 0),
    constraint escalation_rules_threshold_positive check (escalation_threshold is null or escalation_threshold >= 0),
    constraint escalation_rules_deadline_given check (rule_type <> 'speaker_deadline' or material_deadline is not null)
);
create unique index escalation_rules_one_active on escalation_rules (event_id, rule_type) where is_active;

-- What a speaker owes: material after accepting (speaker_deadline, due at the rule's
-- deadline) or a revision after a review asked for changes (content_review, due at the
-- revision deadline). The scheduler's progress is kept here, so a restart never repeats
-- a tier: tiers_sent counts the tiers mailed for the current deadline.
create table material_obligations (
    assignment_id uuid primary key,
    speaker_id uuid not null,
    session_id uuid not null,
    event_id uuid not null,
    rule_type text not null constraint material_obligations_type_known check (rule_type in ('speaker_deadline', 'content_review')),
    deadline timestamptz,
    tiers_sent integer not null default 0 constraint material_obligations_tiers_range check (tiers_sent between 0 and 3),
    escalated_at timestamptz,
    submitted_at timestamptz,
    updated_at timestamptz not null
);
create index material_obligations_open_idx on material_obligations (event_id) where submitted_at is null;

-- Every notification: its rendered mail and its delivery. Rows are the delivery queue too:
-- `pending` rows are sent once `send_after` has passed; `held` rows wait for a digest.
create table notification_log (
    id uuid primary key,
    user_id uuid not null,
    recipient_email varchar(255),
    notification_type varchar(50) not null,
    channel text not null,
    template_id uuid constraint notification_log_template_fk references email_templates (id),
    template_version integer,
    language varchar(2),
    subject varchar(200) not null,
    html_body text not null,
    text_body text not null,
    delivery_status text not null constraint notification_log_status_known check (delivery_status in (
        'pending', 'held', 'digested', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'suppressed')),
    send_after timestamptz not null,
    digest_frequency text constraint notification_log_digest_known check (digest_frequency in ('daily_digest', 'weekly_digest')),
    digest_id uuid,
    attempts integer not null default 0,
    sent_at timestamptz,
    ses_message_id varchar(100),
    error_message text,
    metadata jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index notification_log_user_sent on notification_log (user_id, created_at desc);
create index notification_log_ses_message on notification_log (ses_message_id);
create index notification_log_delivery_status on notification_log (delivery_status, created_at desc);
create index notification_log_due on notification_log (send_after) where delivery_status = 'pending';
create index notification_log_held on notification_log (user_id, digest_frequency) where delivery_status = 'held';

-- Events whose mail needs a read model that has not caught up yet (a profile or a session
-- announced on another partition or topic): parked in the inbox transaction and applied
-- again by the scheduler once what they wait for has arrived. The consumer goes on.
create table deferred_events (
    event_id uuid primary key,
    envelope jsonb not null,
    waiting_for text not null,
    attempts integer not null default 0,
    deferred_at timestamptz not null,
    retried_at timestamptz
);
