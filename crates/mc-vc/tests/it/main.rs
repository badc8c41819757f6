//! Tests of the credential engine against the official vectors in `../shared/vectors`.

mod support;
mod validator;
mod vectors;
