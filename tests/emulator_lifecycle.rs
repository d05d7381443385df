//! Start/stop behaviour: persistence across restarts, the data-dir lock, idle exit,
//! throttling and plain http.

mod common;

use std::time::Duration;

use acs_chat::emulator::{self, EmulatorConfig, EmulatorError};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn on_disk(dir: &std::path::Path) -> EmulatorConfig {
    EmulatorConfig {
        data_dir: Some(dir.to_owned()),
        ..EmulatorConfig::for_tests()
    }
}

#[tokio::test]
async fn restart_loses_nothing_and_keeps_cert_and_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = Env::start_with(on_disk(dir.path())).await;
    let cert_path = env.emu.cert_path.clone().expect("cert on disk");
    assert!(cert_path.starts_with(dir.path()));
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "persist", &[&bob]).await;
    let id = env.send(&alice, &thread, "kept").await;
    let cert = env.emu.cert_pem.clone();
    env.emu.shutdown().await;

    let env = Env::start_with(on_disk(dir.path())).await;
    assert_eq!(env.emu.cert_pem, cert, "certificate reused");
    let m: Value = env
        .chat(
            Method::GET,
            &format!("/chat/threads/{}/messages/{id}", enc(&thread)),
            &bob.token,
            None,
        )
        .await
        .json()
        .await
        .expect("old token still valid, message still there");
    assert_eq!(m["content"]["message"], "kept");
    let next = env.send(&bob, &thread, "after restart").await;
    let all = env.all_messages(&alice, &thread, 10).await;
    assert_eq!(all[0]["id"], next.as_str());
    assert_eq!(all[0]["sequenceId"], "4");
    env.emu.shutdown().await;
}

#[tokio::test]
async fn second_emulator_on_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = emulator::start(on_disk(dir.path()))
        .await
        .expect("first starts");
    match emulator::start(on_disk(dir.path())).await {
        Err(EmulatorError::Locked(p)) => assert_eq!(p, dir.path()),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("second emulator started on a locked data dir"),
    }
    // The port is taken too: binding it again fails clearly.
    let taken = EmulatorConfig {
        port: first.addr.port(),
        ..EmulatorConfig::for_tests()
    };
    assert!(matches!(
        emulator::start(taken).await,
        Err(EmulatorError::Bind { .. })
    ));
    first.shutdown().await;
    let again = emulator::start(on_disk(dir.path()))
        .await
        .expect("lock released after shutdown");
    again.shutdown().await;
}

#[tokio::test]
async fn bad_access_key_is_a_clear_error() {
    let cfg = EmulatorConfig {
        access_key: "not base64!".into(),
        ..EmulatorConfig::for_tests()
    };
    assert!(matches!(
        emulator::start(cfg).await,
        Err(EmulatorError::InvalidAccessKey)
    ));
}

#[tokio::test]
async fn idle_timeout_stops_the_emulator() {
    let cfg = EmulatorConfig {
        idle_timeout: Some(Duration::from_millis(300)),
        ..EmulatorConfig::for_tests()
    };
    let emu = emulator::start(cfg).await.expect("starts");
    tokio::time::timeout(Duration::from_secs(10), emu.wait())
        .await
        .expect("exits when idle");
}

#[tokio::test]
async fn throttle_answers_429_with_retry_after() {
    let env = Env::start_with(EmulatorConfig {
        throttle: true,
        ..EmulatorConfig::for_tests()
    })
    .await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "t", &[]).await;
    let path = format!("/chat/threads/{}", enc(&thread));
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = env
            .chat(
                Method::PATCH,
                &path,
                &alice.token,
                Some(json!({"topic": format!("t{i}")})),
            )
            .await;
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .expect("Retry-After");
            assert!((1..=10).contains(&retry));
            let (_, code, _) = chat_error(r).await;
            assert_eq!(code, "TooManyRequests");
        }
    }
    assert_eq!(&statuses[..5], &[StatusCode::NO_CONTENT; 5]);
    assert_eq!(
        statuses[5],
        StatusCode::TOO_MANY_REQUESTS,
        "update thread: 5 per 10 s per thread"
    );
}

#[tokio::test]
async fn plain_http_mode() {
    let cfg = EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    };
    let env = Env::start_with(cfg).await;
    assert!(env.emu.endpoint.starts_with("http://127.0.0.1:") && env.emu.endpoint.ends_with('/'));
    assert!(env.emu.cert_pem.is_none() && env.emu.cert_path.is_none());
    assert!(
        env.emu
            .connection_string
            .starts_with("endpoint=http://127.0.0.1:")
    );
    assert!(
        env.emu
            .connection_string
            .ends_with(&format!(";accesskey={}", local_key()))
    );
    let alice = env.user().await;
    let thread = env.thread(&alice, "t", &[]).await;
    let msgs = env.all_messages(&alice, &thread, 1).await;
    assert_eq!(msgs.len(), 2, "nextLink followed over http");
    env.emu.shutdown().await;
}
