//! The thread list, unread counts, the bell, thread commands, scrolling and search.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::tui::app::*;
use crate::wire::{ChatMessage, ChatThreadProperties, CommunicationIdentifierModel, Metadata};

#[test]
fn other_threads_count_unread_and_ring_the_bell() {
    let mut app = app();
    let later = t0() + time::Duration::minutes(5);
    // T2 appears after start-up: everything from others in it is new.
    let cmds = app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Lunch", Some(later))],
    });
    assert!(cmds.contains(&Command::RingBell));
    assert!(app.threads[T2].activity);
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T2.into(),
        messages: vec![
            msg("2001", BOB, "hi", later),
            msg("2002", BOB, "there", later),
        ],
    });
    assert_eq!(app.threads[T2].unread, 2);
    assert!(
        !cmds.contains(&Command::RingBell),
        "already rang for this activity"
    );
    assert_eq!(app.sorted_threads()[0].id, T2, "unread first");
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T2.into(),
        messages: vec![msg("2003", BOB, "more", later + time::Duration::seconds(1))],
    });
    assert!(cmds.contains(&Command::RingBell));
    assert_eq!(app.threads[T2].unread, 3);
    // The open thread never counts unread; opening T2 clears it.
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1001", BOB, "x", later)],
    });
    assert_eq!(app.threads[T1].unread, 0);
    let cmds = app.update(alt('1'));
    assert!(cmds.contains(&Command::OpenThread {
        thread_id: T2.into()
    }));
    assert_eq!(app.threads[T2].unread, 0);
}

#[test]
fn history_present_at_start_up_is_not_unread() {
    let mut app = App::new(profile(), UiSettings::default());
    app.update(Event::ThreadsListed {
        threads: vec![item(T1, "A", Some(t0())), item(T2, "B", Some(t0()))],
    });
    let other = if app.open.as_deref() == Some(T1) {
        T2
    } else {
        T1
    };
    app.update(Event::MessagesPolled {
        thread_id: other.into(),
        messages: vec![msg("1", BOB, "old", t0())],
    });
    assert_eq!(app.threads[other].unread, 0);
}

#[test]
fn bell_can_be_turned_off() {
    let mut app = App::new(
        profile(),
        UiSettings {
            bell: false,
            ..UiSettings::default()
        },
    );
    app.update(Event::ThreadsListed {
        threads: vec![item(T1, "A", Some(t0()))],
    });
    let cmds = app.update(Event::ThreadsListed {
        threads: vec![item(T2, "B", Some(t0()))],
    });
    assert!(!cmds.contains(&Command::RingBell));
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
        assert!(
            !cmds
                .iter()
                .any(|c| matches!(c, Command::Invite { .. } | Command::Remove { .. })),
            "{line}: {cmds:?}"
        );
        assert!(
            app.notice
                .as_ref()
                .is_some_and(|n| n.is_error && n.text.contains("sticky"))
        );
    }
}

#[test]
fn slash_commands_become_commands() {
    let mut app = app();
    let run = |app: &mut App, line: &str| {
        type_text(app, line);
        app.update(key(KeyCode::Enter))
    };
    assert!(
        run(&mut app, "/topic Lunch plans").contains(&Command::UpdateTopic {
            thread_id: T1.into(),
            topic: "Lunch plans".into()
        })
    );
    assert!(
        run(&mut app, "/new Standup bob --sticky").contains(&Command::CreateThread {
            topic: "Standup".into(),
            members: vec!["bob".into()],
            sticky: true
        })
    );
    assert!(run(&mut app, "/invite bob").contains(&Command::Invite {
        thread_id: T1.into(),
        members: vec!["bob".into()]
    }));
    let cmds = run(&mut app, "/bogus");
    assert!(cmds.is_empty());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.is_error && n.text.contains("/bogus"))
    );
    assert_eq!(
        app.compose_text(),
        "/bogus",
        "a bad command stays for fixing"
    );
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
    app.update(Event::Participants {
        thread_id: T1.into(),
        participants: vec![p(ALICE, "Alice"), p("8:acs:carol", "Carol")],
    });
    type_text(&mut app, "/remove carol");
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        cmds.contains(&Command::Remove {
            thread_id: T1.into(),
            member: "8:acs:carol".into()
        }),
        "{cmds:?}"
    );
}

