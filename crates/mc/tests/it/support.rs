//! Running `microcred` in a fresh environment, and a minimal HTTP client for loopback tests.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::mpsc,
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

    /// PostgreSQL, when this run has it (always in CI).
    pub(crate) fn postgres() -> Option<Env> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(TestDb::postgres()).map(|db| Env { dir: tempfile::tempdir().unwrap(), db })
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
        command.env_remove("MICROCRED_PUBLIC_URL");
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

/// An HTTP answer: status code, headers (names in lower case) and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The body as text (lossy for binary bodies; see `bytes`).
    pub(crate) body: String,
    /// The body as sent.
    pub(crate) bytes: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
}

impl Answer {
    /// The first value of a header (lower-case name).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The `name=value` part of the cookie the answer sets.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(key, _)| key == "set-cookie")
            .filter_map(|(_, value)| value.split(';').next())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

/// `POST path` with `body` over HTTP/1.1 on loopback. A server that answers before reading the
/// whole body (413) may close the connection while it is being sent; the answer is read anyway.
pub(crate) fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Answer {
    post_with_headers(addr, path, "", content_type, body)
}

/// [`post`] with extra header lines, each ending in `\r\n`.
pub(crate) fn post_with_headers(
    addr: SocketAddr,
    path: &str,
    headers: &str,
    content_type: &str,
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
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
    answer(head, body)
}

/// An answer read by hand: its head (status line and headers) and body.
fn answer(head: &str, body: &str) -> Answer {
    let status =
        head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {head}"));
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer { status, body: body.to_owned(), bytes: body.as_bytes().to_vec(), headers }
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
    answer(head, body)
}

/// A loopback port free at the time of asking (the operating system's pick, let go again), for
/// a test that must name the port itself.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `microcred serve`, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
    log: mpsc::Receiver<String>,
    history: std::cell::RefCell<Vec<String>>,
}

impl Server {
    /// `microcred serve` on a free loopback port (`--addr 127.0.0.1:0`), with `extra` arguments.
    pub(crate) fn start(env: &Env, extra: &[&str]) -> Server {
        Server::start_at(env, "127.0.0.1:0", extra)
    }

    /// `microcred serve --addr ADDR`, with `extra` arguments.
    pub(crate) fn start_at(env: &Env, addr: &str, extra: &[&str]) -> Server {
        Server::spawn(env, addr, extra, &[])
    }

    /// [`Server::start`] with environment variables set.
    pub(crate) fn start_with_env(env: &Env, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        Server::spawn(env, "127.0.0.1:0", extra, vars)
    }

    fn spawn(env: &Env, addr: &str, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        let mut args = vec!["serve", "--addr", addr];
        args.extend(extra);
        let mut command = env.command(&args);
        command.envs(vars.iter().copied());
        let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let (tx, log) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let addr = loop {
            let line = log
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("the server did not say where it listens; log:\n{}", seen.join("\n")));
            if let Some((_, addr)) = line.split_once("listening on http://") {
                break addr.trim().parse().unwrap();
            }
            seen.push(line);
        };
        Server { child, addr, log, history: std::cell::RefCell::new(seen) }
    }

    /// Waits for a log line holding `needle` (up to 30 s) and returns it.
    pub(crate) fn wait_for_log(&self, needle: &str) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("the server never logged {needle:?}"));
            self.history.borrow_mut().push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// The path of the next learner sign-in link the server logs (it logs them instead of
    /// emailing them), waiting for it.
    pub(crate) fn sign_in_link_path(&self) -> String {
        let line = self.wait_for_log("learner sign-in link");
        let start = line.find("/learner/link/").unwrap_or_else(|| panic!("no link in {line:?}"));
        line[start..].split_whitespace().next().unwrap().trim_end_matches('"').to_owned()
    }

    /// Every line logged so far that holds `needle`.
    pub(crate) fn logged(&self, needle: &str) -> Vec<String> {
        let mut history = self.history.borrow_mut();
        history.extend(self.log.try_iter());
        history.iter().filter(|line| line.contains(needle)).cloned().collect()
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub(crate) fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub(crate) fn stop(mut self) {
        let status = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exits cleanly on SIGTERM: {status}");
        // The reader thread ends at the end of stderr; wait for it rather than race it.
        let log: Vec<String> = self.log.iter().collect();
        assert!(log.iter().any(|line| line.contains("stopped")), "{log:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// An HTTP request to a test server, with headers: `Request::new(addr, "POST", path)`.
pub(crate) struct Request {
    url: String,
    method: &'static str,
    headers: Vec<(String, String)>,
}

impl Request {
    pub(crate) fn new(addr: SocketAddr, method: &'static str, path: &str) -> Request {
        Request { url: format!("http://{addr}{path}"), method, headers: Vec::new() }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Authorization: Bearer token`.
    pub(crate) fn token(self, token: &str) -> Request {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// Sends the request with no body.
    pub(crate) fn send(self) -> Answer {
        self.send_body("", b"")
    }

    /// Sends `fields` as a form (`application/x-www-form-urlencoded`).
    pub(crate) fn form(self, fields: &[(&str, &str)]) -> Answer {
        let encoded: Vec<String> =
            fields.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect();
        self.send_body("application/x-www-form-urlencoded", encoded.join("&").as_bytes())
    }

    /// Sends `body` as JSON.
    pub(crate) fn json(self, body: &serde_json::Value) -> Answer {
        self.send_body("application/json", body.to_string().as_bytes())
    }

    /// Sends `body` with a content type.
    pub(crate) fn send_body(self, content_type: &str, body: &[u8]) -> Answer {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        let mut request = ureq::http::Request::builder().method(self.method).uri(&self.url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if !content_type.is_empty() {
            request = request.header("Content-Type", content_type);
        }
        let request = request.body(body.to_vec()).unwrap();
        let mut response = agent.run(request).unwrap_or_else(|err| panic!("{} {}: {err}", self.method, self.url));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        let bytes = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Answer { status, body, bytes, headers }
    }
}

/// Percent-encodes a form value.
pub(crate) fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
