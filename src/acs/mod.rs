//! The ACS REST client library: Identity (HMAC) and Chat (bearer token) clients,
//! typed models, errors, paging and retries. No UI types in here.
