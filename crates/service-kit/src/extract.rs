//! Extractors whose rejections are problems naming the field at fault: malformed JSON is a
//! 400, a well-formed body with a wrong type, an unknown enum value or an unknown field is a
//! 422, a wrong content type a 415, an oversize body a 413, a bad path id or query value a 400.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use event_bus::EventContext;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::problem::{ApiError, ProblemKind};

/// A JSON body (request) or JSON answer (response). A handler that refuses some callers
/// takes `Result<Json<T>, ApiError>` and applies it only after authorizing the caller, so a
/// refused caller learns nothing from how its input would have been judged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::UnsupportedMediaType,
                "Expected a body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    ProblemKind::PayloadTooLarge,
                    "The request body exceeds the size limit",
                )
            } else {
                ApiError::new(ProblemKind::MalformedRequest, rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON document, naming the failing field on type errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Postgres cannot store NUL in text or jsonb: refuse it here rather than fail later.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(ApiError::new(
            ProblemKind::ValidationFailed,
            "Text must not contain NUL characters (\\u0000)",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(error) => {
            if let Some(retyped) = integral_floats_retyped(error.inner(), bytes) {
                return parse_json(&retyped);
            }
            return Err(body_problem(error, bytes));
        }
    };
    deserializer.end().map_err(|e| {
        ApiError::new(
            ProblemKind::MalformedRequest,
            format!("The body is not valid JSON: {e}"),
        )
    })?;
    Ok(value)
}

/// The problem of a body that did not deserialize: 400 when it is not JSON, else 422
/// naming the field.
fn body_problem(error: serde_path_to_error::Error<serde_json::Error>, bytes: &[u8]) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
    if inner.is_syntax() || inner.is_eof() || !well_formed {
        ApiError::new(
            ProblemKind::MalformedRequest,
            format!("The body is not valid JSON: {inner}"),
        )
    } else {
        let text = inner.to_string();
        let named =
            backticked(&text, "unknown field `").or_else(|| backticked(&text, "missing field `"));
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name,
            (".", None) => "body".to_owned(),
            (parent, Some(name)) if !parent.ends_with(name.as_str()) => {
                format!("{parent}.{name}")
            }
            (parent, _) => parent.to_owned(),
        };
        ApiError::invalid_field(&field, strip_position(&text))
    }
}

/// JSON Schema counts `3.0` as an integer, and so does the API: when an integer field was
/// given a float without a fraction, the body again with such floats written as integers.
fn integral_floats_retyped(error: &serde_json::Error, bytes: &[u8]) -> Option<Vec<u8>> {
    if !error
        .to_string()
        .starts_with("invalid type: floating point")
    {
        return None;
    }
    let mut body: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    integral_floats_as_integers(&mut body).then(|| body.to_string().into_bytes())
}

/// Writes every float without a fraction (and exactly representable) as an integer; true
/// when anything changed.
fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            integral_floats_as_integers(item) | changed
        }),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, field| {
            integral_floats_as_integers(field) | changed
        }),
        _ => false,
    }
}

fn backticked(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    let end = text[start..].find('`')?;
    Some(text[start..start + end].to_owned())
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Path parameters; a value of the wrong shape (e.g. not a UUID) is a 400 naming it.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                use axum::extract::path::ErrorKind;
                let field = match error.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    ErrorKind::DeserializeError { key, .. } => key.clone(),
                    _ => "path".to_owned(),
                };
                Err(ApiError::malformed_field(&field, error.body_text()))
            }
            Err(other) => Err(ApiError::new(
                ProblemKind::MalformedRequest,
                other.body_text(),
            )),
        }
    }
}

/// Query parameters; an unreadable value is a 400 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        if query.contains("%00") {
            return Err(ApiError::malformed_field(
                "query",
                "must not contain NUL characters",
            ));
        }
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                let field = if field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                ApiError::malformed_field(&field, message)
            })
    }
}

/// Correlation and trace context of the current request, carried into the events it emits.
#[derive(Debug, Clone)]
pub struct RequestContext(pub EventContext);

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // The request's server span when traces are exported; otherwise the caller's
        // context is passed on as it came, or a fresh one starts.
        let traceparent = event_bus::trace::current_traceparent()
            .or_else(|| header("traceparent").filter(|t| t.len() == 55))
            .unwrap_or_else(new_traceparent);
        Ok(RequestContext(EventContext {
            correlation_id: header("x-request-id"),
            causation_id: None,
            traceparent: Some(traceparent),
        }))
    }
}

/// A fresh W3C trace context (`00-<trace id>-<span id>-01`).
pub fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        name: String,
        employee_count: Option<u32>,
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        FullDay,
    }

    fn problem(bytes: &str) -> serde_json::Value {
        parse_json::<Body>(bytes.as_bytes()).unwrap_err().body()
    }

    #[test]
    fn syntax_errors_are_malformed_requests() {
        assert_eq!(problem("{\"name\": ")["status"], 400);
        assert_eq!(problem("{} trailing")["status"], 400);
    }

    #[test]
    fn type_errors_name_the_field() {
        let body = problem(r#"{"name": "a", "employeeCount": "many"}"#);
        assert_eq!(body["status"], 422);
        assert_eq!(body["errors"][0]["field"], "employeeCount");
        assert_eq!(
            problem(r#"{"name": "a", "kind": "half_day"}"#)["errors"][0]["field"],
            "kind"
        );
        assert_eq!(
            problem(r#"{"name": "a", "color": "red"}"#)["errors"][0]["field"],
            "color"
        );
        assert_eq!(problem(r#"{}"#)["errors"][0]["field"], "name");
    }

    #[test]
    fn an_integer_written_as_a_float_without_fraction_is_an_integer() {
        let body: Body = parse_json(br#"{"name": "a", "employeeCount": 12.0}"#).unwrap();
        assert_eq!(body.employee_count, Some(12));
        let refused = problem(r#"{"name": "a", "employeeCount": 12.5}"#);
        assert_eq!(refused["status"], 422);
        assert_eq!(refused["errors"][0]["field"], "employeeCount");
        assert_eq!(problem(r#"{"name": 1.0}"#)["errors"][0]["field"], "name");
    }
}
