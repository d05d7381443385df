//! `acs-chat serve`: a local emulator of the ACS Chat and Identity REST APIs,
//! persisting to SQLite. Of the client's code it uses only the wire format
//! ([`crate::wire`]) and the small leaves `local`, `paths` and `signals`.
//!
//! [`start`] runs one in-process (tests, the client's auto-start); [`run`] is the
//! `serve` command: it prints the connection string and the certificate path on
//! stdout, logs (set up by the caller) and stops cleanly on Ctrl-C, SIGTERM, an HTTP shutdown
//! request or the idle timeout.
//!
//! What `serve` prints first, one line each (scripts parse these):
//! ```text
//! ACS_CONNECTION_STRING=endpoint=https://127.0.0.1:PORT/;accesskey=KEY
//! ACS_CA_CERT=/path/to/cert.pem        (not with --http)
//! ```
//! The official SDKs trust the certificate with `REQUESTS_CA_BUNDLE` (Python) or
//! `NODE_EXTRA_CA_CERTS` (Node). Besides the ACS APIs the emulator answers
//! `GET /emulator/health` (no auth) and `POST /emulator/shutdown` (HMAC-signed with
//! the access key, like Identity requests): the way to stop a background emulator.
//!
//! Module map: `routes` (path -> endpoint), `dispatch` (the one handler), `gate`
//! (auth, throttle), `endpoints` (endpoint -> handler), `respond` (bodies, headers),
//! `handlers` (validation, replies), `realtime` (push: config, Trouter, registrar),
//! `cors`, `events` (Event Grid events), `eventgrid` (their outbox and delivery), `store` (SQLite, one thread), `auth` (HMAC,
//! tokens), `paging`, `limits`, `throttle`, `tls`, `server` (start/stop).

mod api_error;
mod api_version;
mod app;
pub mod auth;
mod body;
pub mod cors;
mod dispatch;
mod endpoints;
pub mod eventgrid;
pub mod events;
pub mod faults;
mod gate;
mod handlers;
mod ids;
mod limits;
mod paging;
mod realtime;
mod request;
mod respond;
mod routes;
mod server;
mod store;
mod throttle;
mod tls;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

pub use server::RunningEmulator;

use crate::local;
use crate::paths::Dirs;

/// Options of `acs-chat serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = local::DEFAULT_HOST)]
    pub host: IpAddr,
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = local::DEFAULT_PORT)]
    pub port: u16,
    /// Directory for the database and certificate (default: the platform data dir).
    #[arg(long, value_name = "DIR", conflicts_with = "in_memory")]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory; nothing survives a restart.
    #[arg(long)]
    pub in_memory: bool,
    /// Sync every commit to the disk before answering, so acknowledged writes also
    /// survive a power loss or an OS crash (by default they survive the emulator being
    /// killed; each write then costs a disk sync).
    #[arg(long, conflicts_with = "in_memory")]
    pub durable: bool,
    /// Stop the emulator listening on --host/--port (a request signed with --access-key,
    /// trusting the certificate in --data-dir) instead of starting one.
    #[arg(long, conflicts_with = "in_memory")]
    pub stop: bool,
    /// Serve plain http instead of https (the official chat SDKs refuse tokens over http).
    #[arg(long)]
    pub http: bool,
    /// The access key (base64) Identity requests must be signed with.
    #[arg(long, value_name = "B64", default_value = local::DEV_ACCESS_KEY, hide_default_value = true)]
    pub access_key: String,
    /// Enforce the documented ACS Chat rate limits (429 with Retry-After).
    #[arg(long)]
    pub throttle: bool,
    /// Exit after this many seconds without a request.
    #[arg(long, value_name = "SECS")]
    pub idle_timeout: Option<u64>,
    /// TEST ONLY: inject faults into API requests, e.g.
    /// `429=4,500=4,503=4,drop=3,delay=2,lost=3,delay-ms=1500,seed=7` (percent of
    /// requests per kind: 429 with Retry-After, 500, 503, dropped connection, answer
    /// delayed by delay-ms, processed but answer lost; retry-after=SECS, seed=N).
    /// Off by default.
    #[arg(long, value_name = "SPEC", value_parser = faults::FaultSpec::parse)]
    pub faults: Option<faults::FaultSpec>,
    /// Log to FILE instead of stderr (rotated to FILE.1 at 10 MiB), one line per
    /// request only at debug level: how the client runs the background emulator.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Allow browser pages from this origin only (repeatable), e.g.
    /// `--cors-origin http://localhost:5173`; by default any origin may call the Chat and
    /// real-time routes, and loopback origins the routes signed with the access key.
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_cors_origin)]
    pub cors_origins: Vec<String>,
    /// Deliver Event Grid events to this webhook (repeatable):
    /// `URL[,name=N][,schema=eventgrid|cloudevents][,types=T1;T2][,subject-begins-with=S]
    /// [,subject-ends-with=S][,max-attempts=1..30][,ttl=MINUTES][,max-events=1..5000][,batch-kb=1..1024]`.
    /// http:// only to loopback; https:// anywhere.
    #[arg(long = "event-subscription", value_name = "URL[,OPTION=VALUE...]", value_parser = parse_event_subscription)]
    pub event_subscriptions: Vec<crate::wire::EventSubscriptionDef>,
    /// The `topic` (Event Grid) / `source` (CloudEvents) of the events: an ACS
    /// resource id (default: a documented fictitious one).
    #[arg(long, value_name = "RESOURCE_ID")]
    pub event_topic: Option<String>,
    /// An extra CA certificate (PEM) to trust for https webhooks (repeatable).
    #[arg(long = "event-ca-cert", value_name = "FILE")]
    pub event_ca_certs: Vec<PathBuf>,
    /// How long a webhook gets to answer, in milliseconds (Event Grid: 30 s).
    #[arg(long, value_name = "MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub event_timeout_ms: u64,
    /// TEST ONLY: how many milliseconds one second of Event Grid's retry schedule and
    /// of an event's time to live lasts (1000 = real time; 1 makes the 10 s first retry 10 ms).
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub event_clock_ms_per_second: u64,
}