#[test]
fn mouse_click_selects_a_thread_and_wheel_scrolls() {
    let mut app = app();
    app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Lunch", Some(t0() - time::Duration::hours(1)))],
    });
    let order: Vec<String> = app.sorted_threads().iter().map(|t| t.id.clone()).collect();
    let row = 1 + u16::try_from(order.iter().position(|id| id == T2).unwrap_or(0)).unwrap_or(0);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 2,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let cmds = app.update(Event::Mouse(click));
    assert!(
        cmds.contains(&Command::OpenThread {
            thread_id: T2.into()
        }),
        "{cmds:?}"
    );
    let msgs: Vec<ChatMessage> = (0..60)
        .map(|i| msg(&format!("{}", 1000 + i), BOB, "m", t0()))
        .collect();
    app.update(Event::MessagesPolled {
        thread_id: T2.into(),
        messages: msgs,
    });
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 40,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
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
fn scrolling_to_the_top_loads_older_history_once() {
    let mut app = app();
    let msgs: Vec<ChatMessage> = (0..60)
        .map(|i| {
            msg(
                &format!("{}", 1000 + i),
                BOB,
                &format!("m{i}"),
                t0() + time::Duration::seconds(i),
            )
        })
        .collect();
    app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages: msgs,
        next_link: Some("https://x/next".into()),
    });
    let cmds = app.update(key(KeyCode::PageUp));
    assert!(!cmds.iter().any(|c| matches!(c, Command::LoadOlder { .. })));
    assert!(app.scroll.bottom.is_some());
    let mut loads = Vec::new();
    for _ in 0..10 {
        loads.extend(
            app.update(key(KeyCode::PageUp))
                .into_iter()
                .filter(|c| matches!(c, Command::LoadOlder { .. })),
        );
    }
    assert_eq!(
        loads,
        vec![Command::LoadOlder {
            thread_id: T1.into(),
            next_link: Some("https://x/next".into())
        }]
    );
    // New messages while scrolled up do not move the view.
    let before = app.scroll.clone();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("2000", BOB, "new", t0() + time::Duration::minutes(5))],
    });
    assert_eq!(app.scroll.bottom, before.bottom);
    for _ in 0..20 {
        app.update(key(KeyCode::PageDown));
    }
    assert_eq!(
        app.scroll.bottom, None,
        "back at the bottom follows new messages"
    );
}

#[test]
fn search_finds_and_scrolls() {
    let mut app = app();
    let msgs: Vec<ChatMessage> = (0..40)
        .map(|i| {
            msg(
                &format!("{}", 1000 + i),
                BOB,
                if i == 3 { "the needle" } else { "hay" },
                t0() + time::Duration::seconds(i),
            )
        })
        .collect();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: msgs,
    });
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut app, "NEEDLE");
    let Overlay::Search { hit: Some(hit), .. } = &app.overlay else {
        panic!("search hit expected: {:?}", app.overlay)
    };
    assert_eq!(conv(&app).by_message_id("1003").map(|e| &e.key), Some(hit));
    let visible = {
        let areas = crate::tui::layout::Areas::compute(&app);
        let ctx = crate::tui::layout::blocks::BlockCtx::new(&app, conv(&app), areas.messages.width);
        super::scroll::visible_indices(&ctx, &app.scroll, usize::from(areas.messages.height))
    };
    assert!(visible.contains(&3), "hit scrolled into view: {visible:?}");
    assert!(!visible.contains(&39), "scrolled away from the bottom");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn unanswered_history_request_is_retried_after_a_while() {
    let mut app = app();
    let msgs: Vec<ChatMessage> = (0..60)
        .map(|i| {
            msg(
                &format!("{}", 1000 + i),
                BOB,
                "m",
                t0() + time::Duration::seconds(i),
            )
        })
        .collect();
    app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages: msgs,
        next_link: Some("n".into()),
    });
    let loads = |app: &mut App| {
        (0..10)
            .flat_map(|_| app.update(key(KeyCode::PageUp)))
            .filter(|c| matches!(c, Command::LoadOlder { .. }))
            .count()
    };
    assert_eq!(loads(&mut app), 1);
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(5),
    });
    assert_eq!(loads(&mut app), 0, "still waiting");
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(30),
    });
    assert_eq!(loads(&mut app), 1, "asked again");
}

