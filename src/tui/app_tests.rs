//! Unit tests of `App::update`: event in, state and commands out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::tui::entry::{Body, LocalState};
use crate::wire::{ChatMessage, ChatMessageContent, ChatMessageReadReceipt, ChatMessageType, ChatThreadItem, ChatThreadProperties, CommunicationIdentifierModel, Metadata};

const ALICE: &str = "8:acs:alice";
const BOB: &str = "8:acs:bob";
const T1: &str = "19:t1@thread.v2";
const T2: &str = "19:t2@thread.v2";

fn t0() -> OffsetDateTime {
    datetime!(2026-11-24 09:00 UTC)
}

fn profile() -> ProfileInfo {
    ProfileInfo {
        name: "alice".into(),
        user_id: ALICE.into(),
        display_name: "Alice".into(),
        endpoint: "https://127.0.0.1:47443".into(),
        known_profiles: vec![("alice".into(), ALICE.into()), ("bob".into(), BOB.into())],
    }
}

fn msg(id: &str, from: &str, text: &str, at: OffsetDateTime) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        kind: ChatMessageType::Text,
        sequence_id: id.into(),
        version: id.into(),
        content: Some(ChatMessageContent { message: Some(text.into()), ..Default::default() }),
        sender_display_name: Some(if from == ALICE { "Alice" } else { "Bob" }.into()),
        created_on: at,
        sender_communication_identifier: Some(CommunicationIdentifierModel::user(from)),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

fn item(id: &str, topic: &str, last: Option<OffsetDateTime>) -> ChatThreadItem {
    ChatThreadItem { id: id.into(), topic: topic.into(), deleted_on: None, last_message_received_on: last }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn alt(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

fn type_text(app: &mut App, s: &str) -> Vec<Command> {
    s.chars().flat_map(|c| app.update(key(KeyCode::Char(c)))).collect()
}

/// Alice, 80x24, clock at t0, one thread T1 open (empty).
fn app() -> App {
    let mut app = App::new(profile(), UiSettings { id_seed: 42, ..UiSettings::default() });
    app.update(Event::Resize(80, 24));
    app.update(Event::Tick { now: t0() });
    let cmds = app.update(Event::ThreadsListed { threads: vec![item(T1, "Quickstart", Some(t0()))] });
    assert!(cmds.contains(&Command::OpenThread { thread_id: T1.into() }), "first listing opens a thread: {cmds:?}");
    app
}

fn conv(app: &App) -> &crate::tui::conversation::Conversation {
    &app.threads[T1].conv
}

fn send(app: &mut App, text: &str) -> PendingSend {
    type_text(app, text);
    let cmds = app.update(key(KeyCode::Enter));
    cmds.into_iter()
        .find_map(|c| if let Command::Send(p) = c { Some(p) } else { None })
        .expect("Enter sends")
}

#[test]
fn send_shows_pending_and_emits_send() {
    let mut app = app();
    let p = send(&mut app, "hello");
    assert_eq!((p.thread_id.as_str(), p.content.as_str(), p.display_name.as_str()), (T1, "hello", "Alice"));
    assert!(p.client_message_id.parse::<u64>().is_ok(), "decimal u64: {}", p.client_message_id);
    assert_eq!(p.priority, Priority::Normal);
    assert_eq!(p.metadata().get("clientMessageId"), Some(&p.client_message_id));
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
    assert!(app.compose.is_empty(), "compose cleared");
    let p2 = send(&mut app, "again");
    assert_ne!(p.client_message_id, p2.client_message_id);
}

#[test]
fn high_priority_applies_to_the_next_message_only() {
    let mut app = app();
    app.update(alt('p'));
    assert_eq!(send(&mut app, "urgent").priority, Priority::High);
    assert_eq!(send(&mut app, "calm").priority, Priority::Normal);
}

fn server_copy(p: &PendingSend, id: &str) -> ChatMessage {
    let mut m = msg(id, ALICE, &p.content, t0() + time::Duration::seconds(1));
    m.metadata = Some(p.metadata());
    m
}

#[test]
fn poller_copy_merges_by_client_message_id_never_twice() {
    // Copy arrives after the send result...
    let mut app = app();
    let p = send(&mut app, "hello");
    app.update(Event::SendResult { thread_id: T1.into(), client_message_id: p.client_message_id.clone(), result: Ok("1001".into()) });
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sent));
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![server_copy(&p, "1001")] });
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, None);
    // ...or before it (the poller was faster than the sender's response).
    let q = send(&mut app, "second");
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![server_copy(&q, "1002")] });
    app.update(Event::SendResult { thread_id: T1.into(), client_message_id: q.client_message_id.clone(), result: Ok("1002".into()) });
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![server_copy(&q, "1002")] });
    assert_eq!(conv(&app).len(), 2, "{:?}", conv(&app).entries());
    assert!(conv(&app).entries().iter().all(|e| e.local.is_none()));
}

