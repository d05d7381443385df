//! The push client across a connection's life: a reconnect goes back with the
//! allocation's cached connect parameters (against the real emulator, through a proxy
//! that can cut the socket), and the registration is refreshed before it expires
//! (against a scripted Trouter whose allocation gives a short TTL).

mod cli_common;
mod common;
mod push_common;
mod push_script;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acs_chat::acs::realtime::{ChatEvent, PushOptions, PushState, Update};
use acs_chat::acs::{HttpExchange, HttpObserver};
use cli_common::fake_token;
use common::Env;
use push_common::{next, next_event, push_at, push_observed, until_live};
use push_script::{Script, socket_server, trouter};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

fn options() -> PushOptions {
    PushOptions {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        ..PushOptions::default()
    }
}

/// Every HTTP exchange of a client, as its observer saw it.
#[derive(Default)]
struct Exchanges(Mutex<Vec<HttpExchange>>);

impl HttpObserver for Exchanges {
    fn exchange(&self, e: &HttpExchange) {
        if let Ok(mut all) = self.0.lock() {
            all.push(e.clone());
        }
    }
}

impl Exchanges {
    /// The exchanges of `method` whose URL path ends with `path`.
    fn of(&self, method: &str, path: &str) -> Vec<HttpExchange> {
        let all = self.0.lock().map(|a| a.clone()).unwrap_or_default();
        all.into_iter()
            .filter(|e| {
                let url = url::Url::parse(&e.url).expect("a URL");
                e.method == method && url.path().ends_with(path)
            })
            .collect()
    }
}

/// A TCP proxy to `upstream` on a free port whose connections can all be cut at once.
struct Proxy {
    port: u16,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let kept = links.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                if let Ok(mut l) = kept.lock() {
                    l.push(link);
                }
            }
        });
        Self { port, links }
    }

    /// Drops every connection made so far (both sides).
    fn cut(&self) {
        if let Ok(mut l) = self.links.lock() {
            for link in l.drain(..) {
                link.abort();
            }
        }
    }
}

fn query(e: &HttpExchange, name: &str) -> Option<String> {
    let url = url::Url::parse(&e.url).expect("a URL");
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn answer(e: &HttpExchange) -> Value {
    serde_json::from_str(e.response_body.as_deref().unwrap_or("null")).expect("a JSON answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_reuses_the_cached_connect_parameters_and_keeps_its_connection() {
    let env = Env::start().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let emulator: std::net::SocketAddr = env.host().parse().expect("the emulator's address");
    let proxy = Proxy::start(emulator).await;
    let seen = Arc::new(Exchanges::default());
    let mut push = push_observed(
        &format!("https://127.0.0.1:{}/", proxy.port),
        env.emu.cert_pem.clone(),
        &bob.token,
        options(),
        Some(seen.clone()),
    );
    until_live(&mut push).await;

    proxy.cut();
    let mut went_down = false;
    loop {
        match next(&mut push, 20).await {
            Update::State(PushState::Down { .. }) => went_down = true,
            Update::State(PushState::Live) if went_down => break,
            Update::State(_) => {}
            Update::Event(e) => panic!("an event while reconnecting: {e:?}"),
        }
    }

    let allocations = seen.of("POST", "/v4/a");
    let [first, again] = allocations.as_slice() else {
        panic!("expected one allocation per connection, got {allocations:?}");
    };
    let given = answer(first);
    let params = &given["connectparams"];
    assert!(params.is_object(), "{given}");
    // The first goes without parameters; the reconnect carries them (the signature
    // is redacted in what the observer sees, but sent).
    assert_eq!(query(first, "sr"), None);
    assert_eq!(query(again, "sr").as_deref(), params["sr"].as_str());
    assert_eq!(
        query(again, "se"),
        Some(params["se"].to_string().trim_matches('"').to_owned())
    );
    assert!(query(again, "sig").is_some(), "{}", again.url);
    assert_eq!(query(again, "v").as_deref(), Some("v4"));
    assert_eq!(query(first, "epid"), query(again, "epid"));
    // The service recognised them: the same connection, not a new one.
    let id = given["id"].as_str().expect("a connection id");
    assert_eq!(answer(again)["id"].as_str(), Some(id));
    // The configuration was not asked for again.
    assert_eq!(
        seen.of("GET", "/chat/config/realTimeNotifications").len(),
        1
    );
    // And events arrive over the new socket.
    let thread = env.thread(&alice, "after the cut", &[&bob]).await;
    let ChatEvent::ThreadCreated(t) = next_event(&mut push).await else {
        panic!("not a created thread");
    };
    assert_eq!(t.thread_id, thread);
}

/// The times of the first `count` registrations of a push client whose allocation
/// gives a TTL of `ttl` seconds, and the TTL each asked for; push must stay live.
async fn registrations(ttl: u64, count: usize) -> Vec<(Instant, Value)> {
    let registered: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
    let tap = registered.clone();
    let socket = socket_server(Script::Steady).await;
    let endpoint = trouter(Some(socket), 200, ttl, move |r| {
        if r.method == "POST"
            && r.path.starts_with("/v3/registrations")
            && let Ok(mut all) = tap.lock()
        {
            let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
            all.push((
                Instant::now(),
                body["transports"]["TROUTER"][0]["ttl"].clone(),
            ));
        }
    });
    let mut push = push_at(&endpoint, None, &fake_token(), options());
    until_live(&mut push).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = registered.lock().map(|r| r.clone()).unwrap_or_default();
        if got.len() >= count {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{} registrations in 20 s with a TTL of {ttl} s",
            got.len()
        );
        if let Ok(Some(Update::State(state))) =
            tokio::time::timeout(Duration::from_millis(100), push.next()).await
        {
            assert_eq!(state, PushState::Live, "push left live");
        }
    }
}

/// Registered for 31 s, the client registers again 30 s before that runs out, as
/// the official client does, and again after each refresh.
#[tokio::test]
async fn the_registration_is_refreshed_thirty_seconds_before_it_expires() {
    let times = registrations(31, 3).await;
    // Due 1 s after each; well before 15.5 s (halfway) and 31 s (expired).
    each_refresh_within(&times, Duration::from_secs(5));
    assert!(times.iter().all(|(_, ttl)| ttl == 31), "{times:?}");
}

/// A TTL shorter than the 30 s margin is refreshed halfway, still before it runs out.
#[tokio::test]
async fn a_registration_shorter_than_the_margin_is_refreshed_before_it_expires() {
    let times = registrations(2, 3).await;
    each_refresh_within(&times, Duration::from_secs(2));
}

/// Each registration follows the one before within `within`, and not at once (a
/// client that re-registers in a loop is no better than one that never does).
fn each_refresh_within(times: &[(Instant, Value)], within: Duration) {
    for pair in times.windows(2) {
        let gap = pair[1].0.duration_since(pair[0].0);
        assert!(
            gap >= Duration::from_millis(500) && gap < within,
            "a refresh {gap:?} after the registration before (want under {within:?})"
        );
    }
}