#[test]
fn created_thread_opens_with_its_topic() {
    let mut app = app();
    type_text(&mut app, "/new \"Team lunch\" bob");
    app.update(key(KeyCode::Enter));
    let cmds = app.update(Event::ThreadCreated {
        thread_id: T2.into(),
    });
    assert!(cmds.contains(&Command::OpenThread {
        thread_id: T2.into()
    }));
    assert_eq!(
        app.open_thread().map(|t| t.topic.as_str()),
        Some("Team lunch")
    );
}

#[test]
fn focus_thread_opens_it() {
    let mut app = app();
    let cmds = app.update(Event::FocusThread {
        thread_id: T2.into(),
    });
    assert!(cmds.contains(&Command::OpenThread {
        thread_id: T2.into()
    }));
    assert_eq!(app.open.as_deref(), Some(T2));
    assert!(
        app.update(Event::FocusThread {
            thread_id: T2.into()
        })
        .iter()
        .all(|c| !matches!(c, Command::OpenThread { .. })),
        "already open"
    );
}

#[test]
fn a_short_first_page_asks_for_more_and_reopening_keeps_paging() {
    let mut app = app();
    let page = |from: i64, to: i64| -> Vec<ChatMessage> {
        (from..to)
            .rev()
            .map(|i| {
                msg(
                    &format!("{}", 1000 + i),
                    BOB,
                    "m",
                    t0() + time::Duration::seconds(i),
                )
            })
            .collect()
    };
    let cmds = app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages: page(50, 60),
        next_link: Some("p2".into()),
    });
    assert!(
        cmds.contains(&Command::LoadOlder {
            thread_id: T1.into(),
            next_link: Some("p2".into())
        }),
        "{cmds:?}"
    );
    let cmds = app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages: page(10, 50),
        next_link: Some("p3".into()),
    });
    assert!(
        !cmds.iter().any(|c| matches!(c, Command::LoadOlder { .. })),
        "the pane is full now"
    );
    // Reopened: the first page comes again; the deeper link stays.
    app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages: page(50, 60),
        next_link: Some("p2".into()),
    });
    assert_eq!(
        app.threads[T1].conv.history.next_link.as_deref(),
        Some("p3")
    );
    assert_eq!(app.threads[T1].conv.len(), 50);
}

#[test]
fn session_ready_sets_the_profile_and_opens_its_thread() {
    let mut app = App::new(
        ProfileInfo {
            name: "alice".into(),
            ..ProfileInfo::default()
        },
        UiSettings::default(),
    );
    let cmds = app.update(Event::SessionReady {
        profile: profile(),
        open_thread: Some(T2.into()),
    });
    assert_eq!(app.profile.user_id, ALICE);
    assert!(cmds.contains(&Command::OpenThread {
        thread_id: T2.into()
    }));
    // The thread list arriving later does not switch away from it.
    let cmds = app.update(Event::ThreadsListed {
        threads: vec![item(T1, "A", Some(t0())), item(T2, "B", None)],
    });
    assert!(!cmds.iter().any(|c| matches!(c, Command::OpenThread { .. })));
    assert_eq!(app.open.as_deref(), Some(T2));
}
