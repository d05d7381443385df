//! Whole-screen tests of the interactive client's views: insta snapshots at 80x24 and
//! 40x12 with a fixed clock and fixed data, drawing at every small size without a
//! panic, hostile content never reaching the terminal, and virtualized rendering.

use acs_chat::tui::app::{App, Command, ConnectionState, Event, Priority, ProfileInfo, UiSettings};
use acs_chat::tui::view;
use acs_chat::wire::{
    ChatMessage, ChatMessageContent, ChatMessageReadReceipt, ChatMessageType, ChatParticipant,
    ChatThreadItem, ChatThreadProperties, CommunicationIdentifierModel, Metadata,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier, Style};
use time::OffsetDateTime;
use time::macros::datetime;

const ALICE: &str = "8:acs:alice";
const BOB: &str = "8:acs:bob";
const T1: &str = "19:quickstart@thread.v2";
const T2: &str = "19:lunch@thread.v2";
const T3: &str = "19:long@thread.v2";

fn now() -> OffsetDateTime {
    datetime!(2026-11-24 09:30 UTC)
}

fn user(id: &str) -> CommunicationIdentifierModel {
    CommunicationIdentifierModel::user(id)
}

fn participant(id: &str, name: &str) -> ChatParticipant {
    ChatParticipant {
        communication_identifier: user(id),
        display_name: Some(name.into()),
        share_history_time: None,
        metadata: None,
    }
}

fn text(id: &str, from: &str, body: &str, at: OffsetDateTime) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        kind: ChatMessageType::Text,
        sequence_id: id.into(),
        version: id.into(),
        content: Some(ChatMessageContent {
            message: Some(body.into()),
            ..Default::default()
        }),
        sender_display_name: Some(if from == ALICE { "Alice" } else { "Bob" }.into()),
        created_on: at,
        sender_communication_identifier: Some(user(from)),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

fn system(
    id: &str,
    kind: ChatMessageType,
    content: ChatMessageContent,
    at: OffsetDateTime,
) -> ChatMessage {
    ChatMessage {
        kind,
        content: Some(content),
        sender_display_name: None,
        sender_communication_identifier: None,
        ..text(id, BOB, "", at)
    }
}

fn key(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, m))
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(key(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn base_app(w: u16, h: u16) -> App {
    let profile = ProfileInfo {
        name: "alice".into(),
        user_id: ALICE.into(),
        display_name: "Alice".into(),
        endpoint: "https://127.0.0.1:47443".into(),
        known_profiles: vec![("alice".into(), ALICE.into()), ("bob".into(), BOB.into())],
    };
    let mut app = App::new(
        profile,
        UiSettings {
            id_seed: 1,
            ..UiSettings::default()
        },
    );
    app.update(Event::Resize(w, h));
    app.update(Event::Tick { now: now() });
    app.update(Event::ThreadsListed {
        threads: vec![
            ChatThreadItem {
                id: T1.into(),
                topic: "Quickstart".into(),
                deleted_on: None,
                last_message_received_on: Some(now()),
            },
            ChatThreadItem {
                id: T3.into(),
                topic: "設計レビュー 📐 a long design review topic".into(),
                deleted_on: None,
                last_message_received_on: Some(datetime!(2026-11-20 12:00 UTC)),
            },
        ],
    });
    app.update(Event::Connection(ConnectionState::Ok {
        last_poll: now() - time::Duration::seconds(2),
    }));
    // Another thread gets busy after start-up: unread count in the list.
    app.update(Event::ThreadsListed {
        threads: vec![ChatThreadItem {
            id: T2.into(),
            topic: "Lunch".into(),
            deleted_on: None,
            last_message_received_on: Some(now()),
        }],
    });
    app.update(Event::MessagesPolled {
        thread_id: T2.into(),
        messages: vec![
            text("2001", BOB, "pizza?", now()),
            text("2002", BOB, "or sushi", now()),
        ],
    });
    app
}

/// The open thread with system messages, edited, deleted and High messages, a day
/// separator, a seen own message, a sent one and one still sending.
fn conversation_app(w: u16, h: u16) -> App {
    let mut app = base_app(w, h);
    let mut meta = Metadata::new();
    meta.insert("acsChat.admins".into(), ALICE.into());
    app.update(Event::ThreadDetails {
        thread: ChatThreadProperties {
            id: T1.into(),
            topic: "Quickstart".into(),
            created_on: datetime!(2026-11-23 17:00 UTC),
            created_by_communication_identifier: user(ALICE),
            deleted_on: None,
            metadata: Some(meta),
            retention_policy: None,
        },
    });
    app.update(Event::Participants {
        thread_id: T1.into(),
        participants: vec![participant(ALICE, "Alice"), participant(BOB, "Bob")],
    });
    let d1 = datetime!(2026-11-23 17:00 UTC);
    let d2 = datetime!(2026-11-24 09:00 UTC);
    let added = ChatMessageContent {
        participants: Some(vec![participant(BOB, "Bob")]),
        initiator_communication_identifier: Some(user(ALICE)),
        ..Default::default()
    };
    let topic = ChatMessageContent {
        topic: Some("Quickstart".into()),
        initiator_communication_identifier: Some(user(BOB)),
        ..Default::default()
    };
    let mut edited = text(
        "1003",
        ALICE,
        "Hello Bob, welcome to the thread",
        d1 + time::Duration::minutes(2),
    );
    edited.edited_on = Some(d1 + time::Duration::minutes(3));
    let mut high = text("1005", BOB, "The build is broken!", d2);
    let mut hm = Metadata::new();
    hm.insert("priority".into(), "High".into());
    high.metadata = Some(hm);
    let mut deleted = text("1006", BOB, "", d2 + time::Duration::minutes(1));
    deleted.deleted_on = Some(d2 + time::Duration::minutes(2));
    let messages = vec![
        system("1001", ChatMessageType::ParticipantAdded, added, d1),
        text(
            "1002",
            BOB,
            "Hi Alice! 👋 世界",
            d1 + time::Duration::minutes(1),
        ),
        edited,
        system(
            "1004",
            ChatMessageType::TopicUpdated,
            topic,
            d1 + time::Duration::minutes(4),
        ),
        high,
        deleted,
        text("1007", ALICE, "On it", d2 + time::Duration::minutes(5)),
        text(
            "1008",
            ALICE,
            "Fixed, please retry",
            d2 + time::Duration::minutes(20),
        ),
    ];
    app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages,
        next_link: None,
    });
    app.update(Event::ReadReceipts {
        thread_id: T1.into(),
        receipts: vec![ChatMessageReadReceipt {
            sender_communication_identifier: user(BOB),
            chat_message_id: "1007".into(),
            read_on: d2,
        }],
    });
    type_text(&mut app, "Thanks");
    app.update(key(KeyCode::Enter, KeyModifiers::NONE));
    app
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view::draw(app, f)).expect("draw");
    terminal
}

