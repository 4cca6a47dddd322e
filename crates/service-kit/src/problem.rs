//! One error type for every HTTP answer that is not a success, rendered as RFC 9457
//! `application/problem+json`. The catalogue of problem kinds (status, title, `type` URI,
//! `code`) lives here and nowhere else. Internal causes are logged with the request id and
//! never shown to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use shared_domain::FieldError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The catalogue of problem kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    Gone,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    PreconditionRequired,
    TooManyRequests,
    Internal,
    Unavailable,
    /// A referenced resource another service created has not reached this one yet.
    NotYetKnown,
}

impl ProblemKind {
    /// `(status, code, title)` of this kind.
    pub fn describe(self) -> (StatusCode, &'static str, &'static str) {
        use ProblemKind::*;
        match self {
            MalformedRequest => (
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "The request could not be read",
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication is required",
            ),
            Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed for this caller",
            ),
            NotFound => (StatusCode::NOT_FOUND, "not_found", "Resource not found"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "The request took too long",
            ),
            Conflict => (
                StatusCode::CONFLICT,
                "conflict",
                "The request conflicts with the current state",
            ),
            Gone => (
                StatusCode::GONE,
                "gone",
                "The resource is no longer available",
            ),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The resource has changed",
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large",
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported content type",
            ),
            ValidationFailed => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The request is not valid",
            ),
            PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "If-Match is required",
            ),
            TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests",
            ),
            Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal server error",
            ),
            Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is not ready",
            ),
            NotYetKnown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_yet_known",
                "A referenced resource is not known here yet; repeat the request",
            ),
        }
    }

    /// The kind that answers a bare `status` (framework rejections, fallbacks, timeouts).
    pub fn from_status(status: StatusCode) -> Self {
        use ProblemKind::*;
        match status.as_u16() {
            400 => MalformedRequest,
            401 => Unauthenticated,
            403 => Forbidden,
            404 => NotFound,
            405 => MethodNotAllowed,
            408 => RequestTimeout,
            409 => Conflict,
            410 => Gone,
            412 => PreconditionFailed,
            413 => PayloadTooLarge,
            415 => UnsupportedMediaType,
            422 => ValidationFailed,
            428 => PreconditionRequired,
            429 => TooManyRequests,
            503 => Unavailable,
            _ => Internal,
        }
    }
}

/// An error answer: a problem kind, a detail for the client, optional field errors and
/// extension members (e.g. `existingId`, `currentState`).
#[derive(Debug)]
pub struct ApiError {
    pub kind: ProblemKind,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub extensions: Map<String, Value>,
    /// Seconds for `Retry-After`, when the caller may repeat later.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A problem of `kind` with a client-facing `detail`.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after: None,
        }
    }

    /// 422 listing every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self {
            errors,
            ..Self::new(ProblemKind::ValidationFailed, detail)
        }
    }

    /// 422 for one invalid field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// 400 for one unreadable field (wrong type, bad UUID, broken cursor).
    pub fn malformed_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            errors: vec![FieldError::new(field, message.clone())],
            ..Self::new(ProblemKind::MalformedRequest, format!("{field}: {message}"))
        }
    }

    /// 503 with `Retry-After`: `field` names something created so recently that this
    /// service has not learned of it yet (see [`crate::read_model`]).
    pub fn not_yet_known(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            errors: vec![FieldError::new(field, message.clone())],
            ..Self::new(ProblemKind::NotYetKnown, message)
        }
    }

    /// 429 with `Retry-After: seconds`: what `field` asks for was done a moment ago and
    /// may be asked for again only later.
    pub fn too_soon(field: &str, message: impl Into<String>, seconds: u64) -> Self {
        let message = message.into();
        Self {
            errors: vec![FieldError::new(field, message.clone())],
            retry_after: Some(seconds),
            ..Self::new(ProblemKind::TooManyRequests, message)
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Conflict, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Unauthenticated, detail)
    }

    /// A 500 whose cause is logged (with the request id of the current span) but not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            ProblemKind::Internal,
            "An unexpected error occurred; it has been logged.",
        )
    }

    /// Adds an extension member to the problem body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }

    /// The problem body (without `instance`, which the server layer adds per request).
    pub fn body(&self) -> Value {
        let (status, code, title) = self.kind.describe();
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!("https://batbern.ch/problems/{code}")),
        );
        body.insert("title".into(), json!(title));
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("detail".into(), json!(self.detail));
        body.insert("code".into(), json!(code));
        if !self.errors.is_empty() {
            body.insert("errors".into(), json!(self.errors));
        }
        body.extend(self.extensions.clone());
        Value::Object(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, _) = self.kind.describe();
        let mut response = (status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        } else if matches!(
            self.kind,
            ProblemKind::NotYetKnown | ProblemKind::Unavailable
        ) {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::read_model::RETRY_AFTER_SECS),
            );
        }
        response
    }
}

/// A refused state-machine move: 409 naming the machine, the states and the allowed moves.
impl From<shared_domain::TransitionRefused> for ApiError {
    fn from(refused: shared_domain::TransitionRefused) -> Self {
        ApiError::conflict(refused.to_string())
            .with("stateMachine", refused.machine)
            .with("currentState", refused.current)
            .with("requestedState", refused.requested)
            .with("allowedTransitions", refused.allowed)
    }
}

