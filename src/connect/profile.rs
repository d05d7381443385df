//! Becoming a profile: its cached identity reused, renewed or created through
//! Identity, and the credential that keeps its token fresh.

use super::*;

/// When [`ensure_profile`] may hand out a cached token as it is.
#[derive(Debug, Clone, Default)]
pub struct TokenReuse {
    /// Reuse is wanted at all (short-lived commands; the interactive client always
    /// asks, which also proves at start-up that the endpoint still knows the user).
    pub allowed: bool,
    /// Digest of the CA the endpoint is trusted through, when it has its own.
    pub endpoint_ca: Option<String>,
    pub loopback: bool,
}

/// How long a reused token must still be valid.
const REUSE_MARGIN: time::Duration = time::Duration::minutes(10);

impl TokenReuse {
    /// Whether `cached` can be used without asking Identity first. A remote resource
    /// keeps its users; a local emulator keeps them as long as its data directory,
    /// whose certificate is its CA: the same CA, the same database. A loopback endpoint
    /// without a CA of its own (plain http) could be a fresh emulator: always ask.
    fn permits(&self, cached: &CachedIdentity, now: OffsetDateTime) -> bool {
        let valid = crate::wire::timestamp::parse(&cached.expires_on)
            .is_some_and(|t| t > now + REUSE_MARGIN);
        let same_endpoint = match &self.endpoint_ca {
            Some(ca) => cached.endpoint_ca.as_ref() == Some(ca),
            None => !self.loopback,
        };
        self.allowed && valid && same_endpoint
    }
}

/// The cached identity of `profile`: reused as it is when `reuse` permits, else
/// validated by issuing a fresh token (which also renews it); created when missing or
/// when the endpoint no longer knows it.
pub async fn ensure_profile(
    identity: &IdentityClient,
    cache: &IdentityCache,
    profile: &str,
    reuse: &TokenReuse,
) -> Result<CachedIdentity, ConnectError> {
    if let Some(cached) = cache.load(profile)? {
        if reuse.permits(&cached, OffsetDateTime::now_utc()) {
            return Ok(cached);
        }
        match identity
            .issue_token(&cached.user_id, &[TokenScope::Chat], None)
            .await
        {
            Ok(token) => {
                let fresh = CachedIdentity {
                    user_id: cached.user_id,
                    token: token.token,
                    expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
                    endpoint_ca: reuse.endpoint_ca.clone(),
                };
                cache.store(profile, &fresh)?;
                return Ok(fresh);
            }
            // The endpoint forgot the user (e.g. a wiped emulator): make a new one.
            Err(e) if matches!(e.status(), Some(400 | 401 | 403 | 404)) => {
                tracing::info!(
                    profile,
                    "cached identity unknown to the endpoint; creating a new one"
                );
            }
            Err(e) => {
                // Offline: a cached token that is still valid lets the client start.
                let still_valid = crate::wire::timestamp::parse(&cached.expires_on)
                    .is_some_and(|t| t > OffsetDateTime::now_utc() + time::Duration::minutes(5));
                if still_valid {
                    return Ok(cached);
                }
                return Err(e.into());
            }
        }
    }
    let (user_id, token) = identity
        .create_user_and_token(&[TokenScope::Chat], None)
        .await?;
    let created = CachedIdentity {
        user_id,
        token: token.token,
        expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
        endpoint_ca: reuse.endpoint_ca.clone(),
    };
    cache.store(profile, &created)?;
    Ok(created)
}

