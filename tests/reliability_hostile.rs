//! Hostile input against every emulator route: a seeded generator of broken
//! requests, written byte by byte on raw connections (so invalid UTF-8, broken
//! percent-escapes and oversized headers really reach the server): wrong types,
//! missing and extra fields, huge and deeply nested JSON, absurd page sizes and
//! dates, bad auth. Every answer must be below 500, every error in the service's
//! error shape, and a rejected write must change nothing.
//!
//! Short mode: 1,500 requests. Full mode (`ACS_CHAT_SOAK=1`): 12,000. The seed is
//! printed; `ACS_CHAT_SEED=N` replays a run.

mod common;
mod rel_common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use acs_chat::emulator::EmulatorConfig;
use acs_chat::wire::http_date;
use acs_chat::wire::signing;
use common::{Env, User, enc};
use rel_common::{Rng, scale};
use serde_json::{Value, json};

struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

/// One request on its own connection; `None` when the server closed it without an
/// answer (allowed only for requests hyper refuses at the protocol level).
fn raw(addr: std::net::SocketAddr, head: &[u8], body: &[u8]) -> Option<Answer> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let _ = s.write_all(head);
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&buf[..text_end]).into_owned();
    let status = headers.split(' ').nth(1)?.parse().ok()?;
    let mut body = buf[text_end + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if n == 0 || b.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[(eol + 4 + n).min(b.len())..];
    }
    out
}

/// What the generator may point at.
struct World {
    host: String,
    key: Vec<u8>,
    alice: User,
    bob: User,
    thread: String,
    message: String,
}

const METHODS: [&str; 7] = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"];
const CHAT_V: &str = "api-version=2024-03-07";
const ID_V: &str = "api-version=2023-10-01";

fn junk_segment(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => "%zz".into(),
        1 => "%FF%FE".into(),
        2 => "%".into(),
        3 => "19%3Aabc".into(),
        4 => "x".repeat(rng.below(5000) + 1),
        5 => "%00%0a%0d".into(),
        6 => "..%2F..".into(),
        _ => "\u{202e}evil".into(),
    }
}

fn a_thread(w: &World, rng: &mut Rng) -> String {
    if rng.chance(70) {
        enc(&w.thread)
    } else {
        junk_segment(rng)
    }
}

fn a_query(rng: &mut Rng, version: &str) -> String {
    let mut q = vec![];
    if rng.chance(85) {
        q.push(version.to_owned());
    } else if rng.chance(50) {
        q.push(format!(
            "api-version={}",
            ["1999-01-01", "", "%zz", "2024-03-07%00", "latest"][rng.below(5)]
        ));
    }
    if rng.chance(30) {
        let sizes = [
            "0",
            "-1",
            "99999999999999999999",
            "2147483648",
            "abc",
            "1e9",
            "",
            "250",
            "1",
        ];
        q.push(format!("maxPageSize={}", sizes[rng.below(sizes.len())]));
    }
    if rng.chance(30) {
        let dates = [
            "0000-00-00T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "not-a-date",
            "2024-02-30T00:00:00Z",
            "-1",
            "1970-01-01T00:00:00+25:00",
            "%FF",
            "2024-01-01T00:00:00.9999999999Z",
        ];
        q.push(format!("startTime={}", dates[rng.below(dates.len())]));
    }
    if rng.chance(10) {
        q.push("skip=-5&continuationToken=%zz&maxPageSize=1&maxPageSize=2".into());
    }
    q.join("&")
}