/// What a violated constraint means to a client: the field it concerns and why. Each
/// service lists its constraints once ([`crate::ServiceSpec::constraints`]).
#[derive(Debug)]
pub struct ConstraintAnswer {
    pub constraint: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

static CONSTRAINTS: std::sync::LazyLock<
    std::sync::RwLock<std::collections::HashMap<&'static str, &'static ConstraintAnswer>>,
> = std::sync::LazyLock::new(Default::default);

/// Registers a service's constraint table (constraint names are unique across schemas).
pub fn register_constraints(answers: &'static [ConstraintAnswer]) {
    let mut table = CONSTRAINTS.write().unwrap_or_else(|p| p.into_inner());
    for answer in answers {
        table.insert(answer.constraint, answer);
    }
}

/// The answer to a violated constraint: 409 for a unique one, 422 for a check, foreign
/// key or not-null one; named by the service's table, generic otherwise. Never a 500.
pub fn constraint_problem(
    kind: sqlx::error::ErrorKind,
    constraint: Option<&str>,
) -> Option<ApiError> {
    use sqlx::error::ErrorKind;
    let problem = match kind {
        ErrorKind::UniqueViolation => ProblemKind::Conflict,
        ErrorKind::ForeignKeyViolation
        | ErrorKind::CheckViolation
        | ErrorKind::NotNullViolation => ProblemKind::ValidationFailed,
        _ => return None,
    };
    let table = CONSTRAINTS.read().unwrap_or_else(|p| p.into_inner());
    let known = constraint.and_then(|name| table.get(name).copied());
    tracing::info!(
        constraint = constraint.unwrap_or("-"),
        "request violated a constraint"
    );
    Some(match known {
        Some(answer) => field_problem(problem, answer.field, answer.message),
        None if problem == ProblemKind::Conflict => {
            ApiError::conflict("This conflicts with an existing resource")
        }
        None => ApiError::new(
            problem,
            "The request does not satisfy a rule of this resource",
        ),
    })
}

fn field_problem(kind: ProblemKind, field: &str, message: &str) -> ApiError {
    ApiError {
        errors: vec![FieldError::new(field, message)],
        ..ApiError::new(kind, format!("{field}: {message}"))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if let Some(database) = error.as_database_error() {
            if let Some(problem) = constraint_problem(database.kind(), database.constraint()) {
                return problem;
            }
            if let Some(problem) = class_problem(database.code().as_deref()) {
                tracing::info!(%error, "database refused the request's work");
                return problem;
            }
        }
        // Every connection busy past the pool's wait: the service is overloaded, not
        // broken; the client may repeat the request.
        if matches!(error, sqlx::Error::PoolTimedOut) {
            tracing::warn!("database pool exhausted; answering 503");
            return ApiError::new(
                ProblemKind::Unavailable,
                "The service is busy; repeat the request",
            );
        }
        Self::internal(error)
    }
}

/// What an SQLSTATE class means to the client. Class 22 (data exception): a value the
/// database cannot hold, such as a date outside its range, came from the request (a filter
/// or a cursor). Class 40 (transaction rollback): the request met a concurrent one (a
/// deadlock or a serialization failure) and was rolled back whole; repeating it is safe.
fn class_problem(code: Option<&str>) -> Option<ApiError> {
    let code = code?;
    if code.starts_with("22") {
        return Some(ApiError::new(
            ProblemKind::MalformedRequest,
            "A value of the request is out of the range this resource accepts",
        ));
    }
    code.starts_with("40").then(|| {
        ApiError::new(
            ProblemKind::Unavailable,
            "The request met a concurrent change and was undone; repeat it",
        )
    })
}

impl From<event_bus::outbox::OutboxError> for ApiError {
    fn from(error: event_bus::outbox::OutboxError) -> Self {
        Self::internal(error)
    }
}

/// The name of the constraint a database error violated, if any (for mapping unique
/// violations to 409/422 by constraint name).
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    error.as_database_error().and_then(|e| e.constraint())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::error::ErrorKind;

    static TABLE: [ConstraintAnswer; 1] = [ConstraintAnswer {
        constraint: "widgets_name_unique",
        field: "name",
        message: "is taken by another widget",
    }];

    #[test]
    fn an_exhausted_pool_is_a_503_to_repeat() {
        let answer = ApiError::from(sqlx::Error::PoolTimedOut).into_response();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(answer.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn a_deadlock_is_a_503_to_repeat_and_a_value_out_of_range_a_400() {
        let deadlock = class_problem(Some("40P01")).unwrap().into_response();
        assert_eq!(deadlock.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(deadlock.headers().contains_key(header::RETRY_AFTER));
        let serialization = class_problem(Some("40001")).unwrap();
        assert_eq!(serialization.kind, ProblemKind::Unavailable);
        let out_of_range = class_problem(Some("22008")).unwrap();
        assert_eq!(out_of_range.kind, ProblemKind::MalformedRequest);
        assert!(class_problem(Some("XX000")).is_none());
        assert!(class_problem(None).is_none());
    }

    #[test]
    fn a_known_unique_violation_is_a_conflict_naming_its_field() {
        register_constraints(&TABLE);
        let problem =
            constraint_problem(ErrorKind::UniqueViolation, Some("widgets_name_unique")).unwrap();
        assert_eq!(problem.kind, ProblemKind::Conflict);
        assert_eq!(problem.errors[0].field, "name");
    }

    #[test]
    fn unknown_violations_are_client_errors_never_internal_ones() {
        let unique = constraint_problem(ErrorKind::UniqueViolation, Some("other_unique")).unwrap();
        assert_eq!(unique.kind, ProblemKind::Conflict);
        let check = constraint_problem(ErrorKind::CheckViolation, None).unwrap();
        assert_eq!(check.kind, ProblemKind::ValidationFailed);
        assert!(constraint_problem(ErrorKind::Other, None).is_none());
    }
}

/// The shape of a problem body, for OpenAPI documents.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem kind.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// The problem code, e.g. `validation_failed`.
    pub code: String,
    /// Every invalid field (400 and 422).
    pub errors: Option<Vec<FieldError>>,
    /// The request id, also in the `x-request-id` header.
    #[serde(rename = "requestId")]
    pub request_id: Option<String>,
}
