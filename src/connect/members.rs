//! Who a member name stands for: one rule for the scripting subcommands
//! (`thread create --member`, `participant add|remove`) and the interactive client
//! (`/new`, `/invite`, `/remove`), so `/invite Carol` and `--as carol` are one identity.
//!
//! - An ACS id is anything holding a `:` (`8:acs:…`, `8:teamsvisitor:…`, `4:+1…`):
//!   profile names cannot, so the two never collide. It is taken as is.
//! - Anything else is a profile name, lower-cased ([`crate::config::profile_name`]):
//!   known on this endpoint, the session's own, or created through Identity when the
//!   session has a connection string (as `--as NAME` would).
//! - Its display name is the configured one, else the capitalised profile name
//!   ([`Session::display_name_of`]).

use super::{ConnectError, Session};

/// Whether `name` is an ACS id rather than a profile name.
pub fn is_acs_id(name: &str) -> bool {
    name.contains(':')
}

/// The user id and (for profiles) display name that `name` stands for.
pub async fn resolve(
    session: &Session,
    name: &str,
) -> Result<(String, Option<String>), ConnectError> {
    if is_acs_id(name) {
        return Ok((name.to_owned(), None));
    }
    let profile = crate::config::profile_name(name)
        .map_err(|e| ConnectError::Config(format!("{e}; or give an ACS user id (8:acs:...)")))?;
    let display = Some(session.display_name_of(&profile));
    if let Some((_, id)) = session.known_profiles.iter().find(|(n, _)| *n == profile) {
        return Ok((id.clone(), display));
    }
    if profile == session.profile {
        return Ok((session.user_id.clone(), display));
    }
    match &session.minter {
        Some(minter) => Ok((minter.ensure(&profile).await?, display)),
        None => Err(ConnectError::Config(format!(
            "unknown profile {name:?}: without a connection string give an ACS user id (8:acs:...)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hold_a_colon_and_profile_names_cannot() {
        for id in [
            "8:acs:r_u",
            "8:teamsvisitor:x",
            "4:+15551234567",
            "8:spool:y",
        ] {
            assert!(is_acs_id(id), "{id}");
        }
        for name in ["carol", "Carol", "bob-2"] {
            assert!(!is_acs_id(name), "{name}");
            assert!(crate::config::profile_name(name).is_ok(), "{name}");
        }
        assert!(crate::config::profile_name("a:b").is_err());
    }
}