fn parse_event_subscription(
    raw: &str,
) -> Result<crate::wire::EventSubscriptionDef, eventgrid::BadSubscription> {
    eventgrid::subscription::parse_flag(raw)
}

fn parse_cors_origin(raw: &str) -> Result<String, cors::BadOrigin> {
    cors::parse_origin(raw)
}

/// Everything [`start`] needs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub host: IpAddr,
    pub port: u16,
    /// `None` = in memory (the certificate too).
    pub data_dir: Option<PathBuf>,
    /// Sync every commit to the disk (`serve --durable`).
    pub durable: bool,
    pub tls: bool,
    /// base64, as in a connection string.
    pub access_key: String,
    pub throttle: bool,
    pub idle_timeout: Option<Duration>,
    /// Test-only fault injection (`None` = a well-behaved emulator).
    pub faults: Option<faults::FaultSpec>,
    /// Log each request at debug rather than info (a background emulator's log file).
    pub quiet_requests: bool,
    /// Origins browser pages may call from (`Origin` form); empty = any.
    pub cors_origins: Vec<String>,
    /// Event Grid webhooks given at start (flags, config file).
    pub event_subscriptions: Vec<crate::wire::EventSubscriptionDef>,
    pub event_delivery: eventgrid::DeliveryConfig,
}

impl EmulatorConfig {
    /// 127.0.0.1 on a free port, in memory, https, the development key.
    pub fn for_tests() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            data_dir: None,
            durable: false,
            tls: true,
            access_key: local::DEV_ACCESS_KEY.to_owned(),
            throttle: false,
            idle_timeout: None,
            faults: None,
            quiet_requests: false,
            cors_origins: Vec::new(),
            event_subscriptions: Vec::new(),
            event_delivery: eventgrid::DeliveryConfig::default(),
        }
    }

    /// The configuration `serve` runs with.
    pub fn from_args(args: &ServeArgs) -> Result<Self, EmulatorError> {
        let data_dir = if args.in_memory {
            None
        } else {
            match &args.data_dir {
                Some(d) => Some(d.clone()),
                None => Some(
                    Dirs::discover()
                        .ok_or(EmulatorError::NoDataDir)?
                        .emulator_data(),
                ),
            }
        };
        Ok(Self {
            host: args.host,
            port: args.port,
            data_dir,
            durable: args.durable,
            tls: !args.http,
            access_key: args.access_key.clone(),
            throttle: args.throttle,
            idle_timeout: args.idle_timeout.map(Duration::from_secs),
            faults: args.faults.clone(),
            quiet_requests: args.log_file.is_some(),
            cors_origins: args.cors_origins.clone(),
            event_subscriptions: args.event_subscriptions.clone(),
            event_delivery: eventgrid::DeliveryConfig {
                topic: args
                    .event_topic
                    .clone()
                    .unwrap_or_else(|| events::DEFAULT_TOPIC.to_owned()),
                clock_ms_per_second: args.event_clock_ms_per_second,
                timeout: Duration::from_millis(args.event_timeout_ms),
                extra_ca_pem: args
                    .event_ca_certs
                    .iter()
                    .map(|p| {
                        std::fs::read_to_string(p).map_err(|e| {
                            EmulatorError::EventGrid(format!("cannot read {}: {e}", p.display()))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            },
        })
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("the access key is not valid base64")]
    InvalidAccessKey,
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no data directory could be determined; pass --data-dir or --in-memory")]
    NoDataDir,
    #[error("cannot use data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "refusing to listen on {0} with the public development access key: anyone on the \
         network could use the emulator; pass --access-key with a secret key (base64)"
    )]
    PublicKeyOnNetwork(IpAddr),
    #[error("another emulator is already using {0}")]
    Locked(PathBuf),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("server: {0}")]
    Server(std::io::Error),
    #[error("Event Grid: {0}")]
    EventGrid(String),
}

/// Starts an emulator; it serves until [`RunningEmulator::shutdown`] or an exit
/// condition (HTTP shutdown, idle timeout).
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    server::start(config).await
}

/// `acs-chat serve`: start, print how to connect, serve until told to stop.
pub async fn run(args: ServeArgs) -> Result<(), EmulatorError> {
    let config = EmulatorConfig::from_args(&args)?;
    let emulator = start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ACS_CONNECTION_STRING={}", emulator.connection_string);
        if let Some(p) = &emulator.cert_path {
            let _ = writeln!(out, "ACS_CA_CERT={}", p.display());
        }
        let _ = out.flush();
    }
    tracing::info!(endpoint = %emulator.endpoint, "emulator listening");
    let stopper = emulator.stopper();
    tokio::spawn(async move {
        crate::signals::stop_requested().await;
        tracing::info!("signal received, shutting down");
        stopper.request_shutdown();
    });
    emulator.wait().await;
    tracing::info!("emulator stopped");
    Ok(())
}
