-- Partner contacts join the recipient directory (from the partners context's sealed
-- contact announcements), and partner meetings get their invitation mail.

alter table recipients drop constraint recipients_kind_known;
alter table recipients add constraint recipients_kind_known
    check (kind in ('speaker', 'attendee', 'organizer', 'partner_contact'));

insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'partner_meeting_invitation', 'de',
    $t$Einladung: {{ meetingTitle }} am {{ scheduledAt }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Wir laden Sie als Kontakt von {{ companyName }} herzlich zum Partnertreffen «{{ meetingTitle }}» ein.</p>
<p><strong>Wann:</strong> {{ scheduledAt }}<br><strong>Wo:</strong> {{ location }}</p>
<p><strong>Traktanden</strong></p>
<p>{{ agenda }}</p>
<p>Bitte teilen Sie uns über Ihr Partnerportal mit, ob Sie teilnehmen.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Wir laden Sie als Kontakt von {{ companyName }} herzlich zum Partnertreffen «{{ meetingTitle }}» ein.

Wann: {{ scheduledAt }}
Wo: {{ location }}

Traktanden
{{ agenda }}

Bitte teilen Sie uns über Ihr Partnerportal mit, ob Sie teilnehmen.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "companyName", "meetingTitle", "scheduledAt", "location", "agenda"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'partner_meeting_invitation', 'en',
    $t$Invitation: {{ meetingTitle }} on {{ scheduledAt }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>As a contact of {{ companyName }}, you are warmly invited to the partner meeting “{{ meetingTitle }}”.</p>
<p><strong>When:</strong> {{ scheduledAt }}<br><strong>Where:</strong> {{ location }}</p>
<p><strong>Agenda</strong></p>
<p>{{ agenda }}</p>
<p>Please let us know through your partner portal whether you will attend.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

As a contact of {{ companyName }}, you are warmly invited to the partner meeting “{{ meetingTitle }}”.

When: {{ scheduledAt }}
Where: {{ location }}

Agenda
{{ agenda }}

Please let us know through your partner portal whether you will attend.

Kind regards
BATbern$t$,
    '["recipientName", "companyName", "meetingTitle", "scheduledAt", "location", "agenda"]'::jsonb, 1, true, null, now(), now());
