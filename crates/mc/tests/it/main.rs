//! End-to-end tests: they run the real `microcred` binary in a fresh data directory, on SQLite
//! and (when configured) PostgreSQL, and talk to the real server over loopback.

mod api;
mod audit;
mod browser;
mod catalogue;
mod cli;
mod cohort;
mod credentials;
mod edc;
mod headers;
mod issue;
mod mail;
mod pages;
mod recognition;
mod registry;
mod scale;
mod serve;
mod status;
mod supplement;
mod support;
mod tidy;
mod tour;
mod wallet;
