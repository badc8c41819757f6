//! Connections that go quiet are closed: a client that stops in the middle of a request's head
//! or body, or keeps a connection open without asking anything, is disconnected once its
//! timeout runs out, while requests that keep going (and answers that take long) are served.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use mc_app::{App, OnlineResolver};
use mc_test_support::TestDb;
use mc_web::{Options, Timeouts, Worker};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    time::{sleep, timeout},
};

use crate::support::{Gate, PATIENCE, Resolver, signed_credential};

/// The timeout a test waits out.
const SHORT: Duration = Duration::from_millis(200);
/// A timeout no test reaches.
const LONG: Duration = Duration::from_secs(3600);

const GET_HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";

/// A server on a loopback port, serving until the test ends.
struct Served {
    addr: SocketAddr,
    _db: TestDb,
    _stop: oneshot::Sender<()>,
}

impl Served {
    async fn start(timeouts: Timeouts) -> Served {
        Served::start_with(timeouts, Resolver::default()).await
    }

    async fn start_with(timeouts: Timeouts, resolver: impl OnlineResolver + 'static) -> Served {
        let db = TestDb::sqlite();
        let app = App::open(&db.url).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let options = Options { resolver: Arc::new(resolver), timeouts, ..Options::default() };
        let shutdown = async {
            let _ = stopped.await;
        };
        tokio::spawn(mc_web::serve_with(app, listener, Worker::default(), options, shutdown));
        Served { addr, _db: db, _stop: stop }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }
}

/// Reads until the server closes the connection, and returns what it sent; fails the test if
/// the server keeps the connection open.
async fn until_closed(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut received = Vec::new();
    let closed = timeout(PATIENCE, async {
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await;
    let received = String::from_utf8_lossy(&received).into_owned();
    assert!(closed.is_ok(), "the server kept the connection open; it sent {received:?}");
    received
}

/// Reads one answer (its head and a body of `Content-Length` bytes).
async fn answer(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = timeout(PATIENCE, async {
        let mut buffer = [0; 4096];
        loop {
            let text = String::from_utf8_lossy(&received).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
                    .map_or(0, |length| length.trim().parse::<usize>().unwrap());
                if received.len() >= end + 4 + length {
                    return text;
                }
            }
            let read = stream.read(&mut buffer).await.unwrap();
            assert_ne!(read, 0, "the server closed the connection; it sent {:?}", String::from_utf8_lossy(&received));
            received.extend_from_slice(&buffer[..read]);
        }
    })
    .await;
    read.expect("an answer")
}

/// A client that sends part of a request line and stops is disconnected once the head's time
/// is out; so is one that trickles a header a byte at a time, as the time is for the whole
/// head.
#[tokio::test]
async fn a_client_that_stops_in_the_middle_of_a_head_is_disconnected() {
    let server = Served::start(Timeouts { header: SHORT, body: LONG, idle: LONG }).await;
    let mut stalled = server.connect().await;
    stalled.write_all(b"GET /heal").await.unwrap();
    until_closed(&mut stalled).await;

    let mut trickling = server.connect().await;
    trickling.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.unwrap();
    let (mut reader, mut writer) = trickling.split();
    let trickle = async {
        loop {
            sleep(SHORT / 4).await;
            if writer.write_all(b"a").await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        () = trickle => {}
        _ = until_closed(&mut reader) => {}
    }
}

/// A client that sends a request's head and half its body, and stops, is disconnected once
/// the body's time is out.
#[tokio::test]
async fn a_client_that_stops_in_the_middle_of_a_body_is_disconnected() {
    let server = Served::start(Timeouts { header: LONG, body: SHORT, idle: LONG }).await;
    let mut stalled = server.connect().await;
    stalled
        .write_all(
            b"POST /api/v1/credentials/verify HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"half\": ",
        )
        .await
        .unwrap();
    until_closed(&mut stalled).await;
}

/// A connection that asks nothing is closed once the idle time is out: one never used, and
/// one kept alive after an answer.
#[tokio::test]
async fn an_idle_connection_is_closed() {
    let server = Served::start(Timeouts { header: LONG, body: LONG, idle: SHORT }).await;
    let mut unused = server.connect().await;
    assert_eq!(until_closed(&mut unused).await, "");

    let mut kept_alive = server.connect().await;
    kept_alive.write_all(GET_HEALTHZ).await.unwrap();
    let sent = until_closed(&mut kept_alive).await;
    assert!(sent.starts_with("HTTP/1.1 200 OK\r\n") && sent.ends_with("\r\n\r\nok\n"), "{sent}");
}

/// Timeouts far shorter than the requests: a kept-alive connection serves one request after
/// another, a body is read, and an answer the server takes longer than every timeout to give
/// is still given.
#[tokio::test]
async fn requests_that_keep_going_are_answered() {
    let (gate, mut reached) = Gate::closed();
    let resolver = Resolver::knowing_the_issuer().behind(Arc::clone(&gate));
    let server = Served::start_with(Timeouts { header: SHORT, body: SHORT, idle: SHORT }, resolver).await;
    let mut connection = server.connect().await;
    for _ in 0..3 {
        connection.write_all(GET_HEALTHZ).await.unwrap();
        let healthz = answer(&mut connection).await;
        assert!(healthz.starts_with("HTTP/1.1 200 OK\r\n") && healthz.ends_with("\r\n\r\nok\n"), "{healthz}");
    }

    let credential = signed_credential();
    let head = format!(
        "POST /api/v1/credentials/verify HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        credential.len()
    );
    connection.write_all(head.as_bytes()).await.unwrap();
    connection.write_all(credential.as_bytes()).await.unwrap();
    timeout(PATIENCE, reached.recv()).await.expect("the verification reaches the resolver").unwrap();
    // The verification is held up for longer than every timeout.
    sleep(SHORT * 3).await;
    gate.open();
    let verified = answer(&mut connection).await;
    assert!(verified.starts_with("HTTP/1.1 200 OK\r\n"), "{verified}");
    assert!(verified.contains("\"verdict\":\"valid\""), "{verified}");
}
