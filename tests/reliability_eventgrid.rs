//! Event Grid delivery survives kill -9: a real `acs-chat serve` with a webhook
//! subscriber takes a load of sends and is killed with SIGKILL at random points of
//! it, then restarted on the same port and data directory. Afterwards the webhook has
//! received every acknowledged send's ChatMessageReceivedInThread event at least once
//! (matched by thread and message id): the outbox row is committed with the message,
//! and the cursor passes it only after the webhook answered.
//!
//! Short mode (default): 300 sends, 4 senders, 2 threads, 3 kills + 1 after the load.
//! Full mode (`ACS_CHAT_SOAK=1`): 10,000 sends, 16 senders, 8 threads, 6 kills + 1.

mod eventgrid_common;
mod rel_common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use eventgrid_common::{Behaviour, Webhook, of_type};
use rel_common::{Api, ServeProcess, User, scale};
use serde_json::json;
use tokio::sync::Mutex;

/// (thread, message id) of the sends answered 201 with a body.
type Acked = Arc<Mutex<HashSet<(String, String)>>>;

/// Sends `count` messages as `user`, retrying whatever was not acknowledged.
async fn send_load(
    api: Api,
    user: User,
    thread: String,
    count: usize,
    acked: Acked,
    n: Arc<AtomicUsize>,
) {
    let mut done = 0;
    while done < count {
        let body = json!({"content": format!("m{done}"), "senderDisplayName": "sender"});
        let Some(id) = api.try_send(&user, &thread, &body).await else {
            continue;
        };
        assert!(
            acked.lock().await.insert((thread.clone(), id)),
            "acknowledged twice"
        );
        n.fetch_add(1, Ordering::SeqCst);
        done += 1;
    }
}

/// The event ids each (thread, message id) came with in ChatMessageReceivedInThread
/// events, one entry per delivery.
fn delivered(hook: &Webhook) -> HashMap<(String, String), Vec<String>> {
    let mut seen: HashMap<(String, String), Vec<String>> = HashMap::new();
    for e in of_type(&hook.events(), "ChatMessageReceivedInThread") {
        let (Some(t), Some(m)) = (
            e["data"]["threadId"].as_str(),
            e["data"]["messageId"].as_str(),
        ) else {
            continue;
        };
        let id = e["id"].as_str().unwrap_or_default().to_owned();
        seen.entry((t.to_owned(), m.to_owned()))
            .or_default()
            .push(id);
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_send_is_delivered_across_kill_9() {
    let total = scale(300, 10_000);
    let senders = scale(4, 16);
    let threads = scale(2, 8);
    let kills = scale(3, 6);
    let per_sender = total / senders;
    let (mut rng, seed) = rel_common::Rng::from_env(0xe9e7);

    let hook = Webhook::start(Behaviour::default()).await;
    let sub = format!("{},types=ChatMessageReceivedInThread", hook.url);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve = ServeProcess::start(dir.path(), &["--event-subscription", &sub]);
    let api = Api::new(&serve.base);

    let mut thread_ids = Vec::new();
    let mut users = Vec::new();
    for t in 0..threads {
        let owner = api.user().await;
        let mut members = Vec::new();
        for _ in (t..senders).step_by(threads) {
            members.push(api.user().await);
        }
        let refs: Vec<&User> = members.iter().collect();
        thread_ids.push(api.thread(&owner, &format!("load {t}"), &refs).await);
        users.push(members);
    }

    let acked: Acked = Arc::default();
    let acked_count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (t, members) in users.iter().enumerate() {
        for user in members {
            tasks.push(tokio::spawn(send_load(
                api.clone(),
                user.clone(),
                thread_ids[t].clone(),
                per_sender,
                acked.clone(),
                acked_count.clone(),
            )));
        }
    }

    let kills_done =
        rel_common::kill_during_load(&mut serve, &mut rng, total, kills, &acked_count, tasks).await;

    let acked = acked.lock().await.clone();
    assert_eq!(acked.len(), per_sender * senders);
    hook.wait_for(Duration::from_secs(60), |_| {
        let seen = delivered(&hook);
        acked.iter().all(|k| seen.contains_key(k))
    })
    .await;
    let seen = delivered(&hook);
    let missing: Vec<_> = acked.iter().filter(|k| !seen.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged sends never delivered (seed {seed:#x}), e.g. {:?}",
        missing.len(),
        acked.len(),
        missing.first()
    );
    // A repeated delivery is the same event (same id), so a receiver can drop it.
    for ((_, m), ids) in &seen {
        assert!(
            ids.iter().all(|id| !id.is_empty() && *id == ids[0]),
            "message {m} delivered under different event ids: {ids:?}"
        );
    }
    let events: usize = seen.values().map(Vec::len).sum();
    let duplicates = events - seen.len();
    eprintln!(
        "eventgrid durability: {} sends acknowledged, {kills_done}+1 kills, {events} events delivered for {} distinct messages, {duplicates} duplicates, seed {seed:#x}",
        acked.len(),
        seen.len()
    );
}
