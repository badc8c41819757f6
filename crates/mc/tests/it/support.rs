//! Running `microcred` in a fresh environment, and a minimal HTTP client for loopback tests.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use mc_test_support::TestDb;

/// A fresh data directory and database, and a way to run `microcred` against them.
pub(crate) struct Env {
    dir: tempfile::TempDir,
    db: TestDb,
}

impl Env {
    /// SQLite in the data directory (the default the README promises).
    pub(crate) fn sqlite() -> Env {
        Env { dir: tempfile::tempdir().unwrap(), db: TestDb::sqlite() }
    }

    /// An environment per backend available to this run.
    pub(crate) fn all() -> Vec<Env> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut envs = vec![Env::sqlite()];
        envs.extend(runtime.block_on(TestDb::postgres()).map(|db| Env { dir: tempfile::tempdir().unwrap(), db }));
        envs
    }

    /// A fresh environment on the same backend as `other`.
    pub(crate) fn same_backend(other: &Env) -> Env {
        match other.db.backend {
            "sqlite" => Env::sqlite(),
            _ => {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let db = runtime.block_on(TestDb::postgres()).expect("PostgreSQL is configured");
                Env { dir: tempfile::tempdir().unwrap(), db }
            }
        }
    }

    /// The backend's name, for messages.
    pub(crate) fn backend(&self) -> &'static str {
        self.db.backend
    }

    /// The URL of the database the commands use.
    pub(crate) fn database_url(&self) -> String {
        match self.db.backend {
            "sqlite" => format!("sqlite://{}?mode=rw", self.data().join("microcred.db").display()),
            _ => self.db.url.clone(),
        }
    }

    /// Runs raw SQL against the database, behind microcred's back.
    pub(crate) fn tamper(&self, sql: &str) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(mc_test_support::run_sql(&self.database_url(), sql));
    }

    /// The data directory.
    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A path for a scratch file.
    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `microcred ARGS` in this environment, not yet run.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_microcred"));
        command.args(args).current_dir(self.dir.path()).env("MICROCRED_DATA", self.data()).env_remove("RUST_LOG");
        match self.db.backend {
            "sqlite" => command.env_remove("MICROCRED_DATABASE_URL"),
            _ => command.env("MICROCRED_DATABASE_URL", &self.db.url),
        };
        command.stdin(Stdio::null());
        command
    }

    /// Runs `microcred ARGS`, which must succeed; returns its standard output.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.command(args).output().unwrap();
        assert!(output.status.success(), "[{}] microcred {args:?} failed:\n{}", self.backend(), describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs `microcred ARGS`, which must fail with exit code 1; returns its standard error.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let output = self.command(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "[{}] microcred {args:?}:\n{}", self.backend(), describe(&output));
        assert!(output.stdout.is_empty(), "a failure prints nothing on stdout: {}", describe(&output));
        String::from_utf8(output.stderr).unwrap()
    }

    /// Writes `text` to a scratch file and returns its path.
    pub(crate) fn write(&self, name: &str, text: &str) -> String {
        let path = self.file(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// Everything stored, as the JSON listings print it: the test's view of "the database".
    pub(crate) fn dump(&self) -> String {
        ["institution", "spec", "learner"].iter().map(|what| self.ok(&[what, "list", "--json"])).collect()
    }
}

fn describe(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Whether `path` exists.
pub(crate) fn exists(path: &Path) -> bool {
    path.try_exists().unwrap()
}

/// An HTTP answer: status code and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

/// `POST path` with `body` over HTTP/1.1 on loopback. A server that answers before reading the
/// whole body (413) may close the connection while it is being sent; the answer is read anyway.
pub(crate) fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let sent = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    if raw.is_empty() {
        panic!("no answer to POST {path}: send {sent:?}, read {read:?}");
    }
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status =
        head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {head}"));
    Answer { status, body: body.to_owned() }
}

/// `GET path` over HTTP/1.1 on loopback, with `Connection: close` so the body ends with the
/// stream. Enough for tests; chunked bodies are not decoded.
pub(crate) fn get(addr: SocketAddr, path: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "chunked answer: {head}");
    let status =
        head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {head}"));
    Answer { status, body: body.to_owned() }
}