fn deep(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A body: a plausible one mutated, or junk.
fn a_body(w: &World, rng: &mut Rng, plausible: Value) -> Vec<u8> {
    match rng.below(12) {
        0 => Vec::new(),
        1 => b"{".to_vec(),
        2 => vec![0xff, 0xfe, b'{', 0xc3, b'}'],
        3 => deep(rng.below(100_000) + 10).into_bytes(),
        4 => format!("{{\"content\":\"{}\"}}", "a".repeat(rng.below(60_000))).into_bytes(),
        5 => json!({"content": 5, "topic": [], "participants": "x", "metadata": {"k": 1}, "createTokenWithScopes": "chat"}).to_string().into_bytes(),
        6 => json!(null).to_string().into_bytes(),
        7 => b"{\"content\":\"\\ud800\",\"topic\":\"\\udfff\\u0000\"}".to_vec(),
        8 => {
            let mut v = plausible;
            if let Some(o) = v.as_object_mut() {
                let keys: Vec<String> = o.keys().cloned().collect();
                if !keys.is_empty() {
                    o.remove(&keys[rng.below(keys.len())]);
                }
                o.insert("unexpected".into(), json!({"nested": [1, 2, {"x": null}]}));
            }
            v.to_string().into_bytes()
        }
        9 => {
            let mut v = plausible;
            if let Some(o) = v.as_object_mut() {
                for val in o.values_mut() {
                    *val = [json!(null), json!(-1), json!("\u{0}\u{1b}[2J"), json!({}), json!(1e308), json!(true)][rng.below(6)].clone();
                }
            }
            v.to_string().into_bytes()
        }
        10 => json!({"participants": (0..rng.below(400)).map(|i| json!({"communicationIdentifier": {"rawId": format!("8:acs:x_{i}"), "communicationUser": {"id": format!("8:acs:x_{i}")}}})).collect::<Vec<_>>(), "topic": "t"}).to_string().into_bytes(),
        _ => {
            let _ = w;
            plausible.to_string().into_bytes()
        }
    }
}

/// One generated request: (method, path and query, extra header lines, body).
fn generate(w: &World, rng: &mut Rng) -> (String, String, Vec<String>, Vec<u8>, bool) {
    let t = a_thread(w, rng);
    let m = if rng.chance(80) {
        enc(&w.message)
    } else {
        junk_segment(rng)
    };
    let user = if rng.chance(80) {
        enc(&w.bob.id)
    } else {
        junk_segment(rng)
    };
    let ident = json!({"communicationIdentifier": {"rawId": w.bob.id, "communicationUser": {"id": w.bob.id}}});
    // (method, path, plausible body, identity route?)
    let routes: Vec<(&str, String, Value, bool)> = vec![
        (
            "POST",
            "/identities".into(),
            json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": 60}),
            true,
        ),
        ("GET", format!("/identities/{user}"), json!({}), true),
        (
            "DELETE",
            format!("/identities/{}", junk_segment(rng)),
            json!({}),
            true,
        ),
        (
            "POST",
            format!("/identities/{user}/:issueAccessToken"),
            json!({"scopes": ["chat"], "expiresInMinutes": 61}),
            true,
        ),
        (
            "POST",
            format!("/identities/{}/:revokeAccessTokens", junk_segment(rng)),
            json!({}),
            true,
        ),
        ("GET", "/chat/threads".into(), json!({}), false),
        (
            "POST",
            "/chat/threads".into(),
            json!({"topic": "t", "participants": [ident]}),
            false,
        ),
        ("GET", format!("/chat/threads/{t}"), json!({}), false),
        (
            "PATCH",
            format!("/chat/threads/{t}"),
            json!({"topic": "new", "metadata": {"a": "b"}}),
            false,
        ),
        (
            "DELETE",
            format!("/chat/threads/{}", junk_segment(rng)),
            json!({}),
            false,
        ),
        (
            "GET",
            format!("/chat/threads/{t}/messages"),
            json!({}),
            false,
        ),
        (
            "POST",
            format!("/chat/threads/{t}/messages"),
            json!({"content": "hi", "type": "text", "senderDisplayName": "x", "metadata": {"k": "v"}}),
            false,
        ),
        (
            "GET",
            format!("/chat/threads/{t}/messages/{m}"),
            json!({}),
            false,
        ),
        (
            "PATCH",
            format!("/chat/threads/{t}/messages/{m}"),
            json!({"content": "edited", "metadata": {"k": "v"}}),
            false,
        ),
        (
            "DELETE",
            format!("/chat/threads/{t}/messages/{}", junk_segment(rng)),
            json!({}),
            false,
        ),
        (
            "GET",
            format!("/chat/threads/{t}/participants"),
            json!({}),
            false,
        ),
        (
            "POST",
            format!("/chat/threads/{t}/participants/:add"),
            json!({"participants": [ident]}),
            false,
        ),
        (
            "POST",
            format!("/chat/threads/{t}/participants/:remove"),
            json!({"rawId": "8:acs:nobody", "communicationUser": {"id": "8:acs:nobody"}}),
            false,
        ),
        (
            "POST",
            format!("/chat/threads/{t}/typing"),
            json!({"senderDisplayName": "x"}),
            false,
        ),
        (
            "GET",
            format!("/chat/threads/{t}/readReceipts"),
            json!({}),
            false,
        ),
        (
            "POST",
            format!("/chat/threads/{t}/readReceipts"),
            json!({"chatMessageId": w.message}),
            false,
        ),
        ("GET", "/emulator/health".into(), json!({}), false),
        ("GET", format!("/{}", junk_segment(rng)), json!({}), false),
    ];
    let (method, path, plausible, identity) = routes[rng.below(routes.len())].clone();
    let method = if rng.chance(90) {
        method.to_owned()
    } else {
        METHODS[rng.below(METHODS.len())].to_owned()
    };
    // Deleting the target thread is a legitimate request; keep the target for the rest.
    let path = if method == "DELETE" && path == format!("/chat/threads/{}", enc(&w.thread)) {
        format!("/chat/threads/{}", junk_segment(rng))
    } else {
        path
    };
    let query = a_query(rng, if identity { ID_V } else { CHAT_V });
    let pq = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let body = if method == "GET" && rng.chance(80) {
        Vec::new()
    } else {
        a_body(w, rng, plausible)
    };
    let mut headers = Vec::new();
    if identity {
        let date = match rng.below(10) {
            0 => "Mon, 01 Jan 2001 00:00:00 GMT".to_owned(),
            1 => "garbage".to_owned(),
            _ => http_date::format(time::OffsetDateTime::now_utc()),
        };
        let hash = signing::content_hash(&body);
        let key = if rng.chance(10) {
            b"wrong key".to_vec()
        } else {
            w.key.clone()
        };
        let signed_pq = if rng.chance(5) {
            "/identities?other"
        } else {
            pq.as_str()
        };
        let sig = signing::signature(
            &key,
            &signing::string_to_sign(&method, signed_pq, &date, &w.host, &hash),
        );
        headers.push(format!("x-ms-date: {date}"));
        headers.push(format!(
            "x-ms-content-sha256: {}",
            if rng.chance(5) { "AAAA" } else { &hash }
        ));
        headers.push(format!(
            "authorization: {}",
            signing::authorization_header(&sig)
        ));
    } else {
        match rng.below(10) {
            0 => headers.push("authorization: Bearer not.a.token".into()),
            1 => headers.push(format!(
                "authorization: Bearer {}",
                w.alice.token.replace('.', "...")
            )),
            2 => {}
            3 => headers.push(format!("authorization: Basic {}", w.bob.token)),
            _ => headers.push(format!(
                "authorization: Bearer {}",
                if rng.chance(50) {
                    &w.alice.token
                } else {
                    &w.bob.token
                }
            )),
        }
    }
    if rng.chance(10) {
        headers.push(
            [
                "content-type: text/plain",
                "content-type: application/json; charset=latin1",
                "content-type: \u{1b}[31m",
            ][rng.below(3)]
            .to_owned(),
        );
    } else {
        headers.push("content-type: application/json".into());
    }
    if rng.chance(3) {
        headers.push(format!(
            "x-ms-client-request-id: {}",
            "r".repeat(rng.below(200_000))
        ));
    }
    if rng.chance(3) {
        headers.push("repeatability-request-id: \u{0}not-a-uuid".into());
    }
    let mutating = !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    (method, pq, headers, body, mutating)
}

fn request_bytes(
    host: &str,
    method: &str,
    pq: &[u8],
    headers: &[String],
    body_len: usize,
) -> Vec<u8> {
    let mut head = Vec::new();
    head.extend_from_slice(method.as_bytes());
    head.push(b' ');
    head.extend_from_slice(pq);
    head.extend_from_slice(
        format!(" HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\ncontent-length: {body_len}\r\n")
            .as_bytes(),
    );
    for h in headers {
        head.extend_from_slice(h.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A view of the state a rejected request must not change.
async fn snapshot(env: &Env, w: &World) -> Value {
    let threads = env
        .chat(
            reqwest::Method::GET,
            "/chat/threads?maxPageSize=200",
            &w.alice.token,
            None,
        )
        .await;
    let threads: Value = threads.json().await.unwrap_or(Value::Null);
    let participants = env
        .chat(
            reqwest::Method::GET,
            &format!("/chat/threads/{}/participants", enc(&w.thread)),
            &w.alice.token,
            None,
        )
        .await;
    let participants: Value = participants.json().await.unwrap_or(Value::Null);
    let thread = env
        .chat(
            reqwest::Method::GET,
            &format!("/chat/threads/{}", enc(&w.thread)),
            &w.alice.token,
            None,
        )
        .await;
    let thread: Value = thread.json().await.unwrap_or(Value::Null);
    let messages = env
        .chat(
            reqwest::Method::GET,
            &format!("/chat/threads/{}/messages?maxPageSize=200", enc(&w.thread)),
            &w.alice.token,
            None,
        )
        .await;
    let messages: Value = messages.json().await.unwrap_or(Value::Null);
    // lastMessageReceivedOn-style fields move only with accepted writes too.
    json!({"threads": threads["value"], "participants": participants["value"], "thread": thread, "messages": messages["value"]})
}

/// The error body is the service's shape for its API family.
fn assert_error_shape(pq: &str, a: &Answer) {
    let chat = pq.starts_with("/chat");
    if chat && a.status == 401 {
        return; // ACS answers a chat 401 with no body
    }
    let v: Value = serde_json::from_slice(&a.body).unwrap_or_else(|e| {
        panic!(
            "{} {pq}: error body is not JSON ({e}): {:?}",
            a.status,
            String::from_utf8_lossy(&a.body)
        )
    });
    let code = if chat {
        &v["CommunicationError"]["Code"]
    } else {
        &v["error"]["code"]
    };
    let code = if code.is_null() {
        &v["CommunicationError"]["Code"]
    } else {
        code
    };
    assert!(
        code.as_str().is_some_and(|c| !c.is_empty()),
        "{} {pq}: not the service error shape: {v}",
        a.status
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_hostile_requests_never_crash_or_change_state() {
    let total = scale(1_500, 12_000);
    let env = Env::start_with(EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    })
    .await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "target", &[&bob]).await;
    let message = env.send(&alice, &thread, "first").await;
    let w = World {
        host: env.host(),
        key: env.key.clone(),
        alice,
        bob,
        thread,
        message,
    };
    let addr = env.emu.addr;
    let (mut rng, seed) = Rng::from_env(0xbad_5eed);
    let (mut rejected, mut accepted, mut checked_unchanged, mut closed, mut protocol) =
        (0, 0, 0, 0, 0);
    for i in 0..total {
        let (method, pq, headers, body, mutating) = generate(&w, &mut rng);
        // Some paths carry raw bytes no URL type allows.
        let mut pq_bytes = pq.clone().into_bytes();
        if rng.chance(3) {
            pq_bytes.extend_from_slice(&[0xc3, 0x28, 0xff]);
        }
        let check_state = mutating && i % 3 == 0;
        let before = if check_state {
            Some(snapshot(&env, &w).await)
        } else {
            None
        };
        let head = request_bytes(&w.host, &method, &pq_bytes, &headers, body.len());
        let answer = tokio::task::spawn_blocking(move || raw(addr, &head, &body))
            .await
            .expect("raw request");
        let Some(a) = answer else {
            // Only protocol-level refusals may close without an answer.
            closed += 1;
            continue;
        };
        assert!(
            a.status < 500,
            "{method} {pq}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
        // Answers without the emulator's `ms-cv` come from the HTTP layer below it
        // (hyper refusing a request line or headers it cannot parse).
        let from_http_layer = !a.headers.to_ascii_lowercase().contains("\r\nms-cv:");
        if from_http_layer {
            assert!(
                matches!(a.status, 400 | 431),
                "{method} {pq}: {} from the HTTP layer",
                a.status
            );
            protocol += 1;
            continue;
        }
        if a.status >= 400 {
            rejected += 1;
            if method != "HEAD" {
                assert_error_shape(&pq, &a);
            }
            if let Some(before) = before {
                let after = snapshot(&env, &w).await;
                assert_eq!(
                    before, after,
                    "rejected {method} {pq} ({}) changed state",
                    a.status
                );
                checked_unchanged += 1;
            }
        } else {
            accepted += 1;
        }
    }
    // The server is still healthy.
    let r = env
        .client
        .get(format!("{}/emulator/health", env.base))
        .send()
        .await
        .expect("health");
    assert_eq!(r.status(), 200);
    assert!(
        closed * 20 < total,
        "{closed} of {total} connections closed without an answer"
    );
    eprintln!(
        "hostile: {total} requests (seed {seed:#x}): {rejected} rejected, {accepted} accepted, {checked_unchanged} rejected writes checked unchanged, {protocol} refused and {closed} closed by the HTTP layer"
    );
}

#[tokio::test]
async fn oversized_body_is_413_in_service_shape() {
    let env = Env::start_with(EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    })
    .await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "t", &[]).await;
    let body = format!("{{\"content\":\"{}\"}}", "a".repeat(600 * 1024)).into_bytes();
    let pq = format!("/chat/threads/{}/messages?{CHAT_V}", enc(&thread));
    let head = request_bytes(
        &env.host(),
        "POST",
        pq.as_bytes(),
        &[
            format!("authorization: Bearer {}", alice.token),
            "content-type: application/json".into(),
        ],
        body.len(),
    );
    let addr = env.emu.addr;
    let a = tokio::task::spawn_blocking(move || raw(addr, &head, &body))
        .await
        .expect("raw")
        .expect("answer");
    assert_eq!(a.status, 413);
    assert_error_shape(&pq, &a);
    assert_eq!(
        env.all_messages(&alice, &thread, 50)
            .await
            .iter()
            .filter(|m| m["type"] == "text")
            .count(),
        0
    );
}
