//! Content submission and its quality review with a revision loop:
//! `PUT /session-speakers/{id}/submission` (the speaker) stores a new revision and announces
//! `MaterialSubmitted`;
//! `POST /session-speakers/{id}/review` (organizers as moderators) decides; requiring
//! changes sets a revision deadline and announces `ChangesRequested`; the reviewer sees
//! which fields changed since the revision last decided on. Materials name files of the
//! content context (`content_files`): presentations of the assignment's session or speaker.

use axum::extract::State;
use chrono::{DateTime, Utc};
use event_bus::outbox::enqueue;
use serde::{Deserialize, Serialize};
use service_kit::problem::Problem;
use service_kit::read_model::await_known;
use service_kit::{Actor, ApiError, Json, Owner, Path, RequestContext, Role};
use shared_domain::contracts::speakers::{ChangesRequested, ContentApproved, MaterialSubmitted};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::materials;
use crate::domain::review::{
    check_decision, decide, diff, on_revision, DecisionInput, FieldChange, QualityReviewStatus,
};
use crate::domain::SpeakerError;
use crate::store;
use crate::store::assignments::AssignmentRecord;
use crate::store::content_files::ContentFileRecord;
use crate::store::reviews::{Decision, NewRevision, RevisionRecord};

/// Body of `PUT /api/v1/session-speakers/{id}/submission`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmissionRequest {
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    /// File ids (UUIDs) of presentation or archive material files uploaded for the
    /// assignment's session or by its speaker.
    #[serde(default)]
    pub materials: Vec<String>,
}

/// The moderator's look at the abstract.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbstractReviewInput {
    pub has_lessons_learned: bool,
    pub has_product_promotion: bool,
    pub meets_standards: bool,
    #[serde(default)]
    pub issues: Vec<String>,
}

/// The moderator's look at the bio.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BioReviewInput {
    pub is_appropriate: bool,
    #[serde(default)]
    pub issues: Vec<String>,
}

/// The moderator's look at the photo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhotoReviewInput {
    pub is_appropriate: bool,
    pub meets_technical_standards: bool,
    #[serde(default)]
    pub issues: Vec<String>,
}

/// Body of `POST /api/v1/session-speakers/{id}/review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewRequest {
    pub status: QualityReviewStatus,
    pub abstract_review: Option<AbstractReviewInput>,
    pub bio_review: Option<BioReviewInput>,
    pub photo_review: Option<PhotoReviewInput>,
    pub feedback: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
}

/// The content of an assignment and its review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResponse {
    pub assignment_id: Uuid,
    pub revision: i32,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub character_count: usize,
    pub bio: Option<String>,
    pub photo_url: Option<String>,
    pub materials: Vec<MaterialResponse>,
    pub submitted_at: DateTime<Utc>,
    pub review_status: QualityReviewStatus,
    pub feedback: Option<String>,
    pub revision_deadline: Option<DateTime<Utc>>,
    /// Fields changed since the revision the last decision was about.
    pub changes_since_review: Vec<FieldChange>,
    #[schema(value_type = Option<Object>)]
    pub abstract_review: Option<serde_json::Value>,
}

/// A file a submission names, as a reviewer sees it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialResponse {
    pub file_id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the file, lowercase hex.
    pub checksum: String,
    /// Where the content service hands out a download link.
    pub download_path: String,
    /// Set when the file was deleted since the submission.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<ContentFileRecord> for MaterialResponse {
    fn from(f: ContentFileRecord) -> Self {
        MaterialResponse {
            download_path: format!("/api/v1/files/{}/download", f.file_id),
            file_id: f.file_id,
            file_name: f.file_name,
            mime_type: f.mime_type,
            size_bytes: f.size_bytes,
            checksum: f.checksum,
            deleted_at: f.deleted_at,
        }
    }
}

