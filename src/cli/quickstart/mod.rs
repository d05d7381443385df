//! `acs-chat quickstart`: the seed's "Get Started With Chat" steps, run one by one
//! against the selected endpoint (the local emulator by default) and narrated for a
//! live audience: each step's REST calls with status and timing, and what came back.
//!
//! 1. create Alice and Bob and their tokens through Identity (the seed's server side);
//! 2. create the chat client from endpoint + Alice's token;
//! 3. create a thread with Alice (Admin) and Bob (User);
//! 4. send "Hello Bob" with `priority` and `clientMessageId`;
//! 5. receive it by polling getMessages as Bob.
//!
//! `--verbose` prints every HTTP exchange (secrets redacted), `--pause` waits for
//! Enter before each step. A failure exits non-zero naming the step.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use futures::StreamExt as _;
use serde::Serialize;

use crate::acs::{
    ChatClient, HttpExchange, HttpObserver, IdentityClient, ListOptions, TokenCredential,
    TokenScope,
};
use crate::seed::message_meta;
use crate::seed::thread_meta::ThreadMeta;
use crate::wire::{ChatMessageType, CreateChatThreadRequest};

mod narrator;

use narrator::{Narrator, Recorder};

use crate::cli::context::{Context, participant};
use crate::cli::exit::CliError;
use crate::cli::http_log::{Tee, format_exchange, reason};
use crate::cli::output::{OutputFormat, write_stdout};

/// `quickstart` options.
#[derive(Debug, Args)]
pub struct QuickstartArgs {
    /// Show each HTTP request and response (tokens and keys redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Wait for Enter before each step.
    #[arg(long)]
    pub pause: bool,
    /// The topic of the thread it creates.
    #[arg(long, default_value = "Quickstart demo")]
    pub topic: String,
    /// The text of the message Alice sends. `--message` is the same flag under its earlier
    /// name (everywhere else `--message` is a message id, and text is `--content`).
    #[arg(
        long,
        visible_alias = "message",
        value_name = "TEXT",
        default_value = "Hello Bob"
    )]
    pub content: String,
}

/// The steps, numbered from 1.
const STEPS: [&str; 5] = [
    "create two users and their tokens",
    "create the chat client",
    "create a thread with two users",
    "send a message to the thread",
    "receive messages from the thread",
];

/// The seed's JavaScript call behind each step, shown under the step's title.
const SEED_CALLS: [&str; 5] = [
    "server side: identityClient.createUserAndToken([\"chat\"]) for Alice, then for Bob",
    "let chatClient = new ChatClient(endpointUrl, userAccessToken);",
    "chatClient.createThread({ topic, isStickyThread: false, members: [Alice (Admin), Bob (User)] })",
    "chatClient.sendMessage(threadId, { content, priority, senderDisplayName, clientMessageId })",
    "bobChatClient.getMessages(threadId), polled until the message is there",
];