#[test]
fn someone_elses_message_with_a_colliding_client_id_is_not_merged() {
    let mut app = app();
    let p = send(&mut app, "mine");
    let mut theirs = msg("1001", BOB, "theirs", t0());
    theirs.metadata = Some(p.metadata());
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![theirs] });
    assert_eq!(conv(&app).len(), 2);
}

#[test]
fn edits_and_deletes_replace_by_id_newest_version_wins() {
    let mut app = app();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1001", BOB, "first", t0())] });
    let mut edited = msg("1001", BOB, "first (fixed)", t0());
    edited.version = "2000".into();
    edited.edited_on = Some(t0());
    let mut stale = msg("1001", BOB, "stale", t0());
    stale.version = "1500".into();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![edited, stale] });
    let e = &conv(&app).entries()[0];
    assert_eq!((conv(&app).len(), &e.body, e.edited), (1, &Body::Text("first (fixed)".into()), true));
    let mut deleted = msg("1001", BOB, "", t0());
    deleted.version = "3000".into();
    deleted.deleted_on = Some(t0());
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![deleted] });
    assert!(conv(&app).entries()[0].deleted);
    assert_eq!(conv(&app).len(), 1);
}

#[test]
fn failed_send_can_be_retried_or_discarded() {
    let mut app = app();
    let p = send(&mut app, "hello");
    app.update(Event::SendResult { thread_id: T1.into(), client_message_id: p.client_message_id.clone(), result: Err("503 busy".into()) });
    assert!(conv(&app).entries()[0].is_failed());
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error));
    assert_eq!(conv(&app).status_labels().failed.len(), 1);
    let cmds = app.update(alt('r'));
    assert!(cmds.contains(&Command::RetrySend { thread_id: T1.into(), client_message_id: p.client_message_id.clone() }));
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
    app.update(Event::SendResult { thread_id: T1.into(), client_message_id: p.client_message_id.clone(), result: Err("again".into()) });
    let cmds = app.update(alt('x'));
    assert!(cmds.contains(&Command::DiscardSend { thread_id: T1.into(), client_message_id: p.client_message_id.clone() }));
    assert!(conv(&app).is_empty());
}

#[test]
fn slash_commands_become_commands() {
    let mut app = app();
    let run = |app: &mut App, line: &str| {
        type_text(app, line);
        app.update(key(KeyCode::Enter))
    };
    assert!(run(&mut app, "/topic Lunch plans").contains(&Command::UpdateTopic { thread_id: T1.into(), topic: "Lunch plans".into() }));
    assert!(run(&mut app, "/new Standup bob --sticky").contains(&Command::CreateThread { topic: "Standup".into(), members: vec!["bob".into()], sticky: true }));
    assert!(run(&mut app, "/invite bob").contains(&Command::Invite { thread_id: T1.into(), members: vec!["bob".into()] }));
    let cmds = run(&mut app, "/bogus");
    assert!(cmds.is_empty());
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error && n.text.contains("/bogus")));
    assert_eq!(app.compose_text(), "/bogus", "a bad command stays for fixing");
    app.set_compose("");
    assert!(run(&mut app, "/quit").contains(&Command::Quit));
}

