//! Field-level validation that collects every problem of an input at once, so a client
//! fixes a form in one round trip. The HTTP layer renders the list as `errors: [{field, message}]`.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

/// The first year a date the platform accepts may lie in.
pub const EARLIEST_YEAR: i32 = 2000;
/// The last year a date the platform accepts may lie in.
pub const LATEST_YEAR: i32 = 2100;

/// The problem with `value` as a date of `field`, if it lies outside the years the
/// platform plans for.
pub fn implausible_time(field: &str, value: DateTime<Utc>) -> Option<FieldError> {
    let mut v = Validator::new();
    v.plausible_time(field, value);
    v.finish().err().and_then(|mut errors| errors.pop())
}

/// One invalid field: its JSON path (camelCase, dotted for nested objects) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Accumulates field errors while an input is parsed into domain types.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty validator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn reject(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// One line of text (a name, a title): trims `value` and checks it is non-empty, at
    /// most `max` characters and free of control characters (line breaks included);
    /// returns the trimmed text when valid.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        self.checked_text(field, value, max, |c| c.is_control())
    }

    /// Text of several lines (an abstract, a description): like [`Validator::text`], but
    /// line breaks and tabs are allowed.
    pub fn paragraphs(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        self.checked_text(field, value, max, |c| {
            c.is_control() && !matches!(c, '\n' | '\r' | '\t')
        })
    }

    /// Like [`Validator::paragraphs`] for an optional value; blank text counts as absent.
    pub fn optional_paragraphs(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        match value.map(str::trim) {
            None | Some("") => None,
            Some(v) => self.paragraphs(field, v, max),
        }
    }

    fn checked_text(
        &mut self,
        field: &str,
        value: &str,
        max: usize,
        refused: impl Fn(char) -> bool,
    ) -> Option<String> {
        let trimmed = value.trim();
        if trimmed.chars().any(refused) {
            self.reject(field, "must not contain control characters");
            None
        } else if trimmed.is_empty() {
            self.reject(field, "must not be empty");
            None
        } else if trimmed.chars().count() > max {
            self.reject(field, format!("must be at most {max} characters"));
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    /// Checks a plausible email address of at most 255 characters (one `@`, a non-empty
    /// local part, a dotted domain, no spaces); returns it trimmed and lower-cased.
    pub fn email(&mut self, field: &str, value: &str) -> Option<String> {
        let email = self.text(field, value, 255)?.to_lowercase();
        let plausible = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
        });
        if plausible {
            Some(email)
        } else {
            self.reject(field, "must be an email address");
            None
        }
    }

    /// Checks that `value` lies in the years the platform plans for ([`EARLIEST_YEAR`] to
    /// [`LATEST_YEAR`]); date arithmetic on anything further out could overflow.
    pub fn plausible_time(&mut self, field: &str, value: DateTime<Utc>) -> bool {
        let ok = (EARLIEST_YEAR..=LATEST_YEAR).contains(&value.year());
        if !ok {
            self.reject(
                field,
                format!("must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}"),
            );
        }
        ok
    }

    /// Like [`Validator::text`] for an optional value; blank text counts as absent.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        match value.map(str::trim) {
            None | Some("") => None,
            Some(v) => self.text(field, v, max),
        }
    }

    /// Checks an optional absolute `http(s)` URL of at most `max` characters.
    pub fn optional_url(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = self.optional_text(field, value, max)?;
        let lower = value.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        match rest {
            Some(host)
                if !host.is_empty()
                    && !host.starts_with('/')
                    && !value.contains(char::is_whitespace) =>
            {
                Some(value)
            }
            _ => {
                self.reject(field, "must be an absolute http(s) URL");
                None
            }
        }
    }

    /// Checks an optional integer lies in `min..=max`.
    pub fn optional_range(
        &mut self,
        field: &str,
        value: Option<i64>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        match value {
            Some(v) if v < min || v > max => {
                self.reject(field, format!("must be between {min} and {max}"));
                None
            }
            other => other,
        }
    }

    /// Ends validation: `Ok(())` when nothing was rejected, otherwise every field error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Ends validation with the parsed required `parts` (each `Some` when its check
    /// passed): every collected error, or the parts themselves.
    pub fn finish_with<P: AllPresent>(self, parts: P) -> Result<P::Present, Vec<FieldError>> {
        self.finish()?;
        parts
            .all_present()
            .ok_or_else(|| vec![FieldError::new("", "a required part could not be read")])
    }
}

