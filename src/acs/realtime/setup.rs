//! The HTTP steps before and beside the socket, as the signaling client makes them:
//! the configuration call (bearer token), the Trouter allocation and the socket.io
//! handshake (`X-Skypetoken`), and the registrar. All go through [`Transport`], so
//! they share its TLS roots, the plain-http guard, redacted logging, and the
//! refresh-once on a 401.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::super::error::{Error, Result};
use super::super::token::TokenCredential;
use super::super::transport::{Auth, Call, Response, Transport};
use super::super::urls;

/// The api-version the signaling client sends on the configuration call.
pub const CONFIG_API_VERSION: &str = "2024-09-01";
/// The registrar TTL the client asks for at most (`maxRegistrationTimeInMs`).
const MAX_REGISTRATION_TTL_S: u64 = 7200;
/// The app and template the ACS web client registers with.
const APP_ID: &str = "AcsWeb";
const TEMPLATE: &str = "AcsWeb_Chat_2.1";

/// Where the Trouter service and the registrar are.
#[derive(Debug, Clone)]
pub struct Services {
    pub trouter: String,
    pub registrar: String,
}

/// What an allocation gives a connection.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// Base of the socket.io connection (`origin/`).
    pub socketio: Url,
    /// The path the registrar is told events go to.
    pub surl: String,
    pub ccid: Option<String>,
    /// Signed parameters, sent on the handshake and cached for a reconnect.
    pub connect_params: BTreeMap<String, String>,
    pub ttl: Duration,
}

/// The socket.io handshake's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    pub sid: String,
    /// The server's heartbeat timeout; the socket is dead after this + 2 s of silence.
    pub heartbeat: Option<Duration>,
}

/// The HTTP side of one push client.
#[derive(Clone)]
pub struct Http {
    pub transport: Transport,
    pub credential: TokenCredential,
}

impl Http {
    async fn call(
        &self,
        method: Method,
        url: Url,
        skype: bool,
        body: Option<(Vec<u8>, &'static str)>,
    ) -> Result<Response> {
        let auth = if skype {
            Auth::Skype(&self.credential)
        } else {
            Auth::Bearer(&self.credential)
        };
        let mut call = Call::idempotent(method, url, auth);
        if let Some((body, content_type)) = body {
            call.body = body;
            call.content_type = Some(content_type);
        }
        self.transport.send(call).await
    }

    /// `GET {endpoint}/chat/config/realTimeNotifications`: 200 with three non-empty fields.
    pub async fn services(&self, endpoint: &Url) -> Result<Services> {
        let endpoint = urls::normalize_endpoint(endpoint.clone())?;
        let url = urls::build(
            &endpoint,
            "chat/config/realTimeNotifications",
            CONFIG_API_VERSION,
            &[],
        )?;
        let r = self.call(Method::GET, url, false, None).await?;
        if r.status != 200 {
            return Err(invalid(format!(
                "the configuration call answered {}, not 200",
                r.status
            )));
        }
        let v: Value = r.json("real-time configuration")?;
        let field = |name: &str| {
            v.get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_end_matches('/').to_owned())
                .ok_or_else(|| invalid(format!("the real-time configuration has no {name}")))
        };
        field("cloudType")?;
        Ok(Services {
            trouter: field("trouterServiceUrl")?,
            registrar: field("registrarServiceUrl")?,
        })
    }

    /// `POST …/v4/a`: a connection. `url` is the allocation URL with its query.
    pub async fn allocate(&self, url: Url) -> Result<Allocation> {
        let r = self
            .call(Method::POST, url, true, Some((Vec::new(), "text/plain")))
            .await?;
        let v: Value = r.json("Trouter allocation")?;
        parse_allocation(&v)
    }

    /// `GET {socketio}socket.io/1/?…`: `sid:heartbeat:close:transports`.
    pub async fn handshake(&self, url: Url) -> Result<Handshake> {
        let r = self.call(Method::GET, url, true, None).await?;
        let text = String::from_utf8(r.body)
            .map_err(|_| invalid("the socket.io handshake is not text"))?;
        parse_handshake(&text)
    }

    /// `POST {registrar}/v3/registrations`: events for `registration_id` go to `surl`.
    pub async fn register(
        &self,
        registrar: &str,
        registration_id: &str,
        surl: &str,
        ttl: Duration,
    ) -> Result<()> {
        let url = parse_url(&format!("{registrar}/v3/registrations"))?;
        let body = serde_json::json!({
            "clientDescription": {
                "appId": APP_ID,
                "aesKey": "",
                "languageId": "en-US",
                "platform": "SPOOL",
                "templateKey": TEMPLATE,
                "platformUIVersion": "0.0.0",
            },
            "registrationId": registration_id,
            "nodeId": "",
            "transports": { "TROUTER": [{ "context": "", "path": surl, "ttl": registration_ttl(ttl).as_secs() }] },
        });
        self.call(
            Method::POST,
            url,
            true,
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await
        .map(drop)
    }

    /// `DELETE {registrar}/v3/registrations/{id}`, on stop.
    pub async fn unregister(&self, registrar: &str, registration_id: &str) -> Result<()> {
        let id = urls::segment("registration id", registration_id)?;
        let url = parse_url(&format!("{registrar}/v3/registrations/{id}"))?;
        self.call(Method::DELETE, url, true, None).await.map(drop)
    }
}

/// The TTL registered: the connection's, at most two hours.
pub fn registration_ttl(connection_ttl: Duration) -> Duration {
    connection_ttl.min(Duration::from_secs(MAX_REGISTRATION_TTL_S))
}

pub fn parse_url(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| invalid(format!("{s:?} is not a URL: {e}")))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid_response(message)
}

