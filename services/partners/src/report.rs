//! A partner's analytics gathered from the read models (the partner's own page and the
//! meeting pack both use it).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::analytics::{compute, exposure_window, ExposureEvent, Inputs, PartnerAnalytics};
use crate::domain::partner::benefits;
use crate::store;
use crate::store::partners::PartnerRecord;

/// The analytics of `partner` as of `now`.
pub async fn analytics(
    conn: &mut PgConnection,
    partner: &PartnerRecord,
    now: DateTime<Utc>,
) -> Result<PartnerAnalytics, sqlx::Error> {
    let attendance = store::analytics::attendance(conn, partner.company_id).await?;
    let events_with_attendance = store::analytics::events_with_attendance(conn).await?;
    let voted_topics = store::analytics::voted_topics(conn, partner.id).await?;
    let material_downloads = store::analytics::material_downloads(conn, partner.company_id).await?;
    let exposure = store::analytics::published_events(conn)
        .await?
        .into_iter()
        .filter(|(_, _, date)| {
            exposure_window(
                partner.partnership_start_date,
                partner.partnership_end_date,
                *date,
                now,
            )
        })
        .map(|(event_id, title, event_date)| ExposureEvent {
            event_id,
            title,
            event_date,
        })
        .collect();
    let inputs = Inputs {
        partner_id: partner.id,
        company_id: partner.company_id,
        attendance,
        events_with_attendance,
        voted_topics,
        material_downloads,
        exposure,
        benefits: benefits(partner.tier(), &partner.benefit_overrides.0),
    };
    Ok(compute(inputs, now))
}