#[test]
fn remove_resolves_display_names_to_ids() {
    let mut app = app();
    let p = |id: &str, name: &str| crate::wire::ChatParticipant {
        communication_identifier: CommunicationIdentifierModel::user(id),
        display_name: Some(name.into()),
        share_history_time: None,
        metadata: None,
    };
    app.update(Event::Participants { thread_id: T1.into(), participants: vec![p(ALICE, "Alice"), p("8:acs:carol", "Carol")] });
    type_text(&mut app, "/remove carol");
    let cmds = app.update(key(KeyCode::Enter));
    assert!(cmds.contains(&Command::Remove { thread_id: T1.into(), member: "8:acs:carol".into() }), "{cmds:?}");
}

#[test]
fn sticky_threads_refuse_member_changes() {
    let mut app = app();
    let mut meta = Metadata::new();
    meta.insert("isStickyThread".into(), "true".into());
    app.update(Event::ThreadDetails {
        thread: ChatThreadProperties {
            id: T1.into(),
            topic: "Quickstart".into(),
            created_on: t0(),
            created_by_communication_identifier: CommunicationIdentifierModel::user(ALICE),
            deleted_on: None,
            metadata: Some(meta),
            retention_policy: None,
        },
    });
    for line in ["/invite bob", "/remove bob"] {
        type_text(&mut app, line);
        let cmds = app.update(key(KeyCode::Enter));
        assert!(!cmds.iter().any(|c| matches!(c, Command::Invite { .. } | Command::Remove { .. })), "{line}: {cmds:?}");
        assert!(app.notice.as_ref().is_some_and(|n| n.is_error && n.text.contains("sticky")));
    }
}

#[test]
fn typing_notifications_are_throttled_by_tick_time() {
    let mut app = app();
    let typing = |cmds: &[Command]| cmds.iter().filter(|c| matches!(c, Command::SendTyping { .. })).count();
    assert_eq!(typing(&type_text(&mut app, "hel")), 1);
    app.update(Event::Tick { now: t0() + time::Duration::seconds(5) });
    assert_eq!(typing(&type_text(&mut app, "lo")), 0, "within 8 s");
    app.update(Event::Tick { now: t0() + time::Duration::seconds(9) });
    assert_eq!(typing(&type_text(&mut app, " you")), 1);
    // Slash commands are not typing.
    app.update(Event::Tick { now: t0() + time::Duration::seconds(30) });
    app.set_compose("");
    assert_eq!(typing(&type_text(&mut app, "/topic x")), 0);
    // Cursor movement is not typing either.
    app.update(Event::Tick { now: t0() + time::Duration::seconds(60) });
    assert_eq!(typing(&app.update(key(KeyCode::Left))), 0);
}

#[test]
fn read_receipt_is_sent_once_for_the_newest_shown_message() {
    let mut app = app();
    let receipts = |cmds: &[Command]| cmds.iter().filter_map(|c| if let Command::SendReadReceipt { message_id, .. } = c { Some(message_id.clone()) } else { None }).collect::<Vec<_>>();
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1001", BOB, "one", t0()), msg("1002", BOB, "two", t0() + time::Duration::seconds(1)), msg("1003", ALICE, "mine", t0() + time::Duration::seconds(2))],
    });
    assert_eq!(receipts(&cmds), ["1002"], "newest from someone else");
    assert!(receipts(&app.update(Event::Tick { now: t0() + time::Duration::seconds(3) })).is_empty(), "only once");
    let cmds = app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1004", BOB, "three", t0() + time::Duration::seconds(4))] });
    assert_eq!(receipts(&cmds), ["1004"]);
    // Not while the help overlay hides the messages.
    app.update(Event::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
    let cmds = app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1005", BOB, "four", t0() + time::Duration::seconds(5))] });
    assert!(receipts(&cmds).is_empty());
}

