//! Identifiers the emulator mints and checks: ACS user ids (`8:acs:<resource>_<id>`),
//! thread ids (`19:<hex>@thread.v2`) and message ids (decimal epoch milliseconds).
//! Pure functions; the store decides whether a well-formed id exists.

use crate::wire::CommunicationIdentifierModel;

/// The prefixes of ACS user ids in the public and sovereign clouds (and test rings).
const ACS_USER_PREFIXES: [&str; 4] = ["8:acs:", "8:spool:", "8:gcch-acs:", "8:dod-acs:"];

/// A new ACS user id under `resource_id`.
pub fn new_user_id(resource_id: &str) -> String {
    format!("8:acs:{resource_id}_{}", uuid::Uuid::new_v4())
}

/// A new thread id, opaque like the service's.
pub fn new_thread_id() -> String {
    format!("19:{}@thread.v2", uuid::Uuid::new_v4().simple())
}

/// Whether `id` has the shape of a thread id; anything else is a 400, not a 404.
pub fn is_thread_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("19:") else {
        return false;
    };
    let Some((opaque, domain)) = rest.rsplit_once('@') else {
        return false;
    };
    !opaque.is_empty()
        && opaque.len() <= 200
        && opaque
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && (domain == "thread.v2" || domain == "thread.skype")
}

/// A message id: a positive decimal number (epoch milliseconds).
pub fn parse_message_id(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

/// What a participant identifier turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// A well-formed ACS user id (which may or may not exist here).
    AcsUser(String),
    /// A well-formed identifier of another kind (phone, Teams): never a member here.
    Other(String),
}

impl Identifier {
    pub fn raw(&self) -> &str {
        match self {
            Self::AcsUser(s) | Self::Other(s) => s,
        }
    }
}

/// Checks an identifier from a request body. `Err` carries the text for the
/// service's "Identifier format is invalid (x)." message.
pub fn classify(model: &CommunicationIdentifierModel) -> Result<Identifier, String> {
    let from_user = model.communication_user.as_ref().map(|u| u.id.as_str());
    let raw = match (model.raw_id.as_deref(), from_user) {
        (Some(raw), Some(user)) if raw != user => return Err(raw.to_owned()),
        (Some(raw), _) => raw,
        (None, Some(user)) => user,
        (None, None) => {
            if let Some(phone) = &model.phone_number {
                return Ok(Identifier::Other(format!("4:{}", phone.value)));
            }
            if let Some(t) = &model.microsoft_teams_user {
                return Ok(Identifier::Other(format!("8:orgid:{}", t.user_id)));
            }
            if let Some(a) = &model.microsoft_teams_app {
                return Ok(Identifier::Other(format!("28:orgid:{}", a.app_id)));
            }
            return Err(String::new());
        }
    };
    classify_raw(raw)
}

/// [`classify`] for a bare raw id.
pub fn classify_raw(raw: &str) -> Result<Identifier, String> {
    if let Some(rest) = ACS_USER_PREFIXES.iter().find_map(|p| raw.strip_prefix(p)) {
        return if is_acs_user_suffix(rest) {
            Ok(Identifier::AcsUser(raw.to_owned()))
        } else {
            Err(raw.to_owned())
        };
    }
    let other = [
        "4:+",
        "8:orgid:",
        "8:gcch:",
        "8:dod:",
        "8:teamsvisitor:",
        "28:",
    ];
    let ok = other
        .iter()
        .any(|p| raw.len() > p.len() && raw.starts_with(p))
        && raw.len() <= 256
        && !raw.chars().any(char::is_whitespace);
    if ok {
        Ok(Identifier::Other(raw.to_owned()))
    } else {
        Err(raw.to_owned())
    }
}

/// `<guid>_<id>` where the id part is made of letters, digits and dashes.
fn is_acs_user_suffix(rest: &str) -> bool {
    let Some((resource, user)) = rest.split_once('_') else {
        return false;
    };
    uuid::Uuid::parse_str(resource).is_ok()
        && !user.is_empty()
        && user.len() <= 128
        && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_are_well_formed() {
        let user = new_user_id(crate::local::RESOURCE_ID);
        assert_eq!(classify_raw(&user), Ok(Identifier::AcsUser(user.clone())));
        assert!(is_thread_id(&new_thread_id()));
    }

    #[test]
    fn recorded_ids() {
        assert!(is_thread_id(
            "19:ZFZyPgSr4MhkDfCnXSa6rKVR00T-pr_H_KFLgkMMCmE1@thread.v2"
        ));
        assert!(is_thread_id(
            "19:00000000000000000000000000000000@thread.v2"
        ));
        assert!(!is_thread_id("invalid_chat_thread_id"));
        assert!(!is_thread_id("19:@thread.v2"));
        assert_eq!(
            classify_raw("8:acs:invalidUserId"),
            Err("8:acs:invalidUserId".into())
        );
        assert_eq!(
            classify_raw("8:acs:fakeid==="),
            Err("8:acs:fakeid===".into())
        );
        let unknown =
            "8:acs:00000000-1111-2222-3333-444444444444_55555555-6666-7777-8888-999999999999";
        assert!(matches!(classify_raw(unknown), Ok(Identifier::AcsUser(_))));
        assert!(matches!(
            classify_raw("4:+14255550123"),
            Ok(Identifier::Other(_))
        ));
    }

    #[test]
    fn message_ids() {
        assert_eq!(parse_message_id("1697712387445"), Some(1697712387445));
        assert_eq!(parse_message_id("invalid_chat_message_id"), None);
        assert_eq!(parse_message_id("0"), None);
        assert_eq!(parse_message_id("99999999999999999999"), None);
        assert_eq!(parse_message_id("-5"), None);
    }

    #[test]
    fn raw_and_user_must_agree() {
        let mut m = CommunicationIdentifierModel::user(new_user_id(crate::local::RESOURCE_ID));
        assert!(classify(&m).is_ok());
        m.raw_id = Some("8:acs:other".into());
        assert!(classify(&m).is_err());
    }
}
