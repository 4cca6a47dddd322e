//! What every service's OpenAPI document shares, declared once: the bearer security
//! scheme, error answers as `application/problem+json`, the error statuses the common
//! layers return for any operation, and the interactive reference page.

use axum::Router;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};

use utoipa::{PartialSchema, ToSchema};

use crate::problem::{Problem, PROBLEM_JSON};

/// Adds the `bearer` (JWT) security scheme the services' documents refer to.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Declares the error answers of every operation once: each error response's body is
/// `application/problem+json`, and every operation documents the statuses the shared
/// layers and extractors return whatever the handler (malformed input 400, timeout 408,
/// over budget 429, internal 500, unavailable 503; with a body: too large 413, wrong media type 415,
/// invalid field 422; with a token: 401 and 403; with an id in the path: 404; with
/// `If-Match`: 412 and 428). Apply after the operations are collected
/// (`OpenApiRouter::split_for_parts`).
pub struct ProblemResponses;

const COMMON: [(&str, &str); 5] = [
    ("400", "The request could not be read (malformed JSON, parameter or cursor)"),
    ("408", "The request took too long"),
    ("429", "The caller's request budget is spent; repeat after `Retry-After` seconds"),
    ("500", "An unexpected error; logged with the request id"),
    ("503", "A dependency is not reachable, or a referenced resource is not known here yet (`not_yet_known`, with `Retry-After`)"),
];
const WITH_BODY: [(&str, &str); 2] = [
    ("413", "The request body is too large"),
    ("415", "The body is not `application/json`"),
];
const WITH_TOKEN: [(&str, &str); 2] = [
    ("401", "No valid token"),
    ("403", "The token's roles or subject do not allow this"),
];
const WITH_PATH_ID: (&str, &str) = (
    "404",
    "Nothing is at this path (or it is not visible to the caller)",
);
const WITH_JSON_BODY: (&str, &str) = (
    "422",
    "A field of the body is invalid; `errors` names each one",
);
const WITH_IF_MATCH: [(&str, &str); 2] = [
    (
        "412",
        "The resource changed since the `ETag` sent in `If-Match`",
    ),
    ("428", "`If-Match` is missing: send the `ETag` last read"),
];

impl ProblemResponses {
    /// Applies the rules to `openapi` (for documents built outside `Modify`).
    pub fn apply(openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut schemas = vec![("Problem".to_owned(), Problem::schema())];
        Problem::schemas(&mut schemas);
        for (name, schema) in schemas {
            components.schemas.entry(name).or_insert(schema);
        }
        let secured_by_default = openapi.security.as_ref().is_some_and(|s| !s.is_empty());
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                document_errors(operation, secured_by_default, path.contains('{'));
                document_public_access(operation, secured_by_default);
                document_shared_parameters(operation);
            }
            if let Some(post) = item.post.as_mut() {
                document_idempotency(post);
            }
        }
    }
}

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        Self::apply(openapi);
    }
}

/// An operation that names no security under a document that names none is public: it
/// says so (`security: []`), so a reader and a linter can tell it from a forgotten one.
fn document_public_access(operation: &mut Operation, secured_by_default: bool) {
    if !secured_by_default && operation.security.is_none() {
        operation.security = Some(Vec::new());
    }
}

fn document_errors(operation: &mut Operation, secured_by_default: bool, has_path_id: bool) {
    let secured = operation
        .security
        .as_ref()
        .map_or(secured_by_default, |s| !s.is_empty());
    let if_match = operation
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| p.name.eq_ignore_ascii_case("If-Match")));
    let mut extra: Vec<(&str, &str)> = COMMON.to_vec();
    if operation.request_body.is_some() {
        extra.extend(WITH_BODY);
        extra.push(WITH_JSON_BODY);
    }
    if secured {
        extra.extend(WITH_TOKEN);
    }
    if has_path_id {
        extra.push(WITH_PATH_ID);
    }
    if if_match {
        extra.extend(WITH_IF_MATCH);
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in extra {
        responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(PROBLEM_JSON, problem_content())
                    .build(),
            )
        });
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            }
            if response.content.is_empty() {
                response
                    .content
                    .insert(PROBLEM_JSON.to_owned(), problem_content());
            }
        }
    }
}

/// The parameters every service reads the same way: `limit` (1 to 100), `If-Match`
/// (an `ETag` this API returned, or `*`; its absence is answered 428), and free-text query
/// values, which never hold NUL (the query extractor answers 400).
fn document_shared_parameters(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        match (parameter.parameter_in.clone(), parameter.name.as_str()) {
            (ParameterIn::Query, "limit") => {
                parameter.schema = Some(RefOr::T(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1))
                        .maximum(Some(100))
                        .into(),
                ));
                parameter.description = Some("Items per page, 1 to 100 (default 20)".into());
            }
            (ParameterIn::Query, _) => forbid_nul(&mut parameter.schema),
            (ParameterIn::Header, name) if name.eq_ignore_ascii_case("If-Match") => {
                parameter.description = Some(
                    "The `ETag` last read (or `*`); without it the answer is 428, with a stale one 412"
                        .into(),
                );
                parameter.schema = Some(RefOr::T(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(r#"^(\*|"[0-9]{1,18}")$"#))
                        .into(),
                ));
            }
            _ => {}
        }
    }
}

/// A plain string schema (no pattern, format or enumeration) gets a pattern without NUL.
fn forbid_nul(schema: &mut Option<RefOr<Schema>>) {
    let Some(RefOr::T(Schema::Object(object))) = schema else {
        return;
    };
    let plain = object.schema_type == SchemaType::Type(Type::String)
        && object.pattern.is_none()
        && object.format.is_none()
        && object.enum_values.is_none();
    if plain {
        object.pattern = Some("^[^\\u0000]*$".to_owned());
    }
}

/// A creating POST (one answering 201 or 202) takes `Idempotency-Key`: the same key and
/// caller replay the first answer; the same key with another body is a 422.
fn document_idempotency(operation: &mut Operation) {
    let responses = &operation.responses.responses;
    if !(responses.contains_key("201") || responses.contains_key("202")) {
        return;
    }
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| p.name == "Idempotency-Key") {
        return;
    }
    parameters.push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: the same key from the same caller answers the first response again (header `Idempotent-Replayed: true`); the same key with a different body is a 422. An empty value counts as no key",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[\\t -~]{0,255}$")),
            ))
            .build(),
    );
}

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build()
}

/// Serves `document` at `/api/v1/<context>/openapi.json` and the interactive reference
/// page (Swagger UI, assets compiled in) at `/api/v1/<context>/docs`.
pub fn api_reference(context: &str, document: OpenApi) -> Router {
    utoipa_swagger_ui::SwaggerUi::new(format!("/api/v1/{context}/docs"))
        .url(format!("/api/v1/{context}/openapi.json"), document)
        .into()
}
