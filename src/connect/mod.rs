//! Turning a resolved configuration into a working session: reach the endpoint
//! (starting the local emulator if that is the target), become the chosen profile
//! (minting its identity through Identity on first use), and, on the local default,
//! make sure the seed's "Quickstart" thread with Alice and Bob exists.
//!
//! Used by the interactive client (in the background, after the first frame) and by
//! the scripting subcommands.

pub mod identities;
pub mod local;
pub mod members;
mod profile;
pub mod quickstart;
mod reach;

use std::collections::BTreeMap;
use std::time::Duration;

use time::OffsetDateTime;

use crate::acs::{
    self, ChatClient, ConnectionString, HttpConfig, IdentityClient, TokenCredential, TokenScope,
    Transport,
};
use crate::config::{ConfigFile, ProfileConfig, Resolved, Target};
use crate::paths::Dirs;
use identities::{CachedIdentity, IdentityCache};

use profile::refreshing_credential;
pub use profile::{TokenReuse, ensure_profile, known_profiles, user_id_from_token};
pub use reach::{Reachable, is_loopback, reach};

/// Why a session could not be set up. One line each, naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Local(#[from] local::LocalError),
    #[error("{0}")]
    Acs(#[from] acs::Error),
    #[error("identity cache: {0}")]
    Cache(#[from] identities::CacheError),
    #[error("{0}")]
    Config(String),
}

/// A connected identity and everything needed to talk as it.
#[derive(Clone)]
pub struct Session {
    pub chat: ChatClient,
    pub credential: TokenCredential,
    pub user_id: String,
    pub display_name: String,
    pub profile: String,
    pub endpoint: url::Url,
    pub is_local_default: bool,
    /// Loopback endpoints may poll fast.
    pub is_loopback: bool,
    /// Known profiles on this endpoint: (name, user id), for `/invite` and completion.
    pub known_profiles: Vec<(String, String)>,
    /// The seed's thread, when this session made sure it exists.
    pub quickstart_thread: Option<String>,
    pub transport: Transport,
    /// With a connection string: creates other profiles on demand (`/invite carol`).
    pub minter: Option<ProfileMinter>,
    /// Things the user should hear about (e.g. a token file readable by others).
    pub warnings: Vec<String>,
    /// The config file's `[profiles.*]`, for the display names of other members.
    pub profile_settings: BTreeMap<String, ProfileConfig>,
    /// `[push] enabled`: whether to ask for real-time notifications at all.
    pub push_enabled: bool,
}

impl Session {
    /// The display name of `profile`: configured, or the name capitalised.
    pub fn display_name_of(&self, profile: &str) -> String {
        crate::config::display_name(&self.profile_settings, profile)
    }

    /// The real-time notifications client of this session (same endpoint, token
    /// and TLS trust as its REST calls), or `None` when `[push]` disables it.
    pub fn push_client(&self) -> Option<acs::realtime::PushClient> {
        self.push_enabled.then(|| {
            acs::realtime::PushClient::new(
                self.endpoint.clone(),
                self.credential.clone(),
                self.transport.clone(),
            )
        })
    }
}

/// Creates or finds profiles of one endpoint through Identity.
#[derive(Clone)]
pub struct ProfileMinter {
    identity: IdentityClient,
    cache: IdentityCache,
    reuse: TokenReuse,
}

impl ProfileMinter {
    /// The user id of `profile`, created on first use.
    pub async fn ensure(&self, profile: &str) -> Result<String, ConnectError> {
        crate::config::validate_profile_name(profile).map_err(ConnectError::Config)?;
        let cache = self.cache.clone();
        let lock = tokio::task::spawn_blocking(move || cache.lock())
            .await
            .map_err(|e| ConnectError::Config(e.to_string()))??;
        let id = ensure_profile(&self.identity, &self.cache, profile, &self.reuse).await?;
        drop(lock);
        Ok(id.user_id)
    }
}

/// Options for [`connect`].
#[derive(Clone, Default)]
pub struct ConnectOptions {
    pub http_observer: Option<std::sync::Arc<dyn acs::HttpObserver>>,
    /// Use a cached token that is still valid as it is, instead of first asking
    /// Identity for a new one (one round trip less; for short-lived commands).
    pub reuse_cached_tokens: bool,
}

/// Sets up the session described by `resolved`.
pub async fn connect(
    resolved: &Resolved,
    dirs: &Dirs,
    config: &ConfigFile,
    options: ConnectOptions,
) -> Result<Session, ConnectError> {
    let (transport, reachable) = reach(resolved, dirs, options.http_observer.clone()).await?;
    let (cs, is_local_default, endpoint_ca) = match reachable {
        Reachable::ConnectionString {
            connection_string,
            is_local_default,
            endpoint_ca,
        } => (connection_string, is_local_default, endpoint_ca),
        Reachable::EndpointToken { endpoint, token } => {
            let credential = TokenCredential::from_token(token.clone())?;
            let user_id = user_id_from_token(&token).unwrap_or_else(|| "unknown".to_owned());
            return Ok(Session {
                chat: ChatClient::new(endpoint.clone(), credential.clone(), transport.clone()),
                credential,
                display_name: config.display_name(&resolved.profile),
                profile: resolved.profile.clone(),
                is_loopback: is_loopback(&endpoint),
                endpoint,
                is_local_default: false,
                known_profiles: Vec::new(),
                quickstart_thread: None,
                user_id,
                transport,
                minter: None,
                warnings: Vec::new(),
                profile_settings: config.profiles.clone(),
                push_enabled: config.push.enabled,
            });
        }
    };
    let identity = IdentityClient::new(&cs, transport.clone());
    let cache = IdentityCache::new(&dirs.state, &cs.endpoint);
    let profile = resolved.profile.clone();
    let reuse = TokenReuse {
        allowed: options.reuse_cached_tokens,
        endpoint_ca,
        loopback: is_loopback(&cs.endpoint),
    };

    let (me, quickstart_thread) = {
        let cache = cache.clone();
        let identity = identity.clone();
        let profile = profile.clone();
        // The lock is a blocking file lock: take it off the async threads.
        let lock = tokio::task::spawn_blocking({
            let cache = cache.clone();
            move || cache.lock()
        })
        .await
        .map_err(|e| ConnectError::Config(e.to_string()))??;
        let me = ensure_profile(&identity, &cache, &profile, &reuse).await?;
        let quickstart_thread =
            if is_loopback(&cs.endpoint) && quickstart::PROFILES.contains(&profile.as_str()) {
                Some(
                    quickstart::ensure(&identity, &cache, &reuse, &transport, &cs.endpoint, config)
                        .await?,
                )
            } else {
                None
            };
        drop(lock);
        (me, quickstart_thread)
    };

    let minter = ProfileMinter {
        identity: identity.clone(),
        cache: cache.clone(),
        reuse: reuse.clone(),
    };
    let credential = refreshing_credential(identity, cache.clone(), profile.clone(), &me);
    let known_profiles = known_profiles(&cache);
    Ok(Session {
        chat: ChatClient::new(cs.endpoint.clone(), credential.clone(), transport.clone()),
        credential,
        user_id: me.user_id.clone(),
        display_name: config.display_name(&profile),
        profile,
        is_loopback: is_loopback(&cs.endpoint),
        endpoint: cs.endpoint.clone(),
        is_local_default,
        known_profiles,
        quickstart_thread,
        transport,
        minter: Some(minter),
        warnings: cache.take_warnings(),
        profile_settings: config.profiles.clone(),
        push_enabled: config.push.enabled,
    })
}
