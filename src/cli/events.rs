//! `acs-chat events`: watch the Event Grid events ACS chat raises (`listen`), and the
//! emulator's dead letters (`dead-letters`).
//!
//! With an emulator (the local default, or any reached by connection string) `listen`
//! registers itself as a webhook subscription for as long as it runs. Azure makes
//! subscriptions through Azure Resource Manager, so there it only listens: put it
//! behind a tunnel and subscribe the tunnel's URL.

use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use url::Url;

use super::context::Context;
use super::exit::CliError;
use super::listen::{Receiver, router};
use super::output::{Table, text_cell};
use crate::acs::EventAdminClient;
use crate::connect::{self, Reachable};
use crate::wire::{DeadLetter, EventSubscriptionDef, full_event_type};

/// `events ...`.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// A local webhook that completes the validation handshake and prints each event;
    /// with an emulator it subscribes itself until stopped (Ctrl-C).
    Listen(ListenArgs),
    /// The emulator's undeliverable events: list them, or deliver them again.
    DeadLetters(DeadLetterArgs),
}

/// `events listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The loopback port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The envelope to ask the emulator for.
    #[arg(long, value_enum, default_value_t = EventSchema::Eventgrid)]
    pub schema: EventSchema,
    /// Only events of this type (repeatable; the `Microsoft.Communication.` prefix may be left out).
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
}

/// The two envelopes Event Grid delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventSchema {
    Eventgrid,
    Cloudevents,
}

/// `events dead-letters`.
#[derive(Debug, Args)]
pub struct DeadLetterArgs {
    /// Only this subscription's dead letters.
    #[arg(long, value_name = "NAME")]
    pub subscription: Option<String>,
    /// Deliver the subscription's dead letters again (needs --subscription).
    #[arg(long, requires = "subscription")]
    pub redeliver: bool,
}

pub async fn run(ctx: &Context, command: EventsCommand) -> Result<(), CliError> {
    match command {
        EventsCommand::Listen(args) => listen(ctx, args).await,
        EventsCommand::DeadLetters(args) => dead_letters(ctx, args).await,
    }
}

/// Where the events come from.
enum Source {
    /// An emulator, managed through its route.
    Emulator(EventAdminClient, Url),
    /// Azure (or anything without the route): subscriptions are made elsewhere.
    Elsewhere(Url),
}

fn during(what: impl Into<String>, e: impl Into<CliError>) -> CliError {
    CliError::During {
        what: what.into(),
        source: Box::new(e.into()),
    }
}

async fn source(ctx: &Context) -> Result<Source, CliError> {
    let resolved = ctx.resolved()?;
    let (transport, reachable) = connect::reach(&resolved, &ctx.dirs, ctx.observer.clone()).await?;
    match reachable {
        Reachable::ConnectionString {
            connection_string, ..
        } => {
            let endpoint = connection_string.endpoint.clone();
            let admin = EventAdminClient::new(&connection_string, transport);
            match admin.probe().await {
                Ok(Some(_)) => Ok(Source::Emulator(admin, endpoint)),
                Ok(None) => Ok(Source::Elsewhere(endpoint)),
                Err(e) => Err(during(
                    format!("asking {endpoint} for its event subscriptions"),
                    e,
                )),
            }
        }
        Reachable::EndpointToken { endpoint, .. } => Ok(Source::Elsewhere(endpoint)),
    }
}

