//! Durability of the emulator process: concurrent senders while `acs-chat serve` is
//! killed with SIGKILL at random moments and restarted on the same port and data
//! directory. Afterwards every acknowledged (201) message is there exactly once with
//! its metadata, per-thread sequence ids are unique, increasing and gapless, every
//! identity and thread made before a kill still works, and SQLite's integrity check
//! passes.
//!
//! Short mode (default): 2,000 messages, 8 senders, 4 threads, 3 kills.
//! Full mode (`ACS_CHAT_SOAK=1`): 20,000 messages, 32 senders, 16 threads, 6 kills.

mod rel_common;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rel_common::{Api, ServeProcess, User, enc, scale};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// What the senders saw acknowledged: (thread, message id) -> (content, sender).
/// (Message ids are unique within a thread only.)
type Acked = Arc<Mutex<HashMap<(String, String), (String, usize)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_messages_survive_kill_9() {
    let total = scale(2_000, 20_000);
    let senders = scale(8, 32);
    let threads = scale(4, 16);
    let kills = scale(3, 6);
    let per_sender = total / senders;
    let (mut rng, seed) = rel_common::Rng::from_env(0x5eed);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve = ServeProcess::start(dir.path(), &[]);
    let api = Api::new(&serve.base);

    // One owner per thread and one user per sender, each sender in one thread.
    let mut owners = Vec::new();
    let mut thread_ids = Vec::new();
    for t in 0..threads {
        let owner = api.user().await;
        thread_ids.push(api.thread(&owner, &format!("load {t}"), &[]).await);
        owners.push(owner);
    }
    let mut users: Vec<User> = Vec::new();
    for s in 0..senders {
        let u = api.user().await;
        let t = &thread_ids[s % threads];
        let add = json!({"participants": [{"communicationIdentifier": rel_common::ident(&u.id), "displayName": format!("sender {s}")}]});
        let r = api
            .chat(
                Method::POST,
                &format!("/chat/threads/{}/participants/:add", enc(t)),
                &owners[s % threads].token,
                Some(&add),
            )
            .await
            .expect("add participant");
        assert_eq!(r.status(), 201);
        users.push(u);
    }

    let acked: Acked = Arc::default();
    let acked_count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (s, user) in users.iter().enumerate() {
        let (api, user, thread) = (api.clone(), user.clone(), thread_ids[s % threads].clone());
        let (acked, acked_count) = (acked.clone(), acked_count.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0;
            let mut attempt = 0u64;
            while done < per_sender {
                attempt += 1;
                // Every attempt carries unique content, so an unacknowledged attempt
                // the emulator did commit is told apart from an acknowledged one.
                let content = format!("s{s}-m{done}-a{attempt}");
                let body = json!({"content": content, "senderDisplayName": format!("sender {s}"),
                                  "metadata": {"sender": s.to_string(), "n": done.to_string()}});
                let Some(id) = api.try_send(&user, &thread, &body).await else {
                    continue;
                };
                let prev = acked
                    .lock()
                    .await
                    .insert((thread.clone(), id.clone()), (content, s));
                assert!(prev.is_none(), "message id {id} acknowledged twice");
                acked_count.fetch_add(1, Ordering::SeqCst);
                done += 1;
            }
        }));
    }

    let kills_done =
        rel_common::kill_during_load(&mut serve, &mut rng, total, kills, &acked_count, tasks).await;

    let acked = acked.lock().await.clone();
    assert_eq!(acked.len(), per_sender * senders);
    let mut checked = 0;
    for (t, thread) in thread_ids.iter().enumerate() {
        let msgs = api.all_messages(&owners[t], thread).await;
        // Sequence ids: unique and gapless from 1 (system messages included).
        let mut seqs: Vec<u64> = msgs
            .iter()
            .map(|m| {
                m["sequenceId"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .expect("seq")
            })
            .collect();
        seqs.sort_unstable();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, expected, "sequence ids of thread {t} are not 1..=n");
        // Newest first, by sequence id.
        let order: Vec<u64> = msgs
            .iter()
            .map(|m| {
                m["sequenceId"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            })
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] > w[1]),
            "thread {t} not listed newest first"
        );
        let mut by_id: BTreeMap<&str, &Value> = BTreeMap::new();
        let mut content_seen: HashMap<&str, usize> = HashMap::new();
        for m in &msgs {
            assert!(
                by_id.insert(m["id"].as_str().expect("id"), m).is_none(),
                "duplicate message id"
            );
            if let Some(c) = m["content"]["message"].as_str() {
                *content_seen.entry(c).or_default() += 1;
            }
        }
        for ((th, id), (content, s)) in acked.iter().filter(|((th, _), _)| th == thread) {
            let m = by_id
                .get(id.as_str())
                .unwrap_or_else(|| panic!("acknowledged message {id} ({content}) missing in {th}"));
            assert_eq!(m["content"]["message"], content.as_str());
            assert_eq!(
                content_seen.get(content.as_str()),
                Some(&1),
                "{content} not exactly once"
            );
            assert_eq!(m["metadata"]["sender"], s.to_string());
            assert_eq!(m["senderDisplayName"], format!("sender {s}"));
            assert_eq!(
                m["senderCommunicationIdentifier"]["rawId"],
                users[*s].id.as_str()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, acked.len());

    // Identities and threads from before the kills: every token still works and
    // every thread is still listed for its owner.
    for (t, owner) in owners.iter().enumerate() {
        let r = api
            .chat(Method::GET, "/chat/threads", &owner.token, None)
            .await
            .expect("list threads");
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.expect("json");
        let listed: Vec<&str> = v["value"]
            .as_array()
            .expect("value")
            .iter()
            .filter_map(|x| x["id"].as_str())
            .collect();
        assert!(
            listed.contains(&thread_ids[t].as_str()),
            "thread {t} missing after kills"
        );
    }
    for u in &users {
        let r = api
            .chat(Method::GET, "/chat/threads", &u.token, None)
            .await
            .expect("list");
        assert_eq!(
            r.status(),
            200,
            "identity created before the kills no longer works"
        );
    }

    serve.kill9();
    let conn = rusqlite::Connection::open(serve.db_path()).expect("open db");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ok, "ok");
    eprintln!(
        "durability: {kills_done}+1 kills survived, {checked} acknowledged messages checked, seed {seed:#x}"
    );
}
