//! A company's editable state and its validation. Inputs are trimmed; blank optional text
//! counts as absent; every invalid field is reported at once.

use serde::{Deserialize, Serialize};
use shared_domain::{FieldError, Parse, Validator};

/// A postal address (the company's headquarters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `CH`.
    pub country: String,
}

/// Links to the company's public profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SocialLinks {
    pub linkedin: Option<String>,
    pub twitter: Option<String>,
    pub xing: Option<String>,
    pub github: Option<String>,
}

/// Everything about a company that can be set by its editors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyFields {
    pub name: String,
    pub display_name: String,
    pub is_partner: bool,
    pub website: Option<String>,
    pub industry: String,
    pub employee_count: Option<i64>,
    pub headquarters: Option<Address>,
    pub description: Option<String>,
    pub social_links: SocialLinks,
}

const NAME_MAX: usize = 255;
const URL_MAX: usize = 500;
const INDUSTRY_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 5000;
/// Larger than any company on earth; guards against typos and overflow.
const EMPLOYEES_MAX: i64 = 10_000_000;

impl Parse for CompanyFields {
    /// Validates and normalises the fields; `Err` lists every invalid field.
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut v = Validator::new();
        let name = v.text("name", &self.name, NAME_MAX);
        let display_name = v.text("displayName", &self.display_name, NAME_MAX);
        let website = v.optional_url("website", self.website.as_deref(), URL_MAX);
        let industry = v.text("industry", &self.industry, INDUSTRY_MAX);
        let employee_count =
            v.optional_range("employeeCount", self.employee_count, 0, EMPLOYEES_MAX);
        let description =
            v.optional_paragraphs("description", self.description.as_deref(), DESCRIPTION_MAX);
        let headquarters = self.headquarters.and_then(|a| validate_address(&mut v, a));
        let links = &self.social_links;
        let social_links = SocialLinks {
            linkedin: v.optional_url("socialLinks.linkedin", links.linkedin.as_deref(), URL_MAX),
            twitter: v.optional_url("socialLinks.twitter", links.twitter.as_deref(), URL_MAX),
            xing: v.optional_url("socialLinks.xing", links.xing.as_deref(), URL_MAX),
            github: v.optional_url("socialLinks.github", links.github.as_deref(), URL_MAX),
        };
        let (name, display_name, industry) = v.finish_with((name, display_name, industry))?;
        Ok(Self {
            name,
            display_name,
            is_partner: self.is_partner,
            website,
            industry,
            employee_count,
            headquarters,
            description,
            social_links,
        })
    }
}

fn validate_address(v: &mut Validator, address: Address) -> Option<Address> {
    let street = v.optional_text("headquarters.street", address.street.as_deref(), 255);
    let postal_code = v.optional_text(
        "headquarters.postalCode",
        address.postal_code.as_deref(),
        20,
    );
    let city = v.text("headquarters.city", &address.city, 100);
    let country = address.country.trim().to_ascii_uppercase();
    let country_ok = country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase());
    if !country_ok {
        v.reject(
            "headquarters.country",
            "must be an ISO 3166-1 alpha-2 code, e.g. CH",
        );
    }
    Some(Address {
        street,
        postal_code,
        city: city?,
        country: country_ok.then_some(country)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_domain::Valid;

    fn acme() -> CompanyFields {
        CompanyFields {
            name: "  Acme AG ".into(),
            display_name: "Acme".into(),
            is_partner: true,
            website: Some("https://acme.ch".into()),
            industry: "Software".into(),
            employee_count: Some(120),
            headquarters: Some(Address {
                street: None,
                postal_code: Some("3011".into()),
                city: "Bern".into(),
                country: "ch".into(),
            }),
            description: Some("   ".into()),
            social_links: SocialLinks::default(),
        }
    }

    #[test]
    fn valid_company_is_normalised() {
        let company = Valid::parse(acme()).unwrap();
        assert_eq!(company.name, "Acme AG");
        assert_eq!(company.headquarters.as_ref().unwrap().country, "CH");
        assert_eq!(company.description, None);
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let mut fields = acme();
        fields.name = "".into();
        fields.website = Some("acme.ch".into());
        fields.employee_count = Some(-5);
        fields.headquarters = Some(Address {
            street: None,
            postal_code: None,
            city: " ".into(),
            country: "Switzerland".into(),
        });
        fields.social_links.linkedin = Some("not a url".into());
        let errors = Valid::parse(fields).unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "website",
                "employeeCount",
                "headquarters.city",
                "headquarters.country",
                "socialLinks.linkedin"
            ]
        );
    }
}
