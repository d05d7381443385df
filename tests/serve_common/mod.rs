//! Serves an axum router on 127.0.0.1 at a port the system picks, for the fake
//! servers of the tests and benchmarks (scripted ACS, webhooks): they run in
//! parallel, so none may take a fixed port.
#![allow(dead_code)]

use std::net::SocketAddr;

/// Starts serving `app` in the background; its address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("the bound address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}
