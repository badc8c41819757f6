//! W3C Verifiable Credentials for microcred: JSON-LD with pinned contexts, Data Integrity
//! proofs, keys and `did:key`. This crate does no I/O: keys that need a network to resolve come
//! through [`did::KeyResolver`], time through parameters.

#![warn(missing_docs)]

pub mod badge;
pub mod bake;
pub mod contexts;
pub mod did;
pub mod edc;
mod error;
pub mod jades;
mod jcs;
mod jwt;
pub mod key_proof;
pub mod linked_data;
pub mod multikey;
pub mod pdf;
pub mod proof;
mod schema;
pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod status;
pub mod strict_json;
pub mod token_status;
pub mod verify;

pub use crate::{error::KeyError, jwt::SignedBy};