/// The allocation's fields the client uses; `ttl` is seconds, a string or a number.
fn parse_allocation(v: &Value) -> Result<Allocation> {
    let text = |name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let socketio =
        parse_url(text("socketio").ok_or_else(|| invalid("the allocation has no socketio URL"))?)?;
    if !matches!(socketio.scheme(), "https" | "http") || socketio.host_str().is_none() {
        return Err(invalid("the allocation's socketio URL is not http(s)"));
    }
    let surl = text("surl").ok_or_else(|| invalid("the allocation has no surl"))?;
    let mut connect_params = BTreeMap::new();
    if let Some(params) = v.get("connectparams") {
        let params = params
            .as_object()
            .ok_or_else(|| invalid("the allocation's connectparams is not an object"))?;
        for (k, p) in params {
            let value = match p {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(invalid(format!("connect parameter {k} is not a string"))),
            };
            connect_params.insert(k.clone(), value);
        }
    }
    let ttl = match v.get("ttl") {
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .filter(|t| *t > 0)
    .ok_or_else(|| invalid("the allocation has no positive ttl"))?;
    Ok(Allocation {
        socketio,
        surl: surl.to_owned(),
        ccid: text("ccid").map(str::to_owned),
        connect_params,
        // Longer than a year is a mistake; a year keeps every timer in range.
        ttl: Duration::from_secs(ttl.min(365 * 86_400)),
    })
}

/// `sid:heartbeat:close:transports`; the session id goes into a URL path.
fn parse_handshake(text: &str) -> Result<Handshake> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let [sid, heartbeat, _close, transports] = parts.as_slice() else {
        return Err(invalid(format!(
            "the socket.io handshake {:?} is not sid:heartbeat:close:transports",
            preview(text)
        )));
    };
    if sid.is_empty()
        || sid.len() > 128
        || !sid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(invalid("the socket.io handshake's session id is not valid"));
    }
    if !transports.split(',').any(|t| t.trim() == "websocket") {
        return Err(invalid(
            "the socket.io handshake offers no websocket transport",
        ));
    }
    let heartbeat = match heartbeat.trim() {
        "" => None,
        s => Some(
            s.parse::<u64>()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .map(Duration::from_secs)
                .ok_or_else(|| invalid("the socket.io handshake's heartbeat is not 1-3600 s"))?,
        ),
    };
    Ok(Handshake {
        sid: (*sid).to_owned(),
        heartbeat,
    })
}

fn preview(s: &str) -> String {
    s.chars().take(40).filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshakes() {
        assert_eq!(
            parse_handshake("abc:60:60:websocket,xhr-polling").ok(),
            Some(Handshake {
                sid: "abc".into(),
                heartbeat: Some(Duration::from_secs(60))
            })
        );
        assert_eq!(
            parse_handshake("abc::60:websocket")
                .ok()
                .and_then(|h| h.heartbeat),
            None
        );
        for bad in [
            "",
            "abc",
            "abc:60:60:xhr-polling",
            ":60:60:websocket",
            "a/b:60:60:websocket",
            "abc:x:60:websocket",
            "abc:0:60:websocket",
            "abc:99999999999999999999:1:websocket",
        ] {
            assert!(parse_handshake(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn allocations() {
        let good = serde_json::json!({
            "socketio": "https://127.0.0.1:1/", "surl": "https://127.0.0.1:1/v4/f/x/",
            "url": "https://127.0.0.1:1/v4/f/x/", "id": "x", "ccid": "x",
            "connectparams": {"sr": "x", "se": 1, "sig": "s"}, "ttl": "86400",
        });
        let a = parse_allocation(&good).expect("good");
        assert_eq!(a.ttl, Duration::from_secs(86_400));
        assert_eq!(a.connect_params.get("se").map(String::as_str), Some("1"));
        assert_eq!(registration_ttl(a.ttl), Duration::from_secs(7200));
        for (field, value) in [
            ("socketio", serde_json::json!("not a url")),
            ("socketio", serde_json::json!("ftp://x/")),
            ("surl", serde_json::json!("")),
            ("connectparams", serde_json::json!([1])),
            ("connectparams", serde_json::json!({"a": {}})),
            ("ttl", serde_json::json!("-5")),
            ("ttl", serde_json::json!(0)),
            ("ttl", Value::Null),
        ] {
            let mut bad = good.clone();
            bad[field] = value;
            assert!(parse_allocation(&bad).is_err(), "{field}");
        }
    }
}
