//! Who may create which attendee record. Organizers register anyone; a person signs up only
//! themself: once per account, with the address their identity provider vouches for (the
//! token's `email` claim), so nobody can enrol a stranger or record consent on their behalf.

use crate::domain::AttendeeError;

/// Who asks for a new attendee record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signup<'a> {
    Organizer,
    Themself {
        /// The account (token subject) the record will belong to.
        subject: &'a str,
        /// The address the token vouches for.
        email: Option<&'a str>,
        /// Whether the token already names an attendee record.
        has_record: bool,
    },
}

impl<'a> Signup<'a> {
    /// The account the new record belongs to (none for records organizers create), or why
    /// the caller may not create a record for `email` (already lower-cased).
    pub fn account_for(&self, email: &str) -> Result<Option<&'a str>, AttendeeError> {
        match *self {
            Signup::Organizer => Ok(None),
            Signup::Themself {
                has_record: true, ..
            } => Err(AttendeeError::Forbidden(
                "this account already has an attendee record",
            )),
            Signup::Themself { email: None, .. } => Err(AttendeeError::Forbidden(
                "signing up needs a token that states the account's email address",
            )),
            Signup::Themself {
                email: Some(own), ..
            } if !own.trim().eq_ignore_ascii_case(email) => Err(AttendeeError::Forbidden(
                "people sign up only with their own account's email address",
            )),
            Signup::Themself { subject, .. } => Ok(Some(subject)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: Option<&'static str>) -> Signup<'static> {
        Signup::Themself {
            subject: "user-1",
            email,
            has_record: false,
        }
    }

    #[test]
    fn organizers_create_records_for_anyone_without_an_account() {
        assert_eq!(Signup::Organizer.account_for("ada@example.ch"), Ok(None));
    }

    #[test]
    fn a_person_signs_up_with_their_own_address_under_their_account() {
        let signup = person(Some("Ada@Example.ch"));
        assert_eq!(signup.account_for("ada@example.ch"), Ok(Some("user-1")));
    }

    #[test]
    fn a_person_cannot_sign_up_a_stranger() {
        assert!(person(Some("ada@example.ch"))
            .account_for("grace@example.ch")
            .is_err());
    }

    #[test]
    fn a_token_without_email_signs_up_nobody() {
        assert!(person(None).account_for("ada@example.ch").is_err());
    }

    #[test]
    fn an_account_with_a_record_gets_no_second() {
        let signup = Signup::Themself {
            subject: "user-1",
            email: Some("ada@example.ch"),
            has_record: true,
        };
        assert!(signup.account_for("ada@example.ch").is_err());
    }
}
