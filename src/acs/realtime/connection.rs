//! One connection's life, as the Trouter client lives it: allocate (with the cached
//! connect parameters on a reconnect), handshake, open the socket, wait for
//! `trouter.connected`, register, then answer heartbeats, ping, answer pushed
//! requests and re-register until the socket ends. Every way it can end is a
//! [`Ended`] with a reason; none is a panic or a hang.

use std::collections::HashMap;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use super::setup::{Allocation, Services, parse_url, registration_ttl};
use super::socket::{self, Ws};
use super::{Client, PushState, Update, events};
use crate::wire::socketio::{self as frames, Frame};

/// How long a connection must have been live for its end to reset the backoff.
const STEADY: Duration = Duration::from_secs(30);
/// How long closing a socket may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How a connection ended.
pub struct Ended {
    pub reason: String,
    /// The service refused the token: reconnect with a fresh one.
    pub unauthorized: bool,
    /// It had been live for a while ([`STEADY`]), so a reconnect may follow at once.
    pub was_live: bool,
    /// The consumer is gone or asked to stop: no reconnect.
    pub stop: bool,
}

impl Ended {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            unauthorized: false,
            was_live: false,
            stop: false,
        }
    }

    fn from_error(step: &str, e: &super::super::Error) -> Self {
        let reason = match e.status() {
            Some(status) => format!("{step} answered {status}"),
            None => format!("{step}: {}", e.message()),
        };
        Self {
            unauthorized: e.is_unauthorized(),
            ..Self::new(reason)
        }
    }

    fn stopped() -> Self {
        Self {
            stop: true,
            ..Self::new("stopped")
        }
    }
}

/// The client's own event ids, acked by the server.
#[derive(Clone, Copy, Debug)]
enum Awaiting {
    Ping,
    Activity,
}

impl Client {
    /// One connection from allocation to its end.
    /// One connection, from the configuration call to its end. A refused token, at
    /// any step, is dropped so that the next attempt asks the credential for a fresh one.
    pub(super) async fn connect_once(&mut self, tx: &mpsc::Sender<Update>) -> Ended {
        let end = self.connect_and_serve(tx).await;
        if end.unauthorized
            && let Ok(token) = self.http.credential.token().await
        {
            self.http.credential.invalidate(&token);
        }
        end
    }

    async fn connect_and_serve(&mut self, tx: &mpsc::Sender<Update>) -> Ended {
        let services = match &self.services {
            Some(s) => s.clone(),
            None => match self.http.services(&self.endpoint).await {
                Ok(s) => {
                    self.services = Some(s.clone());
                    s
                }
                Err(e) => return Ended::from_error("the configuration call", &e),
            },
        };
        self.attempt = self.attempt.wrapping_add(1);
        let alloc_url = match self.allocation_url(&services) {
            Ok(u) => u,
            Err(e) => return Ended::from_error("the allocation", &e),
        };
        let alloc = match self.http.allocate(alloc_url).await {
            Ok(a) => a,
            Err(e) => {
                // Cached parameters may be what was refused: the next attempt starts afresh.
                self.cached = None;
                if e.status() == Some(404) {
                    self.services = None;
                }
                return Ended::from_error("the allocation", &e);
            }
        };
        self.cached = Some((alloc.socketio.clone(), alloc.connect_params.clone()));
        let query = self.socket_query(&alloc);
        let handshake = match parse_url(&format!(
            "{}socket.io/1/?{query}&t={}",
            origin(&alloc.socketio),
            now_ms()
        )) {
            Ok(url) => self.http.handshake(url).await,
            Err(e) => Err(e),
        };
        let handshake = match handshake {
            Ok(h) => h,
            Err(e) => return Ended::from_error("the socket.io handshake", &e),
        };
        let ws_url = match socket::socket_url(&alloc.socketio, &handshake.sid, &query) {
            Ok(u) => u,
            Err(e) => return Ended::from_error("the socket", &e),
        };
        let mut ws =
            match socket::open(&ws_url, self.tls.clone(), self.options.connect_timeout).await {
                Ok(ws) => ws,
                Err(e) => return Ended::from_error("the socket", &e),
            };
        let silence = handshake.heartbeat.map(|h| h + Duration::from_secs(2));
        if let Err(end) = self.until_connected(&mut ws, silence).await {
            return end;
        }
        if let Err(e) = self.register(&services, &alloc).await {
            return Ended::from_error("the registrar", &e);
        }
        self.registered = Some(services.registrar.clone());
        if tx.send(Update::State(PushState::Live)).await.is_err() {
            return Ended::stopped();
        }
        let live_since = tokio::time::Instant::now();
        let mut end = self.live(&mut ws, tx, silence, &services, &alloc).await;
        // Only a connection that stayed up resets the backoff: a service that accepts
        // and drops at once must not be reconnected to twice a second forever.
        end.was_live = live_since.elapsed() >= STEADY;
        // A peer that stopped reading must not hold the close forever.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, ws.close(None)).await;
        end
    }

