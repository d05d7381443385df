//! `message send` retries safely: after a failure whose outcome is unknown it looks for
//! the message by client message id, and sends again only when it is not there.

mod cli_common;

use std::sync::{Arc, Mutex};

use cli_common::{SeenRequest, fake_token, run, scripted_server};

/// A thread whose first send fails with 500 after the message was stored (`stored`
/// decides whether the failed send "arrived"); later sends succeed.
fn flaky_thread(stored: bool) -> (String, Arc<Mutex<Vec<SeenRequest>>>) {
    let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
    let log = seen.clone();
    let endpoint = scripted_server(move |r| {
        let mut seen = log.lock().expect("lock");
        seen.push(r.clone());
        let posts: Vec<&SeenRequest> = seen.iter().filter(|r| r.method == "POST").collect();
        match r.method.as_str() {
            "POST" if posts.len() == 1 => (
                500,
                r#"{"CommunicationError":{"Code":"InternalError","Message":"lost answer"}}"#.into(),
            ),
            "POST" => (201, r#"{"id":"second"}"#.into()),
            _ => {
                let first: serde_json::Value =
                    serde_json::from_str(&posts[0].body).expect("json body");
                let cmid = first["metadata"]["clientMessageId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let value = if stored {
                    serde_json::json!([{ "id": "first", "type": "text", "sequenceId": "3", "version": "1700000000000",
                        "createdOn": "2023-11-14T22:13:20Z", "content": { "message": "hi" },
                        "metadata": { "clientMessageId": cmid, "priority": "Normal" } }])
                } else {
                    serde_json::json!([])
                };
                (200, serde_json::json!({ "value": value }).to_string())
            }
        }
    });
    (endpoint, seen)
}

fn send(endpoint: &str) -> String {
    let home = tempfile::tempdir().expect("temp");
    let out = run(assert_cmd::Command::new(cli_common::bin())
        .env("ACS_CHAT_HOME", home.path())
        .env_remove("ACS_CONNECTION_STRING")
        .args([
            "--endpoint",
            endpoint,
            "--token",
            &fake_token(),
            "--output",
            "json",
        ])
        .args([
            "message",
            "send",
            "--thread",
            "19:t@thread.v2",
            "--content",
            "hi",
        ]))
    .ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v["id"].as_str().expect("id").to_owned()
}

#[test]
fn a_send_that_arrived_is_not_sent_again() {
    let (endpoint, seen) = flaky_thread(true);
    assert_eq!(send(&endpoint), "first");
    let posts = seen
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "the message was sent twice");
}

#[test]
fn a_send_that_was_lost_is_sent_again_with_the_same_client_message_id() {
    let (endpoint, seen) = flaky_thread(false);
    assert_eq!(send(&endpoint), "second");
    let seen = seen.lock().expect("lock");
    let posts: Vec<serde_json::Value> = seen
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| serde_json::from_str(&r.body).expect("json"))
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0]["metadata"]["clientMessageId"],
        posts[1]["metadata"]["clientMessageId"]
    );
    assert!(
        seen.iter()
            .any(|r| r.method == "GET" && r.path.contains("/messages")),
        "it looked before resending"
    );
}
