//! The Identity API (api-version 2023-10-01), authenticated with the resource's
//! access key: create and delete users, issue and revoke their access tokens.

use std::fmt;

use reqwest::Method;
use url::Url;

use super::connection_string::ConnectionString;
use super::error::{Error, Result};
use super::hmac_auth::Keyed;
use super::retry::Safety;
use super::token::{AccessToken, jwt_expiry};
use super::transport::{Response, Transport, to_json};
use super::urls;
use crate::wire::{self, CreateIdentityRequest, CreateIdentityResult, IssueAccessTokenRequest};

/// The Identity api-version both official SDKs send.
pub const IDENTITY_API_VERSION: &str = "2023-10-01";

/// What a user access token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    Chat,
    Voip,
    ChatJoin,
    ChatJoinLimited,
    VoipJoin,
}

impl TokenScope {
    /// The wire name (`chat`, `voip`, `chat.join`, `chat.join.limited`, `voip.join`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Voip => "voip",
            Self::ChatJoin => "chat.join",
            Self::ChatJoinLimited => "chat.join.limited",
            Self::VoipJoin => "voip.join",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TokenScope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [
            Self::Chat,
            Self::Voip,
            Self::ChatJoin,
            Self::ChatJoinLimited,
            Self::VoipJoin,
        ]
        .into_iter()
        .find(|scope| scope.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            Error::config(format!(
                "unknown token scope {s:?} (chat, voip, chat.join, chat.join.limited, voip.join)"
            ))
        })
    }
}

/// Client of the Identity API for one ACS resource.
#[derive(Clone, Debug)]
pub struct IdentityClient {
    keyed: Keyed,
}

impl IdentityClient {
    /// A client for the resource of `connection`, signing with its access key.
    pub fn new(connection: &ConnectionString, transport: Transport) -> Self {
        Self {
            keyed: Keyed::new(connection, transport),
        }
    }

    /// The resource endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.keyed.endpoint
    }

    /// Creates a user; returns its id (`8:acs:...`). Not retried after a timeout: a
    /// repeat would create a second user.
    pub async fn create_user(&self) -> Result<String> {
        let response = self
            .call(
                Method::POST,
                "identities",
                Vec::new(),
                Safety::NotIdempotent,
            )
            .await?;
        let result: CreateIdentityResult = response.json("create user")?;
        Ok(result.identity.id)
    }

    /// Creates a user and issues its first token in one call.
    pub async fn create_user_and_token(
        &self,
        scopes: &[TokenScope],
        expires_in_minutes: Option<u32>,
    ) -> Result<(String, AccessToken)> {
        let body = CreateIdentityRequest {
            create_token_with_scopes: Some(scope_names(scopes)),
            expires_in_minutes: expires_in_minutes.map(i64::from),
        };
        let response = self
            .call(
                Method::POST,
                "identities",
                to_json(&body)?,
                Safety::NotIdempotent,
            )
            .await?;
        let result: CreateIdentityResult = response.json("create user and token")?;
        let token = result.access_token.ok_or_else(|| {
            Error::invalid_response("the create user answer has no accessToken")
                .with_request_id(response.request_id.clone())
        })?;
        Ok((result.identity.id, access_token(token, &response)?))
    }

    /// Issues a new token for an existing user.
    pub async fn issue_token(
        &self,
        user_id: &str,
        scopes: &[TokenScope],
        expires_in_minutes: Option<u32>,
    ) -> Result<AccessToken> {
        let body = IssueAccessTokenRequest {
            scopes: scope_names(scopes),
            expires_in_minutes: expires_in_minutes.map(i64::from),
        };
        let path = format!(
            "identities/{}/:issueAccessToken",
            urls::segment("user id", user_id)?
        );
        let response = self
            .call(Method::POST, &path, to_json(&body)?, Safety::Idempotent)
            .await?;
        let token: wire::AccessToken = response.json("issue token")?;
        access_token(token, &response)
    }

    /// Revokes every token issued to the user so far.
    pub async fn revoke_tokens(&self, user_id: &str) -> Result<()> {
        let path = format!(
            "identities/{}/:revokeAccessTokens",
            urls::segment("user id", user_id)?
        );
        self.call(Method::POST, &path, Vec::new(), Safety::Idempotent)
            .await
            .map(drop)
    }

    /// Deletes the user (revoking its tokens).
    pub async fn delete_user(&self, user_id: &str) -> Result<()> {
        let path = format!("identities/{}", urls::segment("user id", user_id)?);
        self.call(Method::DELETE, &path, Vec::new(), Safety::Idempotent)
            .await
            .map(drop)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        safety: Safety,
    ) -> Result<Response> {
        let url = urls::build(&self.keyed.endpoint, path, IDENTITY_API_VERSION, &[])?;
        // The SDKs send Content-Type on every identity POST, even with an empty body.
        let content_type = (method == Method::POST).then_some("application/json");
        self.keyed
            .send(method, url, body, content_type, safety)
            .await
    }
}

fn scope_names(scopes: &[TokenScope]) -> Vec<String> {
    scopes.iter().map(|s| s.as_str().to_owned()).collect()
}

/// The wire token with `expiresOn` parsed; an unreadable `expiresOn` falls back to the
/// JWT's own `exp`.
fn access_token(token: wire::AccessToken, response: &Response) -> Result<AccessToken> {
    let expires_on = wire::timestamp::parse(&token.expires_on)
        .or_else(|| jwt_expiry(&token.token).ok())
        .ok_or_else(|| {
            Error::invalid_response(format!(
                "the token's expiresOn {:?} is not a timestamp",
                token.expires_on
            ))
            .with_request_id(response.request_id.clone())
        })?;
    Ok(AccessToken {
        token: token.token,
        expires_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip() {
        for s in [
            TokenScope::Chat,
            TokenScope::Voip,
            TokenScope::ChatJoin,
            TokenScope::ChatJoinLimited,
            TokenScope::VoipJoin,
        ] {
            assert_eq!(s.as_str().parse::<TokenScope>().expect("known"), s);
        }
        assert_eq!(
            " CHAT ".parse::<TokenScope>().expect("case-insensitive"),
            TokenScope::Chat
        );
        assert!("email".parse::<TokenScope>().is_err());
    }
}
