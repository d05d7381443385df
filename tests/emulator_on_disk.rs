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
