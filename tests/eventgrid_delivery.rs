//! Event Grid delivery from the emulator's outbox: handshakes, headers, retries,
//! codes never retried, dead letters.

mod common;
mod eventgrid_common;

use std::collections::VecDeque;
use std::time::Duration;

use acs_chat::emulator::EmulatorConfig;
use acs_chat::emulator::eventgrid::subscription::parse_flag;
use common::{Env, enc};
use eventgrid_common::{Behaviour, Webhook, of_type};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// An emulator delivering to `hook` (flag options `opts`) on a compressed clock.
async fn env_with(hook: &Webhook, opts: &str) -> Env {
    let mut config = EmulatorConfig::for_tests();
    config.event_subscriptions = vec![parse_flag(&format!("{}{opts}", hook.url)).expect("valid")];
    config.event_delivery.clock_ms_per_second = 1;
    config.event_delivery.timeout = Duration::from_secs(2);
    Env::start_with(config).await
}

async fn dead_letters(env: &Env) -> Vec<Value> {
    let r = env
        .signed(Method::GET, "/emulator/event-dead-letters", None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    v["value"].as_array().cloned().unwrap_or_default()
}

async fn wait_dead(env: &Env, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let d = dead_letters(env).await;
        if d.len() >= n || tokio::time::Instant::now() > deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_send_is_delivered_after_the_validation_handshake_with_the_rest_values() {
    let hook = Webhook::start(Behaviour::default()).await;
    let env = env_with(&hook, ",name=bot").await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "Lunch", &[&bob]).await;
    let id = env.send(&alice, &thread, "hello").await;
    let events = hook.wait_for_events(4).await;
    let received = hook.received();
    assert_eq!(
        received[0].header("aeg-event-type"),
        Some("SubscriptionValidation"),
        "the handshake comes first"
    );
    let in_thread = of_type(&events, "ChatMessageReceivedInThread");
    assert_eq!(in_thread.len(), 1, "{events:#?}");
    let rest = env
        .get_json(
            &format!("/chat/threads/{}/messages/{id}", enc(&thread)),
            &alice.token,
        )
        .await;
    let data = &in_thread[0]["data"];
    assert_eq!(data["messageId"], rest["id"]);
    assert_eq!(
        data["version"].as_i64().map(|v| v.to_string()),
        rest["version"].as_str().map(str::to_owned)
    );
    assert_eq!(data["messageBody"], rest["content"]["message"]);
    assert_eq!(data["threadId"], thread.as_str());
    assert_eq!(
        data["senderCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    let per_user = of_type(&events, "ChatMessageReceived");
    assert_eq!(per_user.len(), 1, "to Bob only, not the sender");
    assert_eq!(
        per_user[0]["data"]["recipientCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );
    let delivery = received
        .iter()
        .find(|r| r.header("aeg-event-type") == Some("Notification"))
        .expect("a delivery");
    assert_eq!(delivery.header("aeg-subscription-name"), Some("BOT"));
    assert_eq!(delivery.header("aeg-delivery-count"), Some("0"));
    assert_eq!(delivery.header("aeg-data-version"), Some("1.0"));
    assert_eq!(delivery.header("aeg-metadata-version"), Some("1"));
}

#[tokio::test]
async fn a_500_is_retried_on_the_schedule_then_dead_lettered() {
    let hook = Webhook::start(Behaviour {
        statuses: std::iter::repeat_n(500, 100).collect(),
        ..Behaviour::default()
    })
    .await;
    let env = env_with(&hook, ",max-attempts=3,types=ChatThreadCreated").await;
    let alice = env.user().await;
    env.thread(&alice, "Retry", &[]).await;
    let dead = wait_dead(&env, 1).await;
    assert_eq!(dead.len(), 1, "{dead:#?}");
    assert_eq!(dead[0]["deadLetterReason"], "MaxDeliveryAttemptsExceeded");
    assert_eq!(dead[0]["deliveryAttempts"], 3);
    assert_eq!(dead[0]["lastHttpStatusCode"], 500);
    let counts: Vec<Option<String>> = hook
        .received()
        .iter()
        .filter(|r| r.header("aeg-event-type") == Some("Notification"))
        .map(|r| r.header("aeg-delivery-count").map(str::to_owned))
        .collect();
    assert_eq!(
        counts,
        vec![Some("0".into()), Some("1".into()), Some("2".into())]
    );
}

#[tokio::test]
async fn a_hung_webhook_times_out_and_is_retried() {
    let hook = Webhook::start(Behaviour {
        hang: true,
        ..Behaviour::default()
    })
    .await;
    let mut config = EmulatorConfig::for_tests();
    config.event_subscriptions = vec![
        parse_flag(&format!(
            "{},max-attempts=2,types=ChatThreadCreated",
            hook.url
        ))
        .expect("valid"),
    ];
    config.event_delivery.clock_ms_per_second = 1;
    config.event_delivery.timeout = Duration::from_millis(300);
    let env = Env::start_with(config).await;
    let alice = env.user().await;
    let started = std::time::Instant::now();
    env.thread(&alice, "Hung", &[]).await;
    env.send(
        &alice,
        &env.thread(&alice, "Hung 2", &[]).await,
        "still fast",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the API waited for the webhook"
    );
    let dead = wait_dead(&env, 2).await;
    assert_eq!(dead.len(), 2, "{dead:#?}");
    assert!(
        dead.iter().all(|d| d["lastDeliveryOutcome"] == "timed out"),
        "{dead:#?}"
    );
}

#[tokio::test]
async fn codes_event_grid_does_not_retry_are_dead_lettered_at_once() {
    for (status, reason) in [
        (400, "UndeliverableDueToHttpBadRequest"),
        (413, "UndeliverableDueToHttpBadRequest"),
        (401, "UndeliverableDueToClientError"),
        (403, "UndeliverableDueToClientError"),
    ] {
        let hook = Webhook::start(Behaviour {
            statuses: VecDeque::from([status, status, status]),
            ..Behaviour::default()
        })
        .await;
        let env = env_with(&hook, ",types=ChatThreadCreated").await;
        let alice = env.user().await;
        env.thread(&alice, "No retry", &[]).await;
        let dead = wait_dead(&env, 1).await;
        assert_eq!(dead.len(), 1, "{status}");
        assert_eq!(dead[0]["deadLetterReason"], reason, "{status}");
        assert_eq!(dead[0]["deliveryAttempts"], 1, "{status}");
        let tries = hook
            .received()
            .iter()
            .filter(|r| r.header("aeg-event-type") == Some("Notification"))
            .count();
        assert_eq!(tries, 1, "{status} was retried");
    }
}

#[tokio::test]
async fn a_webhook_that_fails_the_handshake_gets_no_events() {
    for schema in ["eventgrid", "cloudevents"] {
        let hook = Webhook::start(Behaviour {
            refuse_handshake: true,
            ..Behaviour::default()
        })
        .await;
        let env = env_with(&hook, &format!(",schema={schema}")).await;
        let alice = env.user().await;
        env.thread(&alice, "Refused", &[]).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let state = loop {
            let r = env
                .signed(Method::GET, "/emulator/event-subscriptions", None)
                .await;
            let v: Value = r.json().await.expect("json");
            let state = v["value"][0]["state"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if state != "AwaitingValidation" || tokio::time::Instant::now() > deadline {
                break state;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(state, "ValidationFailed", "{schema}");
        // Another write after the failure: still nothing arrives.
        env.thread(&alice, "Refused 2", &[]).await;
        assert!(hook.events().is_empty(), "{schema}: {:#?}", hook.events());
    }
}

#[tokio::test]
async fn cloudevents_use_the_options_handshake_and_the_cloudevents_envelope() {
    let hook = Webhook::start(Behaviour::default()).await;
    let env = env_with(&hook, ",schema=cloudevents,types=ChatThreadCreated").await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "CE", &[]).await;
    let events = hook.wait_for_events(1).await;
    let received = hook.received();
    assert_eq!(received[0].method, Method::OPTIONS);
    assert_eq!(
        received[0].header("webhook-request-origin"),
        Some("eventgrid.azure.net")
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["specversion"], "1.0");
    assert_eq!(
        events[0]["type"],
        "Microsoft.Communication.ChatThreadCreated"
    );
    assert_eq!(events[0]["data"]["threadId"], thread.as_str());
    let delivery = &received[1];
    assert!(
        delivery
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/cloudevents+json")),
        "{:?}",
        delivery.header("content-type")
    );
}

/// The subscription `name` as the management route lists it.
async fn subscription(env: &Env, name: &str) -> Value {
    let r = env
        .signed(Method::GET, "/emulator/event-subscriptions", None)
        .await;
    let v: Value = r.json().await.expect("json");
    v["value"]
        .as_array()
        .and_then(|subs| subs.iter().find(|s| s["name"] == name).cloned())
        .unwrap_or(Value::Null)
}

/// Waits (up to `within`) until `name` has left AwaitingValidation; its state.
async fn settled_state(env: &Env, name: &str, within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let s = subscription(env, name).await;
        if (s["state"] != "AwaitingValidation" && !s.is_null())
            || tokio::time::Instant::now() > deadline
        {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn put_subscription(env: &Env, name: &str, def: Value) {
    let r = env
        .signed(
            Method::PUT,
            &format!("/emulator/event-subscriptions/{name}"),
            Some(def),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_subscription_replaced_through_the_route_delivers_from_one_task_only() {
    // The old webhook takes its handshake only once five events wait (so its task
    // reads them all in one go), then never answers a delivery: its task is stuck in
    // the first of five posts when the subscription is replaced.
    let gate = eventgrid_common::Gate::default();
    let old = Webhook::start(Behaviour {
        hang: true,
        handshake_gate: Some(gate.clone()),
        ..Behaviour::default()
    })
    .await;
    let new = Webhook::start(Behaviour::default()).await;
    let mut config = EmulatorConfig::for_tests();
    config.event_delivery.clock_ms_per_second = 1;
    config.event_delivery.timeout = Duration::from_millis(500);
    let env = Env::start_with(config).await;
    let def = |url: &str| {
        serde_json::json!({
            "endpoint": url,
            "includedEventTypes": ["Microsoft.Communication.ChatMessageReceivedInThread"],
        })
    };
    put_subscription(&env, "bot", def(&old.url)).await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "Replaced", &[]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(env.send(&alice, &thread, &format!("m{i}")).await);
    }
    gate.open();
    let first = old
        .wait_for(Duration::from_secs(20), |r| {
            r.iter()
                .any(|r| r.header("aeg-event-type") == Some("Notification"))
        })
        .await;
    assert!(
        first
            .iter()
            .any(|r| r.header("aeg-event-type") == Some("Notification")),
        "the old webhook got its first delivery"
    );

    put_subscription(&env, "bot", def(&new.url)).await;
    let events = new.wait_for_events(ids.len()).await;
    let mut got: Vec<String> = events
        .iter()
        .filter_map(|e| e["data"]["messageId"].as_str().map(str::to_owned))
        .collect();
    got.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got, want, "each event once, to the new webhook");
    // The old task, had it lived on, would post the second event to the old URL as
    // soon as its first post timed out (0.5 s): give it six times that.
    let later = old
        .wait_for(Duration::from_secs(3), |r| {
            r.iter()
                .filter(|r| r.header("aeg-event-type") == Some("Notification"))
                .count()
                > 1
        })
        .await;
    let to_old: Vec<_> = later
        .iter()
        .filter(|r| r.header("aeg-event-type") == Some("Notification"))
        .collect();
    assert_eq!(
        to_old.len(),
        1,
        "delivered to the old URL after replacement"
    );
}

#[tokio::test]
async fn a_due_retry_is_made_while_writes_keep_coming() {
    // The first delivery fails; every delivery takes 20 ms, so one sender writing as
    // fast as it can keeps the subscription behind for as long as it sends.
    let hook = Webhook::start(Behaviour {
        statuses: VecDeque::from([500]),
        delay: Duration::from_millis(20),
        ..Behaviour::default()
    })
    .await;
    let env = env_with(&hook, ",types=ChatMessageReceivedInThread").await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "Busy", &[]).await;
    let retried = |hook: &Webhook| {
        hook.deliveries()
            .iter()
            .any(|r| r.header("aeg-delivery-count") == Some("1"))
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut sent = 0usize;
    while !retried(&hook) && tokio::time::Instant::now() < deadline {
        env.send(&alice, &thread, &format!("m{sent}")).await;
        sent += 1;
    }
    let delivered = hook.events().len();
    assert!(
        retried(&hook),
        "no retry in 20 s of steady writes ({sent} sent, {delivered} delivered)"
    );
    assert!(
        delivered < sent,
        "the retry came while the subscription was behind ({sent} sent, {delivered} delivered)"
    );
}

#[tokio::test]
async fn an_event_past_its_time_to_live_before_its_first_attempt_is_dead_lettered() {
    // A time to live of one minute is 60 ms on this clock; the handshake is held until
    // the event is well past it.
    let gate = eventgrid_common::Gate::default();
    let hook = Webhook::start(Behaviour {
        handshake_gate: Some(gate.clone()),
        ..Behaviour::default()
    })
    .await;
    let env = env_with(&hook, ",ttl=1,types=ChatThreadCreated").await;
    let alice = env.user().await;
    env.thread(&alice, "Stale", &[]).await;
    // Not a race: the event must be older than its 60 ms time to live; 300 ms is.
    tokio::time::sleep(Duration::from_millis(300)).await;
    gate.open();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let dead = loop {
        let d = dead_letters(&env).await;
        if !d.is_empty() || !hook.deliveries().is_empty() || tokio::time::Instant::now() > deadline
        {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        hook.deliveries().is_empty(),
        "delivered past its time to live"
    );
    assert_eq!(dead.len(), 1, "{dead:#?}");
    assert_eq!(dead[0]["deadLetterReason"], "TimeToLiveExceeded");
    assert_eq!(dead[0]["deliveryAttempts"], 0);
}

#[tokio::test]
async fn an_endless_validation_answer_fails_the_handshake_without_reading_it_all() {
    let hook = Webhook::start(Behaviour {
        endless_validation: true,
        ..Behaviour::default()
    })
    .await;
    let mut config = EmulatorConfig::for_tests();
    config.event_subscriptions =
        vec![parse_flag(&format!("{},name=bot", hook.url)).expect("valid")];
    config.event_delivery.clock_ms_per_second = 1;
    // Long enough that a reader without a limit is still reading when the test gives up.
    config.event_delivery.timeout = Duration::from_secs(120);
    let env = Env::start_with(config).await;
    let sub = settled_state(&env, "bot", Duration::from_secs(15)).await;
    assert_eq!(sub["state"], "ValidationFailed", "{sub:#?}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !hook
        .endless()
        .dropped
        .load(std::sync::atomic::Ordering::SeqCst)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        hook.endless()
            .dropped
            .load(std::sync::atomic::Ordering::SeqCst),
        "the emulator is still reading the answer"
    );
    let written = hook
        .endless()
        .written
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(written < 4 << 20, "{written} bytes were read");
}

#[tokio::test]
async fn a_hung_webhook_neither_slows_sends_nor_starves_a_healthy_one() {
    // The real timeout (30 s): the hung webhook holds its request for the whole test,
    // so everything the healthy one gets, it gets beside a stuck delivery.
    let hung = Webhook::start(Behaviour {
        hang: true,
        ..Behaviour::default()
    })
    .await;
    let healthy = Webhook::start(Behaviour::default()).await;
    let mut config = EmulatorConfig::for_tests();
    config.event_subscriptions = [&hung, &healthy]
        .iter()
        .map(|h| parse_flag(&format!("{},types=ChatMessageReceivedInThread", h.url)))
        .collect::<Result<_, _>>()
        .expect("valid");
    assert!(config.event_delivery.timeout >= Duration::from_secs(30));
    let env = Env::start_with(config).await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "Beside a hung one", &[]).await;
    let first = env.send(&alice, &thread, "m0").await;
    let stuck = hung
        .wait_for(Duration::from_secs(20), |r| {
            r.iter()
                .any(|r| r.header("aeg-event-type") == Some("Notification"))
        })
        .await;
    assert!(
        stuck
            .iter()
            .any(|r| r.header("aeg-event-type") == Some("Notification")),
        "the hung webhook holds a delivery"
    );

    // More sends than there are requests in flight, each acknowledged promptly.
    let started = std::time::Instant::now();
    let mut ids = vec![first];
    for i in 1..40 {
        ids.push(env.send(&alice, &thread, &format!("m{i}")).await);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "sends waited for the hung webhook: {:?}",
        started.elapsed()
    );
    healthy
        .wait_for(Duration::from_secs(10), |r| {
            r.iter()
                .filter(|r| r.header("aeg-event-type") == Some("Notification"))
                .map(|r| r.body.as_array().map_or(1, Vec::len))
                .sum::<usize>()
                >= ids.len()
        })
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the healthy webhook waited for the hung one: {:?}",
        started.elapsed()
    );
    let got: Vec<String> = healthy
        .events()
        .iter()
        .filter_map(|e| e["data"]["messageId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(got, ids, "the healthy webhook got every event, in order");
    assert_eq!(
        hung.deliveries().len(),
        1,
        "the hung subscription posts one request at a time"
    );
}
