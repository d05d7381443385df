//! Threads that can no longer be read (removed, deleted), and threads that appear
//! after start-up.

use super::*;

fn t(secs: i64) -> OffsetDateTime {
    t0() + time::Duration::seconds(secs)
}

/// `app()` with a message from Bob in the open T1 and a second thread T2 listed.
fn two_threads() -> App {
    let mut app = app();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1001", BOB, "see you", t(1))],
    });
    app.update(Event::ThreadsListed {
        threads: vec![
            item(T1, "Quickstart", Some(t(1))),
            item(T2, "Lunch", Some(t0())),
        ],
    });
    app
}

/// Alt-N for the thread `id`, wherever the list sorts it.
fn switch_to(app: &mut App, id: &str) -> Vec<Command> {
    let n = app
        .sorted_threads()
        .iter()
        .position(|t| t.id == id)
        .expect("listed");
    app.update(alt(char::from(b'1' + u8::try_from(n).expect("small"))))
}

fn opens(cmds: &[Command]) -> Vec<&str> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::OpenThread { thread_id } => Some(thread_id.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_open_thread_once_gone_stays_marked_and_keeps_what_is_typed() {
    let mut app = two_threads();
    app.update(Event::ThreadGone {
        thread_id: T1.into(),
        reason: GoneReason::Removed,
    });
    assert_eq!(app.open.as_deref(), Some(T1), "its history stays on screen");
    assert_eq!(app.threads[T1].gone, Some(GoneReason::Removed));
    assert_eq!(conv(&app).len(), 1);
    let notice = app.notice.clone().expect("a notice says why");
    assert!(
        notice.is_error && notice.text.contains("Quickstart"),
        "{notice:?}"
    );

    type_text(&mut app, "still there?");
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        !cmds.iter().any(|c| matches!(c, Command::Send(_))),
        "no send into a thread we cannot write to: {cmds:?}"
    );
    assert_eq!(app.compose_text(), "still there?", "nothing typed is lost");

    // Moving on drops it from the list.
    let cmds = switch_to(&mut app, T2);
    assert_eq!(opens(&cmds), [T2]);
    assert!(!app.threads.contains_key(T1));
}

#[test]
fn a_gone_thread_that_is_not_open_leaves_the_list() {
    let mut app = two_threads();
    app.update(Event::OlderMessages {
        thread_id: T2.into(),
        messages: vec![msg("2001", BOB, "old", t0())],
        next_link: None,
    });
    let cmds = app.update(Event::ThreadGone {
        thread_id: T2.into(),
        reason: GoneReason::Deleted,
    });
    assert!(opens(&cmds).is_empty());
    assert!(!app.threads.contains_key(T2));
    assert_eq!(app.open.as_deref(), Some(T1));
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("Lunch")),
        "{:?}",
        app.notice
    );
}

#[test]
fn a_gone_open_thread_with_nothing_loaded_gives_way_to_the_next() {
    // At start-up the first thread opens before anything is known about it.
    let mut app = app();
    app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Lunch", Some(t(-60)))],
    });
    assert_eq!(app.open.as_deref(), Some(T1));
    let cmds = app.update(Event::ThreadGone {
        thread_id: T1.into(),
        reason: GoneReason::Removed,
    });
    assert_eq!(opens(&cmds), [T2]);
    assert!(!app.threads.contains_key(T1));
    assert!(app.notice.is_none(), "not news: {:?}", app.notice);
}

#[test]
fn the_open_thread_listed_as_deleted_is_marked_not_silently_replaced() {
    let mut app = two_threads();
    let mut deleted = item(T1, "Quickstart", Some(t(2)));
    deleted.deleted_on = Some(t(2));
    let cmds = app.update(Event::ThreadsListed {
        threads: vec![deleted.clone(), item(T2, "Lunch", Some(t0()))],
    });
    assert!(opens(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(app.threads[T1].gone, Some(GoneReason::Deleted));
    // Listed again (as the service does forever): still marked, one notice.
    app.update(Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    app.update(Event::ThreadsListed {
        threads: vec![deleted],
    });
    assert_eq!(app.threads[T1].gone, Some(GoneReason::Deleted));
}

#[test]
fn a_thread_that_appears_later_counts_its_first_page_as_unread() {
    let mut app = app();
    app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Lunch", Some(t(5)))],
    });
    // The poller seeds the new thread with its first page.
    app.update(Event::OlderMessages {
        thread_id: T2.into(),
        messages: vec![
            msg("2002", BOB, "there", t(5)),
            msg("2001", BOB, "hi", t(4)),
        ],
        next_link: None,
    });
    assert_eq!(app.threads[T2].unread, 2);
    assert!(!app.threads[T2].activity, "a count, not a dot");
}

#[test]
fn history_that_lands_after_moving_on_is_not_unread() {
    let mut app = app();
    app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Lunch", Some(t(5)))],
    });
    switch_to(&mut app, T2);
    assert_eq!(app.open.as_deref(), Some(T2));
    switch_to(&mut app, T1);
    assert_eq!(app.open.as_deref(), Some(T1));
    // The first page of T2, asked for while it was open, answers now.
    app.update(Event::OlderMessages {
        thread_id: T2.into(),
        messages: vec![msg("2001", BOB, "hi", t(4))],
        next_link: None,
    });
    assert_eq!(app.threads[T2].unread, 0);
}
