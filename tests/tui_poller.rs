//! The real poller against the real emulator, feeding `App` as the event loop does:
//! a thread that becomes unreadable while open (the user was removed, or it was
//! deleted) is marked, and the rest keeps polling: news elsewhere still shows as unread
//! and the status bar does not stay in "retrying".

mod common;

use std::time::Duration;

use acs_chat::config::PollIntervals;
use acs_chat::tui::app::{
    App, Command, ConnectionState, Event, GoneReason, ProfileInfo, UiSettings,
};
use acs_chat::tui::poller::{self, PollerControl, PollerHandle};
use common::{Env, User, enc, ident};
use reqwest::{Method, StatusCode};
use tokio::sync::mpsc::UnboundedReceiver;

/// `user`'s App and poller (fast intervals), connected to the emulator.
fn client(env: &Env, user: &User) -> (App, PollerHandle, UnboundedReceiver<Event>) {
    let chat = env.chat_client(user);
    let endpoint = chat.endpoint().clone();
    let mut app = App::new(
        ProfileInfo {
            name: "bob".into(),
            user_id: user.id.clone(),
            display_name: "Bob".into(),
            endpoint: endpoint.to_string(),
            known_profiles: vec![],
        },
        UiSettings {
            id_seed: 1,
            ..UiSettings::default()
        },
    );
    app.update(Event::Resize(100, 30));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let intervals = PollIntervals {
        active_ms: 50,
        idle_max_ms: 200,
        idle_after_secs: 60,
        error_backoff_max_ms: 500,
    };
    (app, poller::spawn(chat, intervals, tx), rx)
}

/// Feeds one poller event into `app` (and its commands back to the poller); says
/// whether it was a thread list.
async fn step(
    app: &mut App,
    poller: &PollerHandle,
    rx: &mut UnboundedReceiver<Event>,
    what: &str,
) -> bool {
    let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await else {
        panic!(
            "timed out waiting until {what}; connection: {:?}",
            app.connection
        );
    };
    let listed = matches!(ev, Event::ThreadsListed { .. });
    for cmd in app.update(ev) {
        match cmd {
            Command::OpenThread { thread_id } => poller.send(PollerControl::OpenThread(thread_id)),
            Command::FetchParticipants { thread_id } => {
                poller.send(PollerControl::RefreshParticipants(thread_id))
            }
            _ => {}
        }
    }
    listed
}

/// Steps until `done`.
async fn pump_until(
    app: &mut App,
    poller: &PollerHandle,
    rx: &mut UnboundedReceiver<Event>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(app) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}; connection: {:?}; threads: {:?}",
            app.connection,
            app.threads
                .values()
                .map(|t| (&t.topic, t.gone, t.unread, t.conv.len()))
                .collect::<Vec<_>>()
        );
        step(app, poller, rx, what).await;
    }
}

/// Steps until the clock is in a later second than `thread`'s last activity: the
/// service's timestamps have whole seconds, and a message in the same second as the
/// start-up listing counts as history.
async fn next_second(
    app: &mut App,
    poller: &PollerHandle,
    rx: &mut UnboundedReceiver<Event>,
    thread: &str,
) {
    let at = app.threads[thread].last_activity.expect("activity");
    pump_until(app, poller, rx, "the next second", |_| {
        time::OffsetDateTime::now_utc().unix_timestamp() > at.unix_timestamp()
    })
    .await;
}

fn is_ok(app: &App) -> bool {
    matches!(app.connection, Some(ConnectionState::Ok { .. }))
}

/// Alice and Bob share two threads; Bob's client has the first open and loaded.
async fn bob_with_an_open_thread(
    env: &Env,
) -> (
    User,
    User,
    String,
    String,
    (App, PollerHandle, UnboundedReceiver<Event>),
) {
    let (alice, bob) = (env.user().await, env.user().await);
    let a = env.thread(&alice, "Lunch", &[&bob]).await;
    let b = env.thread(&alice, "Quickstart", &[&bob]).await;
    let (mut app, poller, mut rx) = client(env, &bob);
    pump_until(&mut app, &poller, &mut rx, "a thread is open", |app| {
        app.open.is_some() && app.threads.values().all(|t| !t.conv.is_empty())
    })
    .await;
    let open = app.open.clone().expect("open");
    let other = if open == a { b } else { a };
    (alice, bob, open, other, (app, poller, rx))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_from_the_open_thread_the_others_keep_polling() {
    let env = Env::start().await;
    let (alice, bob, open, other, (mut app, poller, mut rx)) = bob_with_an_open_thread(&env).await;

    let r = env
        .chat(
            Method::POST,
            &format!("/chat/threads/{}/participants/:remove", enc(&open)),
            &alice.token,
            Some(ident(&bob.id)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    pump_until(
        &mut app,
        &poller,
        &mut rx,
        "the open thread is marked",
        |a| a.threads.get(&open).and_then(|t| t.gone) == Some(GoneReason::Removed),
    )
    .await;

    next_second(&mut app, &poller, &mut rx, &other).await;
    env.send(&alice, &other, "lunch at noon?").await;
    pump_until(
        &mut app,
        &poller,
        &mut rx,
        "the other thread shows unread",
        |a| a.threads.get(&other).is_some_and(|t| t.unread == 1) && is_ok(a),
    )
    .await;
    assert_eq!(app.open.as_deref(), Some(open.as_str()), "still on screen");

    // Moving on: the thread the service still lists is not shown again.
    let n = app
        .sorted_threads()
        .iter()
        .position(|t| t.id == other)
        .expect("listed");
    let alt = |c| {
        Event::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::ALT,
        ))
    };
    for cmd in app.update(alt(char::from(b'1' + u8::try_from(n).expect("small")))) {
        if let Command::OpenThread { thread_id } = cmd {
            poller.send(PollerControl::OpenThread(thread_id));
        }
    }
    assert!(!app.threads.contains_key(&open), "moving on drops it");
    env.send(&alice, &other, "noon then").await;
    pump_until(
        &mut app,
        &poller,
        &mut rx,
        "the next message arrives",
        |a| a.threads.get(&other).is_some_and(|t| t.conv.len() >= 2) && is_ok(a),
    )
    .await;
    // Two more thread-list cycles, then the gone thread must still be absent.
    let mut lists = 0;
    while lists < 2 {
        lists += usize::from(step(&mut app, &poller, &mut rx, "two thread lists").await);
    }
    assert!(
        !app.threads.contains_key(&open),
        "the removed thread came back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_thread_deleted_is_marked_and_polling_goes_on() {
    let env = Env::start().await;
    let (alice, _bob, open, other, (mut app, poller, mut rx)) = bob_with_an_open_thread(&env).await;
    let r = env
        .chat(
            Method::DELETE,
            &format!("/chat/threads/{}", enc(&open)),
            &alice.token,
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    next_second(&mut app, &poller, &mut rx, &other).await;
    env.send(&alice, &other, "moved here").await;
    pump_until(
        &mut app,
        &poller,
        &mut rx,
        "deleted and news elsewhere",
        |a| {
            a.threads.get(&open).and_then(|t| t.gone) == Some(GoneReason::Deleted)
                && a.threads.get(&other).is_some_and(|t| t.unread == 1)
                && is_ok(a)
        },
    )
    .await;
}
