//! The emulator's Event Grid management route: add, list and remove its webhook
//! subscriptions, list and re-deliver its dead letters. Not an ACS API (in Azure,
//! subscriptions are made through Azure Resource Manager), but signed the same way as
//! Identity calls, with the resource's access key, so anyone holding the connection
//! string may manage them.

use reqwest::Method;

use super::connection_string::ConnectionString;
use super::error::{Error, Result};
use super::hmac_auth::Keyed;
use super::retry::Safety;
use super::transport::{Response, Transport, to_json};
use super::urls;
use crate::wire::{DeadLetter, EventSubscriptionDef, EventSubscriptionInfo};

/// Client of one emulator's management route.
#[derive(Clone, Debug)]
pub struct EventAdminClient {
    keyed: Keyed,
}

/// `{"value": [...]}`, the shape of every list the route answers.
#[derive(serde::Deserialize)]
struct Listed<T> {
    value: Vec<T>,
}

impl EventAdminClient {
    /// A client for the resource of `connection`, signing with its access key.
    pub fn new(connection: &ConnectionString, transport: Transport) -> Self {
        Self {
            keyed: Keyed::new(connection, transport),
        }
    }

    /// The subscriptions, or `None` when the endpoint has no management route (404:
    /// an Azure resource, or something else that is not this emulator).
    pub async fn probe(&self) -> Result<Option<Vec<EventSubscriptionInfo>>> {
        match self.subscriptions().await {
            Ok(list) => Ok(Some(list)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /emulator/event-subscriptions`.
    pub async fn subscriptions(&self) -> Result<Vec<EventSubscriptionInfo>> {
        let r = self
            .call(Method::GET, "emulator/event-subscriptions", &[], Vec::new())
            .await?;
        Ok(r.json::<Listed<_>>("list event subscriptions")?.value)
    }

    /// `PUT /emulator/event-subscriptions/{name}`: adds or replaces it.
    pub async fn put_subscription(&self, name: &str, def: &EventSubscriptionDef) -> Result<()> {
        let path = format!(
            "emulator/event-subscriptions/{}",
            urls::segment("subscription name", name)?
        );
        self.call(Method::PUT, &path, &[], to_json(def)?)
            .await
            .map(drop)
    }

    /// `DELETE /emulator/event-subscriptions/{name}` (its retries and dead letters go too).
    pub async fn delete_subscription(&self, name: &str) -> Result<()> {
        let path = format!(
            "emulator/event-subscriptions/{}",
            urls::segment("subscription name", name)?
        );
        self.call(Method::DELETE, &path, &[], Vec::new())
            .await
            .map(drop)
    }

    /// `GET /emulator/event-dead-letters[?subscription=NAME]`.
    pub async fn dead_letters(&self, subscription: Option<&str>) -> Result<Vec<DeadLetter>> {
        let query: Vec<(&str, String)> = subscription
            .map(|s| vec![("subscription", s.to_owned())])
            .unwrap_or_default();
        let r = self
            .call(
                Method::GET,
                "emulator/event-dead-letters",
                &query,
                Vec::new(),
            )
            .await?;
        Ok(r.json::<Listed<_>>("list dead letters")?.value)
    }

    /// `POST /emulator/event-dead-letters/:redeliver?subscription=NAME`: how many
    /// dead letters go out again.
    pub async fn redeliver(&self, subscription: &str) -> Result<u64> {
        #[derive(serde::Deserialize)]
        struct Moved {
            redelivering: u64,
        }
        let query = [("subscription", subscription.to_owned())];
        let r = self
            .call(
                Method::POST,
                "emulator/event-dead-letters/:redeliver",
                &query,
                Vec::new(),
            )
            .await?;
        Ok(r.json::<Moved>("redeliver dead letters")?.redelivering)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Response> {
        let endpoint = &self.keyed.endpoint;
        let mut url = endpoint
            .join(path)
            .map_err(|e| Error::config(format!("cannot build a URL from {endpoint}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let content_type = (!body.is_empty()).then_some("application/json");
        // Every call is idempotent: a PUT replaces, a DELETE of a gone one is a 404,
        // and a repeated redeliver finds nothing left to move.
        self.keyed
            .send(method, url, body, content_type, Safety::Idempotent)
            .await
    }
}
