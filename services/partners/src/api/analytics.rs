//! `GET /api/v1/partners/{id}/analytics`: a partner's own analytics (organizers see
//! every partner's), as JSON or, with `format=csv` or `Accept: text/csv`, as CSV.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use service_kit::problem::Problem;
use service_kit::{Actor, ApiError, Json, Path, Query};
use uuid::Uuid;

use super::{caller, visible_partner, AppState};
use crate::domain::analytics::{to_csv, PartnerAnalytics};
use crate::report;

/// The answer's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

/// Query of the analytics.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// `json` (default) or `csv`; `Accept: text/csv` asks for CSV too.
    #[param(inline)]
    pub format: Option<Format>,
}

/// A partner's analytics (the formulas are in this API's description).
#[utoipa::path(get, path = "/api/v1/partners/{id}/analytics", tag = "analytics", params(("id" = Uuid, Path), AnalyticsQuery),
    responses((status = 200, body = PartnerAnalytics, content_type = "application/json"),
        (status = 200, description = "The same figures as CSV (section,key,name,value)", body = String, content_type = "text/csv"),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn partner_analytics(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    Query(query): Query<AnalyticsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let partner = visible_partner(&mut conn, caller(&actor), id).await?;
    let analytics = report::analytics(&mut conn, &partner, Utc::now()).await?;
    let wants_csv = query.format == Some(Format::Csv)
        || (query.format.is_none()
            && headers
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/csv")));
    if wants_csv {
        let disposition = format!("attachment; filename=\"partner-{id}-analytics.csv\"");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            to_csv(&analytics),
        )
            .into_response());
    }
    Ok(Json(analytics).into_response())
}