/// A tuple of checked parts, present when every check passed.
pub trait AllPresent {
    type Present;
    fn all_present(self) -> Option<Self::Present>;
}

impl<A> AllPresent for Option<A> {
    type Present = A;
    fn all_present(self) -> Option<A> {
        self
    }
}

impl<A, B> AllPresent for (Option<A>, Option<B>) {
    type Present = (A, B);
    fn all_present(self) -> Option<(A, B)> {
        Some((self.0?, self.1?))
    }
}

impl<A, B, C> AllPresent for (Option<A>, Option<B>, Option<C>) {
    type Present = (A, B, C);
    fn all_present(self) -> Option<(A, B, C)> {
        Some((self.0?, self.1?, self.2?))
    }
}

impl<A, B, C, D> AllPresent for (Option<A>, Option<B>, Option<C>, Option<D>) {
    type Present = (A, B, C, D);
    fn all_present(self) -> Option<(A, B, C, D)> {
        Some((self.0?, self.1?, self.2?, self.3?))
    }
}

/// Input that parses into itself: trimmed, normalised and checked field by field, every
/// problem reported at once. Only [`Valid::parse`] calls it.
pub trait Parse: Sized {
    /// The normalised input, or every invalid field.
    fn check(self) -> Result<Self, Vec<FieldError>>;

    /// [`Valid::parse`] of `self`.
    fn into_valid(self) -> Result<Valid<Self>, Vec<FieldError>> {
        Valid::parse(self)
    }
}

/// Input that passed its [`Parse`] checks. Only [`Valid::parse`] makes one, so a function
/// taking a `Valid<T>` cannot be handed raw input.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(T);

impl<T: Parse> Valid<T> {
    /// Checks and normalises `raw`.
    pub fn parse(raw: T) -> Result<Self, Vec<FieldError>> {
        raw.check().map(Valid)
    }
}

impl<T> Valid<T> {
    /// The checked value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_text_refuses_every_control_character() {
        let mut v = Validator::new();
        assert_eq!(v.text("name", "Acme\u{7}", 50), None);
        assert_eq!(v.text("title", "Acme\r\nBcc: x", 50), None);
        assert_eq!(v.text("industry", "IT\tServices", 50), None);
        assert_eq!(v.text("city", "Bern", 50).as_deref(), Some("Bern"));
        let errors = v.finish().unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[0].message, "must not contain control characters");
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_tabs_but_no_other_control_character() {
        let mut v = Validator::new();
        let text = "First line.\r\n\tSecond line.";
        assert_eq!(v.paragraphs("abstract", text, 100).as_deref(), Some(text));
        assert_eq!(v.paragraphs("abstract", "ring\u{7}", 100), None);
        assert_eq!(v.paragraphs("bio", "nul\0", 100), None);
    }

    #[test]
    fn collects_every_invalid_field() {
        let mut v = Validator::new();
        assert_eq!(v.text("name", "  ", 10), None);
        assert_eq!(v.optional_url("website", Some("ftp://x"), 100), None);
        assert_eq!(v.optional_range("employeeCount", Some(-1), 0, 10), None);
        let errors = v.finish().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "website", "employeeCount"]);
    }

    #[test]
    fn accepts_and_trims_valid_values() {
        let mut v = Validator::new();
        assert_eq!(v.text("name", "  Acme ", 10).as_deref(), Some("Acme"));
        assert_eq!(v.optional_text("d", Some("   "), 10), None);
        assert_eq!(
            v.optional_url("w", Some("https://acme.ch"), 100).as_deref(),
            Some("https://acme.ch")
        );
        assert_eq!(v.text("n", "abcdefghijk", 10), None);
        assert_eq!(v.finish().unwrap_err().len(), 1);
    }

    #[test]
    fn emails_are_plausible_and_lower_cased() {
        let mut v = Validator::new();
        assert_eq!(
            v.email("e", " Mia@Example.CH ").as_deref(),
            Some("mia@example.ch")
        );
        for bad in [
            "mia",
            "@example.ch",
            "mia@example",
            "mia@.ch",
            "mia@ex.ch.",
            "m ia@ex.ch",
            "a@b@c.ch",
        ] {
            assert_eq!(v.email("e", bad), None, "{bad}");
        }
        assert_eq!(v.finish().unwrap_err().len(), 7);
    }
}
