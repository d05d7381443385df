//! Retries, timeouts and transport guards: faults are injected by a scripted server
//! (429 with Retry-After, 5xx, answers that never come, dropped connections, refused
//! connections) and the client must retry exactly what is safe to retry.

mod acs_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use acs_chat::acs::{ChatClient, ErrorKind, HttpConfig, ListOptions, RetryPolicy, TokenCredential};
use acs_chat::wire::{CreateChatThreadRequest, SendChatMessageRequest};
use acs_common::*;
use futures::StreamExt as _;
use url::Url;

const THREAD_JSON: &str = r#"{"id":"19:a@thread.v2","topic":"t","createdOn":"2023-10-19T10:46:25Z","createdByCommunicationIdentifier":{"rawId":"8:acs:r_u"}}"#;

fn chat(url: &Url, config: HttpConfig) -> ChatClient {
    ChatClient::new(url.clone(), credential(), transport(config))
}

fn message() -> SendChatMessageRequest {
    SendChatMessageRequest {
        content: "hi".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn throttled_send_is_retried_after_retry_after() {
    let server = MockServer::start(|_, i| match i {
        0 => Reply::With(
            429,
            vec![("retry-after", "1".into())],
            r#"{"error":{"code":"TooManyRequests","message":"Rate limit exceeded."}}"#.into(),
        ),
        _ => Reply::json(201, r#"{"id":"42"}"#),
    })
    .await;
    let started = Instant::now();
    let id = chat(&server.url, fast_config())
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect("sent on retry");
    assert_eq!(id, "42");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited out Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_ms_and_503_with_retry_after_are_safe_for_every_operation() {
    let server = MockServer::start(|_, i| match i {
        0 => Reply::With(503, vec![("retry-after-ms", "200".into())], String::new()),
        _ => Reply::json(201, r#"{"id":"43"}"#),
    })
    .await;
    let started = Instant::now();
    let id = chat(&server.url, fast_config())
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect("retried");
    assert_eq!(id, "43");
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn plain_5xx_retries_reads_but_not_sends() {
    let server = MockServer::start(|r, i| match (r.method.as_str(), i) {
        ("GET", 0 | 1) => Reply::empty(503),
        ("GET", _) => Reply::json(200, THREAD_JSON),
        _ => Reply::json(
            500,
            r#"{"CommunicationError":{"Code":"InternalError","Message":"boom","Details":[]}}"#,
        ),
    })
    .await;
    let client = chat(&server.url, fast_config());
    let props = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect("third attempt");
    assert_eq!(props.topic, "t");
    assert_eq!(server.requests().len(), 3);

    let e = client
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect_err("500 on send");
    assert_eq!((e.status(), e.code()), (Some(500), Some("InternalError")));
    assert_eq!(server.requests().len(), 4, "send_message was not repeated");
}

#[tokio::test]
async fn create_thread_retries_with_the_same_repeatability_id() {
    let server = MockServer::start(|_, i| match i {
        0 => Reply::empty(500),
        1 => Reply::Hang,
        _ => Reply::json(201, &format!(r#"{{"chatThread":{THREAD_JSON}}}"#)),
    })
    .await;
    let config = HttpConfig {
        timeout: Duration::from_millis(500),
        ..fast_config()
    };
    let created = chat(&server.url, config)
        .create_thread(
            &CreateChatThreadRequest {
                topic: "t".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("created on the third attempt");
    assert_eq!(created.chat_thread.expect("thread").id, "19:a@thread.v2");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let repeatability: Vec<_> = requests
        .iter()
        .map(|r| r.header("repeatability-request-id").expect("sent"))
        .collect();
    assert!(
        repeatability.iter().all(|id| *id == repeatability[0]),
        "{repeatability:?}"
    );
    let request_ids: std::collections::HashSet<_> = requests
        .iter()
        .map(|r| r.header("x-ms-client-request-id"))
        .collect();
    assert_eq!(
        request_ids.len(),
        3,
        "each attempt has its own client request id"
    );
}

#[tokio::test]
async fn timeouts_retry_reads_and_fail_sends_once() {
    let server = MockServer::start(|r, i| match (r.method.as_str(), i) {
        (_, 0) => Reply::Hang,
        ("GET", _) => Reply::json(200, THREAD_JSON),
        _ => Reply::Hang,
    })
    .await;
    let config = HttpConfig {
        timeout: Duration::from_millis(500),
        ..fast_config()
    };
    let client = chat(&server.url, config);
    client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect("second attempt answers");
    assert_eq!(server.requests().len(), 2);

    let e = client
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect_err("hangs");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_retryable() && e.request_id().is_some());
    assert_eq!(
        server.requests().len(),
        3,
        "a send whose outcome is unknown is not repeated"
    );
}

#[tokio::test]
async fn dropped_connections_retry_reads_only() {
    let (url, seen) = dropping_server(1, THREAD_JSON).await;
    let client = chat(&url, fast_config());
    let props = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect("retried after the drop");
    assert_eq!(props.id, "19:a@thread.v2");
    assert_eq!(*seen.lock().expect("count"), 2);

    let (url, seen) = dropping_server(1, r#"{"id":"1"}"#).await;
    let e = chat(&url, fast_config())
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect_err("dropped");
    assert_eq!(e.kind(), ErrorKind::Connect);
    assert_eq!(
        *seen.lock().expect("count"),
        1,
        "the send may have been processed: not repeated"
    );
}

#[tokio::test]
async fn refused_connections_are_retried_even_for_sends() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    drop(listener);
    let recorder = Arc::new(Recorder::default());
    let config = HttpConfig {
        observer: Some(recorder.clone()),
        ..fast_config()
    };
    let e = chat(&url, config)
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect_err("nothing listens");
    assert_eq!(e.kind(), ErrorKind::Connect);
    let attempts = recorder.all();
    assert_eq!(attempts.len(), 4, "first attempt + max_retries");
    assert!(
        attempts
            .iter()
            .all(|a| a.status.is_none() && a.error.is_some())
    );
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
}

/// A list call that is always throttled with `header: value`, under `policy`; the error
/// must come back before `deadline` (a transport that slept the wait out would not).
async fn throttled_list(
    header: &'static str,
    value: &str,
    policy: RetryPolicy,
    deadline: Duration,
) -> (acs_chat::acs::Error, usize) {
    let value = value.to_owned();
    let server = MockServer::start(move |_, _| {
        Reply::With(429, vec![(header, value.clone())], String::new())
    })
    .await;
    let config = HttpConfig {
        retry: policy,
        ..fast_config()
    };
    let e = tokio::time::timeout(
        deadline,
        chat(&server.url, config).list_threads_page(&ListOptions::default(), None),
    )
    .await
    .expect("handed back at once, not slept out")
    .expect_err("throttled");
    assert_eq!(e.status(), Some(429));
    (e, server.requests().len())
}

#[tokio::test]
async fn a_long_retry_after_goes_back_to_the_caller() {
    // Longer than the policy waits out (5 s), shorter than the cap on any wait.
    let (e, requests) = throttled_list(
        "retry-after",
        "30",
        fast_config().retry,
        Duration::from_secs(4),
    )
    .await;
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(requests, 1);

    // With the default policy, which waits out anything up to the cap: an hour is
    // beyond it, so it goes back at once, and the caller is told to wait the cap.
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    };
    let (e, requests) =
        throttled_list("retry-after", "3600", policy, Duration::from_secs(10)).await;
    assert_eq!(e.retry_after(), Some(acs_chat::acs::MAX_RETRY_AFTER));
    assert_eq!(requests, 1);
}

/// A `Retry-After` equal to the policy's longest wait is waited out; one just
/// above it is handed back with its value.
#[tokio::test]
async fn a_retry_after_at_the_policy_max_is_waited_out() {
    let policy = RetryPolicy {
        max_retries: 1,
        max_retry_after: Duration::from_millis(300),
        ..fast_config().retry
    };
    let started = Instant::now();
    let (e, requests) = throttled_list(
        "retry-after-ms",
        "300",
        policy.clone(),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited out"
    );
    assert_eq!(requests, 2, "retried once");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(300)));

    let (e, requests) =
        throttled_list("retry-after-ms", "301", policy, Duration::from_secs(5)).await;
    assert_eq!(requests, 1, "not retried");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(301)));
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let server = MockServer::start(|_, _| Reply::empty(503)).await;
    let config = HttpConfig {
        retry: RetryPolicy {
            max_retries: 2,
            ..fast_config().retry
        },
        ..fast_config()
    };
    let e = chat(&server.url, config)
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("always 503");
    assert_eq!(e.status(), Some(503));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn refuses_secrets_over_plain_http_to_other_hosts() {
    for endpoint in ["http://example.invalid/", "http://10.1.2.3:8080/"] {
        let client = chat(&Url::parse(endpoint).expect("url"), fast_config());
        let e = client
            .thread("19:a@thread.v2")
            .properties()
            .await
            .expect_err("insecure");
        assert_eq!(e.kind(), ErrorKind::InsecureTransport);
        assert!(e.to_string().contains("https"), "{e}");
    }
}

#[tokio::test]
async fn refuses_a_next_link_to_another_host() {
    let server = MockServer::start(|_, _| {
        Reply::json(200, r#"{"value":[{"id":"19:a@thread.v2","topic":"t"}],"nextLink":"https://elsewhere.example/chat/threads?syncState=x"}"#)
    })
    .await;
    let results: Vec<_> = chat(&server.url, fast_config())
        .list_threads(ListOptions::default())
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let e = results[1].as_ref().expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(e.message().contains("elsewhere.example"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn observer_sees_every_exchange_without_secrets() {
    let server = MockServer::start(|_, _| Reply::json(200, THREAD_JSON)).await;
    let recorder = Arc::new(Recorder::default());
    let config = HttpConfig {
        observer: Some(recorder.clone()),
        ..fast_config()
    };
    let token = test_jwt();
    let client = ChatClient::new(
        server.url.clone(),
        TokenCredential::from_token(token.clone()).expect("token"),
        transport(config),
    );
    client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect("ok");
    let seen = recorder.all();
    assert_eq!(seen.len(), 1);
    let e = &seen[0];
    assert_eq!((e.method.as_str(), e.status), ("GET", Some(200)));
    assert!(
        e.url
            .ends_with("/chat/threads/19%3Aa%40thread.v2?api-version=2025-03-15")
    );
    let auth = e
        .request_headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .expect("auth header listed");
    assert_eq!(auth.1, "Bearer [redacted]");
    assert!(
        e.response_body
            .as_deref()
            .is_some_and(|b| b.contains("19:a@thread.v2"))
    );
    assert!(
        !format!("{seen:?}").contains(&token),
        "the token never reaches the observer"
    );
}

#[tokio::test]
async fn expired_fixed_token_fails_before_sending() {
    let server = MockServer::start(|_, _| Reply::json(200, THREAD_JSON)).await;
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp":1000}"#);
    let credential =
        TokenCredential::from_token(format!("eyJhbGciOiJub25lIn0.{payload}.x")).expect("parses");
    let client = ChatClient::new(server.url.clone(), credential, transport(fast_config()));
    let e = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("expired");
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert!(server.requests().is_empty());
}

fn jwt_with(tag: &str) -> String {
    use base64::Engine as _;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!(r#"{{"exp":{exp},"tag":"{tag}"}}"#));
    format!("eyJhbGciOiJub25lIn0.{payload}.x")
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_call_repeated() {
    let old = jwt_with("old");
    let refused = format!("Bearer {old}");
    let server = MockServer::start(move |r, _| {
        if r.header("authorization") == Some(refused.as_str()) {
            Reply::empty(401)
        } else {
            Reply::json(201, r#"{"id":"7"}"#)
        }
    })
    .await;
    let initial = acs_chat::acs::AccessToken::from_jwt(old.clone()).expect("old token");
    let refreshes = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = refreshes.clone();
    let credential = TokenCredential::refreshing(Some(initial), move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { acs_chat::acs::AccessToken::from_jwt(jwt_with("new")) })
    });
    let client = ChatClient::new(server.url.clone(), credential, transport(fast_config()));
    let id = client
        .thread("19:a@thread.v2")
        .send_message(&message())
        .await
        .expect("sent with the new token");
    assert_eq!(id, "7");
    assert_eq!(
        server.requests().len(),
        2,
        "the refused send was not processed, so it is repeated"
    );
    assert_eq!(refreshes.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_is_final_for_fixed_tokens_and_after_one_refresh() {
    let server = MockServer::start(|_, _| Reply::empty(401)).await;
    let client = chat(&server.url, fast_config());
    let e = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("fixed token refused");
    assert!(e.is_unauthorized());
    assert_eq!(server.requests().len(), 1);

    let credential = TokenCredential::refreshing(None, || {
        Box::pin(async { acs_chat::acs::AccessToken::from_jwt(jwt_with("any")) })
    });
    let client = ChatClient::new(server.url.clone(), credential, transport(fast_config()));
    let e = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("always refused");
    assert!(e.is_unauthorized());
    assert_eq!(server.requests().len(), 3, "one refresh, no loop");
}

#[tokio::test]
async fn an_unusable_endpoint_is_a_config_error_on_every_call() {
    let client = chat(
        &Url::parse("ftp://files.example/").expect("url"),
        fast_config(),
    );
    let e = client
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("ftp");
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = client
        .list_threads_page(&ListOptions::default(), Some("ftp://files.example/x"))
        .await
        .expect_err("ftp");
    assert_eq!(e.kind(), ErrorKind::Config);
}
