//! The server's own tests, through its router: what it is built with (verification threads,
//! queue, resolver) and how it answers when verification is busy. The end-to-end suite, with
//! the real binary, is in `crates/mc/tests/it`.

mod connections;
mod support;
mod verifying;
