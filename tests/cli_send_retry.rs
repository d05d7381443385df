//! `message send` retries safely: after a failure whose outcome is unknown it looks for
//! the message by client message id, and sends again only when it is not there.

mod cli_common;
mod rel_common;

use std::sync::{Arc, Mutex};

use cli_common::{SeenRequest, fake_token, run, scripted_server};

const LOST: &str = r#"{"CommunicationError":{"Code":"InternalError","Message":"lost answer"}}"#;

/// A scripted thread: send number `n` (from 1) is answered by `post(n)`; a listing
/// made after `n` sends shows the message of send number `stored(n)`, if any, as `id`.
fn scripted_thread(
    post: fn(usize) -> (u16, String),
    stored: fn(usize) -> Option<usize>,
    id: &'static str,
) -> (String, Arc<Mutex<Vec<SeenRequest>>>) {
    let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
    let log = seen.clone();
    let endpoint = scripted_server(move |r| {
        let mut seen = log.lock().expect("lock");
        seen.push(r.clone());
        let posts: Vec<&SeenRequest> = seen.iter().filter(|r| r.method == "POST").collect();
        if r.method == "POST" {
            return post(posts.len());
        }
        let value = match stored(posts.len()).and_then(|n| posts.get(n - 1)) {
            Some(send) => {
                let body: serde_json::Value = serde_json::from_str(&send.body).expect("json");
                serde_json::json!([{ "id": id, "type": "text", "sequenceId": "3", "version": "1700000000000",
                    "createdOn": "2023-11-14T22:13:20Z", "content": { "message": "hi" },
                    "metadata": body["metadata"] }])
            }
            None => serde_json::json!([]),
        };
        (200, serde_json::json!({ "value": value }).to_string())
    });
    (endpoint, seen)
}

/// A thread whose first send fails with 500 (`stored` decides whether it "arrived"
/// all the same); later sends succeed.
fn flaky_thread(stored: bool) -> (String, Arc<Mutex<Vec<SeenRequest>>>) {
    let post = |n| match n {
        1 => (500, LOST.to_owned()),
        _ => (201, r#"{"id":"second"}"#.to_owned()),
    };
    let stored: fn(usize) -> Option<usize> = if stored { |_| Some(1) } else { |_| None };
    scripted_thread(post, stored, "first")
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

/// How many sends the server saw.
fn post_count(seen: &Mutex<Vec<SeenRequest>>) -> usize {
    seen.lock()
        .expect("lock")
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

#[test]
fn a_send_that_arrived_is_not_sent_again() {
    let (endpoint, seen) = flaky_thread(true);
    assert_eq!(send(&endpoint), "first");
    let posts = post_count(&seen);
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

/// Against the real emulator: the send is stored but its answer lost, and then every
/// look for it fails too. The CLI must not send again blind: it reports the outcome as
/// unknown, naming the client message id, and the thread holds the message once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_look_after_an_unknown_outcome_is_reported_not_resent() {
    let dir = tempfile::tempdir().expect("temp");
    let mut serve = rel_common::ServeProcess::start(&dir.path().join("data"), &[]);
    let api = rel_common::Api::new(&serve.base);
    let user = api.user().await;
    let thread = api.thread(&user, "lost answers", &[]).await;
    // Same data and port, but now every request is processed and its answer lost.
    serve.extra = vec!["--faults".into(), "lost=100".into()];
    serve.crash_and_restart();
    let (base, token, home) = (
        serve.base.clone(),
        user.token.clone(),
        dir.path().join("home"),
    );
    let ran = tokio::task::spawn_blocking({
        let thread = thread.clone();
        move || {
            run(assert_cmd::Command::new(cli_common::bin())
                .env("ACS_CHAT_HOME", home)
                .env_remove("ACS_CONNECTION_STRING")
                .args(["--endpoint", &base, "--token", &token, "--output", "json"])
                .args(["message", "send", "--thread", &thread, "--content", "once"]))
        }
    })
    .await
    .expect("cli");
    assert_ne!(ran.code, Some(0), "stdout: {}", ran.stdout);
    assert!(
        ran.stderr.contains("outcome unknown") && ran.stderr.contains("clientMessageId"),
        "{}",
        ran.stderr
    );
    serve.extra.clear();
    serve.crash_and_restart();
    let sent: Vec<serde_json::Value> = api
        .all_messages(&user, &thread)
        .await
        .into_iter()
        .filter(|m| m["type"] == "text")
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let cmid = sent[0]["metadata"]["clientMessageId"]
        .as_str()
        .expect("cmid");
    assert!(ran.stderr.contains(cmid), "{}", ran.stderr);
}

/// Every send answers 500, but the last one was stored: giving up after the last
/// attempt without looking would report a failure for a message that is there.
#[test]
fn the_last_failed_attempt_is_looked_for_too() {
    // Four attempts, all 500; the fourth is the one that arrived.
    let (endpoint, seen) = scripted_thread(
        |_| (500, LOST.to_owned()),
        |n| (n >= 4).then_some(4),
        "last",
    );
    assert_eq!(send(&endpoint), "last");
    let posts = post_count(&seen);
    assert_eq!(posts, 4);
}
