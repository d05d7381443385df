//! User access tokens: HS256 JWTs shaped like ACS's (`skypeid`, `scp`, `csi`, `iat`,
//! `exp`, `acsScope`, `resourceId`), signed with the database's own secret.
//!
//! The Python SDK reads `exp` by decoding the payload with the *standard* base64
//! alphabet, so the payload segment must not contain `-` or `_`. For ASCII JSON this
//! only depends on every third byte not being `>`, `?`, `~` or DEL; the minted
//! payload is checked anyway and padded with spaces until it is clean.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `scp` bitmask real chat tokens carry.
const SCP_CHAT: i64 = 1792;

/// What a token says, once its signature is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub skypeid: String,
    pub scp: i64,
    pub csi: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(rename = "acsScope")]
    pub acs_scope: String,
    #[serde(rename = "resourceId")]
    pub resource_id: String,
    /// Issue time in milliseconds, so a token issued in the same second as a revoke
    /// can still be told apart from the revoked ones.
    #[serde(rename = "iatMs")]
    pub iat_ms: i64,
}

impl Claims {
    /// Claims for `user` (a raw id `8:acs:...`) with `scopes`, issued at `iat_ms`.
    pub fn new(
        user: &str,
        scopes: &[String],
        resource_id: &str,
        iat_ms: i64,
        lifetime_s: i64,
    ) -> Self {
        let iat = iat_ms.div_euclid(1000);
        Self {
            skypeid: user.strip_prefix("8:").unwrap_or(user).to_owned(),
            scp: SCP_CHAT,
            csi: iat.to_string(),
            iat,
            exp: iat + lifetime_s,
            acs_scope: scopes.join(","),
            resource_id: resource_id.to_owned(),
            iat_ms,
        }
    }

    /// The raw id of the user the token is for.
    pub fn user(&self) -> String {
        format!("8:{}", self.skypeid)
    }

    /// Whether the token may be used with the Chat API.
    pub fn allows_chat(&self) -> bool {
        self.acs_scope
            .split(',')
            .any(|s| s.trim() == "chat" || s.trim().starts_with("chat."))
    }
}

/// Why a token was refused (all become an empty 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("unsupported algorithm")]
    Algorithm,
    #[error("bad signature")]
    Signature,
    #[error("token expired")]
    Expired,
    #[error("token for another resource")]
    OtherResource,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// The `kid` of a signing secret (a hash prefix, not the secret).
fn key_id(secret: &[u8]) -> String {
    Sha256::digest(secret)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Signs `claims` into a compact JWT.
pub fn mint(claims: &Claims, secret: &[u8]) -> String {
    let kid = key_id(secret);
    let header = format!(r#"{{"alg":"HS256","kid":"{kid}","x5t":"{kid}","typ":"JWT"}}"#);
    let json = serde_json::to_string(claims).unwrap_or_default();
    let mut payload = URL_SAFE_NO_PAD.encode(&json);
    // Whitespace inside the object changes the alignment of the bytes until the
    // encoding is free of the two characters that differ between alphabets.
    for pad in 1..64 {
        if !payload.contains(['-', '_']) {
            break;
        }
        payload = URL_SAFE_NO_PAD.encode(format!("{}{}", " ".repeat(pad), json));
    }
    let signing_input = format!("{}.{payload}", URL_SAFE_NO_PAD.encode(header));
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac(secret, &signing_input))
    )
}

fn mac(secret: &[u8], input: &str) -> Vec<u8> {
    match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(mut m) => {
            m.update(input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Verifies signature, algorithm, expiry (against `now_s`) and resource.
pub fn verify(
    token: &str,
    secret: &[u8],
    resource_id: &str,
    now_s: i64,
) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Header = decode_json(h)?;
    if header.alg != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return Err(TokenError::Signature);
    };
    m.update(&token.as_bytes()[..h.len() + 1 + p.len()]);
    m.verify_slice(&signature)
        .map_err(|_| TokenError::Signature)?;
    let claims: Claims = decode_json(p)?;
    if claims.exp <= now_s {
        return Err(TokenError::Expired);
    }
    if claims.resource_id != resource_id {
        return Err(TokenError::OtherResource);
    }
    Ok(claims)
}

fn decode_json<T: for<'de> Deserialize<'de>>(segment: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const RES: &str = crate::local::RESOURCE_ID;

    fn claims(user: &str, iat_ms: i64) -> Claims {
        Claims::new(user, &["chat".to_owned()], RES, iat_ms, 3600)
    }

    #[test]
    fn round_trip_and_expiry() {
        let c = claims("8:acs:r_u", 1_700_000_000_123);
        let t = mint(&c, SECRET);
        assert_eq!(verify(&t, SECRET, RES, 1_700_000_001), Ok(c.clone()));
        assert_eq!(c.user(), "8:acs:r_u");
        assert_eq!(c.csi, "1700000000");
        assert_eq!(
            verify(&t, SECRET, RES, 1_700_003_600),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify(&t, b"other secret", RES, 1_700_000_001),
            Err(TokenError::Signature)
        );
        assert_eq!(
            verify(&t, SECRET, "other", 1_700_000_001),
            Err(TokenError::OtherResource)
        );
    }

    #[test]
    fn payload_decodes_with_the_standard_alphabet() {
        // Many users and times: every payload must be plain standard base64.
        for i in 0..500_i64 {
            let user = crate::emulator::ids::new_user_id(RES);
            let t = mint(&claims(&user, 1_700_000_000_000 + i * 7919), SECRET);
            let payload = t.split('.').nth(1).unwrap_or_default();
            assert!(!payload.contains(['-', '_']), "{payload}");
            let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
            let json = STANDARD.decode(padded).expect("standard base64");
            let v: serde_json::Value = serde_json::from_slice(&json).expect("json");
            assert!(v["exp"].is_i64());
        }
    }

    #[test]
    fn tampering_and_alg_none() {
        let t = mint(&claims("8:acs:r_u", 1_700_000_000_000), SECRET);
        let parts: Vec<&str> = t.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            verify(&format!("{none_header}.{}.", parts[1]), SECRET, RES, 0),
            Err(TokenError::Algorithm)
        );
        let forged = Claims {
            skypeid: "acs:r_other".into(),
            ..claims("8:acs:r_u", 1_700_000_000_000)
        };
        let forged_payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_string(&forged).unwrap_or_default());
        assert_eq!(
            verify(
                &format!("{}.{forged_payload}.{}", parts[0], parts[2]),
                SECRET,
                RES,
                0
            ),
            Err(TokenError::Signature)
        );
        assert_eq!(verify("abc", SECRET, RES, 0), Err(TokenError::Malformed));
        assert_eq!(
            verify("a.b.c.d", SECRET, RES, 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify("!!.!!.!!", SECRET, RES, 0),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn scopes() {
        assert!(claims("8:acs:r_u", 0).allows_chat());
        assert!(!Claims::new("8:acs:r_u", &["voip".to_owned()], RES, 0, 60).allows_chat());
        assert!(
            Claims::new(
                "8:acs:r_u",
                &["voip".to_owned(), "chat".to_owned()],
                RES,
                0,
                60
            )
            .allows_chat()
        );
    }
}
