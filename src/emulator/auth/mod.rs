//! Authentication: HMAC-SHA256 resource-key signatures (Identity, emulator control)
//! and the emulator's own user access tokens (Chat).

pub mod hmac;
pub mod jwt;
pub mod liveness;
pub mod user_token;