#[test]
fn conversation_80x24() {
    let app = conversation_app(80, 24);
    insta::assert_snapshot!("conversation_80x24", render(&app, 80, 24).backend());
}

#[test]
fn conversation_40x12() {
    let app = conversation_app(40, 12);
    insta::assert_snapshot!("conversation_40x12", render(&app, 40, 12).backend());
}

#[test]
fn participants_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = conversation_app(w, h);
        app.update(key(KeyCode::F(2), KeyModifiers::NONE));
        insta::assert_snapshot!(
            format!("participants_{w}x{h}"),
            render(&app, w, h).backend()
        );
    }
}

#[test]
fn help_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = conversation_app(w, h);
        app.update(key(KeyCode::F(1), KeyModifiers::NONE));
        insta::assert_snapshot!(format!("help_{w}x{h}"), render(&app, w, h).backend());
    }
}

#[test]
fn failed_send_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = base_app(w, h);
        app.update(Event::Connection(ConnectionState::Retrying {
            in_secs: 4,
            error: "connection refused".into(),
        }));
        app.update(key(KeyCode::Char('p'), KeyModifiers::ALT));
        type_text(&mut app, "Is anyone there?");
        let cmds = app.update(key(KeyCode::Enter, KeyModifiers::NONE));
        let Some(Command::Send(p)) = cmds.into_iter().find(|c| matches!(c, Command::Send(_)))
        else {
            panic!("no send")
        };
        assert_eq!(p.priority, Priority::High);
        app.update(Event::SendResult {
            thread_id: T1.into(),
            client_message_id: p.client_message_id,
            result: Err("service unavailable".into()),
        });
        insta::assert_snapshot!(format!("failed_send_{w}x{h}"), render(&app, w, h).backend());
    }
}

/// The style of each cell of `needle` (single-width characters) on the first row of
/// the screen whose text contains `row_has`.
fn styles_of(term: &Terminal<TestBackend>, row_has: &str, needle: &str) -> Vec<Style> {
    let buf = term.backend().buffer();
    let width = buf.area.width;
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..width).map(|x| buf[(x, y)].symbol()).collect();
        if !row.concat().contains(row_has) {
            continue;
        }
        let chars: Vec<String> = needle.chars().map(String::from).collect();
        let start = (0..row.len().saturating_sub(chars.len() - 1))
            .find(|&x| chars.iter().enumerate().all(|(i, c)| row[x + i] == c))
            .unwrap_or_else(|| panic!("{needle:?} not on the row with {row_has:?}"));
        return (start..start + chars.len())
            .map(|x| buf[(u16::try_from(x).expect("fits"), y)].style())
            .collect();
    }
    panic!("no row with {row_has:?}");
}

