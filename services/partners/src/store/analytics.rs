//! The read-model queries partner analytics are computed from.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::analytics::{EventAttendance, VotedTopic};

/// The company's employees per event: registrations recorded and attended.
pub async fn attendance(
    conn: &mut PgConnection,
    company_id: Uuid,
) -> Result<Vec<EventAttendance>, sqlx::Error> {
    let rows: Vec<(Uuid, Option<String>, i64, i64)> = sqlx::query_as(
        "select a.event_id, e.title, count(*), count(*) filter (where a.attended) from employee_attendance a \
         left join event_calendar e on e.event_id = a.event_id where a.company_id = $1 \
         group by a.event_id, e.title, e.event_date order by e.event_date nulls last, a.event_id",
    )
    .bind(company_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(event_id, title, recorded, attended)| EventAttendance {
            event_id,
            title,
            registrations_recorded: recorded,
            attended,
        })
        .collect())
}

/// Events with any attendance recorded.
pub async fn events_with_attendance(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(distinct event_id) from employee_attendance")
        .fetch_one(conn)
        .await
}

#[derive(sqlx::FromRow)]
struct VotedRow {
    topic_id: Uuid,
    title: Option<String>,
    vote_value: i32,
    vote_weight: i32,
    partner_influence_score: Option<f64>,
    used: bool,
}

/// The topics a partner voted on, with whether an event used them.
pub async fn voted_topics(
    conn: &mut PgConnection,
    partner_id: Uuid,
) -> Result<Vec<VotedTopic>, sqlx::Error> {
    let rows: Vec<VotedRow> = sqlx::query_as(
        "select v.topic_id, t.title, v.vote_value, v.vote_weight, t.partner_influence_score, \
         exists (select 1 from topic_uses u where u.topic_id = v.topic_id) as used from topic_votes v \
         left join topic_library t on t.topic_id = v.topic_id where v.partner_id = $1 order by v.voted_at, v.topic_id",
    )
    .bind(partner_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VotedTopic {
            topic_id: r.topic_id,
            title: r.title,
            vote_value: r.vote_value,
            vote_weight: r.vote_weight,
            partner_influence_score: r.partner_influence_score,
            used_by_event: r.used,
        })
        .collect())
}

/// Published events, oldest first: (id, title, date).
pub async fn published_events(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, String, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as(
        "select event_id, title, event_date from event_calendar where published order by event_date, event_id",
    )
    .fetch_all(conn)
    .await
}

/// Records a material download by `attendee_id`'s company (as the attendance records name
/// it) or by the integration of `company_id`; false when neither names a company.
pub async fn record_download(
    conn: &mut PgConnection,
    id: Uuid,
    d: &shared_domain::contracts::content::ContentDownloaded,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into material_downloads (id, file_id, event_id, company_id, downloaded_at) \
         select $1, $2, $3, company, $6 from (select coalesce($4, (select company_id from employee_attendance \
         where attendee_id = $5 and company_id is not null order by recorded_at desc limit 1)) as company) c \
         where company is not null on conflict (id) do nothing",
    )
    .bind(id)
    .bind(d.file_id)
    .bind(d.event_id)
    .bind(d.company_id)
    .bind(d.attendee_id)
    .bind(d.downloaded_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Material downloads by the company's employees and integration.
pub async fn material_downloads(
    conn: &mut PgConnection,
    company_id: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from material_downloads where company_id = $1")
        .bind(company_id)
        .fetch_one(conn)
        .await
}