/// How long step 5 polls before giving up.
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs the quickstart.
pub async fn run(ctx: &Context, args: QuickstartArgs) -> Result<(), CliError> {
    let recorder = Arc::new(Recorder::default());
    let mut observers: Vec<Arc<dyn HttpObserver>> = vec![recorder.clone()];
    observers.extend(ctx.observer.clone());
    let observer: Arc<dyn HttpObserver> = Arc::new(Tee(observers));
    let json = ctx.printer.format == OutputFormat::Json;
    let mut n = Narrator {
        recorder,
        verbose: args.verbose,
        pause: args.pause,
        json,
        quiet: ctx.printer.quiet,
        steps: Vec::new(),
    };
    let all = Instant::now();

    let (cs, transport) = ctx.identity_target(Some(observer)).await?;
    n.say(&format!(
        "Get Started With Chat — the quickstart's steps against {}",
        cs.endpoint
    ));

    // 1. Users and tokens, as the quickstart's server side makes them.
    n.begin(1).await;
    let started = Instant::now();
    let identity = IdentityClient::new(&cs, transport.clone());
    let (alice, alice_token, bob, bob_token) = async {
        let (alice, alice_token) = identity
            .create_user_and_token(&[TokenScope::Chat], None)
            .await?;
        let (bob, bob_token) = identity
            .create_user_and_token(&[TokenScope::Chat], None)
            .await?;
        Ok::<_, CliError>((alice, alice_token, bob, bob_token))
    }
    .await
    .map_err(|e| n.fail(1, e))?;
    let expires = crate::wire::timestamp::format_whole_seconds(alice_token.expires_on);
    n.end(
        1,
        started,
        &[
            format!("Alice  {alice}"),
            format!("Bob    {bob}"),
            format!("tokens: scope chat, expire {expires} (not shown)"),
        ],
        serde_json::json!({ "alice": alice, "bob": bob, "tokenExpiresOn": expires }),
    );

    // 2. The chat clients: no request, only endpoint + token.
    n.begin(2).await;
    let started = Instant::now();
    let clients = TokenCredential::from_token(alice_token.token.clone())
        .and_then(|a| Ok((a, TokenCredential::from_token(bob_token.token.clone())?)))
        .map_err(|e| n.fail(2, e.into()))?;
    let alice_chat = ChatClient::new(cs.endpoint.clone(), clients.0, transport.clone());
    let bob_chat = ChatClient::new(cs.endpoint.clone(), clients.1, transport.clone());
    n.end(
        2,
        started,
        &[format!(
            "new ChatClient({}, <Alice's token>) — and one for Bob; no request yet",
            cs.endpoint
        )],
        serde_json::json!({ "endpoint": cs.endpoint.as_str() }),
    );

    // 3. The thread: Alice (Admin) and Bob (User), not sticky.
    n.begin(3).await;
    let started = Instant::now();
    let meta = ThreadMeta {
        sticky: false,
        admins: [alice.clone()].into_iter().collect(),
    };
    let request = CreateChatThreadRequest {
        topic: args.topic.clone(),
        participants: vec![
            participant(alice.clone(), Some("Alice".into())),
            participant(bob.clone(), Some("Bob".into())),
        ],
        metadata: Some(meta.to_metadata()),
        retention_policy: None,
    };
    let created = alice_chat
        .create_thread(&request, None)
        .await
        .map_err(|e| n.fail(3, e.into()))?;
    let thread_id = created.chat_thread.map(|t| t.id).ok_or_else(|| {
        n.fail(
            3,
            CliError::Io("the service created no thread and gave no reason".into()),
        )
    })?;
    n.end(
        3,
        started,
        &[
            format!("thread {thread_id}"),
            format!(
                "topic {:?}, Alice (Admin) + Bob (User), isStickyThread false",
                args.topic
            ),
        ],
        serde_json::json!({ "threadId": thread_id, "topic": args.topic }),
    );

    // 4. Alice sends, with the seed's priority and clientMessageId.
    n.begin(4).await;
    let started = Instant::now();
    let client_message_id = message_meta::new_client_message_id();
    let send = message_meta::send_request(
        &args.content,
        "Alice",
        ChatMessageType::Text,
        &client_message_id,
        "Normal",
    );
    let message_id = alice_chat
        .thread(&thread_id)
        .send_message(&send)
        .await
        .map_err(|e| n.fail(4, e.into()))?;
    n.end(
        4,
        started,
        &[format!(
            "message {message_id}, clientMessageId {client_message_id}, priority Normal"
        )],
        serde_json::json!({ "messageId": message_id, "clientMessageId": client_message_id }),
    );

    // 5. Bob polls getMessages until Alice's message is there.
    n.begin(5).await;
    let started = Instant::now();
    let (polls, content) = receive(&bob_chat, &thread_id, &client_message_id)
        .await
        .map_err(|e| n.fail(5, e))?;
    n.end(
        5,
        started,
        &[format!(
            "Bob received {:?} from Alice after {polls} poll(s)",
            crate::sanitize::table_cell(&content)
        )],
        serde_json::json!({ "polls": polls, "content": content }),
    );

    n.say(&format!(
        "\nAll {} steps succeeded in {} ms.",
        STEPS.len(),
        all.elapsed().as_millis()
    ));
    if json && !ctx.printer.quiet {
        let summary = serde_json::json!({
            "endpoint": cs.endpoint.as_str(),
            "elapsedMs": all.elapsed().as_millis(),
            "steps": n.steps,
        });
        ctx.printer.show(&summary, super::output::Table::default);
    }
    Ok(())
}

/// Polls as Bob until the message with `client_message_id` is listed; returns the
/// number of polls and its text.
async fn receive(
    bob: &ChatClient,
    thread_id: &str,
    client_message_id: &str,
) -> Result<(u32, String), CliError> {
    let deadline = Instant::now() + RECEIVE_TIMEOUT;
    let thread = bob.thread(thread_id);
    let mut polls = 0;
    loop {
        polls += 1;
        let mut stream = Box::pin(thread.list_messages(ListOptions {
            max_page_size: Some(20),
            start_time: None,
        }));
        while let Some(m) = stream.next().await {
            let m = m?;
            if message_meta::client_message_id(&m) == Some(client_message_id) {
                return Ok((polls, m.content.and_then(|c| c.message).unwrap_or_default()));
            }
        }
        if Instant::now() >= deadline {
            return Err(CliError::Refused(format!(
                "the message did not appear in {} s of polling",
                RECEIVE_TIMEOUT.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
