-- Default e-mail templates of the notifications context: version 1, active, in de and en for every template type.
-- Organizers add further versions through the API, which never overwrites these rows.

insert into email_templates (id, template_type, language, subject, html_body, text_body, variables, version, is_active, created_by, created_at, updated_at) values
(gen_random_uuid(), 'speaker_invitation', 'de',
    $t$Einladung zu BATbern: {{ sessionTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Wir laden Sie herzlich ein, bei BATbern in der Session «{{ sessionTitle }}» mitzuwirken{% if presentationTitle %}, mit dem Beitrag «{{ presentationTitle }}»{% endif %}.</p>
<p>Vorgesehen ist Ihre Mitwirkung als {% if role == "primary_speaker" %}Hauptreferentin bzw. Hauptreferent{% elif role == "co_speaker" %}Co-Referentin bzw. Co-Referent{% elif role == "moderator" %}Moderatorin bzw. Moderator{% elif role == "panelist" %}Podiumsteilnehmerin bzw. Podiumsteilnehmer{% else %}{{ role }}{% endif %}.</p>
<p>Über den folgenden Link können Sie die Einladung ohne Benutzerkonto annehmen oder ablehnen; er ist gültig bis {{ expiresAt }}.</p>
<p><a href="{{ invitationLink }}">Einladung beantworten</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Wir laden Sie herzlich ein, bei BATbern in der Session «{{ sessionTitle }}» mitzuwirken{% if presentationTitle %}, mit dem Beitrag «{{ presentationTitle }}»{% endif %}.

Vorgesehen ist Ihre Mitwirkung als {% if role == "primary_speaker" %}Hauptreferentin bzw. Hauptreferent{% elif role == "co_speaker" %}Co-Referentin bzw. Co-Referent{% elif role == "moderator" %}Moderatorin bzw. Moderator{% elif role == "panelist" %}Podiumsteilnehmerin bzw. Podiumsteilnehmer{% else %}{{ role }}{% endif %}.

Über den folgenden Link können Sie die Einladung ohne Benutzerkonto annehmen oder ablehnen; er ist gültig bis {{ expiresAt }}.

Einladung beantworten: {{ invitationLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "presentationTitle", "role", "invitationLink", "expiresAt"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'speaker_invitation', 'en',
    $t$Invitation to speak at BATbern: {{ sessionTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>We would like to invite you to take part in the BATbern session “{{ sessionTitle }}”{% if presentationTitle %} with the talk “{{ presentationTitle }}”{% endif %}.</p>
<p>We have planned your participation as {% if role == "primary_speaker" %}main speaker{% elif role == "co_speaker" %}co-speaker{% elif role == "moderator" %}moderator{% elif role == "panelist" %}panelist{% else %}{{ role }}{% endif %}.</p>
<p>You can accept or decline the invitation through the link below without an account; it is valid until {{ expiresAt }}.</p>
<p><a href="{{ invitationLink }}">Respond to the invitation</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

We would like to invite you to take part in the BATbern session “{{ sessionTitle }}”{% if presentationTitle %} with the talk “{{ presentationTitle }}”{% endif %}.

We have planned your participation as {% if role == "primary_speaker" %}main speaker{% elif role == "co_speaker" %}co-speaker{% elif role == "moderator" %}moderator{% elif role == "panelist" %}panelist{% else %}{{ role }}{% endif %}.

You can accept or decline the invitation through the link below without an account; it is valid until {{ expiresAt }}.

Respond to the invitation: {{ invitationLink }}

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "presentationTitle", "role", "invitationLink", "expiresAt"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_reminder_48h', 'de',
    $t$Erinnerung: Unterlagen für «{{ sessionTitle }}» bis {{ deadline }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Wir möchten Sie freundlich daran erinnern, dass Ihre Unterlagen für die Session «{{ sessionTitle }}» bis {{ deadline }} fällig sind.</p>
<p>Es bleiben Ihnen noch {{ hoursLeft }} Stunden – vielen Dank, dass Sie sie rechtzeitig einreichen.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Wir möchten Sie freundlich daran erinnern, dass Ihre Unterlagen für die Session «{{ sessionTitle }}» bis {{ deadline }} fällig sind.

Es bleiben Ihnen noch {{ hoursLeft }} Stunden – vielen Dank, dass Sie sie rechtzeitig einreichen.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_reminder_48h', 'en',
    $t$Reminder: material for “{{ sessionTitle }}” due by {{ deadline }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>This is a friendly reminder that your material for the session “{{ sessionTitle }}” is due by {{ deadline }}.</p>
<p>You have {{ hoursLeft }} hours left – thank you for submitting it in time.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

This is a friendly reminder that your material for the session “{{ sessionTitle }}” is due by {{ deadline }}.

You have {{ hoursLeft }} hours left – thank you for submitting it in time.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_reminder_24h', 'de',
    $t$Dringend: Unterlagen für «{{ sessionTitle }}» in {{ hoursLeft }} Stunden fällig$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Die Frist für Ihre Unterlagen zur Session «{{ sessionTitle }}» endet in {{ hoursLeft }} Stunden (bis {{ deadline }}).</p>
<p>Bitte reichen Sie Ihre Unterlagen so bald wie möglich ein, damit wir das Programm fertigstellen können.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Die Frist für Ihre Unterlagen zur Session «{{ sessionTitle }}» endet in {{ hoursLeft }} Stunden (bis {{ deadline }}).

Bitte reichen Sie Ihre Unterlagen so bald wie möglich ein, damit wir das Programm fertigstellen können.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_reminder_24h', 'en',
    $t$Urgent: material for “{{ sessionTitle }}” due in {{ hoursLeft }} hours$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The deadline for your material for the session “{{ sessionTitle }}” ends in {{ hoursLeft }} hours (due by {{ deadline }}).</p>
<p>Please submit your material as soon as possible so that we can finalize the programme.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The deadline for your material for the session “{{ sessionTitle }}” ends in {{ hoursLeft }} hours (due by {{ deadline }}).

Please submit your material as soon as possible so that we can finalize the programme.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_critical', 'de',
    $t$Kritisch: Frist für «{{ sessionTitle }}» erreicht$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Die Frist für Ihre Unterlagen zur Session «{{ sessionTitle }}» ist erreicht oder läuft in Kürze ab (bis {{ deadline }}, verbleibend: {{ hoursLeft }} Stunden).</p>
<p>Bitte reichen Sie Ihre Unterlagen umgehend ein.</p>
<p>Geht nichts ein, informieren wir das Organisationskomitee, damit es das weitere Vorgehen mit Ihnen klären kann.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Die Frist für Ihre Unterlagen zur Session «{{ sessionTitle }}» ist erreicht oder läuft in Kürze ab (bis {{ deadline }}, verbleibend: {{ hoursLeft }} Stunden).

Bitte reichen Sie Ihre Unterlagen umgehend ein.

Geht nichts ein, informieren wir das Organisationskomitee, damit es das weitere Vorgehen mit Ihnen klären kann.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_critical', 'en',
    $t$Critical: deadline for “{{ sessionTitle }}” reached$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The deadline for your material for the session “{{ sessionTitle }}” has been reached or is imminent (due by {{ deadline }}, {{ hoursLeft }} hours left).</p>
<p>Please submit your material immediately.</p>
<p>If nothing arrives, we will inform the organizing committee so that they can agree on the next steps with you.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The deadline for your material for the session “{{ sessionTitle }}” has been reached or is imminent (due by {{ deadline }}, {{ hoursLeft }} hours left).

Please submit your material immediately.

If nothing arrives, we will inform the organizing committee so that they can agree on the next steps with you.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "deadline", "hoursLeft"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'material_received_confirmation', 'de',
    $t$Unterlagen erhalten: {{ sessionTitle }} (Revision {{ revision }})$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Vielen Dank – wir haben Ihre Unterlagen für die Session «{{ sessionTitle }}» erhalten (Revision {{ revision }}).</p>
<p>Das Organisationskomitee prüft sie und meldet sich bei Ihnen, falls noch Anpassungen nötig sind.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Vielen Dank – wir haben Ihre Unterlagen für die Session «{{ sessionTitle }}» erhalten (Revision {{ revision }}).

Das Organisationskomitee prüft sie und meldet sich bei Ihnen, falls noch Anpassungen nötig sind.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "revision"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'material_received_confirmation', 'en',
    $t$Material received: {{ sessionTitle }} (revision {{ revision }})$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Thank you – we have received your material for the session “{{ sessionTitle }}” (revision {{ revision }}).</p>
<p>The organizing committee will review it and get back to you if any changes are needed.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Thank you – we have received your material for the session “{{ sessionTitle }}” (revision {{ revision }}).

The organizing committee will review it and get back to you if any changes are needed.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "revision"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'event_published', 'de',
    $t$BATbern {{ eventNumber }}: «{{ eventTitle }}» am {{ eventDate }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>BATbern {{ eventNumber }} «{{ eventTitle }}» am {{ eventDate }} ist veröffentlicht.</p>
<p>Bitte melden Sie sich bis {{ registrationDeadline }} an – wir freuen uns auf Ihre Teilnahme.</p>
<p><a href="{{ agendaLink }}">Agenda ansehen</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

BATbern {{ eventNumber }} «{{ eventTitle }}» am {{ eventDate }} ist veröffentlicht.

Bitte melden Sie sich bis {{ registrationDeadline }} an – wir freuen uns auf Ihre Teilnahme.

Agenda ansehen: {{ agendaLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventNumber", "eventDate", "registrationDeadline", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'event_published', 'en',
    $t$BATbern {{ eventNumber }}: “{{ eventTitle }}” on {{ eventDate }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>BATbern {{ eventNumber }} “{{ eventTitle }}” on {{ eventDate }} has been published.</p>
<p>Please register by {{ registrationDeadline }} – we look forward to seeing you.</p>
<p><a href="{{ agendaLink }}">View the agenda</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

BATbern {{ eventNumber }} “{{ eventTitle }}” on {{ eventDate }} has been published.

Please register by {{ registrationDeadline }} – we look forward to seeing you.

View the agenda: {{ agendaLink }}

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventNumber", "eventDate", "registrationDeadline", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_progressive', 'de',
    $t$Programm-Update: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Das Programm von «{{ eventTitle }}» am {{ eventDate }} nimmt Gestalt an.</p>
<p>Weitere Referentinnen und Referenten haben zugesagt, und die Agenda wird laufend ergänzt.</p>
<p><a href="{{ agendaLink }}">Aktuelle Agenda ansehen</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Das Programm von «{{ eventTitle }}» am {{ eventDate }} nimmt Gestalt an.

Weitere Referentinnen und Referenten haben zugesagt, und die Agenda wird laufend ergänzt.

Aktuelle Agenda ansehen: {{ agendaLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_progressive', 'en',
    $t$Programme update: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The programme of “{{ eventTitle }}” on {{ eventDate }} is taking shape.</p>
<p>More speakers have confirmed, and the agenda is being completed step by step.</p>
<p><a href="{{ agendaLink }}">View the current agenda</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The programme of “{{ eventTitle }}” on {{ eventDate }} is taking shape.

More speakers have confirmed, and the agenda is being completed step by step.

View the current agenda: {{ agendaLink }}

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_final', 'de',
    $t$Das definitive Programm: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Das Programm von «{{ eventTitle }}» am {{ eventDate }} ist komplett.</p>
<p>Alle Sessions und Referierenden stehen fest – wir freuen uns auf Ihren Besuch.</p>
<p><a href="{{ agendaLink }}">Definitives Programm ansehen</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Das Programm von «{{ eventTitle }}» am {{ eventDate }} ist komplett.

Alle Sessions und Referierenden stehen fest – wir freuen uns auf Ihren Besuch.

Definitives Programm ansehen: {{ agendaLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_final', 'en',
    $t$Final programme: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The programme of “{{ eventTitle }}” on {{ eventDate }} is complete.</p>
<p>All sessions and speakers are confirmed – we look forward to seeing you.</p>
<p><a href="{{ agendaLink }}">View the final programme</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The programme of “{{ eventTitle }}” on {{ eventDate }} is complete.

All sessions and speakers are confirmed – we look forward to seeing you.

View the final programme: {{ agendaLink }}

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'agenda_update', 'de',
    $t$Agenda geändert: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Die Agenda von «{{ eventTitle }}» am {{ eventDate }} wurde geändert.</p>
<p>Bitte prüfen Sie die aktuelle Version, damit Ihnen keine Änderung entgeht.</p>
<p><a href="{{ agendaLink }}">Aktuelle Agenda ansehen</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Die Agenda von «{{ eventTitle }}» am {{ eventDate }} wurde geändert.

Bitte prüfen Sie die aktuelle Version, damit Ihnen keine Änderung entgeht.

Aktuelle Agenda ansehen: {{ agendaLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'agenda_update', 'en',
    $t$Agenda changed: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The agenda of “{{ eventTitle }}” on {{ eventDate }} has changed.</p>
<p>Please check the current version so that you don't miss any changes.</p>
<p><a href="{{ agendaLink }}">View the current agenda</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The agenda of “{{ eventTitle }}” on {{ eventDate }} has changed.

Please check the current version so that you don't miss any changes.

View the current agenda: {{ agendaLink }}

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate", "agendaLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_confirmed', 'de',
    $t$Anmeldung bestätigt: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} ist bestätigt.</p>
<p>Wir freuen uns auf Ihren Besuch.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} ist bestätigt.

Wir freuen uns auf Ihren Besuch.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_confirmed', 'en',
    $t$Registration confirmed: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Your registration for “{{ eventTitle }}” on {{ eventDate }} is confirmed.</p>
<p>We look forward to seeing you.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Your registration for “{{ eventTitle }}” on {{ eventDate }} is confirmed.

We look forward to seeing you.

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_waitlisted', 'de',
    $t$Warteliste: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>«{{ eventTitle }}» am {{ eventDate }} ist leider ausgebucht.</p>
<p>Wir haben Sie auf die Warteliste gesetzt und benachrichtigen Sie per E-Mail, sobald ein Platz frei wird.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

«{{ eventTitle }}» am {{ eventDate }} ist leider ausgebucht.

Wir haben Sie auf die Warteliste gesetzt und benachrichtigen Sie per E-Mail, sobald ein Platz frei wird.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_waitlisted', 'en',
    $t$Waitlist: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Unfortunately, “{{ eventTitle }}” on {{ eventDate }} is fully booked.</p>
<p>We have put you on the waitlist and will e-mail you as soon as a seat becomes available.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Unfortunately, “{{ eventTitle }}” on {{ eventDate }} is fully booked.

We have put you on the waitlist and will e-mail you as soon as a seat becomes available.

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_promoted', 'de',
    $t$Ein Platz ist frei geworden: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Gute Nachrichten: Für «{{ eventTitle }}» am {{ eventDate }} ist ein Platz frei geworden.</p>
<p>Sie sind von der Warteliste nachgerückt, und Ihre Anmeldung ist nun bestätigt.</p>
<p>Wir freuen uns auf Ihren Besuch.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Gute Nachrichten: Für «{{ eventTitle }}» am {{ eventDate }} ist ein Platz frei geworden.

Sie sind von der Warteliste nachgerückt, und Ihre Anmeldung ist nun bestätigt.

Wir freuen uns auf Ihren Besuch.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_promoted', 'en',
    $t$A seat is available: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Good news: a seat has become available for “{{ eventTitle }}” on {{ eventDate }}.</p>
<p>You have moved up from the waitlist, and your registration is now confirmed.</p>
<p>We look forward to seeing you.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Good news: a seat has become available for “{{ eventTitle }}” on {{ eventDate }}.

You have moved up from the waitlist, and your registration is now confirmed.

We look forward to seeing you.

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_cancelled', 'de',
    $t$Anmeldung storniert: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} wurde storniert.</p>
<p>Falls Sie doch teilnehmen möchten, können Sie sich erneut anmelden, solange Plätze verfügbar sind.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} wurde storniert.

Falls Sie doch teilnehmen möchten, können Sie sich erneut anmelden, solange Plätze verfügbar sind.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_cancelled', 'en',
    $t$Registration cancelled: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Your registration for “{{ eventTitle }}” on {{ eventDate }} has been cancelled.</p>
<p>If you would still like to attend, you are welcome to register again while seats are available.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Your registration for “{{ eventTitle }}” on {{ eventDate }} has been cancelled.

If you would still like to attend, you are welcome to register again while seats are available.

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_rejected', 'de',
    $t$Anmeldung nicht möglich: {{ eventTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} konnte leider nicht entgegengenommen werden.</p>
<p>Grund: {{ reason }}</p>
<p>Wir hoffen, Sie an einem der nächsten BATbern-Anlässe begrüssen zu dürfen.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Ihre Anmeldung für «{{ eventTitle }}» am {{ eventDate }} konnte leider nicht entgegengenommen werden.

Grund: {{ reason }}

Wir hoffen, Sie an einem der nächsten BATbern-Anlässe begrüssen zu dürfen.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "eventTitle", "eventDate", "reason"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'registration_rejected', 'en',
    $t$Registration not possible: {{ eventTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Unfortunately, we could not accept your registration for “{{ eventTitle }}” on {{ eventDate }}.</p>
<p>Reason: {{ reason }}</p>
<p>We hope to welcome you at one of the next BATbern events.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Unfortunately, we could not accept your registration for “{{ eventTitle }}” on {{ eventDate }}.

Reason: {{ reason }}

We hope to welcome you at one of the next BATbern events.

Kind regards
BATbern$t$,
    '["recipientName", "eventTitle", "eventDate", "reason"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'speaker_accepted', 'de',
    $t$Zusage: {{ speakerName }} für «{{ sessionTitle }}»$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>{{ speakerName }} hat die Einladung zur Session «{{ sessionTitle }}» angenommen.</p>
<p>Als Nächstes folgen die Einreichung der Unterlagen und die Qualitätsprüfung.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

{{ speakerName }} hat die Einladung zur Session «{{ sessionTitle }}» angenommen.

Als Nächstes folgen die Einreichung der Unterlagen und die Qualitätsprüfung.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "speakerName", "sessionTitle"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'speaker_accepted', 'en',
    $t$Accepted: {{ speakerName }} for “{{ sessionTitle }}”$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>{{ speakerName }} has accepted the invitation to the session “{{ sessionTitle }}”.</p>
<p>The next steps are the material submission and the quality review.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

{{ speakerName }} has accepted the invitation to the session “{{ sessionTitle }}”.

The next steps are the material submission and the quality review.

Kind regards
BATbern$t$,
    '["recipientName", "speakerName", "sessionTitle"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'speaker_declined', 'de',
    $t$Absage: {{ speakerName }} für «{{ sessionTitle }}»$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>{{ speakerName }} hat die Einladung zur Session «{{ sessionTitle }}» abgelehnt.</p>
<p>{% if reason %}Begründung: {{ reason }}{% else %}Es wurde keine Begründung angegeben.{% endif %}</p>
<p>Bitte prüfen Sie, ob für die Session eine andere Person angefragt werden soll.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

{{ speakerName }} hat die Einladung zur Session «{{ sessionTitle }}» abgelehnt.

{% if reason %}Begründung: {{ reason }}{% else %}Es wurde keine Begründung angegeben.{% endif %}

Bitte prüfen Sie, ob für die Session eine andere Person angefragt werden soll.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "speakerName", "sessionTitle", "reason"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'speaker_declined', 'en',
    $t$Declined: {{ speakerName }} for “{{ sessionTitle }}”$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>{{ speakerName }} has declined the invitation to the session “{{ sessionTitle }}”.</p>
<p>{% if reason %}Reason given: {{ reason }}{% else %}No reason was given.{% endif %}</p>
<p>Please check whether someone else should be invited for the session.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

{{ speakerName }} has declined the invitation to the session “{{ sessionTitle }}”.

{% if reason %}Reason given: {{ reason }}{% else %}No reason was given.{% endif %}

Please check whether someone else should be invited for the session.

Kind regards
BATbern$t$,
    '["recipientName", "speakerName", "sessionTitle", "reason"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_confirmation', 'de',
    $t$Bitte bestätigen Sie Ihr BATbern-Newsletter-Abonnement$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Vielen Dank für Ihr Interesse am BATbern-Newsletter.</p>
<p>Bitte bestätigen Sie Ihr Abonnement über den folgenden Link; erst danach erhalten Sie den Newsletter.</p>
<p><a href="{{ confirmationLink }}">Abonnement bestätigen</a></p>
<p>Falls Sie den Newsletter nicht bestellt haben, können Sie diese E-Mail ignorieren; abmelden können Sie sich jederzeit.</p>
<p><a href="{{ unsubscribeLink }}">Newsletter abbestellen</a></p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Vielen Dank für Ihr Interesse am BATbern-Newsletter.

Bitte bestätigen Sie Ihr Abonnement über den folgenden Link; erst danach erhalten Sie den Newsletter.

Abonnement bestätigen: {{ confirmationLink }}

Falls Sie den Newsletter nicht bestellt haben, können Sie diese E-Mail ignorieren; abmelden können Sie sich jederzeit.

Newsletter abbestellen: {{ unsubscribeLink }}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "confirmationLink", "unsubscribeLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'newsletter_confirmation', 'en',
    $t$Please confirm your BATbern newsletter subscription$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Thank you for your interest in the BATbern newsletter.</p>
<p>Please confirm your subscription using the link below; you will only receive the newsletter once you have confirmed.</p>
<p><a href="{{ confirmationLink }}">Confirm subscription</a></p>
<p>If you did not sign up, you can ignore this e-mail; you can unsubscribe at any time.</p>
<p><a href="{{ unsubscribeLink }}">Unsubscribe</a></p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Thank you for your interest in the BATbern newsletter.

Please confirm your subscription using the link below; you will only receive the newsletter once you have confirmed.

Confirm subscription: {{ confirmationLink }}

If you did not sign up, you can ignore this e-mail; you can unsubscribe at any time.

Unsubscribe: {{ unsubscribeLink }}

Kind regards
BATbern$t$,
    '["recipientName", "confirmationLink", "unsubscribeLink"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'changes_requested', 'de',
    $t$Anpassungen gewünscht: {{ sessionTitle }}$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Bei der Qualitätsprüfung Ihrer Unterlagen für die Session «{{ sessionTitle }}» wurden Anpassungen gewünscht.</p>
<p>Rückmeldung des Organisationskomitees: {{ feedback }}</p>
<p>Bitte reichen Sie die überarbeitete Version bis {{ deadline }} ein.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Bei der Qualitätsprüfung Ihrer Unterlagen für die Session «{{ sessionTitle }}» wurden Anpassungen gewünscht.

Rückmeldung des Organisationskomitees: {{ feedback }}

Bitte reichen Sie die überarbeitete Version bis {{ deadline }} ein.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "sessionTitle", "feedback", "deadline"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'changes_requested', 'en',
    $t$Changes requested: {{ sessionTitle }}$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>The quality review of your material for the session “{{ sessionTitle }}” has requested some changes.</p>
<p>Feedback from the organizing committee: {{ feedback }}</p>
<p>Please submit the revised version by {{ deadline }}.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

The quality review of your material for the session “{{ sessionTitle }}” has requested some changes.

Feedback from the organizing committee: {{ feedback }}

Please submit the revised version by {{ deadline }}.

Kind regards
BATbern$t$,
    '["recipientName", "sessionTitle", "feedback", "deadline"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_escalation', 'de',
    $t$Eskalation: Unterlagen für «{{ sessionTitle }}» fehlen$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>{{ speakerName }} ({{ speakerEmail }}) hat für die Session «{{ sessionTitle }}» noch keine Unterlagen eingereicht, obwohl die Frist ({{ deadline }}) abgelaufen ist bzw. die letzte Erinnerung bereits verschickt wurde.</p>
<p>Bitte nehmen Sie direkt Kontakt auf und klären Sie das weitere Vorgehen.</p>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

{{ speakerName }} ({{ speakerEmail }}) hat für die Session «{{ sessionTitle }}» noch keine Unterlagen eingereicht, obwohl die Frist ({{ deadline }}) abgelaufen ist bzw. die letzte Erinnerung bereits verschickt wurde.

Bitte nehmen Sie direkt Kontakt auf und klären Sie das weitere Vorgehen.

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "speakerName", "speakerEmail", "sessionTitle", "deadline"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'deadline_escalation', 'en',
    $t$Escalation: material for “{{ sessionTitle }}” missing$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>{{ speakerName }} ({{ speakerEmail }}) has not yet submitted material for the session “{{ sessionTitle }}”, although the deadline ({{ deadline }}) has passed or the final reminder has already been sent.</p>
<p>Please get in touch directly and agree on how to proceed.</p>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

{{ speakerName }} ({{ speakerEmail }}) has not yet submitted material for the session “{{ sessionTitle }}”, although the deadline ({{ deadline }}) has passed or the final reminder has already been sent.

Please get in touch directly and agree on how to proceed.

Kind regards
BATbern$t$,
    '["recipientName", "speakerName", "speakerEmail", "sessionTitle", "deadline"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'digest', 'de',
    $t${% if period == "weekly" %}Wochenübersicht{% else %}Tagesübersicht{% endif %} von BATbern: {{ items|length }} Mitteilungen$t$,
    $t$<p>Guten Tag {{ recipientName }}</p>
<p>Hier ist Ihre {% if period == "weekly" %}Wochenübersicht{% else %}Tagesübersicht{% endif %} mit den BATbern-Mitteilungen seit der letzten Zusammenfassung.</p>
<ul>
{% for item in items %}<li><strong>{{ item.subject }}</strong><br>{{ item.text }}</li>
{% endfor %}</ul>
<p>Freundliche Grüsse<br>Ihr BATbern-Team</p>$t$,
    $t$Guten Tag {{ recipientName }}

Hier ist Ihre {% if period == "weekly" %}Wochenübersicht{% else %}Tagesübersicht{% endif %} mit den BATbern-Mitteilungen seit der letzten Zusammenfassung.

{% for item in items %}- {{ item.subject }}
  {{ item.text }}{% if not loop.last %}
{% endif %}{% endfor %}

Freundliche Grüsse
Ihr BATbern-Team$t$,
    '["recipientName", "period", "items"]'::jsonb, 1, true, null, now(), now()),
(gen_random_uuid(), 'digest', 'en',
    $t$Your BATbern {% if period == "weekly" %}weekly{% else %}daily{% endif %} digest: {{ items|length }} notifications$t$,
    $t$<p>Hello {{ recipientName }},</p>
<p>Here is your {% if period == "weekly" %}weekly{% else %}daily{% endif %} digest of BATbern notifications since the last summary.</p>
<ul>
{% for item in items %}<li><strong>{{ item.subject }}</strong><br>{{ item.text }}</li>
{% endfor %}</ul>
<p>Kind regards<br>BATbern</p>$t$,
    $t$Hello {{ recipientName }},

Here is your {% if period == "weekly" %}weekly{% else %}daily{% endif %} digest of BATbern notifications since the last summary.

{% for item in items %}- {{ item.subject }}
  {{ item.text }}{% if not loop.last %}
{% endif %}{% endfor %}

Kind regards
BATbern$t$,
    '["recipientName", "period", "items"]'::jsonb, 1, true, null, now(), now());
