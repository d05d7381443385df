//! The emulator with its database on disk, where reads run on their own connection
//! beside the writer: every answered write is visible to the very next read, from
//! any client, and a revoked or deleted identity is refused at once.

mod common;

use acs_chat::emulator::EmulatorConfig;
use common::*;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn on_disk() -> (Env, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = Env::start_with(EmulatorConfig {
        data_dir: Some(dir.path().to_owned()),
        ..EmulatorConfig::for_tests()
    })
    .await;
    (env, dir)
}

#[tokio::test]
async fn every_answered_send_is_in_the_next_read_even_under_concurrent_writers() {
    let (env, _dir) = on_disk().await;
    let alice = env.user().await;
    let bob = env.user().await;
    let thread = env.thread(&alice, "on disk", &[&bob]).await;
    let path = format!("/chat/threads/{}/messages", enc(&thread));
    // Eight writers at once, so sends commit in shared batches while reads go on.
    let writers = (0..8).map(|w| {
        let (env, alice, bob, path, thread) = (&env, &alice, &bob, &path, &thread);
        async move {
            for i in 0..15 {
                let id = env.send(alice, thread, &format!("w{w} m{i}")).await;
                // Bob, another client, reads it back straight away: by id and in the list.
                let r = env
                    .chat(Method::GET, &format!("{path}/{id}"), &bob.token, None)
                    .await;
                assert_eq!(r.status(), StatusCode::OK, "message {id} not readable yet");
                let r = env
                    .chat(
                        Method::GET,
                        &format!("{path}?maxPageSize=200"),
                        &bob.token,
                        None,
                    )
                    .await;
                let page: Value = r.json().await.expect("json");
                let listed = page["value"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|m| m["id"] == id.as_str()));
                assert!(listed, "message {id} missing from the first page");
            }
        }
    });
    join_all(writers).await;
    let texts: Vec<String> = env
        .all_messages(&bob, &thread, 50)
        .await
        .iter()
        .filter(|m| m["type"] == "text")
        .filter_map(|m| m["content"]["message"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(texts.len(), 8 * 15);
    for w in 0..8 {
        for i in 0..15 {
            assert!(texts.contains(&format!("w{w} m{i}")), "w{w} m{i} lost");
        }
    }
}

#[tokio::test]
async fn a_revoked_or_deleted_identity_is_refused_by_the_next_request() {
    let (env, _dir) = on_disk().await;
    let alice = env.user().await;
    let bob = env.user().await;
    let thread = env.thread(&alice, "revocation", &[&bob]).await;
    let path = format!("/chat/threads/{}", enc(&thread));
    let ok = env.chat(Method::GET, &path, &alice.token, None).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let r = env
        .signed(
            Method::POST,
            &format!(
                "/identities/{}/:revokeAccessTokens?{IDENTITY}",
                enc(&alice.id)
            ),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let refused = env.chat(Method::GET, &path, &alice.token, None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let ok = env.chat(Method::GET, &path, &bob.token, None).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let r = env
        .signed(
            Method::DELETE,
            &format!("/identities/{}?{IDENTITY}", enc(&bob.id)),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let refused = env.chat(Method::GET, &path, &bob.token, None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

/// The data dir made by someone else first (the client, a user) with open modes:
/// the emulator makes it and its secret-holding files private on start.
#[cfg(unix)]
#[tokio::test]
async fn an_open_data_dir_and_its_files_are_made_private_on_start() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("emulator");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let log = dir.join("emulator.log");
    std::fs::write(&log, b"").expect("log");
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let config = EmulatorConfig {
        data_dir: Some(dir.clone()),
        ..EmulatorConfig::for_tests()
    };
    let env = Env::start_with(config.clone()).await;
    env.user().await;
    env.emu.shutdown().await;
    for p in [dir.join("emulator.db"), dir.join("key.pem")] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let env = Env::start_with(config).await;
    assert_eq!(mode(&dir), 0o700);
    for name in ["emulator.db", "key.pem", "emulator.log", "emulator.lock"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    env.emu.shutdown().await;
}
