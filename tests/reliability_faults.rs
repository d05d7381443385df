//! Client resilience against `acs-chat serve --faults` (20 % of API requests: 429
//! with Retry-After, 500, 503, dropped connections, answers delayed past the
//! client's timeout, and "processed but the answer lost"). Messages sent through
//! the `acs` client (with the look-before-resend rule every sender of acs-chat
//! follows), the CLI's `message send` and the interactive client's outbox arrive
//! exactly once each (by client message id) and in order per sender. The outbox is
//! also stopped with messages queued and must send them on its next start (the
//! SIGKILL of a real client process is in `e2e_tmux.rs`).
//!
//! Short mode: 150 + 25 + 90 messages. Full mode (`ACS_CHAT_SOAK=1`): 1000 each.

mod rel_common;

use std::collections::HashMap;
use std::time::Duration;

use acs_chat::acs::{ChatClient, HttpConfig, ListOptions, RetryPolicy, TokenCredential, Transport};
use acs_chat::seed::message_meta;
use acs_chat::tui::app::{Event, PendingSend, Priority};
use acs_chat::tui::outbox::{self, OutboxCommand};
use acs_chat::wire::ChatMessageType;
use futures::StreamExt as _;
use rel_common::{Api, ServeProcess, User, scale};
use serde_json::Value;
use url::Url;

/// 20 % faults in all; answers delayed 1.5 s against a 1 s client timeout.
const FAULTS: &str = "429=4,500=3,503=3,drop=3,delay=3,lost=4,delay-ms=1500,retry-after=0,seed=11";

fn transport() -> Transport {
    rel_common::install_provider();
    Transport::new(HttpConfig {
        timeout: Duration::from_secs(1),
        retry: RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        ..HttpConfig::default()
    })
    .expect("transport")
}

fn chat_client(serve: &ServeProcess, user: &User) -> ChatClient {
    let endpoint = Url::parse(&format!("{}/", serve.base)).expect("endpoint");
    ChatClient::new(
        endpoint,
        TokenCredential::from_token(user.token.clone()).expect("jwt"),
        transport(),
    )
}

