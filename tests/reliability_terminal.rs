//! Terminal safety end to end: hostile messages, topics and display names go into
//! a real emulator, come back through the real poller into `App`, and are drawn by
//! `view::draw`, into a `TestBackend` (the buffer: no control character in any cell,
//! the frame's borders where a benign frame has them) and into a `CrosstermBackend`
//! writing to a `Vec<u8>` (the bytes: the only escape sequences are the CSI
//! colour and cursor sequences ratatui itself writes; no OSC, DCS, C1 or BIDI).

mod acs_common;
mod common;

use std::time::Duration;

use acs_chat::acs::ChatClient;
use acs_chat::config::PollIntervals;
use acs_chat::tui::app::{App, Command, Event, ProfileInfo, UiSettings};
use acs_chat::tui::poller::{self, PollerControl};
use acs_chat::tui::view;
use common::{Env, enc};
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use reqwest::Method;
use serde_json::json;

/// Message bodies as raw JSON string literals (so `\ud800` arrives as a lone
/// surrogate escape, which JSON parsers must cope with).
fn hostile_json_strings() -> Vec<String> {
    vec![
        r#""\u001b[2J\u001b[H\u001b[31mCSI clear and red""#.into(),
        r#""\u001b]0;pwned title\u0007OSC title""#.into(),
        r#""\u001b]52;c;ZXZpbA==\u001b\\OSC 52 clipboard""#.into(),
        r#""\u001bP+q544e\u001b\\DCS request""#.into(),
        r#""\u009b31mC1 CSI \u009d0;t\u009c and \u0085 NEL""#.into(),
        r#""BIDI \u202egnp.exe\u202c \u2066isolate\u2069 \u200fmark""#.into(),
        r#""zero\u200bwidth\u200d\ufeffjoin e\u0301\u0301\u0301\u0301 combining Z\u0335\u0336\u0337""#.into(),
        r#""bell\u0007 backspace\u0008\u0008 nul\u0000 del\u007f cr\r overwrite""#.into(),
        format!(r#""{}""#, "W".repeat(27_000)),
    ]
}

fn control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
}

fn assert_buffer_clean(buf: &Buffer) {
    for (i, cell) in buf.content.iter().enumerate() {
        assert!(
            !cell.symbol().chars().any(control_or_bidi),
            "cell {i} holds a control character: {:?}",
            cell.symbol()
        );
    }
}

/// The frame's skeleton: where box-drawing characters are.
fn skeleton(buf: &Buffer) -> Vec<(usize, String)> {
    buf.content
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.symbol()
                .chars()
                .any(|ch| ('\u{2500}'..='\u{257F}').contains(&ch))
        })
        .map(|(i, c)| (i, c.symbol().to_owned()))
        .collect()
}

/// Every ESC in `bytes` starts a CSI sequence of the kinds ratatui/crossterm write
/// (SGR, cursor moves, erase, modes); no OSC/DCS/C1 and no BIDI controls at all.
fn assert_bytes_safe(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        assert!(
            !matches!(c, '\u{80}'..='\u{9F}'),
            "a C1 control reached the terminal"
        );
        assert!(
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
            "a BIDI control reached the terminal"
        );
        assert!(
            !matches!(c, '\u{0}'..='\u{6}' | '\u{7}' | '\u{8}' | '\u{B}'..='\u{C}' | '\u{E}'..='\u{1A}' | '\u{7F}'),
            "C0 control {:?} reached the terminal",
            c
        );
    }
    let mut i = 0;
    let mut sequences = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            assert_eq!(
                bytes.get(i + 1),
                Some(&b'['),
                "non-CSI escape at byte {i}: {:?}",
                String::from_utf8_lossy(&bytes[i..(i + 12).min(bytes.len())])
            );
            let mut j = i + 2;
            while j < bytes.len() && matches!(bytes[j], b'0'..=b'9' | b';' | b'?' | b':') {
                j += 1;
            }
            let fin = bytes.get(j).copied().unwrap_or(0);
            assert!(
                b"mHJKhlABCDGdfsu".contains(&fin),
                "unexpected CSI final {:?} at byte {i}",
                fin as char
            );
            sequences += 1;
            i = j + 1;
        } else {
            i += 1;
        }
    }
    assert!(sequences > 0, "the backend wrote no sequences at all?");
}