#[test]
fn seen_status_follows_read_receipts() {
    let mut app = app();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1001", ALICE, "a", t0()), msg("1002", ALICE, "b", t0() + time::Duration::seconds(1))] });
    let labels = conv(&app).status_labels();
    assert!(labels.sent.is_some() && labels.seen.is_none());
    app.update(Event::ReadReceipts {
        thread_id: T1.into(),
        receipts: vec![ChatMessageReadReceipt { sender_communication_identifier: CommunicationIdentifierModel::user(BOB), chat_message_id: "1001".into(), read_on: t0() }],
    });
    let labels = conv(&app).status_labels();
    let seen_key = conv(&app).by_message_id("1001").map(|e| e.key.clone());
    assert_eq!(labels.seen.as_ref().map(|(k, _)| Some(k.clone())), Some(seen_key));
    assert_eq!(labels.sent, conv(&app).by_message_id("1002").map(|e| e.key.clone()));
}

#[test]
fn other_threads_count_unread_and_ring_the_bell() {
    let mut app = app();
    let later = t0() + time::Duration::minutes(5);
    // T2 appears after start-up: everything from others in it is new.
    let cmds = app.update(Event::ThreadsListed { threads: vec![item(T2, "Lunch", Some(later))] });
    assert!(cmds.contains(&Command::RingBell));
    assert!(app.threads[T2].activity);
    let cmds = app.update(Event::MessagesPolled { thread_id: T2.into(), messages: vec![msg("2001", BOB, "hi", later), msg("2002", BOB, "there", later)] });
    assert_eq!(app.threads[T2].unread, 2);
    assert!(!cmds.contains(&Command::RingBell), "already rang for this activity");
    assert_eq!(app.sorted_threads()[0].id, T2, "unread first");
    let cmds = app.update(Event::MessagesPolled { thread_id: T2.into(), messages: vec![msg("2003", BOB, "more", later + time::Duration::seconds(1))] });
    assert!(cmds.contains(&Command::RingBell));
    assert_eq!(app.threads[T2].unread, 3);
    // The open thread never counts unread; opening T2 clears it.
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1001", BOB, "x", later)] });
    assert_eq!(app.threads[T1].unread, 0);
    let cmds = app.update(alt('1'));
    assert!(cmds.contains(&Command::OpenThread { thread_id: T2.into() }));
    assert_eq!(app.threads[T2].unread, 0);
}

#[test]
fn history_present_at_start_up_is_not_unread() {
    let mut app = App::new(profile(), UiSettings::default());
    app.update(Event::ThreadsListed { threads: vec![item(T1, "A", Some(t0())), item(T2, "B", Some(t0()))] });
    let other = if app.open.as_deref() == Some(T1) { T2 } else { T1 };
    app.update(Event::MessagesPolled { thread_id: other.into(), messages: vec![msg("1", BOB, "old", t0())] });
    assert_eq!(app.threads[other].unread, 0);
}

#[test]
fn bell_can_be_turned_off() {
    let mut app = App::new(profile(), UiSettings { bell: false, ..UiSettings::default() });
    app.update(Event::ThreadsListed { threads: vec![item(T1, "A", Some(t0()))] });
    let cmds = app.update(Event::ThreadsListed { threads: vec![item(T2, "B", Some(t0()))] });
    assert!(!cmds.contains(&Command::RingBell));
}

