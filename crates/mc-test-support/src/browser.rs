//! A small WebDriver client for browser tests: a headless Chromium driven through chromedriver.
//!
//! Every call panics with a clear message on failure, as a test helper should. The browser
//! runs with background networking off, because tests may run on machines without internet.

use std::{
    env, fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key under which WebDriver returns a reference to an element (the W3C web element identifier).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long [`Browser::find`] waits for an element to appear.
const FIND_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Browser::wait_for_text`] waits for the text to appear.
const TEXT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long chromedriver may take to start.
const DRIVER_TIMEOUT: Duration = Duration::from_secs(20);
/// The pause between two polls.
const POLL: Duration = Duration::from_millis(100);

/// A WebDriver command: its method and, for a POST, its JSON body.
enum Call<'a> {
    Get,
    Post(&'a Value),
    Delete,
}

/// A WebDriver error: its code (such as `no such element`) and message.
struct Failure {
    error: String,
    message: String,
}

/// The chromedriver process; killed when dropped, even when [`Browser::start`] fails halfway.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium with its own chromedriver process and WebDriver session.
pub struct Browser {
    agent: ureq::Agent,
    /// The session's URL, `http://127.0.0.1:<port>/session/<id>`.
    session: String,
    screenshots: PathBuf,
    // Dropped after the session is deleted in `Drop`, in this order.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// A WCAG rule that a page breaks, as axe-core reports it.
#[derive(Debug, serde::Deserialize)]
pub struct Violation {
    /// axe-core's rule id, such as `color-contrast`.
    pub rule: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for, in a sentence.
    pub help: String,
    /// Each element that breaks it (its CSS path) and how.
    pub places: Vec<String>,
}

impl Violation {
    /// Whether axe-core rates it serious or critical.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

/// The text of axe-core's `axe.min.js`, which `.ci/run` installs with npm into
/// `target/axe/node_modules/axe-core/` (or the file `$AXE_CORE` names); `None` when absent.
pub fn axe_core() -> Option<String> {
    let path = env::var_os("AXE_CORE").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    fs::read_to_string(path).ok()
}

/// An element of the current page, found by [`Browser::find`] or [`Browser::find_all`].
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
}

fn program(var: &str, default: &str) -> PathBuf {
    env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn chromedriver() -> PathBuf {
    program("CHROMEDRIVER", "/usr/bin/chromedriver")
}

fn chromium() -> PathBuf {
    program("CHROME", "/usr/bin/chromium")
}

impl Browser {
    /// Whether chromedriver (`/usr/bin/chromedriver` or `$CHROMEDRIVER`) and Chromium
    /// (`/usr/bin/chromium` or `$CHROME`) are installed; browser tests skip themselves when not.
    pub fn available() -> bool {
        chromedriver().is_file() && chromium().is_file()
    }

    /// Starts a desktop-sized (1280×900) browser that saves screenshots into `screenshots_dir`.
    pub fn start(screenshots_dir: &Path) -> Browser {
        Browser::start_with_size(screenshots_dir, 1280, 900)
    }

    /// Starts a browser with a window of `width`×`height` pixels, for example a phone-sized one.
    pub fn start_with_size(screenshots_dir: &Path, width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let mut driver = Driver(
            Command::new(chromedriver())
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|err| panic!("cannot start {}: {err}", chromedriver().display())),
        );
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build();
        let agent = ureq::Agent::new_with_config(config);
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let status = agent.get(format!("{base}/status")).call().ok().and_then(|mut response| {
                serde_json::from_str::<Value>(&response.body_mut().read_to_string().ok()?).ok()
            });
            if status.is_some_and(|status| status["value"]["ready"] == true) {
                break;
            }
            if let Ok(Some(exit)) = driver.0.try_wait() {
                panic!("chromedriver exited before it was ready: {exit}");
            }
            assert!(started.elapsed() < DRIVER_TIMEOUT, "chromedriver was not ready after {DRIVER_TIMEOUT:?}");
            thread::sleep(POLL);
        }

        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--window-size={width},{height}"),
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium(), "args": args},
        }}});
        let created = send(&agent, &format!("{base}/session"), Call::Post(&capabilities))
            .unwrap_or_else(|failure| panic!("cannot start a browser session: {}", failure.describe()));
        let id = created["sessionId"].as_str().expect("a session id");
        Browser {
            session: format!("{base}/session/{id}"),
            agent,
            screenshots: screenshots_dir.to_owned(),
            _driver: driver,
            _profile: profile,
        }
    }

    /// Runs one command of this session, returning the WebDriver error on failure.
    fn try_command(&self, call: Call<'_>, path: &str) -> Result<Value, Failure> {
        send(&self.agent, &format!("{}{path}", self.session), call)
    }

    /// Runs one command of this session, panicking on failure.
    fn command(&self, call: Call<'_>, path: &str) -> Value {
        self.try_command(call, path).unwrap_or_else(|failure| panic!("WebDriver {path}: {}", failure.describe()))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.command(Call::Post(&json!({ "url": url })), "/url");
    }

    /// The URL of the current page.
    pub fn url(&self) -> String {
        string(self.command(Call::Get, "/url"))
    }

    /// The value of the current site's cookie `name` (HTTP-only ones too), to make requests
    /// as the signed-in visitor outside the browser.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let found = self.try_command(Call::Get, &format!("/cookie/{name}")).ok()?;
        found["value"].as_str().map(str::to_owned)
    }

    /// The title of the current page.
    pub fn title(&self) -> String {
        string(self.command(Call::Get, "/title"))
    }

    /// The HTML of the current page, as the browser serialises its DOM.
    pub fn page_source(&self) -> String {
        string(self.command(Call::Get, "/source"))
    }

    /// The first element matching the CSS selector `css`, once the current page has one.
    fn try_find(&self, css: &str) -> Result<Element<'_>, Failure> {
        let found = self.try_command(Call::Post(&json!({"using": "css selector", "value": css})), "/element")?;
        Ok(self.element(&found))
    }

    fn element(&self, reference: &Value) -> Element<'_> {
        let id = reference[ELEMENT_KEY].as_str().expect("an element reference").to_owned();
        Element { browser: self, id }
    }

    /// The first element matching the CSS selector `css`, waiting up to 5 s for it to appear.
    ///
    /// Panics with the selector and the current URL when there is none.
    pub fn find(&self, css: &str) -> Element<'_> {
        let started = Instant::now();
        loop {
            match self.try_find(css) {
                Ok(element) => return element,
                Err(failure) if failure.error == "no such element" && started.elapsed() < FIND_TIMEOUT => {}
                Err(failure) => panic!("no element matches `{css}` on {}: {}", self.url(), failure.describe()),
            }
            thread::sleep(POLL);
        }
    }

    /// All elements matching the CSS selector `css` now, in document order.
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.command(Call::Post(&json!({"using": "css selector", "value": css})), "/elements");
        found.as_array().expect("a list of elements").iter().map(|reference| self.element(reference)).collect()
    }

    /// Whether an element matches the CSS selector `css` now, without waiting.
    pub fn exists(&self, css: &str) -> bool {
        !self.find_all(css).is_empty()
    }

    /// Replaces the text of the field matching `css` with `text`.
    pub fn fill(&self, css: &str, text: &str) {
        let field = self.find(css);
        field.clear();
        field.send_keys(text);
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        self.find(css).click();
    }

    /// Chooses the file at `path` in the `<input type=file>` matching `css`.
    pub fn upload(&self, css: &str, path: &Path) {
        let path = fs::canonicalize(path).unwrap_or_else(|err| panic!("cannot upload {}: {err}", path.display()));
        self.find(css).send_keys(path.to_str().expect("a UTF-8 file path"));
    }

    /// Runs `script` as the body of a function in the page and returns what it returns.
    pub fn execute(&self, script: &str) -> Value {
        self.command(Call::Post(&json!({"script": script, "args": []})), "/execute/sync")
    }

    /// Runs `script` as the body of a function in the page that calls its last argument with its
    /// result, and returns that result (WebDriver's asynchronous script).
    pub fn execute_async(&self, script: &str) -> Value {
        self.command(Call::Post(&json!({"script": script, "args": []})), "/execute/async")
    }

    /// Checks the current page with axe-core against WCAG 2.1 A and AA and returns what it
    /// breaks. `axe` is the text of `axe.min.js` (see [`axe_core`]).
    pub fn accessibility_violations(&self, axe: &str) -> Vec<Violation> {
        // WebDriver scripts are not bound by the page's Content-Security-Policy.
        self.execute(&format!("{axe};\nreturn typeof window.axe;"));
        let found = self.execute_async(
            "const done = arguments[arguments.length - 1];
             const only = {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']};
             window.axe.run(document, {runOnly: only, resultTypes: ['violations']})
               .then(result => done({passes: result.passes.length, violations: result.violations.map(v => ({
                   rule: v.id, impact: v.impact || '', help: v.help,
                   places: v.nodes.map(node => node.target.join(' ') + ': ' + node.failureSummary)}))}))
               .catch(err => done({error: String(err)}));",
        );
        if let Some(error) = found.get("error") {
            panic!("axe-core failed on {}: {error}", self.url());
        }
        // A check that passed nothing did not run (axe-core reports at least the page's language).
        assert!(
            found["passes"].as_u64().is_some_and(|passes| passes > 0),
            "axe-core checked nothing on {}",
            self.url()
        );
        serde_json::from_value(found["violations"].clone()).expect("axe-core's violations")
    }

    /// Saves a screenshot of the window as `<screenshots_dir>/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let png = base64::engine::general_purpose::STANDARD
            .decode(string(self.command(Call::Get, "/screenshot")))
            .expect("a base64 screenshot");
        fs::create_dir_all(&self.screenshots).expect("a screenshots directory");
        let path = self.screenshots.join(format!("{name}.png"));
        fs::write(&path, png).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
        path
    }

    /// Waits up to 15 s for the text of the element matching `css` to contain `needle`.
    pub fn wait_for_text(&self, css: &str, needle: &str) {
        let started = Instant::now();
        let mut seen = None;
        while started.elapsed() < TEXT_TIMEOUT {
            // The page may be replaced between finding the element and reading it.
            seen = self.try_find(css).and_then(|element| element.try_text()).ok();
            if seen.as_deref().is_some_and(|text| text.contains(needle)) {
                return;
            }
            thread::sleep(POLL);
        }
        match seen {
            Some(text) => panic!("`{css}` on {} never contained {needle:?}; its text: {text:?}", self.url()),
            None => panic!("no element matches `{css}` on {} (waiting for {needle:?})", self.url()),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The chromedriver process and the profile go with the fields, after this.
        let _ = send(&self.agent, &self.session, Call::Delete);
    }
}