/// A `Write` the test can read back after the backend wrote into it.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn draw_bytes(app: &App, w: u16, h: u16) -> Vec<u8> {
    let out = Captured::default();
    let mut term = Terminal::with_options(
        CrosstermBackend::new(out.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
        },
    )
    .expect("terminal");
    term.draw(|f| view::draw(app, f)).expect("draw");
    out.0.lock().expect("lock").clone()
}

fn draw_buffer(app: &App, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| view::draw(app, f)).expect("draw");
    term.backend().buffer().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_through_poller_app_and_view_never_reaches_the_terminal() {
    let env = Env::start().await;
    let (alice, mallory) = (env.user().await, env.user().await);
    let evil_name = "\u{1b}]0;evil\u{7}Mal\u{202e}lory\u{9b}2J";
    let participants = json!([
        {"communicationIdentifier": {"rawId": alice.id, "communicationUser": {"id": alice.id}}, "displayName": "Alice"},
        {"communicationIdentifier": {"rawId": mallory.id, "communicationUser": {"id": mallory.id}}, "displayName": evil_name},
    ]);
    let topic = "\u{1b}[5mTopic\u{1b}]8;;http://x\u{1b}\\link\u{202e}\u{85}";
    let r = env
        .chat(
            Method::POST,
            "/chat/threads",
            &alice.token,
            Some(json!({"topic": topic, "participants": participants})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let thread = r.json::<serde_json::Value>().await.expect("json")["chatThread"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let url = format!(
        "{}/chat/threads/{}/messages?{}",
        env.base,
        enc(&thread),
        common::CHAT
    );
    let hostile = hostile_json_strings();
    for s in &hostile {
        let body = format!(r#"{{"content":{s},"senderDisplayName":"\u001b[31mMallory\u202e"}}"#);
        let r = env
            .client
            .post(&url)
            .bearer_auth(&mallory.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(
            r.status(),
            201,
            "{s:.60}: {}",
            r.text().await.unwrap_or_default()
        );
    }
    // The emulator's JSON reader refuses lone surrogates (400, never a 5xx); the
    // client side of them is tested against a scripted service below.
    let r = env
        .client
        .post(&url)
        .bearer_auth(&mallory.token)
        .header("content-type", "application/json")
        .body(r#"{"content":"\ud800"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);

    // The real poller, for alice, feeding App like the event loop does.
    let chat = env.chat_client(&alice);
    let endpoint = chat.endpoint().clone();
    let profile = ProfileInfo {
        name: "alice".into(),
        user_id: alice.id.clone(),
        display_name: "Alice".into(),
        endpoint: endpoint.to_string(),
        known_profiles: vec![],
    };
    let mut app = App::new(
        profile,
        UiSettings {
            id_seed: 1,
            ..UiSettings::default()
        },
    );
    let (w, h) = (100u16, 30u16);
    app.update(Event::Resize(w, h));
    app.update(Event::Tick {
        now: time::OffsetDateTime::now_utc(),
    });
    let benign = skeleton(&draw_buffer(&app, w, h));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let poller = poller::spawn(
        chat,
        PollIntervals {
            active_ms: 50,
            idle_max_ms: 200,
            idle_after_secs: 60,
            error_backoff_max_ms: 500,
        },
        tx,
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let texts = app.threads.get(&thread).map_or(0, |t| t.conv.len());
        if texts >= hostile.len() {
            break;
        }
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the poller delivered the messages in time")
            .expect("poller alive");
        for cmd in app.update(ev) {
            match cmd {
                Command::OpenThread { thread_id } => {
                    poller.send(PollerControl::OpenThread(thread_id))
                }
                Command::FetchParticipants { thread_id } => {
                    poller.send(PollerControl::RefreshParticipants(thread_id))
                }
                _ => {}
            }
        }
    }
    // Let participants arrive too (display names), then draw.
    let until = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(Some(ev)) = tokio::time::timeout_at(until, rx.recv()).await {
        app.update(ev);
    }
    app.update(Event::Tick {
        now: time::OffsetDateTime::now_utc(),
    });

    let buf = draw_buffer(&app, w, h);
    assert_buffer_clean(&buf);
    assert_eq!(skeleton(&buf), benign, "the frame's borders moved");
    assert_bytes_safe(&draw_bytes(&app, w, h));
    // Narrow and wide terminals too.
    for (w, h) in [(20u16, 8u16), (200, 60)] {
        app.update(Event::Resize(w, h));
        assert_buffer_clean(&draw_buffer(&app, w, h));
        assert_bytes_safe(&draw_bytes(&app, w, h));
    }
}

#[test]
fn a_one_megabyte_single_line_is_drawn_safely() {
    use acs_chat::wire::{
        ChatMessage, ChatMessageContent, ChatMessageType, ChatThreadItem,
        CommunicationIdentifierModel,
    };
    let now = time::OffsetDateTime::now_utc();
    let profile = ProfileInfo {
        name: "a".into(),
        user_id: "8:acs:a".into(),
        display_name: "A".into(),
        endpoint: "https://127.0.0.1".into(),
        known_profiles: vec![],
    };
    let mut app = App::new(profile, UiSettings::default());
    app.update(Event::Resize(80, 24));
    app.update(Event::Tick { now });
    app.update(Event::ThreadsListed {
        threads: vec![ChatThreadItem {
            id: "19:t@thread.v2".into(),
            topic: "t".into(),
            deleted_on: None,
            last_message_received_on: Some(now),
        }],
    });
    let line: String = "\u{1b}[31m\u{202e}x\u{9b}".repeat(1 << 18); // ~1.5 MB, one line
    let m = ChatMessage {
        id: "1".into(),
        kind: ChatMessageType::Text,
        sequence_id: "1".into(),
        version: "1".into(),
        content: Some(ChatMessageContent {
            message: Some(line),
            ..Default::default()
        }),
        sender_display_name: Some("B".into()),
        created_on: now,
        sender_communication_identifier: Some(CommunicationIdentifierModel::user("8:acs:b")),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    };
    app.update(Event::MessagesPolled {
        thread_id: "19:t@thread.v2".into(),
        messages: vec![m],
    });
    let started = std::time::Instant::now();
    let buf = draw_buffer(&app, 80, 24);
    assert_buffer_clean(&buf);
    assert_bytes_safe(&draw_bytes(&app, 80, 24));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "drawing a 1 MB line took {:?}",
        started.elapsed()
    );
}

/// A service page holding lone surrogate escapes (a .NET service can write them)
/// stays readable: they become U+FFFD, the other messages are not lost, and the
/// result draws cleanly.
#[tokio::test]
async fn lone_surrogates_from_the_service_do_not_break_a_page() {
    use acs_common::{MockServer, Reply, credential, fast_config, transport};
    use futures::TryStreamExt as _;
    let page = r#"{"value":[
        {"id":"2","type":"text","sequenceId":"2","version":"2","createdOn":"2026-01-01T00:00:00Z","content":{"message":"cut \ud83d emoji and \udc00\u001b]0;x\u0007"},"senderDisplayName":"\ud800Eve"},
        {"id":"1","type":"text","sequenceId":"1","version":"1","createdOn":"2026-01-01T00:00:00Z","content":{"message":"fine \ud83d\ude00"}}]}"#;
    let server = MockServer::start(move |_, _| Reply::json(200, page)).await;
    let chat = ChatClient::new(server.url.clone(), credential(), transport(fast_config()));
    let messages: Vec<_> = chat
        .thread("19:t@thread.v2")
        .list_messages(Default::default())
        .try_collect()
        .await
        .expect("the page parses");
    assert_eq!(messages.len(), 2);
    let cut = messages[0]
        .content
        .as_ref()
        .and_then(|c| c.message.clone())
        .unwrap_or_default();
    assert!(
        cut.starts_with("cut \u{FFFD} emoji and \u{FFFD}"),
        "{cut:?}"
    );
    assert_eq!(
        messages[1]
            .content
            .as_ref()
            .and_then(|c| c.message.as_deref()),
        Some("fine \u{1F600}")
    );

    let now = time::OffsetDateTime::now_utc();
    let profile = ProfileInfo {
        name: "a".into(),
        user_id: "8:acs:a".into(),
        display_name: "A".into(),
        endpoint: "https://127.0.0.1".into(),
        known_profiles: vec![],
    };
    let mut app = App::new(profile, UiSettings::default());
    app.update(Event::Resize(80, 24));
    app.update(Event::Tick { now });
    app.update(Event::ThreadsListed {
        threads: vec![acs_chat::wire::ChatThreadItem {
            id: "19:t@thread.v2".into(),
            topic: "t".into(),
            deleted_on: None,
            last_message_received_on: Some(now),
        }],
    });
    app.update(Event::MessagesPolled {
        thread_id: "19:t@thread.v2".into(),
        messages,
    });
    assert_buffer_clean(&draw_buffer(&app, 80, 24));
    assert_bytes_safe(&draw_bytes(&app, 80, 24));
}
