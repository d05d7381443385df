//! The `api-version` query parameter: required on every Chat and Identity call, and
//! checked against the stable versions each API has shipped, so every released SDK
//! (Python chat sends 2024-03-07, JS chat 2025-03-15, both identity 2023-10-01) works.

use super::api_error::{ApiError, Family};
use axum::http::StatusCode;

/// Stable Chat API versions.
pub const CHAT_VERSIONS: &[&str] = &[
    "2021-03-07",
    "2021-09-07",
    "2023-11-07",
    "2024-03-07",
    "2025-03-15",
];

/// Stable Identity API versions.
pub const IDENTITY_VERSIONS: &[&str] = &[
    "2021-03-07",
    "2022-06-01",
    "2022-09-01",
    "2022-10-01",
    "2023-08-01",
    "2023-10-01",
    "2025-06-30",
    "2026-07-22",
    "2026-09-23",
];

/// The versions of `family`, as the `api-supported-versions` header lists them.
pub fn supported_header(family: Family) -> Option<String> {
    match family {
        Family::Chat => Some(CHAT_VERSIONS.join(", ")),
        Family::Identity => Some(IDENTITY_VERSIONS.join(", ")),
        Family::Emulator => None,
    }
}

/// Checks the `api-version` value of a request to `family`.
pub fn check(family: Family, value: Option<&str>) -> Result<(), ApiError> {
    let known = match family {
        Family::Chat => CHAT_VERSIONS,
        Family::Identity => IDENTITY_VERSIONS,
        Family::Emulator => return Ok(()),
    };
    match value {
        None | Some("") => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            Some(
                "The api-version query parameter (?api-version=) is required for all requests."
                    .to_owned(),
            ),
        )),
        Some(v) if known.contains(&v) => Ok(()),
        Some(v) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UnsupportedApiVersion",
            Some(format!(
                "The HTTP resource does not support the API version '{v}'. Supported versions: {}.",
                known.join(", ")
            )),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_versions_pass_others_fail() {
        assert!(check(Family::Chat, Some("2024-03-07")).is_ok());
        assert!(check(Family::Chat, Some("2025-03-15")).is_ok());
        assert!(check(Family::Identity, Some("2023-10-01")).is_ok());
        assert_eq!(
            check(Family::Chat, None).map_err(|e| e.code),
            Err("MissingApiVersionParameter".to_owned())
        );
        assert_eq!(
            check(Family::Chat, Some("2023-10-01")).map_err(|e| e.code),
            Err("UnsupportedApiVersion".to_owned())
        );
        assert!(check(Family::Emulator, None).is_ok());
    }
}
