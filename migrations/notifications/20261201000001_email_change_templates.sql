-- Default templates of the address-change mails: the confirmation link goes to the new
-- address; the current address is told that a change was asked for.

insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'email_change_confirmation', 'de',
    $t$Bitte bestätigen Sie Ihre neue Adresse bei BATbern$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Sie möchten, dass BATbern Ihnen künftig an diese Adresse schreibt.</p>
<p>Bitte bestätigen Sie das über den folgenden Link; er ist gültig bis {{ expiresAt }}. Bis dahin schreiben wir Ihnen an Ihre bisherige Adresse.</p>
<p><a href="{{ confirmationLink }}">Neue Adresse bestätigen</a></p>
<p>Falls Sie das nicht veranlasst haben, können Sie diese E-Mail ignorieren.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Sie möchten, dass BATbern Ihnen künftig an diese Adresse schreibt.

Bitte bestätigen Sie das über den folgenden Link; er ist gültig bis {{ expiresAt }}. Bis dahin schreiben wir Ihnen an Ihre bisherige Adresse.

Neue Adresse bestätigen: {{ confirmationLink }}

Falls Sie das nicht veranlasst haben, können Sie diese E-Mail ignorieren.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "confirmationLink", "expiresAt"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'email_change_confirmation', 'en',
    $t$Please confirm your new address at BATbern$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>You asked BATbern to write to this address from now on.</p>
<p>Please confirm with the link below; it works until {{ expiresAt }}. Until then we keep writing to your current address.</p>
<p><a href="{{ confirmationLink }}">Confirm new address</a></p>
<p>If you did not ask for this, you can ignore this e-mail.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

You asked BATbern to write to this address from now on.

Please confirm with the link below; it works until {{ expiresAt }}. Until then we keep writing to your current address.

Confirm new address: {{ confirmationLink }}

If you did not ask for this, you can ignore this e-mail.

Kind regards
BATbern$t$,
    '["recipientName", "confirmationLink", "expiresAt"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'email_change_notice', 'de',
    $t$Ihre Adresse bei BATbern soll geändert werden$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Für Ihr BATbern-Profil wurde eine neue E-Mail-Adresse angegeben. Sie wird erst verwendet, wenn sie über den Link bestätigt ist, den wir an die neue Adresse geschickt haben.</p>
<p>Falls Sie das nicht veranlasst haben, melden Sie sich bitte beim BATbern-Team; bis zur Bestätigung ändert sich nichts.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Für Ihr BATbern-Profil wurde eine neue E-Mail-Adresse angegeben. Sie wird erst verwendet, wenn sie über den Link bestätigt ist, den wir an die neue Adresse geschickt haben.

Falls Sie das nicht veranlasst haben, melden Sie sich bitte beim BATbern-Team; bis zur Bestätigung ändert sich nichts.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'email_change_notice', 'en',
    $t$Your address at BATbern is about to change$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>A new e-mail address was given for your BATbern profile. It is used only once it is confirmed with the link we sent to the new address.</p>
<p>If you did not ask for this, please contact the BATbern team; nothing changes until the new address is confirmed.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

A new e-mail address was given for your BATbern profile. It is used only once it is confirmed with the link we sent to the new address.

If you did not ask for this, please contact the BATbern team; nothing changes until the new address is confirmed.

Kind regards
BATbern$t$,
    '["recipientName"]'::jsonb, 1, true, null, now(), now());
