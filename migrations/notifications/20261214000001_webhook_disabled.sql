-- The mail to a partner's primary contact when the partner's webhook subscription was
-- disabled after its deliveries kept failing (the partners context's
-- `PartnerWebhookDisabled`).
insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'webhook_disabled', 'de',
    $t$Ihr Webhook wurde deaktiviert$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Wir konnten {{ failedDeliveries }} Ereignisse nacheinander nicht an {{ url }} zustellen, auch nicht nach allen Wiederholungen. Wir haben das Abonnement deshalb deaktiviert.</p>
<p>Prüfen Sie die Adresse und das Zustellprotokoll Ihres Webhooks und abonnieren Sie die Adresse neu, sobald sie wieder antwortet.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Wir konnten {{ failedDeliveries }} Ereignisse nacheinander nicht an {{ url }} zustellen, auch nicht nach allen Wiederholungen. Wir haben das Abonnement deshalb deaktiviert.

Prüfen Sie die Adresse und das Zustellprotokoll Ihres Webhooks und abonnieren Sie die Adresse neu, sobald sie wieder antwortet.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "url", "failedDeliveries"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'webhook_disabled', 'en',
    $t$Your webhook was disabled$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>We could not deliver {{ failedDeliveries }} events in a row to {{ url }}, not even after all retries, so we disabled the subscription.</p>
<p>Check the address and your webhook's delivery log, and subscribe the address again once it answers.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

We could not deliver {{ failedDeliveries }} events in a row to {{ url }}, not even after all retries, so we disabled the subscription.

Check the address and your webhook's delivery log, and subscribe the address again once it answers.

Kind regards
BATbern$t$,
    '["recipientName", "url", "failedDeliveries"]'::jsonb, 1, true, null, now(), now());
