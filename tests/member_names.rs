//! One rule for member names: `/invite Carol` in the interactive client and
//! `--as carol` on the command line are the same identity, with one display name.

mod cli_common;

use acs_chat::config::{ConfigFile, Resolved, Target};
use acs_chat::connect::{self, ConnectOptions};
use acs_chat::paths::Dirs;
use acs_chat::tui::app::{Command, Event};
use acs_chat::tui::commands_exec;
use cli_common::{Emulator, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_carol_and_as_carol_are_one_identity() {
    let emu = Emulator::start();
    let thread = emu.thread("alice", "Names", &[]);
    let resolved = Resolved {
        target: Target::ConnectionString(emu.connection_string.clone()),
        ca_cert: Some(emu.ca_cert.clone()),
        profile: "alice".into(),
    };
    let dirs = Dirs::under(emu.home());
    let session = connect::connect(
        &resolved,
        &dirs,
        &ConfigFile::default(),
        ConnectOptions::default(),
    )
    .await
    .expect("alice's session");
    let events = commands_exec::execute(
        &session,
        Command::Invite {
            thread_id: thread.clone(),
            members: vec!["Carol".into()],
        },
    )
    .await;
    assert!(
        matches!(
            events.as_slice(),
            [Event::ActionResult { result: Ok(()), .. }]
        ),
        "{events:?}"
    );
    // Only a member may post: this fails if `/invite Carol` made another identity.
    let sent = tokio::task::spawn_blocking({
        let (cmd, thread) = (emu.cmd("carol"), thread.clone());
        move || {
            let mut cmd = cmd;
            run(cmd.args(["message", "send", "--thread", &thread, "--content", "hi"]))
        }
    })
    .await
    .expect("cli");
    assert_eq!(sent.code, Some(0), "{}", sent.stderr);
    let names = emu.participant_names("alice", &thread);
    let carols: Vec<&String> = names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case("carol"))
        .collect();
    assert_eq!(carols, ["Carol"], "{names:?}");
}
