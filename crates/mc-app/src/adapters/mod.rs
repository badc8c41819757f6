//! Adapters that reach the outside world for the use cases: key resolution over HTTPS.

mod addresses;
mod did_web;

pub use did_web::{HttpsKeyResolver, did_web_document_url};