fn fields(r: &RevisionRecord) -> [(&'static str, Option<String>); 4] {
    [
        ("abstract", Some(r.abstract_text.clone())),
        ("bio", r.bio.clone()),
        ("photoUrl", r.photo_url.clone()),
        ("materials", Some(r.materials.0.join(","))),
    ]
}

/// Assignment `id` for its speaker or organizers: 403 for other roles before anything is
/// looked up; another speaker's assignment is not found, as one that does not exist.
async fn assignment_for(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<AssignmentRecord, ApiError> {
    actor.require_any(&[Role::Organizer, Role::Speaker])?;
    let assignment = store::assignments::fetch_assignment(conn, id, true)
        .await?
        .filter(|a| actor.is_self_or_organizer(Owner::Speaker(a.speaker_id)))
        .ok_or(SpeakerError::InvitationNotFound(id))?;
    Ok(assignment)
}

async fn respond(conn: &mut PgConnection, id: Uuid) -> Result<SubmissionResponse, ApiError> {
    let latest = store::reviews::revision(&mut *conn, id, None)
        .await?
        .ok_or_else(|| ApiError::not_found("nothing was submitted yet"))?;
    let review = store::reviews::lock_review(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("nothing was submitted yet"))?;
    let baseline = match review.reviewed_revision {
        Some(number) => store::reviews::revision(&mut *conn, id, Some(number)).await?,
        None => None,
    };
    let changes_since_review = baseline
        .map(|b| diff(&fields(&b), &fields(&latest)))
        .unwrap_or_default();
    let materials = material_files(conn, &latest.materials.0).await?;
    Ok(SubmissionResponse {
        assignment_id: id,
        revision: latest.revision,
        character_count: latest.abstract_text.chars().count(),
        abstract_text: latest.abstract_text,
        bio: latest.bio,
        photo_url: latest.photo_url,
        materials,
        submitted_at: latest.submitted_at,
        review_status: *review.status,
        feedback: review.feedback,
        revision_deadline: review.revision_deadline,
        changes_since_review,
        abstract_review: review.abstract_review.map(|j| j.0),
    })
}

/// The files a revision names, in its order. Entries that name no file known here (text
/// stored before materials were checked) are left out.
async fn material_files(
    conn: &mut PgConnection,
    entries: &[String],
) -> Result<Vec<MaterialResponse>, ApiError> {
    let ids: Vec<Uuid> = entries.iter().filter_map(|e| e.parse().ok()).collect();
    let mut files = store::content_files::fetch_files(&mut *conn, &ids).await?;
    files.sort_by_key(|f| ids.iter().position(|id| *id == f.file_id));
    Ok(files.into_iter().map(MaterialResponse::from).collect())
}

/// Checks that every file of `ids` is known here (a file announced a moment ago is waited
/// for: call outside a transaction) and fits `assignment`; the problem names the field of
/// each file that does not.
async fn check_materials(
    state: &AppState,
    assignment: &AssignmentRecord,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    let mut files = Vec::with_capacity(ids.len());
    for (index, &id) in ids.iter().enumerate() {
        let file = await_known(&materials::field(index), "file", id, || {
            store::content_files::fetch_file(&state.pool, id)
        })
        .await?;
        files.push(file.material());
    }
    let owner = materials::Assignment {
        session_id: assignment.session_id,
        speaker_id: assignment.speaker_id,
    };
    materials::check_files(&files, owner).map_err(ApiError::validation)
}

/// Submits (or revises) the abstract, bio, photo and materials of an accepted assignment
/// (the speaker or organizers).
#[utoipa::path(put, path = "/api/v1/session-speakers/{id}/submission", tag = "quality-review", request_body = SubmissionRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = SubmissionResponse), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, description = "Invalid fields; `materials[<i>]` names a file that is unknown, deleted, not a presentation or of another session or speaker", body = Problem),
        (status = 503, description = "A file was uploaded so recently that this service has not learned of it yet; repeat the request after `Retry-After` seconds (code `not_yet_known`)", body = Problem)), security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<SubmissionRequest>, ApiError>,
) -> Result<Json<SubmissionResponse>, ApiError> {
    let owner = assignment_for(&mut *state.pool.acquire().await?, &actor, id).await?;
    let Json(request) = body?;
    let mut v = shared_domain::Validator::new();
    let abstract_text = v.paragraphs("abstract", &request.abstract_text, 5000);
    let bio = v.optional_paragraphs("bio", request.bio.as_deref(), 5000);
    let photo = v.optional_url("photoUrl", request.photo_url.as_deref(), 500);
    let material_ids = materials::parse_ids(&mut v, &request.materials);
    v.finish().map_err(ApiError::validation)?;
    check_materials(&state, &owner, &material_ids).await?;
    let mut tx = state.pool.begin().await?;
    let assignment = assignment_for(&mut tx, &actor, id).await?;
    if !assignment.is_confirmed {
        return Err(SpeakerError::Conflict(
            "content is submitted after accepting the invitation".into(),
        )
        .into());
    }
    let current = store::reviews::lock_review(&mut tx, id)
        .await?
        .map(|r| *r.status);
    let status = on_revision(current)?;
    let now = Utc::now();
    let material_ids: Vec<String> = material_ids.iter().map(Uuid::to_string).collect();
    let revision = NewRevision {
        abstract_text: abstract_text.as_deref().unwrap_or_default(),
        bio: bio.as_deref(),
        photo_url: photo.as_deref(),
        materials: &material_ids,
    };
    let number = store::reviews::insert_revision(&mut tx, id, &revision, now).await?;
    store::reviews::set_submission_status(&mut tx, id, status, now).await?;
    let submitted = MaterialSubmitted {
        assignment_id: id,
        speaker_id: assignment.speaker_id,
        session_id: assignment.session_id,
        event_id: assignment.event_id,
        revision: number,
        submitted_at: now,
    };
    enqueue(&mut tx, &submitted, &context).await?;
    let response = respond(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(response))
}