    fn allocation_url(&self, services: &Services) -> super::super::Result<Url> {
        let mut url = parse_url(&format!("{}/v4/a", services.trouter))?;
        // Cached parameters are dropped when they expire within the hour, as the
        // client does (`se` is ms since the epoch).
        let fresh = self.cached.as_ref().filter(|(_, p)| {
            p.get("se")
                .and_then(|se| se.parse::<i64>().ok())
                .is_some_and(|se| se > now_ms().saturating_add(3_600_000))
        });
        if let Some((socketio, _)) = fresh {
            url = socketio.join("v4/a").map_err(|e| {
                super::super::Error::invalid_response(format!("bad socketio URL: {e}"))
            })?;
        }
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("cor_id", &self.session_id);
            q.append_pair("con_num", &format!("{}_{}", self.client_id, self.attempt));
            q.append_pair("epid", &self.registration_id);
            if let Some((_, params)) = fresh {
                for (k, v) in params {
                    q.append_pair(k, v);
                }
                if !params.contains_key("v") {
                    q.append_pair("v", "v4");
                }
            }
        }
        Ok(url)
    }

    /// The socket.io query: the connect parameters, then the client's fields.
    fn socket_query(&self, alloc: &Allocation) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &alloc.connect_params {
            q.append_pair(k, v);
        }
        let client_info =
            json!({"cv": self.cv(), "ua": "acs-chat", "hr": "", "v": env!("CARGO_PKG_VERSION")});
        q.append_pair("v", "v4")
            .append_pair("tc", &client_info.to_string())
            .append_pair("timeout", "40")
            .append_pair("auth", "true")
            .append_pair("epid", &self.registration_id)
            .append_pair("userActivity", &activity(self.cv()).to_string());
        if let Some(ccid) = &alloc.ccid {
            q.append_pair("ccid", ccid);
        }
        q.append_pair("cor_id", &self.session_id)
            .append_pair("con_num", &format!("{}_{}", self.client_id, self.attempt));
        q.finish()
    }

    fn cv(&self) -> String {
        format!("{}.{}", self.session_id, self.attempt)
    }

    async fn register(&self, services: &Services, alloc: &Allocation) -> super::super::Result<()> {
        self.http
            .register(
                &services.registrar,
                &self.registration_id,
                &alloc.surl,
                alloc.ttl,
            )
            .await
    }

    /// Waits for `1::` and `trouter.connected` within the connect timeout.
    async fn until_connected(&self, ws: &mut Ws, silence: Option<Duration>) -> Result<(), Ended> {
        let deadline = Instant::now() + self.options.connect_timeout;
        let mut opened = false;
        loop {
            let frame = tokio::select! {
                f = next_frame(ws) => f?,
                () = sleep_until(deadline) => {
                    return Err(Ended::new(format!("the push service did not connect within {:?}", self.options.connect_timeout)));
                }
                () = sleep_or_forever(silence) => {
                    return Err(Ended::new("the push service fell silent"));
                }
            };
            match frame {
                Frame::Connect => opened = true,
                Frame::Heartbeat => send(ws, frames::HEARTBEAT.to_owned()).await?,
                Frame::Event { name, .. } if name == "trouter.connected" && opened => return Ok(()),
                other => {
                    if let Some(end) = ends(&other) {
                        return Err(end);
                    }
                }
            }
        }
    }

    /// The live socket: until it ends, or the consumer is gone.
    async fn live(
        &mut self,
        ws: &mut Ws,
        tx: &mpsc::Sender<Update>,
        silence: Option<Duration>,
        services: &Services,
        alloc: &Allocation,
    ) -> Ended {
        let o = self.options.clone();
        let far = Duration::from_secs(365 * 86_400);
        let mut heard = Instant::now();
        let mut next_ping = Instant::now() + o.ping_every;
        let ttl = registration_ttl(alloc.ttl);
        let refresh_in =
            |ttl: Duration| ttl.checked_sub(Duration::from_secs(30)).unwrap_or(ttl / 2);
        let mut reregister = Instant::now() + refresh_in(ttl);
        let mut awaiting: HashMap<u64, (Instant, Awaiting)> = HashMap::new();
        let activity_id = self.next_id();
        awaiting.insert(
            activity_id,
            (Instant::now() + o.activity_timeout, Awaiting::Activity),
        );
        let frame = frames::event(
            Some(activity_id),
            "user.activity",
            Some(json!([activity(self.cv())])),
        );
        if let Err(end) = send(ws, frame).await {
            return end;
        }
        loop {
            let silent_at = silence.map_or(heard + far, |s| heard + s);
            let ack_due = awaiting
                .values()
                .map(|(d, _)| *d)
                .min()
                .unwrap_or(heard + far);
            let wake = silent_at.min(next_ping).min(reregister).min(ack_due);
            let frame = tokio::select! {
                f = next_frame(ws) => match f {
                    Ok(f) => f,
                    Err(end) => return end,
                },
                () = sleep_until(wake) => {
                    let now = Instant::now();
                    if now >= silent_at {
                        return Ended::new(format!("the push service was silent for {} s", silence.unwrap_or(far).as_secs()));
                    }
                    if let Some((_, what)) = awaiting.values().find(|(d, _)| *d <= now) {
                        return Ended::new(format!("the push service did not answer a {what:?} in time").to_lowercase());
                    }
                    if now >= next_ping {
                        let id = self.next_id();
                        awaiting.insert(id, (now + o.pong_timeout, Awaiting::Ping));
                        next_ping = now + o.ping_every;
                        if let Err(end) = send(ws, frames::event(Some(id), "ping", None)).await {
                            return end;
                        }
                    }
                    if now >= reregister {
                        if let Err(e) = self.register(services, alloc).await {
                            return Ended::from_error("the registrar", &e);
                        }
                        reregister = now + refresh_in(ttl);
                    }
                    continue;
                }
            };
            heard = Instant::now();
            match frame {
                Frame::Heartbeat => {
                    if let Err(end) = send(ws, frames::HEARTBEAT.to_owned()).await {
                        return end;
                    }
                }
                Frame::Ack(id) => {
                    awaiting.remove(&id);
                }
                Frame::Message(data) => {
                    let (reply, event) = answer(&data);
                    if let Some(reply) = reply
                        && let Err(end) = send(ws, reply).await
                    {
                        return end;
                    }
                    if let Some(event) = event
                        && tx.send(Update::Event(event)).await.is_err()
                    {
                        return Ended::stopped();
                    }
                }
                Frame::Event { name, .. } if name == "trouter.reconnect" => {
                    return Ended::new("the push service asked for a reconnect");
                }
                other => {
                    if let Some(end) = ends(&other) {
                        return end;
                    }
                }
            }
        }
    }

    fn next_id(&mut self) -> u64 {
        self.event_id = self.event_id.wrapping_add(1);
        self.event_id
    }
}