/// A credential that re-issues the profile's token through Identity before it expires
/// and keeps the cache current.
pub(super) fn refreshing_credential(
    identity: IdentityClient,
    cache: IdentityCache,
    profile: String,
    me: &CachedIdentity,
) -> TokenCredential {
    let initial =
        crate::wire::timestamp::parse(&me.expires_on).map(|expires_on| acs::AccessToken {
            token: me.token.clone(),
            expires_on,
        });
    let user_id = me.user_id.clone();
    let endpoint_ca = me.endpoint_ca.clone();
    TokenCredential::refreshing(initial, move || {
        let identity = identity.clone();
        let cache = cache.clone();
        let profile = profile.clone();
        let user_id = user_id.clone();
        let endpoint_ca = endpoint_ca.clone();
        Box::pin(async move {
            let token = match identity
                .issue_token(&user_id, &[TokenScope::Chat], None)
                .await
            {
                Ok(token) => token,
                // A reused token was refused and the endpoint does not know the user
                // (deleted, or a reset emulator): forget it, so the next run makes a
                // new one, and say so.
                Err(e) if matches!(e.status(), Some(400 | 404)) => {
                    if let Err(forget) = cache.forget(&profile) {
                        tracing::warn!(error = %forget, "could not forget the profile");
                    }
                    return Err(acs::Error::new(
                        acs::ErrorKind::Credential,
                        format!(
                            "the endpoint no longer knows profile '{profile}' (its user was \
                             deleted, or the emulator's data was reset); it has been \
                             forgotten and is created anew on the next run"
                        ),
                    ));
                }
                Err(e) => return Err(e),
            };
            let entry = CachedIdentity {
                user_id,
                token: token.token.clone(),
                expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
                endpoint_ca,
            };
            if let Err(e) = cache.store(&profile, &entry) {
                tracing::warn!(error = %e, "could not update the identity cache");
            }
            Ok(token)
        })
    })
}

/// Every profile cached for this endpoint.
pub fn known_profiles(cache: &IdentityCache) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(cache.dir()) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .strip_suffix(".json")?
                .to_owned();
            crate::config::validate_profile_name(&name).ok()?;
            let id = cache.load(&name).ok()??;
            Some((name, id.user_id))
        })
        .collect();
    out.sort();
    out
}

/// The ACS user id a token belongs to (`skypeid` claim, prefixed `8:`), read without
/// verifying, to recognise one's own messages when running as endpoint + token.
pub fn user_id_from_token(token: &str) -> Option<String> {
    let claims = acs::jwt_claims(token).ok()?;
    let skype = claims.get("skypeid")?.as_str()?;
    Some(if skype.starts_with("8:") {
        skype.to_owned()
    } else {
        format!("8:{skype}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_comes_from_the_skypeid_claim() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"skypeid":"acs:r_u","exp":1}"#);
        assert_eq!(
            user_id_from_token(&format!("h.{payload}.s")).as_deref(),
            Some("8:acs:r_u")
        );
        assert_eq!(user_id_from_token("not a jwt"), None);
    }

    #[test]
    fn a_cached_token_is_reused_only_when_valid_long_enough_and_from_the_same_endpoint() {
        let now = OffsetDateTime::now_utc();
        let cached = |minutes: i64, ca: Option<&str>| CachedIdentity {
            user_id: "8:acs:x".into(),
            token: "t".into(),
            expires_on: crate::wire::timestamp::format_whole_seconds(
                now + time::Duration::minutes(minutes),
            ),
            endpoint_ca: ca.map(str::to_owned),
        };
        let remote = TokenReuse {
            allowed: true,
            endpoint_ca: None,
            loopback: false,
        };
        assert!(remote.permits(&cached(60, None), now));
        assert!(!remote.permits(&cached(5, None), now), "expires too soon");
        let emulator = TokenReuse {
            allowed: true,
            endpoint_ca: Some("ca1".into()),
            loopback: true,
        };
        assert!(emulator.permits(&cached(60, Some("ca1")), now));
        assert!(
            !emulator.permits(&cached(60, Some("ca2")), now),
            "another emulator"
        );
        assert!(
            !emulator.permits(&cached(60, None), now),
            "cached before the CA was known"
        );
        let plain_loopback = TokenReuse {
            allowed: true,
            endpoint_ca: None,
            loopback: true,
        };
        assert!(!plain_loopback.permits(&cached(60, None), now));
        let interactive = TokenReuse {
            allowed: false,
            ..remote
        };
        assert!(!interactive.permits(&cached(60, None), now));
    }
}