async fn listen(ctx: &Context, args: ListenArgs) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => CliError::Usage(format!(
                "port {} is taken; choose another --port (0 = any free port)",
                args.port
            )),
            _ => CliError::Io(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)),
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Io(format!("cannot read the listening address: {e}")))?;
    let url = format!("http://{addr}/");
    let types: Vec<String> = args
        .types
        .iter()
        .map(|t| full_event_type(t.trim()))
        .collect();
    let receiver = Arc::new(Receiver {
        format: ctx.printer.format,
        quiet: ctx.printer.quiet,
        types: types.clone(),
        closed: tokio::sync::Notify::new(),
    });
    let mut server = tokio::spawn(axum::serve(listener, router(receiver.clone())).into_future());

    let registered = match source(ctx).await? {
        Source::Emulator(admin, endpoint) => {
            // The port names it: one listener per port, and a listener killed before it
            // could unsubscribe is replaced by the next one on that port.
            let name = format!("listen-{}", addr.port());
            let def = EventSubscriptionDef {
                endpoint: url.clone(),
                schema: Some(
                    match args.schema {
                        EventSchema::Eventgrid => "eventgrid",
                        EventSchema::Cloudevents => "cloudevents",
                    }
                    .to_owned(),
                ),
                included_event_types: (!types.is_empty()).then(|| types.clone()),
                ..EventSubscriptionDef::default()
            };
            admin
                .put_subscription(&name, &def)
                .await
                .map_err(|e| during(format!("subscribing {url} at the emulator {endpoint}"), e))?;
            eprintln!(
                "acs-chat: listening on {url} as event subscription {name} of the emulator at {endpoint}; Ctrl-C stops"
            );
            Some((admin, name))
        }
        Source::Elsewhere(endpoint) => {
            eprintln!(
                "acs-chat: listening on {url}; {endpoint} is not an emulator, so subscribe through Azure: \
                 put this port behind a tunnel and give the tunnel's https URL to an Event Grid \
                 subscription of the resource; Ctrl-C stops"
            );
            None
        }
    };

    let stopped = tokio::select! {
        () = crate::signals::stop_requested() => Ok(()),
        () = receiver.closed.notified() => Ok(()),
        r = &mut server => Err(CliError::Io(match r {
            Ok(Err(e)) => format!("the listener stopped: {e}"),
            _ => "the listener stopped".to_owned(),
        })),
    };
    if let Some((admin, name)) = registered {
        admin
            .delete_subscription(&name)
            .await
            .map_err(|e| during(format!("removing the event subscription {name}"), e))?;
        eprintln!("acs-chat: removed the event subscription {name}");
    }
    stopped
}

async fn dead_letters(ctx: &Context, args: DeadLetterArgs) -> Result<(), CliError> {
    let admin = match source(ctx).await? {
        Source::Emulator(admin, _) => admin,
        Source::Elsewhere(endpoint) => {
            return Err(CliError::Usage(format!(
                "{endpoint} is not an emulator: Azure keeps dead letters in the storage \
                 container of the subscription's dead-letter destination"
            )));
        }
    };
    if let (true, Some(name)) = (args.redeliver, args.subscription.as_deref()) {
        let moved = admin
            .redeliver(name)
            .await
            .map_err(|e| during(format!("redelivering the dead letters of {name}"), e))?;
        ctx.printer.show(
            &serde_json::json!({ "subscription": name, "redelivering": moved }),
            || {
                Table::pairs(&[
                    ("subscription", name.to_owned()),
                    ("redelivering", moved.to_string()),
                ])
            },
        );
        return Ok(());
    }
    let list = admin
        .dead_letters(args.subscription.as_deref())
        .await
        .map_err(|e| during("listing the dead letters", e))?;
    ctx.printer.show(&list, || dead_letter_table(&list));
    Ok(())
}

fn dead_letter_table(list: &[DeadLetter]) -> Table {
    let mut table = Table::new(&[
        "SUBSCRIPTION",
        "REASON",
        "ATTEMPTS",
        "STATUS",
        "TYPE",
        "SUBJECT",
        "PUBLISHED",
    ]);
    for d in list {
        let kind = d.event["eventType"]
            .as_str()
            .or_else(|| d.event["type"].as_str())
            .unwrap_or_default();
        table.row(vec![
            text_cell(&d.subscription),
            text_cell(&d.dead_letter_reason),
            d.delivery_attempts.to_string(),
            d.last_http_status_code
                .map_or_else(|| text_cell(&d.last_delivery_outcome), |s| s.to_string()),
            text_cell(
                kind.strip_prefix("Microsoft.Communication.")
                    .unwrap_or(kind),
            ),
            text_cell(d.event["subject"].as_str().unwrap_or_default()),
            text_cell(&d.publish_time),
        ]);
    }
    table
}
