//! The server's own tests: through its router, what it is built with (verification threads,
//! queue, resolver) and how it answers when verification is busy; over a loopback socket, how
//! it closes connections that go quiet. The end-to-end suite, with the real binary, is in
//! `crates/mc/tests/it`.

mod connections;
mod support;
mod verifying;