/// Snapshots show text only: the colours and emphasis are checked here, against the
/// palette's literal values.
#[test]
fn conversation_styles_users_system_messages_and_high() {
    let term = render(&conversation_app(80, 24), 80, 24);
    let bold = |c: Color| Style::new().fg(c).add_modifier(Modifier::BOLD);
    let all = |row: &str, needle: &str, want: Style| {
        for got in styles_of(&term, row, needle) {
            assert_eq!(
                (got.fg, got.add_modifier),
                (want.fg, want.add_modifier),
                "{needle:?} on the row with {row:?}"
            );
        }
    };
    // Each user keeps one colour of their own, bold.
    all("17:02 Alice:", "Alice", bold(Color::LightRed));
    all("09:20 Alice:", "Alice", bold(Color::LightRed));
    all("17:01 Bob:", "Bob", bold(Color::LightGreen));
    // System messages are dimmed (grey, italic), message text is not.
    let system = Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC);
    all("Alice added Bob", "Alice added Bob", system);
    all("changed the topic", "Bob changed the topic", system);
    all("17:01 Bob:", "Hi Alice!", Style::new().fg(Color::Reset));
    // The HIGH marker stands out from the sender's name next to it.
    all("The build is broken", "HIGH", bold(Color::LightRed));
    all("The build is broken", "Bob", bold(Color::LightGreen));
}

#[test]
fn new_messages_marker_when_scrolled_up() {
    let mut app = conversation_app(40, 12);
    app.update(key(KeyCode::PageUp, KeyModifiers::NONE));
    let at = now() + time::Duration::minutes(1);
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![text("1009", BOB, "ping", at)],
    });
    let screen = format!("{}", render(&app, 40, 12).backend());
    assert!(screen.contains("new messages"), "{screen}");
    assert!(!screen.contains("ping"), "the view did not move: {screen}");
    app.update(key(KeyCode::End, KeyModifiers::ALT));
    let screen = format!("{}", render(&app, 40, 12).backend());
    assert!(
        screen.contains("ping") && !screen.contains("new messages"),
        "{screen}"
    );
}

#[test]
fn draws_at_every_size_without_panicking() {
    let mut states = Vec::new();
    for overlay in [None, Some(KeyCode::F(1)), Some(KeyCode::F(2))] {
        let mut app = conversation_app(80, 24);
        if let Some(k) = overlay {
            app.update(key(k, KeyModifiers::NONE));
        }
        states.push(app);
    }
    let mut select = conversation_app(80, 24);
    select.update(key(KeyCode::Char('s'), KeyModifiers::ALT));
    states.push(select);
    let mut multi = conversation_app(80, 24);
    for _ in 0..8 {
        type_text(&mut multi, "line 世界 👋");
        multi.update(key(KeyCode::Char('j'), KeyModifiers::CONTROL));
    }
    states.push(multi);
    let empty = App::new(ProfileInfo::default(), UiSettings::default());
    states.push(empty);
    for app in &mut states {
        for w in 1..=50u16 {
            for h in 1..=15u16 {
                app.update(Event::Resize(w, h));
                render(app, w, h);
                // A stale size (resize not yet seen) must not panic either.
                render(app, h, w);
            }
        }
    }
}

#[test]
fn hostile_content_never_reaches_the_terminal() {
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{07}\u{9b}31m\u{1b}P+q\u{1b}\\\u{202e}gnp.exe\u{0}\u{7}\r\u{85}end";
    let mut app = base_app(80, 24);
    app.update(Event::ThreadsListed {
        threads: vec![ChatThreadItem {
            id: T1.into(),
            topic: evil.into(),
            deleted_on: None,
            last_message_received_on: Some(now()),
        }],
    });
    app.update(Event::Participants {
        thread_id: T1.into(),
        participants: vec![participant(BOB, evil)],
    });
    let mut m = text("1", BOB, evil, now());
    m.sender_display_name = Some(evil.into());
    let mut html = text(
        "2",
        BOB,
        "<b>bold</b>&#27;[31m &#x9b;2J <script>x</script>",
        now(),
    );
    html.kind = ChatMessageType::Html;
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![m, html],
    });
    app.update(Event::ActionResult {
        what: evil.into(),
        result: Err(evil.into()),
    });
    app.update(Event::Connection(ConnectionState::Offline {
        error: evil.into(),
    }));
    app.update(key(KeyCode::F(2), KeyModifiers::NONE));
    let terminal = render(&app, 80, 24);
    let buffer = terminal.backend().buffer();
    let mut seen_end = false;
    for cell in buffer.content() {
        for c in cell.symbol().chars() {
            assert!(!c.is_control(), "control char {:?} in the buffer", c);
            assert!(
                !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'),
                "BIDI control in the buffer"
            );
        }
        seen_end |= cell.symbol() == "e";
    }
    assert!(seen_end);
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("gnp.exe"),
        "text kept, controls removed:\n{screen}"
    );
    assert!(screen.contains("bold"), "html shown as text:\n{screen}");
}

