-- Default templates of the mail a speaker gets when the overflow voting did not select
-- them: they no longer speak in the session, and their material deadlines end.

insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'overflow_declined', 'de',
    $t$Ihr Beitrag bei {{ eventTitle }}: «{{ sessionTitle }}»$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Vielen Dank für Ihre Zusage für «{{ sessionTitle }}» an «{{ eventTitle }}». Es haben mehr Referentinnen und Referenten zugesagt, als das Programm Platz bietet, und die Organisatoren haben sich für andere Beiträge entschieden ({{ reason }}).</p>
<p>Sie stehen deshalb nicht auf der Agenda dieses Anlasses, und wir erinnern Sie an keine Fristen mehr. Wir melden uns gerne für einen künftigen Anlass.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Vielen Dank für Ihre Zusage für «{{ sessionTitle }}» an «{{ eventTitle }}». Es haben mehr Referentinnen und Referenten zugesagt, als das Programm Platz bietet, und die Organisatoren haben sich für andere Beiträge entschieden ({{ reason }}).

Sie stehen deshalb nicht auf der Agenda dieses Anlasses, und wir erinnern Sie an keine Fristen mehr. Wir melden uns gerne für einen künftigen Anlass.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "eventTitle", "reason"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'overflow_declined', 'en',
    $t$Your talk at {{ eventTitle }}: “{{ sessionTitle }}”$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Thank you for accepting to speak in “{{ sessionTitle }}” at “{{ eventTitle }}”. More speakers accepted than the programme has room for, and the organizers chose other talks ({{ reason }}).</p>
<p>You are therefore not on this event's agenda, and we will not remind you of any deadline. We would be glad to hear from you for a future event.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Thank you for accepting to speak in “{{ sessionTitle }}” at “{{ eventTitle }}”. More speakers accepted than the programme has room for, and the organizers chose other talks ({{ reason }}).

You are therefore not on this event's agenda, and we will not remind you of any deadline. We would be glad to hear from you for a future event.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "eventTitle", "reason"]'::jsonb, 1, true, null, now(), now());