/// The latest content with its review and the changes since the last decision.
#[utoipa::path(get, path = "/api/v1/session-speakers/{id}/submission", tag = "quality-review", params(("id" = Uuid, Path)),
    responses((status = 200, body = SubmissionResponse), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn get_submission(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<SubmissionResponse>, ApiError> {
    let mut tx = state.pool.begin().await?;
    assignment_for(&mut tx, &actor, id).await?;
    let response = respond(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(response))
}

/// Decides on the latest revision (organizers as moderators). `requires_changes` needs
/// feedback and a future revision deadline; `approved` moves the assignment to
/// `quality_reviewed`.
#[utoipa::path(post, path = "/api/v1/session-speakers/{id}/review", tag = "quality-review", request_body = ReviewRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = SubmissionResponse), (status = 403, body = Problem), (status = 409, description = "Refused transition", body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
    RequestContext(context): RequestContext,
    body: Result<Json<ReviewRequest>, ApiError>,
) -> Result<Json<SubmissionResponse>, ApiError> {
    actor.require_any(&[Role::Organizer])?;
    let Json(request) = body?;
    let now = Utc::now();
    let asked = DecisionInput {
        status: request.status,
        feedback: request.feedback.clone(),
        revision_deadline: request.revision_deadline,
    };
    let checked = check_decision(asked, now).map_err(ApiError::validation)?;
    let mut tx = state.pool.begin().await?;
    let assignment = assignment_for(&mut tx, &actor, id).await?;
    let review = store::reviews::lock_review(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::conflict("nothing was submitted yet"))?;
    let status = decide(*review.status, checked.status)?;
    let latest = store::reviews::revision(&mut *tx, id, None)
        .await?
        .ok_or_else(|| ApiError::conflict("nothing was submitted yet"))?;
    let (abstract_review, bio_review, photo_review) = review_documents(&request, &latest)?;
    let decision = Decision {
        status,
        reviewer_id: &actor.subject,
        abstract_review: &abstract_review,
        bio_review: bio_review.as_ref(),
        photo_review: photo_review.as_ref(),
        feedback: checked.feedback.as_deref(),
        revision_deadline: checked.revision_deadline,
        reviewed_revision: latest.revision,
    };
    store::reviews::decide(&mut tx, id, &decision, now).await?;
    if let Some(revision_deadline) = checked.revision_deadline {
        let requested = ChangesRequested {
            assignment_id: id,
            speaker_id: assignment.speaker_id,
            session_id: assignment.session_id,
            event_id: assignment.event_id,
            feedback: checked.feedback.clone().unwrap_or_default(),
            revision_deadline,
            requested_at: now,
        };
        enqueue(&mut tx, &requested, &context).await?;
    }
    if let (QualityReviewStatus::Approved, Some(next)) =
        (status, assignment.workflow_state.on_content_approved())
    {
        store::assignments::set_state(&mut tx, id, next, None, now).await?;
    }
    if status == QualityReviewStatus::Approved {
        let approved = approval(id, &assignment, &latest, now);
        enqueue(&mut tx, &approved, &context).await?;
    }
    let response = respond(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(response))
}

/// What the agenda learns of approved content: the approved revision's abstract and photo.
fn approval(
    id: Uuid,
    assignment: &AssignmentRecord,
    latest: &RevisionRecord,
    now: chrono::DateTime<Utc>,
) -> ContentApproved {
    ContentApproved {
        assignment_id: id,
        speaker_id: assignment.speaker_id,
        session_id: assignment.session_id,
        event_id: assignment.event_id,
        revision: latest.revision,
        abstract_text: latest.abstract_text.clone(),
        photo_url: latest.photo_url.clone(),
        approved_at: now,
    }
}

/// The moderator's looks at abstract, bio and photo as stored with the decision; the
/// abstract's record names the text it was about.
fn review_documents(
    request: &ReviewRequest,
    latest: &RevisionRecord,
) -> Result<
    (
        serde_json::Value,
        Option<serde_json::Value>,
        Option<serde_json::Value>,
    ),
    ApiError,
> {
    let mut abstract_review =
        serde_json::to_value(&request.abstract_review).map_err(ApiError::internal)?;
    if let Some(fields) = abstract_review.as_object_mut() {
        fields.insert("content".into(), latest.abstract_text.clone().into());
        fields.insert(
            "characterCount".into(),
            latest.abstract_text.chars().count().into(),
        );
    }
    let bio = request
        .bio_review
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(ApiError::internal)?;
    let photo = request
        .photo_review
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(ApiError::internal)?;
    Ok((abstract_review, bio, photo))
}