impl Element<'_> {
    fn path(&self, command: &str) -> String {
        format!("/element/{}/{command}", self.id)
    }

    /// Clicks the element.
    pub fn click(&self) {
        self.browser.command(Call::Post(&json!({})), &self.path("click"));
    }

    /// Types `text` into the element.
    pub fn send_keys(&self, text: &str) {
        self.browser.command(Call::Post(&json!({ "text": text })), &self.path("value"));
    }

    /// Empties the field.
    pub fn clear(&self) {
        self.browser.command(Call::Post(&json!({})), &self.path("clear"));
    }

    fn try_text(&self) -> Result<String, Failure> {
        self.browser.try_command(Call::Get, &self.path("text")).map(string)
    }

    /// The text of the element, as rendered.
    pub fn text(&self) -> String {
        string(self.browser.command(Call::Get, &self.path("text")))
    }

    /// The value of the attribute `name`, if the element has it.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.browser.command(Call::Get, &self.path(&format!("attribute/{name}"))).as_str().map(str::to_owned)
    }
}

impl Failure {
    fn describe(&self) -> String {
        format!("{}: {}", self.error, self.message)
    }
}

/// Sends one WebDriver request and returns the `value` of its answer.
fn send(agent: &ureq::Agent, url: &str, call: Call<'_>) -> Result<Value, Failure> {
    let response = match call {
        Call::Get => agent.get(url).call(),
        Call::Post(body) => agent.post(url).header("Content-Type", "application/json").send(body.to_string()),
        Call::Delete => agent.delete(url).call(),
    };
    let transport = |err: ureq::Error| Failure { error: "transport".to_owned(), message: format!("{url}: {err}") };
    let mut response = response.map_err(transport)?;
    let text = response.body_mut().with_config().limit(64 << 20).read_to_string().map_err(transport)?;
    let mut answer: Value = serde_json::from_str(&text)
        .map_err(|err| Failure { error: "invalid answer".to_owned(), message: format!("{url}: {err}: {text}") })?;
    let value = answer["value"].take();
    match value["error"].as_str() {
        Some(error) => {
            Err(Failure { error: error.to_owned(), message: value["message"].as_str().unwrap_or_default().to_owned() })
        }
        None if !response.status().is_success() => {
            Err(Failure { error: format!("HTTP {}", response.status()), message: text })
        }
        None => Ok(value),
    }
}

