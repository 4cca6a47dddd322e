//! Templates: checking a new version before it is saved, and rendering one. Rendering uses
//! minijinja; the HTML body is HTML-escaped, subject and text are not. A template may only
//! use the variables it declares, and may only declare what its type provides.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Zurich;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;
use shared_domain::validation::{FieldError, Validator};

use super::{Language, TemplateType};

/// The three parts of a template and the variables it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateText {
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub variables: Vec<String>,
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
}

/// The name the HTML part is compiled under; it alone is auto-escaped.
const HTML: &str = "html_body";

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name == HTML {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // A variable the data lacks is an error, not an empty string in a sent mail.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

impl TemplateText {
    fn parts(&self) -> [(&'static str, &str); 3] {
        [
            ("subject", self.subject.as_str()),
            (HTML, self.html_body.as_str()),
            ("text_body", self.text_body.as_str()),
        ]
    }

    /// Checks a template of `template_type` before it is saved: sizes, declared variables
    /// the type provides, each part parses, and no part uses an undeclared variable.
    pub fn check(&self, template_type: TemplateType) -> Result<(), Vec<FieldError>> {
        let mut v = Validator::new();
        if self.subject.trim().is_empty() || self.subject.chars().count() > 200 {
            v.reject("subject", "must be 1 to 200 characters");
        }
        if self.html_body.trim().is_empty() {
            v.reject("htmlBody", "must not be empty");
        }
        if self.text_body.trim().is_empty() {
            v.reject("textBody", "must not be empty");
        }
        for (name, source) in self.parts() {
            if source.contains('\0') {
                v.reject(field_name(name), "must not contain NUL characters");
            }
        }
        let provided = template_type.variables();
        for variable in &self.variables {
            if !provided.contains(&variable.as_str()) {
                v.reject(
                    "variables",
                    format!(
                        "`{variable}` is not provided for {}; available: {}",
                        super::enum_name(&template_type),
                        provided.join(", ")
                    ),
                );
            }
        }
        let env = environment();
        for (name, source) in self.parts() {
            let field = field_name(name);
            match env.template_from_named_str(name, source) {
                Err(error) => v.reject(
                    field,
                    format!(
                        "does not parse: {}",
                        error.detail().unwrap_or("syntax error")
                    ),
                ),
                Ok(template) => {
                    let mut undeclared: Vec<String> = template
                        .undeclared_variables(false)
                        .into_iter()
                        .filter(|name| !self.variables.contains(name))
                        .collect();
                    undeclared.sort();
                    for variable in undeclared {
                        v.reject(field, format!("uses the undeclared variable `{variable}`"));
                    }
                }
            }
        }
        v.finish()
    }

    /// Renders the three parts with `data` (an object of variable values).
    pub fn render(&self, data: &Value) -> Result<RenderedMail, String> {
        let env = environment();
        let render = |name: &str, source: &str| {
            env.template_from_named_str(name, source)
                .and_then(|t| t.render(data))
                .map_err(|e| format!("{}: {e}", field_name(name)))
        };
        Ok(RenderedMail {
            subject: render("subject", &self.subject)?.trim().to_owned(),
            html_body: render(HTML, &self.html_body)?,
            text_body: render("text_body", &self.text_body)?,
        })
    }

    /// Sample data for a preview: each declared variable shows its own name.
    pub fn sample_data(&self) -> Value {
        let mut data = serde_json::Map::new();
        for variable in &self.variables {
            let value = if variable == "items" {
                serde_json::json!([
                    {"subject": "«subject»", "text": "«text»"},
                ])
            } else {
                Value::String(format!("«{variable}»"))
            };
            data.insert(variable.clone(), value);
        }
        Value::Object(data)
    }
}

fn field_name(part: &str) -> &'static str {
    match part {
        "subject" => "subject",
        HTML => "htmlBody",
        _ => "textBody",
    }
}

/// A point in time as a reader in Bern reads it, in `language`'s usual notation.
pub fn local_time(at: DateTime<Utc>, language: Language) -> String {
    let local = at.with_timezone(&Zurich);
    match language {
        Language::De => local.format("%d.%m.%Y %H:%M").to_string(),
        Language::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(subject: &str, html: &str, variables: &[&str]) -> TemplateText {
        TemplateText {
            subject: subject.into(),
            html_body: html.into(),
            text_body: "Hello {{ recipientName }}".into(),
            variables: variables.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn an_undeclared_variable_is_named() {
        let t = text(
            "Hi {{ recipientName }}",
            "<p>{{ eventTitle }}</p>",
            &["recipientName"],
        );
        let errors = t.check(TemplateType::RegistrationConfirmed).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "htmlBody");
        assert!(errors[0].message.contains("eventTitle"));
    }

    #[test]
    fn a_syntax_error_is_named() {
        let t = text("Hi {{ recipientName", "<p></p>", &["recipientName"]);
        let errors = t.check(TemplateType::RegistrationConfirmed).unwrap_err();
        assert_eq!(errors[0].field, "subject");
        assert!(errors[0].message.starts_with("does not parse"));
    }

    #[test]
    fn a_variable_the_type_does_not_provide_is_refused() {
        let t = text("Hi", "<p></p>", &["recipientName", "invitationLink"]);
        let errors = t.check(TemplateType::RegistrationConfirmed).unwrap_err();
        assert_eq!(errors[0].field, "variables");
    }

    #[test]
    fn loop_variables_are_not_undeclared_and_html_is_escaped() {
        let t = TemplateText {
            subject: "{{ items|length }} news".into(),
            html_body: "{% for item in items %}<b>{{ item.subject }}</b>{% endfor %}".into(),
            text_body: "{% for item in items %}{{ item.subject }}{% endfor %}".into(),
            variables: vec!["items".into()],
        };
        t.check(TemplateType::Digest).unwrap();
        let mail = t
            .render(&serde_json::json!({"items": [{"subject": "<script>"}]}))
            .unwrap();
        assert_eq!(mail.subject, "1 news");
        assert_eq!(mail.html_body, "<b>&lt;script&gt;</b>");
        assert_eq!(mail.text_body, "<script>");
    }

    #[test]
    fn rendering_without_a_declared_value_fails() {
        let t = text("Hi {{ recipientName }}", "<p></p>", &["recipientName"]);
        assert!(t.render(&serde_json::json!({})).is_err());
    }

    #[test]
    fn times_read_as_in_bern() {
        let at = "2027-03-12T17:00:00Z".parse().unwrap();
        assert_eq!(local_time(at, Language::De), "12.03.2027 18:00");
        assert_eq!(local_time(at, Language::En), "2027-03-12 18:00");
    }
}