#[test]
fn long_paste_asks_first() {
    let mut app = app();
    app.update(Event::Paste("one\ntwo".into()));
    assert_eq!(app.compose_text(), "one\ntwo");
    app.set_compose("");
    let big = (1..=8).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n");
    app.update(Event::Paste(big.clone()));
    assert!(matches!(app.overlay, Overlay::Confirm(Confirm::Paste(_))));
    assert!(app.compose.is_empty());
    app.update(key(KeyCode::Char('n')));
    assert!(app.compose.is_empty() && app.overlay == Overlay::None);
    app.update(Event::Paste(format!("{big}\u{1b}[2J")));
    app.update(key(KeyCode::Char('y')));
    assert_eq!(app.compose_text(), big, "accepted, escapes removed");
}

#[test]
fn newline_keys_do_not_send() {
    let mut app = app();
    type_text(&mut app, "a");
    app.update(Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)));
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL)));
    type_text(&mut app, "b");
    assert_eq!(app.compose_text(), "a\n\nb");
    assert!(conv(&app).is_empty());
}

#[test]
fn up_in_empty_compose_edits_last_own_message() {
    let mut app = app();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1001", ALICE, "tpyo", t0()), msg("1002", BOB, "hm", t0())] });
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "tpyo");
    assert_eq!(app.editing, Some((T1.into(), "1001".into())));
    app.set_compose("typo");
    let cmds = app.update(key(KeyCode::Enter));
    assert_eq!(cmds, vec![Command::EditMessage { thread_id: T1.into(), message_id: "1001".into(), content: "typo".into() }]);
    assert!(app.editing.is_none() && app.compose.is_empty());
}

#[test]
fn input_history_recalls_sent_lines() {
    let mut app = app();
    send(&mut app, "first");
    send(&mut app, "second");
    type_text(&mut app, "draft");
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "second");
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "first");
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down));
    assert_eq!(app.compose_text(), "draft");
}

#[test]
fn delete_needs_selection_and_confirmation() {
    let mut app = app();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("1001", ALICE, "oops", t0())] });
    app.update(alt('s'));
    assert!(matches!(app.overlay, Overlay::Select { .. }));
    assert!(app.update(key(KeyCode::Char('d'))).is_empty(), "asks first");
    let cmds = app.update(key(KeyCode::Char('y')));
    assert_eq!(cmds, vec![Command::DeleteMessage { thread_id: T1.into(), message_id: "1001".into() }]);
}

#[test]
fn scrolling_to_the_top_loads_older_history_once() {
    let mut app = app();
    let msgs: Vec<ChatMessage> = (0..60).map(|i| msg(&format!("{}", 1000 + i), BOB, &format!("m{i}"), t0() + time::Duration::seconds(i))).collect();
    app.update(Event::OlderMessages { thread_id: T1.into(), messages: msgs, next_link: Some("https://x/next".into()) });
    let cmds = app.update(key(KeyCode::PageUp));
    assert!(!cmds.iter().any(|c| matches!(c, Command::LoadOlder { .. })));
    assert!(app.scroll.bottom.is_some());
    let mut loads = Vec::new();
    for _ in 0..10 {
        loads.extend(app.update(key(KeyCode::PageUp)).into_iter().filter(|c| matches!(c, Command::LoadOlder { .. })));
    }
    assert_eq!(loads, vec![Command::LoadOlder { thread_id: T1.into(), next_link: Some("https://x/next".into()) }]);
    // New messages while scrolled up do not move the view.
    let before = app.scroll.clone();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![msg("2000", BOB, "new", t0() + time::Duration::minutes(5))] });
    assert_eq!(app.scroll.bottom, before.bottom);
    for _ in 0..20 {
        app.update(key(KeyCode::PageDown));
    }
    assert_eq!(app.scroll.bottom, None, "back at the bottom follows new messages");
}

