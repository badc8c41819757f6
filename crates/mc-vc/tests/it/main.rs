//! Tests of the credential engine against the official vectors in `../shared/vectors`.

mod badge;
mod negative;
mod support;
mod validator;
mod vectors;