#[test]
fn drawing_a_huge_thread_lays_out_only_visible_messages() {
    let mut app = base_app(80, 24);
    let start = datetime!(2026-01-01 00:00 UTC);
    // Loaded as the service pages history: newest first, 200 per page.
    let text_at = |i: i64| {
        let from = if i % 3 == 0 { ALICE } else { BOB };
        let at = start + time::Duration::seconds(i * 60);
        text(&(1_000_000 + i).to_string(), from, "message text", at)
    };
    for page in (0..500i64).rev() {
        let messages: Vec<ChatMessage> =
            (page * 200..(page + 1) * 200).rev().map(text_at).collect();
        let next_link = (page > 0).then(|| format!("https://next/{page}"));
        app.update(Event::OlderMessages {
            thread_id: T1.into(),
            messages,
            next_link,
        });
    }
    assert_eq!(app.open_thread().map(|t| t.conv.len()), Some(100_000));
    let pane_rows = 24;
    let before = acs_chat::tui::layout::blocks::laid_out_count();
    render(&app, 80, 24);
    let laid_out = acs_chat::tui::layout::blocks::laid_out_count() - before;
    assert!(
        laid_out > 0 && laid_out <= pane_rows,
        "laid out {laid_out} messages for a {pane_rows}-row screen"
    );
    // Scrolled far up, the cost is still the visible window.
    for _ in 0..50 {
        app.update(key(KeyCode::PageUp, KeyModifiers::NONE));
    }
    assert!(app.scroll.bottom.is_some());
    let before = acs_chat::tui::layout::blocks::laid_out_count();
    render(&app, 80, 24);
    let laid_out = acs_chat::tui::layout::blocks::laid_out_count() - before;
    assert!(
        laid_out > 0 && laid_out <= pane_rows,
        "laid out {laid_out} when scrolled"
    );
}

#[test]
fn select_and_search_modes_show_their_prompts() {
    let mut app = conversation_app(80, 24);
    app.update(key(KeyCode::Char('s'), KeyModifiers::ALT));
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    let screen = render(&app, 80, 24);
    let text = format!("{}", screen.backend());
    assert!(text.contains("select: ↑↓ move"), "{text}");
    // The selected message (the one above the newest) is highlighted across its row.
    let buf = screen.backend().buffer();
    let row = (0..24u16).find(|&y| {
        (0..80u16)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
            .contains("Fixed, please retry")
    });
    let row = row.expect("selected message visible");
    assert_eq!(buf[(79, row)].bg, ratatui::style::Color::DarkGray);
    app.update(key(KeyCode::Esc, KeyModifiers::NONE));
    app.update(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    type_text(&mut app, "broken");
    let text = format!("{}", render(&app, 80, 24).backend());
    assert!(text.contains("search: broken"), "{text}");
}

#[test]
fn long_compose_text_wraps_and_grows_the_box() {
    let mut app = base_app(40, 12);
    type_text(
        &mut app,
        "a long message that needs more than one row to show all of it",
    );
    let text = format!("{}", render(&app, 40, 12).backend());
    assert!(
        text.contains("a long message that needs more than one"),
        "{text}"
    );
    assert!(
        text.contains("row to show all of it"),
        "wrapped, not scrolled sideways: {text}"
    );
}

#[test]
fn compose_title_says_whether_it_edits_or_recalls() {
    let mut app = conversation_app(80, 24);
    let title = |app: &App| format!("{}", render(app, 80, 24).backend());
    assert!(title(&app).contains("── Message"), "{}", title(&app));
    // Up in the empty box edits the last own message.
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    assert!(title(&app).contains("Editing — Enter save, Esc cancel"));
    app.update(key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(title(&app).contains("── Message"));
    // With a draft typed, Up recalls the newest of the two lines sent ("Thanks" in the
    // fixture, then this one).
    type_text(&mut app, "sent line");
    app.update(key(KeyCode::Enter, KeyModifiers::NONE));
    type_text(&mut app, "dr");
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    let screen = title(&app);
    assert!(screen.contains("── History 2/2"), "{screen}");
    assert!(!screen.contains("Editing"), "{screen}");
}