/// The string in a WebDriver answer.
fn string(value: Value) -> String {
    match value {
        Value::String(text) => text,
        other => panic!("WebDriver answered {other} where a string was expected"),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    const PAGE: &str = r#"<!doctype html>
<html><head><title>Browser test</title></head><body>
<h1 id="greeting">Hello from the test page</h1>
<form id="form" onsubmit="event.preventDefault();
    document.getElementById('out').textContent = 'Hi, ' + document.getElementById('name').value;">
  <input id="name" type="text" value="old"> <button id="go" type="submit">Greet</button>
</form>
<p id="out"></p>
</body></html>"#;

    /// Serves `PAGE` for every request on a free loopback port, and returns its URL.
    fn serve_page() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}/", listener.local_addr().expect("an address"));
        thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                // One thread per connection: the browser may open connections it never uses.
                thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut buf = [0; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        PAGE.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(PAGE.as_bytes()));
                });
            }
        });
        url
    }

    #[test]
    fn browser_fills_a_form_and_takes_a_screenshot() {
        if !Browser::available() {
            eprintln!("skipped: chromedriver or chromium is not installed");
            return;
        }
        let url = serve_page();
        let shots = tempfile::tempdir().expect("a temporary directory");
        let browser = Browser::start(shots.path());
        browser.goto(&url);
        assert_eq!(browser.url(), url);
        assert_eq!(browser.title(), "Browser test");
        assert!(browser.page_source().contains("id=\"greeting\""));
        assert_eq!(browser.find("#greeting").text(), "Hello from the test page");
        assert_eq!(browser.find("#name").attribute("type").as_deref(), Some("text"));
        assert_eq!(browser.find("#go").attribute("disabled"), None);
        assert_eq!(browser.find_all("input, button").len(), 2);
        assert!(!browser.exists("#missing"));

        browser.fill("#name", "Ada");
        browser.click("#go");
        browser.wait_for_text("#out", "Hi, Ada");
        assert_eq!(browser.execute("return document.getElementById('name').value;"), json!("Ada"));

        let shot = browser.screenshot("form");
        assert_eq!(shot, shots.path().join("form.png"));
        let png = fs::read(&shot).expect("the screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {:?}", &png[..png.len().min(8)]);
    }
}