/// The text messages of a thread, oldest first: (client message id, content).
async fn sent_texts(api: &Api, user: &User, thread: &str) -> Vec<(String, String)> {
    let mut msgs = api.all_messages(user, thread).await;
    msgs.retain(|m| m["type"] == "text");
    msgs.sort_by_key(|m| {
        m["sequenceId"]
            .as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
    });
    msgs.iter()
        .map(|m| {
            let cmid = m["metadata"]["clientMessageId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (
                cmid,
                m["content"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

/// Every expected client message id exactly once, in the order sent.
fn assert_exactly_once_in_order(
    what: &str,
    got: &[(String, String)],
    expected: &[(String, String)],
) {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for (cmid, _) in got {
        *count.entry(cmid.as_str()).or_default() += 1;
    }
    for (cmid, content) in expected {
        assert_eq!(
            count.get(cmid.as_str()),
            Some(&1),
            "{what}: {content} ({cmid}) not exactly once"
        );
    }
    let wanted: Vec<&(String, String)> = got
        .iter()
        .filter(|(c, _)| expected.iter().any(|(e, _)| e == c))
        .collect();
    let expected: Vec<&(String, String)> = expected.iter().collect();
    assert_eq!(wanted, expected, "{what}: order differs");
}

/// The sending rule of acs-chat: after a failure whose outcome is unknown, look the
/// message up by client message id before sending again.
async fn send_once(chat: &ChatClient, thread: &str, content: &str, cmid: &str) {
    let thread = chat.thread(thread);
    let since = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    let request =
        message_meta::send_request(content, "acs sender", ChatMessageType::Text, cmid, "Normal");
    let mut attempted = false;
    for _ in 0..100 {
        if attempted {
            let options = ListOptions {
                max_page_size: Some(200),
                start_time: Some(since),
            };
            let mut stream = Box::pin(thread.list_messages(options));
            let mut found = Some(false);
            while let Some(m) = stream.next().await {
                match m {
                    Ok(m) if message_meta::client_message_id(&m) == Some(cmid) => {
                        found = Some(true);
                        break;
                    }
                    Ok(_) => {}
                    Err(_) => {
                        found = None;
                        break;
                    }
                }
            }
            match found {
                Some(true) => return,
                Some(false) => {}
                None => continue, // the lookup failed: look again, never guess
            }
        }
        match thread.send_message(&request).await {
            Ok(_) => return,
            Err(e) if e.is_retryable() => attempted = true,
            Err(e) => panic!("send refused: {e}"),
        }
    }
    panic!("{content} never went through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acs_client_sends_exactly_once_through_faults() {
    let n = scale(150, 1000);
    let senders = 2;
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = ServeProcess::start(dir.path(), &["--faults", FAULTS]);
    let api = Api::new(&serve.base);
    let users = [api.user().await, api.user().await];
    let thread = api.thread(&users[0], "faults", &[&users[1]]).await;
    let mut tasks = Vec::new();
    for (s, user) in users.iter().enumerate() {
        let chat = chat_client(&serve, user);
        let thread = thread.clone();
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for i in 0..n / senders {
                let cmid = message_meta::new_client_message_id();
                let content = format!("acs {s} #{i}");
                send_once(&chat, &thread, &content, &cmid).await;
                sent.push((cmid, content));
            }
            sent
        }));
    }
    // The faults are really there: of 200 plain reads, about a fifth fail.
    let reads = (0..200).map(|_| {
        let (client, url, token) = (
            api.client.clone(),
            format!("{}/chat/threads?{}", serve.base, rel_common::CHAT),
            users[0].token.clone(),
        );
        async move {
            match client.get(url).bearer_auth(token).send().await {
                Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    });
    let failed = futures::future::join_all(reads)
        .await
        .iter()
        .filter(|ok| !**ok)
        .count();
    assert!((15..=70).contains(&failed), "{failed} of 200 reads failed");
    for t in tasks {
        let sent = t.await.expect("sender");
        assert_exactly_once_in_order(
            "acs client",
            &sent_texts(&api, &users[0], &thread).await,
            &sent,
        );
    }
    eprintln!("faults/acs: {n} messages exactly once through {FAULTS}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_message_send_exactly_once_through_faults() {
    let n = scale(25, 1000);
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = ServeProcess::start(&dir.path().join("data"), &["--faults", FAULTS]);
    let home = dir.path().join("home");
    let cs = serve.connection_string.clone();
    let cli = move |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_acs-chat"))
            .env_remove("ACS_CONNECTION_STRING")
            .env_remove("ACS_CHAT_CONFIG")
            .env_remove("ACS_CHAT_HTTP_LOG")
            .env("ACS_CHAT_HOME", &home)
            .args([
                "--connection-string",
                &cs,
                "--as",
                "alice",
                "--output",
                "json",
            ])
            .args(args)
            .output()
            .expect("run acs-chat");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Setup through faults: a failed `thread create` is simply repeated.
    let thread = tokio::task::spawn_blocking({
        let cli = cli.clone();
        move || {
            for _ in 0..50 {
                let (ok, out, _) = cli(&["thread", "create", "--topic", "cli faults"]);
                if ok && let Ok(v) = serde_json::from_str::<Value>(&out) {
                    return v["chatThread"]["id"].as_str().expect("id").to_owned();
                }
            }
            panic!("thread create never succeeded");
        }
    })
    .await
    .expect("setup");
    let sent = tokio::task::spawn_blocking({
        let (cli, thread) = (cli.clone(), thread.clone());
        move || {
            let mut sent = Vec::new();
            for i in 0..n {
                let content = format!("cli #{i}");
                let (ok, out, err) = cli(&[
                    "message",
                    "send",
                    "--thread",
                    &thread,
                    "--content",
                    &content,
                ]);
                assert!(ok, "message send failed through faults: {err}");
                let v: Value = serde_json::from_str(&out).expect("json");
                sent.push((
                    v["clientMessageId"].as_str().expect("cmid").to_owned(),
                    content,
                ));
            }
            sent
        }
    })
    .await
    .expect("sends");
    let listed = tokio::task::spawn_blocking(move || {
        for _ in 0..50 {
            let (ok, out, _) = cli(&["message", "list", "--thread", &thread]);
            if ok && let Ok(Value::Array(v)) = serde_json::from_str::<Value>(&out) {
                return v;
            }
        }
        panic!("message list never succeeded");
    })
    .await
    .expect("list");
    let got: Vec<(String, String)> = listed
        .iter()
        .filter(|m| m["type"] == "text")
        .map(|m| {
            (
                m["metadata"]["clientMessageId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                m["content"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_exactly_once_in_order("cli", &got, &sent);
    eprintln!("faults/cli: {n} messages exactly once");
}

fn pending(thread: &str, i: usize) -> PendingSend {
    PendingSend {
        thread_id: thread.to_owned(),
        client_message_id: message_meta::new_client_message_id(),
        content: format!("tui #{i}"),
        priority: Priority::Normal,
        display_name: "tui sender".to_owned(),
        created_at: time::OffsetDateTime::now_utc(),
    }
}

/// Waits for `n` successful send results on `events`.
async fn successes(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    n: usize,
) -> Vec<String> {
    let mut ok = Vec::new();
    while ok.len() < n {
        match tokio::time::timeout(Duration::from_secs(120), events.recv()).await {
            Ok(Some(Event::SendResult {
                client_message_id,
                result,
                ..
            })) => {
                assert!(
                    result.is_ok(),
                    "outbox gave up on {client_message_id}: {result:?}"
                );
                ok.push(client_message_id);
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("outbox stalled after {} of {n}", ok.len()),
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tui_outbox_sends_exactly_once_through_faults_and_a_restart() {
    let n = scale(90, 1000);
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = ServeProcess::start(&dir.path().join("data"), &["--faults", FAULTS]);
    let api = Api::new(&serve.base);
    let user = api.user().await;
    let thread = api.thread(&user, "outbox faults", &[]).await;
    let file = dir.path().join("outbox.json");
    let queued: Vec<PendingSend> = (0..n).map(|i| pending(&thread, i)).collect();

    // First life: everything queued at once; its runtime shut down after a third.
    let first_life = {
        let (chat, file, queued) = (chat_client(&serve, &user), file.clone(), queued.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("rt");
            let done = rt.block_on(async move {
                let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
                let handle = outbox::spawn(chat, file, tx);
                for p in queued {
                    handle.send(OutboxCommand::Send(p));
                }
                successes(&mut events, n / 3).await
            });
            // Wait until the first life is really gone (its worker threads joined)
            // before the second one starts on the same file.
            rt.shutdown_timeout(Duration::from_secs(10));
            done
        })
    };
    // `successes` bounds each wait and the shutdown is bounded, so this join ends.
    let first_done = first_life.join().expect("first outbox");
    assert!(file.exists(), "the outbox file holds what is left");

    // Second life on the same file: the rest goes out, nothing twice.
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let _handle = outbox::spawn(chat_client(&serve, &user), file.clone(), tx);
    let left = loop {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
            Ok(Some(Event::Outbox { pending, .. })) => break pending.len(),
            Ok(Some(Event::SendResult { .. })) => {
                panic!("a send result before the restored outbox")
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("no outbox event"),
        }
    };
    assert!(left > 0 && left <= n - first_done.len(), "left {left}");
    successes(&mut events, left).await;

    let expected: Vec<(String, String)> = queued
        .iter()
        .map(|p| (p.client_message_id.clone(), p.content.clone()))
        .collect();
    assert_exactly_once_in_order(
        "tui outbox",
        &sent_texts(&api, &user, &thread).await,
        &expected,
    );
    eprintln!(
        "faults/outbox: {n} messages exactly once, {} before the restart, {left} after",
        first_done.len()
    );
}