/// Frames that end a connection.
fn ends(frame: &Frame) -> Option<Ended> {
    match frame {
        Frame::Disconnect(reason) => Some(Ended {
            unauthorized: reason == "unauthorized",
            ..Ended::new(match reason.as_str() {
                "" => "the push service disconnected".to_owned(),
                r => format!("the push service disconnected ({})", printable(r)),
            })
        }),
        Frame::Error(e) => Some(Ended::new(format!(
            "the push service reported an error ({})",
            printable(e)
        ))),
        _ => None,
    }
}

/// Answers a pushed request: 200 for an event we parsed, 404 (as the official
/// client for a request no handler takes) otherwise. A request we cannot read has
/// no id to answer to; it is dropped (and logged), as the official client does.
fn answer(data: &str) -> (Option<String>, Option<events::ChatEvent>) {
    let request: Option<(u64, String)> = serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| Some((v.get("id")?.as_u64()?, v.get("body")?.as_str()?.to_owned())));
    let Some((id, body)) = request else {
        tracing::warn!("push: a pushed request that is not one; dropped");
        return (None, None);
    };
    let started = std::time::Instant::now();
    let event = events::parse(&body);
    if let Err(e) = &event {
        tracing::warn!(error = %e, "push: an event we cannot read; answered 404");
    }
    let mut headers = json!({ "trouter-client": json!({"cd": started.elapsed().as_millis() as u64}).to_string() });
    let status = if event.is_ok() {
        200
    } else {
        headers["Trouter-Responder"] = json!("ClientLib");
        404
    };
    let reply =
        frames::message(json!({ "id": id, "status": status, "headers": headers, "body": "" }));
    (Some(reply), event.ok())
}

async fn next_frame(ws: &mut Ws) -> Result<Frame, Ended> {
    loop {
        match ws.next().await {
            None | Some(Ok(Message::Close(_))) => {
                return Err(Ended::new("the push service closed the socket"));
            }
            Some(Err(e)) => return Err(Ended::new(format!("the socket failed: {e}"))),
            Some(Ok(Message::Text(t))) => {
                return frames::parse(t.as_str())
                    .map_err(|e| Ended::new(format!("the push service sent {e}")));
            }
            Some(Ok(Message::Binary(_))) => {
                return Err(Ended::new("the push service sent a binary frame"));
            }
            // WebSocket pings are answered by the library.
            Some(Ok(_)) => continue,
        }
    }
}

async fn send(ws: &mut Ws, frame: String) -> Result<(), Ended> {
    match tokio::time::timeout(Duration::from_secs(10), ws.send(Message::text(frame))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(Ended::new("the socket broke while sending")),
    }
}

async fn sleep_or_forever(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

fn activity(cv: String) -> Value {
    json!({ "state": "active", "cv": cv })
}

/// `scheme://host:port/` of a URL.
fn origin(url: &Url) -> String {
    format!("{}/", url.origin().ascii_serialization())
}

fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
