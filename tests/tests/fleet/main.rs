//! Black-box tests of the fleet against the real Postgres and the real broker.

mod attendees_api;
mod attendees_attendance;
mod attendees_errors;
mod attendees_newsletter;
mod companies_api;
mod companies_errors;
mod companies_events;
mod event_bus;
mod events_agenda;
mod events_errors;
mod events_overflow;
mod events_planning;
mod events_quality;
mod events_roles;
mod events_seats;
mod events_topics;
mod invitation_saga;
mod notifications_delivery;
mod notifications_mail;
mod notifications_schedule;
mod notifications_templates;
mod openapi;
mod profile_events;
mod registration_saga;
mod speakers_errors;
mod speakers_review;
