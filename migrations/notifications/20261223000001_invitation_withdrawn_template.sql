-- The mail to a speaker whose invitation to a session the organizers withdrew before it was
-- answered (the speakers context's `InvitationWithdrawn`): the link no longer works.
insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'invitation_withdrawn', 'de',
    $t$Einladung zurückgezogen: {{ sessionTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Das Organisationsteam hat die Einladung zur Session «{{ sessionTitle }}» zurückgezogen. Der Link in der Einladung ist nicht mehr gültig; Sie müssen nichts weiter tun.</p>
<p>Bei Fragen meldet sich das Organisationsteam gerne bei Ihnen.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Das Organisationsteam hat die Einladung zur Session «{{ sessionTitle }}» zurückgezogen. Der Link in der Einladung ist nicht mehr gültig; Sie müssen nichts weiter tun.

Bei Fragen meldet sich das Organisationsteam gerne bei Ihnen.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'invitation_withdrawn', 'en',
    $t$Invitation withdrawn: {{ sessionTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The organizers have withdrawn the invitation to the session "{{ sessionTitle }}". The link in the invitation no longer works; there is nothing you need to do.</p>
<p>The organizers will gladly answer any questions.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The organizers have withdrawn the invitation to the session "{{ sessionTitle }}". The link in the invitation no longer works; there is nothing you need to do.

The organizers will gladly answer any questions.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle"]'::jsonb, 1, true, null, now(), now());
