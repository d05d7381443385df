//! `acs-chat events listen` and `events dead-letters` against a real emulator
//! (`acs-chat serve` as a child process).

mod cli_common;
mod eventgrid_common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use acs_chat::acs::{ConnectionString, EventAdminClient, HttpConfig, Transport};
use cli_common::{Emulator, closed_port, run};
use eventgrid_common::{Behaviour, Webhook};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// A running `events listen`: its subscription name and its stdout lines.
struct Listener {
    child: Child,
    name: String,
    lines: mpsc::Receiver<String>,
}

impl Listener {
    /// Starts `events listen ARGS` as alice and waits until it says it is subscribed.
    fn start(emu: &Emulator, args: &[&str]) -> Self {
        let mut child = emu
            .std_cmd("alice")
            .args(["events", "listen", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start events listen");
        let (out_tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = out_tx.send(line);
            }
        });
        let (err_tx, err) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let mut seen = Vec::new();
        let name = loop {
            let line = err
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no subscription line; stderr: {seen:?}"));
            if let Some(rest) = line.split(" as event subscription ").nth(1) {
                break rest.split_whitespace().next().expect("a name").to_owned();
            }
            seen.push(line);
        };
        Self { child, name, lines }
    }

    /// Lines until one satisfies `done` (which is included).
    fn until(&self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        let mut got = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let stop = done(&line);
                    got.push(line);
                    if stop {
                        return got;
                    }
                }
                Err(_) => panic!("the awaited line never came; got {got:?}"),
            }
        }
    }

    /// SIGTERM, as a service manager stops it; it must exit 0.
    fn stop(mut self) {
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "events listen exited with {status:?}");
    }
}

/// The emulator's subscriptions, through the management client.
async fn subscriptions(emu: &Emulator) -> Vec<String> {
    let pem = std::fs::read(&emu.ca_cert).expect("ca cert");
    let transport = Transport::new(HttpConfig {
        extra_ca_pem: vec![pem],
        ..HttpConfig::default()
    })
    .expect("transport");
    let cs = ConnectionString::parse(&emu.connection_string).expect("cs");
    EventAdminClient::new(&cs, transport)
        .subscriptions()
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.name)
        .collect()
}

