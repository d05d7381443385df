//! Profile names and the display names they stand for: one rule for the CLI's `--as`,
//! the TUI's `/invite` and the config file's `[profiles.*]`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[profiles.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The name others see; defaults to the profile name, capitalised.
    pub display_name: Option<String>,
}

/// The display name of a profile among `[profiles.*]` settings: configured (the
/// table's name in any case), or the profile name capitalised.
pub fn display_name(profiles: &BTreeMap<String, ProfileConfig>, profile: &str) -> String {
    profiles
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(profile))
        .and_then(|(_, p)| p.display_name.clone())
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| capitalise(profile))
}

/// The profile a name stands for: lower-cased, so `Carol` and `carol` are one profile
/// (one cached identity), then checked by [`validate_profile_name`].
pub fn profile_name(name: &str) -> Result<String, String> {
    let name = name.to_ascii_lowercase();
    validate_profile_name(&name)?;
    Ok(name)
}

/// Profile names become file names and appear on screen: keep them simple.
pub fn validate_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "profile name {name:?} must be 1-32 characters of a-z, 0-9, '-' or '_'"
        ))
    }
}

/// `s` with its first letter upper-cased (display names, headings).
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
