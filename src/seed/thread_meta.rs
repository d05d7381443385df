//! The seed's thread concepts that today's ACS API has no field for, kept in thread
//! metadata (a string map of at most 1 KB in total):
//!
//! | key | value | meaning |
//! |---|---|---|
//! | `isStickyThread` | `true` / `false` | the member list is immutable: no invites, no removals |
//! | `acsChat.admins` | raw ids joined by `,` | these members have the `Admin` role |
//!
//! Every other member has the `User` role. Only admins are listed because raw ids are
//! long (about 90 bytes) and the metadata budget is small; a thread without the key has
//! no admins. Participant metadata `memberRole` (`Admin`/`User`) is honoured too, for
//! threads made by other tools.

use std::collections::BTreeSet;

use crate::wire::Metadata;

/// Metadata key of the seed's `isStickyThread`.
pub const KEY_STICKY: &str = "isStickyThread";
/// Metadata key listing the admins' raw ids, comma-separated.
pub const KEY_ADMINS: &str = "acsChat.admins";
/// Participant metadata key that may carry a member's role.
pub const KEY_MEMBER_ROLE: &str = "memberRole";

/// A member's role, the seed's `memberRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::User => "User",
        }
    }

    /// `Admin` (any case) or anything else = `User`.
    pub fn parse(s: &str) -> Self {
        if s.trim().eq_ignore_ascii_case("admin") {
            Self::Admin
        } else {
            Self::User
        }
    }
}

/// The decoded thread metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadMeta {
    pub sticky: bool,
    pub admins: BTreeSet<String>,
}

impl ThreadMeta {
    /// Decodes the metadata map; missing or malformed keys mean "not sticky, no admins".
    pub fn parse(metadata: Option<&Metadata>) -> Self {
        let Some(m) = metadata else {
            return Self::default();
        };
        let sticky = m
            .get(KEY_STICKY)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let admins = m
            .get(KEY_ADMINS)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self { sticky, admins }
    }

    /// Encodes into the metadata entries to send with create (or a metadata update).
    pub fn to_metadata(&self) -> Metadata {
        let mut m = Metadata::new();
        m.insert(KEY_STICKY.to_owned(), self.sticky.to_string());
        if !self.admins.is_empty() {
            m.insert(
                KEY_ADMINS.to_owned(),
                self.admins.iter().cloned().collect::<Vec<_>>().join(","),
            );
        }
        m
    }

    /// The role of `user_id`; `participant_metadata` is the member's own metadata, if any.
    pub fn role_of(&self, user_id: &str, participant_metadata: Option<&Metadata>) -> Role {
        if self.admins.contains(user_id) {
            return Role::Admin;
        }
        participant_metadata
            .and_then(|m| m.get(KEY_MEMBER_ROLE))
            .map_or(Role::User, |r| Role::parse(r))
    }
}

/// Thread metadata for a new thread: the Admins among `roles` and stickiness.
pub fn format(roles: &[(&str, Role)], sticky: bool) -> Metadata {
    let admins = roles
        .iter()
        .filter(|(_, r)| *r == Role::Admin)
        .map(|(id, _)| (*id).to_owned())
        .collect();
    ThreadMeta { sticky, admins }.to_metadata()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let meta = ThreadMeta {
            sticky: true,
            admins: ["8:acs:a".to_owned(), "8:acs:b".to_owned()].into(),
        };
        let m = meta.to_metadata();
        assert_eq!(m.get(KEY_STICKY).map(String::as_str), Some("true"));
        assert_eq!(
            m.get(KEY_ADMINS).map(String::as_str),
            Some("8:acs:a,8:acs:b")
        );
        assert_eq!(ThreadMeta::parse(Some(&m)), meta);
    }

    #[test]
    fn formats_roles_for_a_new_thread() {
        let m = format(&[("8:acs:a", Role::Admin), ("8:acs:b", Role::User)], false);
        let meta = ThreadMeta::parse(Some(&m));
        assert!(!meta.sticky);
        assert_eq!(meta.role_of("8:acs:a", None), Role::Admin);
        assert_eq!(meta.role_of("8:acs:b", None), Role::User);
        assert_eq!(m.get(KEY_ADMINS).map(String::as_str), Some("8:acs:a"));
    }

    #[test]
    fn missing_or_odd_values_are_defaults() {
        assert_eq!(ThreadMeta::parse(None), ThreadMeta::default());
        let mut m = Metadata::new();
        m.insert(KEY_STICKY.into(), "yes".into());
        m.insert(KEY_ADMINS.into(), " , 8:acs:a ,".into());
        let meta = ThreadMeta::parse(Some(&m));
        assert!(!meta.sticky);
        assert_eq!(meta.role_of("8:acs:a", None), Role::Admin);
        assert_eq!(meta.role_of("8:acs:z", None), Role::User);
        let mut pm = Metadata::new();
        pm.insert(KEY_MEMBER_ROLE.into(), "admin".into());
        assert_eq!(meta.role_of("8:acs:z", Some(&pm)), Role::Admin);
    }
}
