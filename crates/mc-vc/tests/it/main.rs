//! Tests of the credential engine against the official vectors in `../shared/vectors`.

mod badge;
mod edc;
mod jades;
mod jcs;
mod jwt;
mod linked_data;
mod negative;
mod sd_jwt;
mod support;
mod trust;
mod validator;
mod vectors;
