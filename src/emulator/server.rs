//! Starting and stopping: bind the port first (so a second emulator fails fast),
//! lock the data directory, make or load the certificate, open the store, then
//! serve until asked to stop, and close the store before saying it stopped.

use std::fs::File;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
// Without TCP_NODELAY a response written in two parts waits for the client's delayed
// ACK (40 ms on Linux) before its second part goes out.
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::RustlsConfig;
use base64::Engine as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::app::App;
use super::eventgrid::{self, EventGrid, Subscription};
use super::store::{Store, StoreThread, now_ms};
use super::throttle::Throttle;
use super::{EmulatorConfig, EmulatorError, cors, dispatch, realtime, tls};
use crate::{local, paths};

/// How long in-flight requests get to finish on shutdown.
const GRACE: Duration = Duration::from_secs(2);

/// A running emulator.
pub struct RunningEmulator {
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT/` (or http with `tls: false`).
    pub endpoint: String,
    /// `endpoint=...;accesskey=...`.
    pub connection_string: String,
    /// The certificate clients must trust (None over plain http).
    pub cert_pem: Option<String>,
    /// Where that certificate is on disk (None in memory or over http).
    pub cert_path: Option<PathBuf>,
    app: Arc<App>,
    // Options so that both `wait` (which consumes) and `Drop` can take them.
    server: Option<JoinHandle<()>>,
    store_thread: Option<StoreThread>,
    lock: Option<File>,
}

/// Dropping a running emulator without `shutdown`/`wait` still stops it: the
/// server is asked to shut down and the store thread to close.
impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if self.server.is_some() {
            self.app.request_shutdown();
        }
    }
}

/// Lets another task stop the emulator.
#[derive(Clone)]
pub struct Stopper(Arc<App>);

impl Stopper {
    pub fn request_shutdown(&self) {
        self.0.request_shutdown();
    }
}

impl RunningEmulator {
    /// Stops serving (in-flight requests get a short grace period) and closes the store.
    pub async fn shutdown(self) {
        self.app.request_shutdown();
        self.wait().await;
    }

    /// Waits until the emulator stops (shutdown request or idle timeout).
    pub async fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(store) = self.store_thread.take() {
            store.close().await;
        }
        self.lock.take();
    }

    /// TEST ONLY: a chat token for the identity `user` (raw id) that expires after
    /// `lifetime_s` seconds, issued as the Identity API issues tokens. The API's
    /// shortest is an hour; what happens when a token expires on an open socket is
    /// tested with seconds. In process only: nothing on the wire can ask for it.
    #[doc(hidden)]
    pub async fn issue_token_for_tests(&self, user: &str, lifetime_s: u32) -> Option<String> {
        let chat = ["chat".to_owned()];
        super::handlers::identity::issue_for(&self.app, user, &chat, i64::from(lifetime_s))
            .await
            .ok()
            .map(|t| t.token)
    }

    /// A handle that can stop the emulator from elsewhere.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.app.clone())
    }
}

fn lock_data_dir(dir: &std::path::Path) -> Result<File, EmulatorError> {
    let err = |source| EmulatorError::DataDir {
        path: dir.to_owned(),
        source,
    };
    // The database holds the token-signing secret: the directory is private, whoever
    // made it.
    paths::ensure_private_dir(dir).map_err(err)?;
    let path = dir.join("emulator.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(EmulatorError::Locked(dir.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
    }
}

/// The files that hold secrets or what users wrote, 0600 however they were created
/// (SQLite creates its files with the process's umask).
fn make_files_private(dir: &std::path::Path) -> Result<(), EmulatorError> {
    for name in [
        "emulator.db",
        "emulator.db-wal",
        "emulator.db-shm",
        "key.pem",
        "emulator.lock",
        "emulator.log",
        "emulator.log.1",
    ] {
        let path = dir.join(name);
        paths::make_private(&path).map_err(|source| EmulatorError::DataDir { path, source })?;
    }
    Ok(())
}

fn authority(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        addr.ip()
    };
    SocketAddr::new(ip, addr.port()).to_string()
}

pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let access_key = base64::engine::general_purpose::STANDARD
        .decode(config.access_key.trim())
        .ok()
        .filter(|k| !k.is_empty())
        .ok_or(EmulatorError::InvalidAccessKey)?;
    // The development key is published: beyond loopback it would hand the Identity
    // API (and so every thread) to the whole network. Refused rather than warned
    // about, since a background or scripted `serve` has nobody reading its warnings.
    let public_key = base64::engine::general_purpose::STANDARD.decode(local::DEV_ACCESS_KEY);
    if !config.host.is_loopback() && public_key.is_ok_and(|k| k == access_key) {
        return Err(EmulatorError::PublicKeyOnNetwork(config.host));
    }
    let wanted = SocketAddr::new(config.host, config.port);
    let listener = std::net::TcpListener::bind(wanted).map_err(|source| EmulatorError::Bind {
        addr: wanted,
        source,
    })?;
    let addr = listener.local_addr().map_err(EmulatorError::Server)?;
    let lock = config.data_dir.as_deref().map(lock_data_dir).transpose()?;
    let cert = if config.tls {
        Some(
            tls::load_or_create(config.data_dir.as_deref())
                .map_err(|e| EmulatorError::Tls(e.to_string()))?,
        )
    } else {
        None
    };
    let db_path = config.data_dir.as_ref().map(|d| d.join("emulator.db"));
    let (store, store_thread, token_secret) = Store::open(db_path.as_deref(), config.durable)?;
    if let Some(dir) = &config.data_dir {
        make_files_private(dir)?;
    }

    let scheme = if config.tls { "https" } else { "http" };
    let fallback_authority = authority(addr);
    let eventgrid = Arc::new(
        EventGrid::new(config.event_delivery.clone())
            .map_err(|e| EmulatorError::EventGrid(e.to_string()))?,
    );
    let mut given = Vec::new();
    for (i, def) in config.event_subscriptions.iter().enumerate() {
        let sub = Subscription::from_def(def.clone(), i + 1)
            .map_err(|e| EmulatorError::EventGrid(e.to_string()))?;
        if given.iter().any(|g: &Subscription| g.name == sub.name) {
            return Err(EmulatorError::EventGrid(format!(
                "two event subscriptions are named {}",
                sub.name
            )));
        }
        given.push(sub);
    }
    if let Ok(mut b) = eventgrid.base_url.lock() {
        *b = format!("{scheme}://{fallback_authority}");
    }
    let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
    let app = Arc::new(App {
        store,
        token_secret,
        token_liveness: Default::default(),
        access_key,
        resource_id: local::RESOURCE_ID.to_owned(),
        scheme,
        fallback_authority: fallback_authority.clone(),
        throttle: config.throttle.then(Throttle::default),
        faults: config.faults.clone().map(super::faults::Faults::new),
        loopback_hosts_only: !config.tls && config.host.is_loopback(),
        cors_origins: config.cors_origins.clone(),
        quiet_requests: config.quiet_requests,
        last_request_ms: AtomicI64::new(now_ms()),
        realtime: realtime::Realtime::start(),
        eventgrid: eventgrid.clone(),
        shutdown: shutdown_tx,
    });
    eventgrid::manage::start(&app.store, &eventgrid, given)
        .await
        .map_err(|e| EmulatorError::EventGrid(format!("cannot load the subscriptions: {e:?}")))?;
    let routes = realtime::router(app.clone())
        .fallback(dispatch::dispatch)
        .with_state(app.clone());
    // Layers on a router with only a fallback run before routing, so a rewritten
    // path is routed as rewritten.
    let router = Router::new()
        .fallback_service(routes)
        .layer(cors::layer(&config.cors_origins))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            cors::preflights_only,
        ))
        .layer(axum::middleware::from_fn(realtime::collapse_slashes));
    let handle = Handle::<SocketAddr>::new();
    let server = match &cert {
        Some(c) => {
            let tls = RustlsConfig::from_pem(
                c.cert_pem.clone().into_bytes(),
                c.key_pem.clone().into_bytes(),
            )
            .await
            .map_err(|e| EmulatorError::Tls(e.to_string()))?;
            let s = axum_server::from_tcp_rustls(listener, tls)
                .map_err(EmulatorError::Server)?
                .map(|tls| tls.acceptor(NoDelayAcceptor))
                .handle(handle.clone());
            tokio::spawn(async move {
                if let Err(e) = s.serve(router.into_make_service()).await {
                    tracing::error!(error = %e, "server stopped with an error");
                }
            })
        }
        None => {
            let s = axum_server::from_tcp(listener)
                .map_err(EmulatorError::Server)?
                .acceptor(NoDelayAcceptor)
                .handle(handle.clone());
            tokio::spawn(async move {
                if let Err(e) = s.serve(router.into_make_service()).await {
                    tracing::error!(error = %e, "server stopped with an error");
                }
            })
        }
    };
    // Stop the server when anything asks for it.
    tokio::spawn(async move {
        let _ = shutdown_rx.wait_for(|stop| *stop).await;
        handle.graceful_shutdown(Some(GRACE));
    });
    if let Some(idle) = config.idle_timeout {
        spawn_idle_watch(app.clone(), idle);
    }
    let endpoint = format!("{scheme}://{fallback_authority}/");
    Ok(RunningEmulator {
        addr,
        connection_string: format!("endpoint={endpoint};accesskey={}", config.access_key.trim()),
        endpoint,
        cert_pem: cert.as_ref().map(|c| c.cert_pem.clone()),
        cert_path: cert.and_then(|c| c.cert_path),
        app,
        server: Some(server),
        store_thread: Some(store_thread),
        lock,
    })
}

/// Requests shutdown once no request arrived for `idle`.
fn spawn_idle_watch(app: Arc<App>, idle: Duration) {
    let idle_ms = idle.as_millis().min(i64::MAX as u128) as i64;
    let mut stopped = app.shutdown.subscribe();
    tokio::spawn(async move {
        loop {
            let quiet = now_ms() - app.last_request_ms.load(Ordering::Relaxed);
            if quiet >= idle_ms {
                tracing::info!(seconds = idle.as_secs(), "idle timeout, shutting down");
                app.request_shutdown();
                return;
            }
            let wait = Duration::from_millis((idle_ms - quiet).max(10) as u64);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    });
}