/// `acs-chat --connection-string CS --ca-cert ..` in the test's home.
fn with_connection(emu: &Emulator, cs: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(cli_common::bin());
    for var in [
        "ACS_CONNECTION_STRING",
        "ACS_ENDPOINT",
        "ACS_TOKEN",
        "ACS_CHAT_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("ACS_CHAT_HOME", emu.home())
        .args(["--connection-string", cs, "--ca-cert"])
        .arg(&emu.ca_cert);
    cmd
}

fn send(emu: &Emulator, thread: &str, text: &str) {
    emu.json(
        "alice",
        &["message", "send", "--thread", thread, "--content", text],
    );
}

#[tokio::test]
async fn listen_prints_the_event_grid_event_a_send_causes_and_unsubscribes_when_stopped() {
    let emu = Emulator::start();
    let thread = emu.thread("alice", "Lunch", &["bob"]);
    let listener = Listener::start(&emu, &[]);
    assert!(subscriptions(&emu).await.contains(&listener.name));
    send(&emu, &thread, "hello \u{1b}[31mthere");
    let lines = listener.until(|l| l.contains("ChatMessageReceivedInThread"));
    let line = lines.last().expect("a line");
    assert!(line.contains(&format!("thread/{thread}/sender/")), "{line}");
    assert!(line.ends_with("  \"hello there\""), "sanitized: {line:?}");
    let name = listener.name.clone();
    listener.stop();
    assert!(
        !subscriptions(&emu).await.contains(&name),
        "the subscription outlived the listener"
    );
}

#[tokio::test]
async fn listen_prints_cloudevents_as_json_lines() {
    let emu = Emulator::start();
    let thread = emu.thread("alice", "Lunch", &["bob"]);
    let listener = Listener::start(&emu, &["--schema", "cloudevents", "-o", "json"]);
    send(&emu, &thread, "hello");
    let lines = listener.until(|l| l.contains("ChatMessageReceivedInThread"));
    let event: Value = serde_json::from_str(lines.last().expect("line")).expect("a JSON line");
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(
        event["type"],
        "Microsoft.Communication.ChatMessageReceivedInThread"
    );
    assert_eq!(event["data"]["messageBody"], "hello");
    assert_eq!(event["data"]["threadId"], thread.as_str());
    listener.stop();
}

#[tokio::test]
async fn listen_type_filter_prints_only_those_types() {
    let emu = Emulator::start();
    let thread = emu.thread("alice", "Lunch", &["bob"]);
    let listener = Listener::start(&emu, &["--type", "ChatMessageReceived", "-o", "json"]);
    send(&emu, &thread, "one");
    send(&emu, &thread, "two");
    // Without the filter the in-thread event of each send would come too (the JSON
    // test above sees it); with it, only bob's per-user copies.
    let lines = listener.until(|l| l.contains("\"two\""));
    for line in &lines {
        let e: Value = serde_json::from_str(line).expect("json");
        assert_eq!(
            e["eventType"], "Microsoft.Communication.ChatMessageReceived",
            "{line}"
        );
    }
    assert_eq!(lines.len(), 2, "{lines:?}");
    listener.stop();
}

#[test]
fn listen_on_a_taken_port_says_so() {
    let emu = Emulator::start();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let err = run(emu.cmd("alice").args(["events", "listen", "--port", &port])).fails_with(2);
    assert!(err.contains(&format!("port {port} is taken")), "{err}");
}

#[test]
fn listen_with_a_wrong_access_key_names_the_refusal() {
    let emu = Emulator::start();
    let wrong = emu
        .connection_string
        .split(';')
        .map(|p| {
            if p.to_ascii_lowercase().starts_with("accesskey=") {
                "accesskey=d3Jvbmcga2V5IHdyb25nIGtleQ==".to_owned()
            } else {
                p.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(";");
    let err = run(with_connection(&emu, &wrong).args(["events", "listen"])).fails_with(3);
    assert!(err.contains("event subscriptions"), "{err}");
    assert!(err.contains("401"), "{err}");
}

#[test]
fn listen_with_the_emulator_gone_is_a_network_error() {
    let emu = Emulator::start();
    let gone = format!(
        "endpoint=https://127.0.0.1:{}/;accesskey=a2V5",
        closed_port()
    );
    run(with_connection(&emu, &gone).args(["events", "listen"])).fails_with(6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_and_redelivered() {
    let hook = Webhook::start(Behaviour {
        statuses: [400].into(),
        ..Behaviour::default()
    })
    .await;
    let flag = format!("{},name=bot", hook.url);
    let emu = Emulator::start_with(&["--event-subscription", &flag]);
    let _thread = emu.thread("alice", "Lunch", &["bob"]);
    let deadline = Instant::now() + WAIT;
    let dead = loop {
        let list = emu.json("alice", &["events", "dead-letters"]);
        let list = list.as_array().cloned().expect("an array");
        if !list.is_empty() {
            break list;
        }
        assert!(Instant::now() < deadline, "no dead letter");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead.len(), 1, "{dead:#?}");
    assert_eq!(dead[0]["subscription"], "bot");
    assert_eq!(
        dead[0]["deadLetterReason"],
        "UndeliverableDueToHttpBadRequest"
    );
    assert_eq!(dead[0]["lastHttpStatusCode"], 400);
    let id = dead[0]["event"]["id"]
        .as_str()
        .expect("event id")
        .to_owned();

    let table = run(emu
        .cmd("alice")
        .args(["events", "dead-letters", "--subscription", "bot"]))
    .ok();
    assert!(
        table.contains("UndeliverableDueToHttpBadRequest"),
        "{table}"
    );
    assert!(table.contains("400"), "{table}");

    let moved = emu.json(
        "alice",
        &[
            "events",
            "dead-letters",
            "--subscription",
            "bot",
            "--redeliver",
        ],
    );
    assert_eq!(moved["redelivering"], 1);
    let count = |events: &[Value]| events.iter().filter(|e| e["id"] == id.as_str()).count();
    hook.wait_for(WAIT, |_| count(&hook.events()) >= 2).await;
    assert_eq!(count(&hook.events()), 2, "delivered again after the 400");
    let after = emu.json("alice", &["events", "dead-letters"]);
    assert_eq!(after.as_array().map(Vec::len), Some(0), "{after:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_delivers_to_the_subscriptions_of_the_config_file() {
    let hook = Webhook::start(Behaviour::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[emulator.event_subscriptions]]\nendpoint = \"{}\"\nname = \"fromfile\"\ntypes = [\"ChatThreadCreated\"]\n",
            hook.url
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let emu = Emulator::start_with(&["--config", &config]);
    let thread = emu.thread("alice", "Lunch", &["bob"]);
    let ours = |e: &Value| e["data"]["threadId"] == thread.as_str();
    hook.wait_for(WAIT, |_| hook.events().iter().any(ours))
        .await;
    let events = hook.events();
    assert!(events.iter().any(ours), "{events:#?}");
    for e in &events {
        assert_eq!(
            e["eventType"], "Microsoft.Communication.ChatThreadCreated",
            "the types option"
        );
    }
    let received = hook.received();
    assert_eq!(
        received
            .last()
            .and_then(|r| r.header("aeg-subscription-name")),
        Some("FROMFILE")
    );
}
