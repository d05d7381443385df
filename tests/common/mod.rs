//! Test helpers: an in-process emulator, a reqwest client that trusts its
//! certificate, HMAC-signed Identity calls and bearer-token Chat calls.
#![allow(dead_code)]

use acs_chat::emulator::{self, EmulatorConfig, RunningEmulator};
use acs_chat::local;
use acs_chat::wire::http_date;
use acs_chat::wire::signing;
use base64::Engine as _;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub const CHAT: &str = "api-version=2024-03-07";
pub const IDENTITY: &str = "api-version=2023-10-01";

pub struct Env {
    pub emu: RunningEmulator,
    pub client: reqwest::Client,
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub key: Vec<u8>,
}

pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn client_for(emu: &RunningEmulator) -> reqwest::Client {
    install_provider();
    let mut b = reqwest::Client::builder();
    if let Some(pem) = &emu.cert_pem {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes()).expect("emulator cert parses");
        b = b.tls_certs_only([cert]);
    }
    b.build().expect("client builds")
}

impl Env {
    pub async fn start() -> Self {
        Self::start_with(EmulatorConfig::for_tests()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Self {
        let key = base64::engine::general_purpose::STANDARD
            .decode(&config.access_key)
            .expect("key is base64");
        let emu = emulator::start(config).await.expect("emulator starts");
        let client = client_for(&emu);
        let base = emu.endpoint.trim_end_matches('/').to_owned();
        Self {
            emu,
            client,
            base,
            key,
        }
    }

    /// Host header value the client sends (authority of the endpoint).
    pub fn host(&self) -> String {
        self.base.split("://").nth(1).unwrap_or_default().to_owned()
    }

    /// An HMAC-signed request (signature over `path_and_query`, `date` and `body`).
    pub async fn signed_with(
        &self,
        method: Method,
        path_and_query: &str,
        body: &[u8],
        key: &[u8],
        date: &str,
        hash_override: Option<&str>,
    ) -> Response {
        let hash = signing::content_hash(body);
        let s = signing::string_to_sign(method.as_str(), path_and_query, date, &self.host(), &hash);
        let auth = signing::authorization_header(&signing::signature(key, &s));
        self.client
            .request(method, format!("{}{path_and_query}", self.base))
            .header("x-ms-date", date)
            .header("x-ms-content-sha256", hash_override.unwrap_or(&hash))
            .header("authorization", auth)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .expect("request sent")
    }

    pub async fn signed(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Value>,
    ) -> Response {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let date = http_date::format(time::OffsetDateTime::now_utc());
        self.signed_with(
            method,
            path_and_query,
            &body,
            &self.key.clone(),
            &date,
            None,
        )
        .await
    }

    /// A new user with a chat token.
    pub async fn user(&self) -> User {
        let r = self
            .signed(
                Method::POST,
                &format!("/identities?{IDENTITY}"),
                Some(json!({"createTokenWithScopes": ["chat"]})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.expect("json");
        User {
            id: v["identity"]["id"].as_str().expect("id").to_owned(),
            token: v["accessToken"]["token"]
                .as_str()
                .expect("token")
                .to_owned(),
        }
    }

    /// A chat request as `token`; `path_and_query` gets the chat api-version appended
    /// unless it already has one.
    pub async fn chat(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let url = if path.contains("api-version=") {
            format!("{}{path}", self.base)
        } else if path.contains('?') {
            format!("{}{path}&{CHAT}", self.base)
        } else {
            format!("{}{path}?{CHAT}", self.base)
        };
        self.raw_chat(method, &url, token, body).await
    }

    /// A chat GET as `token`, its body as JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        self.chat(Method::GET, path, token, None)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    pub async fn raw_chat(
        &self,
        method: Method,
        url: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let mut r = self.client.request(method, url).bearer_auth(token);
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        r.send().await.expect("request sent")
    }

    /// The client library's Chat client as `user`, trusting only this emulator.
    pub fn chat_client(&self, user: &User) -> acs_chat::acs::ChatClient {
        use acs_chat::acs::{ChatClient, HttpConfig, TokenCredential, Transport};
        let pem = self.emu.cert_pem.clone().expect("tls").into_bytes();
        let transport = Transport::new(HttpConfig {
            extra_ca_pem: vec![pem],
            trust_only_extra_ca: true,
            ..HttpConfig::default()
        })
        .expect("transport");
        let endpoint = url::Url::parse(&self.emu.endpoint).expect("endpoint");
        ChatClient::new(
            endpoint,
            TokenCredential::from_token(user.token.clone()).expect("jwt"),
            transport,
        )
    }

    /// Creates a thread by `owner` with `others`, sending `repeat_id` as its
    /// repeatability-request-id; returns its id.
    pub async fn thread_once(&self, owner: &User, others: &[&User], repeat_id: &str) -> String {
        let participants: Vec<Value> = std::iter::once(owner)
            .chain(others.iter().copied())
            .map(|u| json!({"communicationIdentifier": ident(&u.id)}))
            .collect();
        let r = self
            .client
            .post(format!("{}/chat/threads?{CHAT}", self.base))
            .bearer_auth(&owner.token)
            .header("repeatability-request-id", repeat_id)
            .json(&json!({"topic": "once", "participants": participants}))
            .send()
            .await
            .expect("request sent");
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.expect("json");
        v["chatThread"]["id"]
            .as_str()
            .expect("thread id")
            .to_owned()
    }

    /// Creates a thread by `owner` with `others`; returns its id.
    pub async fn thread(&self, owner: &User, topic: &str, others: &[&User]) -> String {
        let participants: Vec<Value> = std::iter::once(owner)
            .chain(others.iter().copied())
            .map(|u| json!({"communicationIdentifier": ident(&u.id), "displayName": u.id.chars().rev().take(4).collect::<String>()}))
            .collect();
        let r = self
            .chat(
                Method::POST,
                "/chat/threads",
                &owner.token,
                Some(json!({"topic": topic, "participants": participants})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.expect("json");
        v["chatThread"]["id"]
            .as_str()
            .expect("thread id")
            .to_owned()
    }

    pub async fn send(&self, user: &User, thread: &str, text: &str) -> String {
        let r = self
            .chat(
                Method::POST,
                &format!("/chat/threads/{}/messages", enc(thread)),
                &user.token,
                Some(json!({"content": text})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.expect("json");
        v["id"].as_str().expect("message id").to_owned()
    }

    /// Every message of a thread, following nextLinks.
    pub async fn all_messages(&self, user: &User, thread: &str, page: usize) -> Vec<Value> {
        let mut out = Vec::new();
        let mut url = format!(
            "{}/chat/threads/{}/messages?maxPageSize={page}&{CHAT}",
            self.base,
            enc(thread)
        );
        loop {
            let r = self.raw_chat(Method::GET, &url, &user.token, None).await;
            assert_eq!(r.status(), StatusCode::OK);
            let v: Value = r.json().await.expect("json");
            out.extend(v["value"].as_array().cloned().unwrap_or_default());
            match v["nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return out,
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

pub fn ident(id: &str) -> Value {
    json!({"rawId": id, "communicationUser": {"id": id}})
}

/// Percent-encodes an id for a path, as the SDKs do.
pub fn enc(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn local_key() -> &'static str {
    local::DEV_ACCESS_KEY
}

/// The parsed `CommunicationError` code and message of a chat error body.
pub async fn chat_error(r: Response) -> (StatusCode, String, Option<String>) {
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(ct, "application/json", "error content type for {text}");
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let e = &v["CommunicationError"];
    (
        status,
        e["Code"].as_str().unwrap_or_default().to_owned(),
        e["Message"].as_str().map(str::to_owned),
    )
}