#[test]
fn mouse_click_selects_a_thread_and_wheel_scrolls() {
    let mut app = app();
    app.update(Event::ThreadsListed { threads: vec![item(T2, "Lunch", Some(t0() - time::Duration::hours(1)))] });
    let order: Vec<String> = app.sorted_threads().iter().map(|t| t.id.clone()).collect();
    let row = 1 + u16::try_from(order.iter().position(|id| id == T2).unwrap_or(0)).unwrap_or(0);
    let click = MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: 2, row, modifiers: KeyModifiers::NONE };
    let cmds = app.update(Event::Mouse(click));
    assert!(cmds.contains(&Command::OpenThread { thread_id: T2.into() }), "{cmds:?}");
    let msgs: Vec<ChatMessage> = (0..60).map(|i| msg(&format!("{}", 1000 + i), BOB, "m", t0())).collect();
    app.update(Event::MessagesPolled { thread_id: T2.into(), messages: msgs });
    let wheel = MouseEvent { kind: MouseEventKind::ScrollUp, column: 40, row: 5, modifiers: KeyModifiers::NONE };
    app.update(Event::Mouse(wheel));
    assert!(app.scroll.bottom.is_some());
}

#[test]
fn resize_changes_layout_and_keeps_scroll_valid() {
    let mut app = app();
    app.update(Event::Resize(40, 12));
    let areas = crate::tui::layout::Areas::compute(&app);
    assert!(areas.list.is_none(), "narrow hides the thread list");
    app.update(Event::Resize(120, 40));
    assert!(crate::tui::layout::Areas::compute(&app).list.is_some());
}

#[test]
fn outbox_restores_pending_messages() {
    let mut app = app();
    let p = PendingSend { thread_id: T1.into(), client_message_id: "77".into(), content: "from last time".into(), priority: Priority::High, display_name: "Alice".into(), created_at: t0() };
    let cmds = app.update(Event::Outbox { thread_id: T1.into(), pending: vec![p.clone(), p] });
    assert!(!cmds.iter().any(|c| matches!(c, Command::Send(_))), "the sender already owns them");
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
}

#[test]
fn search_finds_and_scrolls() {
    let mut app = app();
    let msgs: Vec<ChatMessage> = (0..40).map(|i| msg(&format!("{}", 1000 + i), BOB, if i == 3 { "the needle" } else { "hay" }, t0() + time::Duration::seconds(i))).collect();
    app.update(Event::MessagesPolled { thread_id: T1.into(), messages: msgs });
    app.update(Event::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    type_text(&mut app, "NEEDLE");
    let Overlay::Search { hit: Some(hit), .. } = &app.overlay else { panic!("search hit expected: {:?}", app.overlay) };
    assert_eq!(conv(&app).by_message_id("1003").map(|e| &e.key), Some(hit));
    let visible = {
        let areas = crate::tui::layout::Areas::compute(&app);
        let ctx = crate::tui::view::blocks::BlockCtx::new(&app, conv(&app), areas.messages.width);
        super::scroll::visible_indices(&ctx, &app.scroll, usize::from(areas.messages.height))
    };
    assert!(visible.contains(&3), "hit scrolled into view: {visible:?}");
    assert!(!visible.contains(&39), "scrolled away from the bottom");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn quit_keys_and_tab_completion() {
    let mut app = app();
    type_text(&mut app, "/inv");
    app.update(key(KeyCode::Tab));
    type_text(&mut app, "b");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.compose_text(), "/invite bob ");
    let cmds = app.update(Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert_eq!(cmds, vec![Command::Quit]);
}

#[test]
fn system_messages_do_not_count_as_unread_and_refresh_participants() {
    let mut app = app();
    let mut sys = msg("1001", BOB, "", t0());
    sys.kind = ChatMessageType::ParticipantAdded;
    sys.sender_communication_identifier = None;
    sys.content = Some(ChatMessageContent { participants: Some(vec![]), ..Default::default() });
    let cmds = app.update(Event::MessagesPolled { thread_id: T1.into(), messages: vec![sys] });
    assert!(cmds.contains(&Command::FetchParticipants { thread_id: T1.into() }));
}
