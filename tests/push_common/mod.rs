//! The `acs` push client against an emulator or a scripted server: start it, wait for
//! a state, read the next event (each wait bounded, so a hang is a failure).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use acs_chat::acs::realtime::{
    ChatEvent, Notifications, PushClient, PushOptions, PushState, Update,
};
use acs_chat::acs::{HttpConfig, HttpObserver, TokenCredential, Transport};

use super::common::{Env, User};

/// A push client of `env`'s emulator as `user`, trusting only its certificate.
pub fn push_for(env: &Env, user: &User) -> Notifications {
    push_at(
        &env.emu.endpoint,
        env.emu.cert_pem.clone(),
        &user.token,
        PushOptions::default(),
    )
}

pub fn push_at(
    endpoint: &str,
    ca: Option<String>,
    token: &str,
    options: PushOptions,
) -> Notifications {
    push_observed(endpoint, ca, token, options, None)
}

/// [`push_at`], every HTTP exchange of the push client reported to `observer`.
pub fn push_observed(
    endpoint: &str,
    ca: Option<String>,
    token: &str,
    options: PushOptions,
    observer: Option<Arc<dyn HttpObserver>>,
) -> Notifications {
    let credential = TokenCredential::from_token(token).expect("token");
    push_with_observer(endpoint, ca, credential, options, observer)
}

/// A push client whose token comes from `credential`.
pub fn push_with(
    endpoint: &str,
    ca: Option<String>,
    credential: TokenCredential,
    options: PushOptions,
) -> Notifications {
    push_with_observer(endpoint, ca, credential, options, None)
}

fn push_with_observer(
    endpoint: &str,
    ca: Option<String>,
    credential: TokenCredential,
    options: PushOptions,
    observer: Option<Arc<dyn HttpObserver>>,
) -> Notifications {
    super::common::install_provider();
    let http = HttpConfig {
        trust_only_extra_ca: ca.is_some(),
        extra_ca_pem: ca.into_iter().map(String::into_bytes).collect(),
        observer,
        ..HttpConfig::default()
    };
    let transport = Transport::new(http).expect("transport");
    let endpoint = url::Url::parse(endpoint).expect("endpoint");
    PushClient::new(endpoint, credential, transport)
        .with_options(options)
        .start()
        .expect("push starts")
}

/// The next update within `secs`.
pub async fn next(push: &mut Notifications, secs: u64) -> Update {
    tokio::time::timeout(Duration::from_secs(secs), push.next())
        .await
        .unwrap_or_else(|_| panic!("no push update within {secs} s"))
        .expect("the push task ended")
}

/// Waits for `Live`; any `Down` on the way is a failure.
pub async fn until_live(push: &mut Notifications) {
    loop {
        match next(push, 15).await {
            Update::State(PushState::Live) => return,
            Update::State(PushState::Connecting) => {}
            other => panic!("expected live, got {other:?}"),
        }
    }
}

/// The first state other than `Connecting` (the fallback tests' verdict).
pub async fn first_verdict(push: &mut Notifications, secs: u64) -> PushState {
    loop {
        match next(push, secs).await {
            Update::State(PushState::Connecting) => {}
            Update::State(s) => return s,
            Update::Event(e) => panic!("an event before any verdict: {e:?}"),
        }
    }
}

/// The next event (states in between must be `Live`).
pub async fn next_event(push: &mut Notifications) -> ChatEvent {
    loop {
        match next(push, 10).await {
            Update::Event(e) => return e,
            Update::State(PushState::Live) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}
