//! Closing connections that go quiet, so that slow clients cannot hold the server's sockets:
//! each connection has a deadline for what it is waiting for (its next request, the rest of a
//! request's head, the rest of its body), and a read that is still waiting when the deadline
//! passes fails, which ends the connection. While the server works on an answer, nothing is
//! timed.
//!
//! The phases come from two places: the connection's reads (the first byte of a request) and
//! a middleware around the router (a request's head is complete when the router is called;
//! its body ends when it is read to the end or dropped; the answer ends when its body is
//! dropped).

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll, Waker},
    time::Duration,
};

use axum::{
    body::{Body, Bytes, HttpBody},
    extract::{ConnectInfo, Request, connect_info::Connected},
    middleware::Next,
    response::Response,
    serve::IncomingStream,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    time::{Instant, Sleep},
};

/// How long a connection may wait on its client before the server closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the first byte of a request to the end of its head (request line and headers).
    pub header: Duration,
    /// From the end of a request's head to the end of its body.
    pub body: Duration,
    /// How long a connection may wait for a request: once opened, and after each answer.
    pub idle: Duration,
}

impl Default for Timeouts {
    /// 10 s for a head, 30 s for a body, 60 s between requests.
    fn default() -> Timeouts {
        Timeouts { header: Duration::from_secs(10), body: Duration::from_secs(30), idle: Duration::from_secs(60) }
    }
}

/// What a connection is waiting for, and since when.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// A request: none has begun since the connection opened or the last answer ended.
    Idle(Instant),
    /// The rest of a request's head, whose first byte came then.
    Head(Instant),
    /// The rest of a request's body, whose head ended then.
    Body(Instant),
    /// Nothing from the client: the server is reading nothing or answering.
    Busy,
}

/// The phase of one connection, shared by its stream and the middleware.
#[derive(Debug)]
pub(crate) struct Watch {
    state: Mutex<State>,
    timeouts: Timeouts,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// The task of the last read that waited: woken when the phase changes, so that it waits
    /// again with the new deadline (the server does not read again by itself after an answer
    /// until bytes come).
    reader: Option<Waker>,
}

impl Watch {
    fn new(timeouts: Timeouts) -> Watch {
        Watch { state: Mutex::new(State { phase: Phase::Idle(Instant::now()), reader: None }), timeouts }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("the phase is never poisoned")
    }

    /// The connection is now in `phase`.
    fn set(&self, phase: Phase) {
        let reader = {
            let mut state = self.state();
            state.phase = phase;
            state.reader.take()
        };
        if let Some(reader) = reader {
            reader.wake();
        }
    }

    /// Bytes came from the client: in an idle connection, a request begins.
    fn bytes_read(&self) {
        let mut state = self.state();
        if let Phase::Idle(_) = state.phase {
            state.phase = Phase::Head(Instant::now());
        }
    }

    /// The request's body ended (or will not be read): its deadline no longer holds.
    fn body_done(&self) {
        let mut state = self.state();
        if let Phase::Body(_) = state.phase {
            state.phase = Phase::Busy;
        }
    }

    /// When a read that waits must give up; the reader is woken when that changes.
    fn deadline(&self, reader: &Waker) -> Option<Instant> {
        let mut state = self.state();
        if !state.reader.as_ref().is_some_and(|waiting| waiting.will_wake(reader)) {
            state.reader = Some(reader.clone());
        }
        match state.phase {
            Phase::Idle(since) => Some(since + self.timeouts.idle),
            Phase::Head(since) => Some(since + self.timeouts.header),
            Phase::Body(since) => Some(since + self.timeouts.body),
            Phase::Busy => None,
        }
    }
}

/// A listener whose connections close when they go quiet.
pub(crate) struct QuietListener {
    listener: TcpListener,
    timeouts: Timeouts,
}

impl QuietListener {
    pub(crate) fn new(listener: TcpListener, timeouts: Timeouts) -> QuietListener {
        QuietListener { listener, timeouts }
    }
}

impl axum::serve::Listener for QuietListener {
    type Io = QuietStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (QuietStream, SocketAddr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
        // Answers go out as soon as they are written: Nagle's algorithm would hold a
        // response's last segment back until the client acknowledges the previous one.
        if let Err(err) = stream.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
        (
            QuietStream {
                stream,
                watch: Arc::new(Watch::new(self.timeouts)),
                sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A connection whose reads fail once the deadline of its phase has passed.
pub(crate) struct QuietStream {
    stream: TcpStream,
    watch: Arc<Watch>,
    sleep: Pin<Box<Sleep>>,
}

impl AsyncRead for QuietStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.watch.bytes_read();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => {
                let Some(deadline) = this.watch.deadline(cx.waker()) else { return Poll::Pending };
                if this.sleep.deadline() != deadline {
                    this.sleep.as_mut().reset(deadline);
                }
                match this.sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stayed quiet for longer than allowed",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for QuietStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A connection's phase and the address it comes from, in each of its requests' extensions
/// (as `ConnectInfo`).
#[derive(Debug, Clone)]
pub(crate) struct Connection(Arc<Watch>, SocketAddr);

impl Connection {
    /// The address the connection comes from.
    pub(crate) fn peer(&self) -> std::net::IpAddr {
        self.1.ip()
    }
}

impl Connected<IncomingStream<'_, QuietListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, QuietListener>) -> Connection {
        Connection(Arc::clone(&stream.io().watch), *stream.remote_addr())
    }
}

/// The middleware that follows each request of a connection: its head is complete, then its
/// body is awaited (if it has one), then the answer is worked on, until its body is dropped.
pub(crate) async fn follow(request: Request, next: Next) -> Response {
    let Some(ConnectInfo(Connection(watch, _))) = request.extensions().get::<ConnectInfo<Connection>>().cloned() else {
        return next.run(request).await;
    };
    match request.body().is_end_stream() {
        true => watch.set(Phase::Busy),
        false => watch.set(Phase::Body(Instant::now())),
    }
    let request = request.map(|body| Body::new(Followed { body, watch: Arc::clone(&watch), request: true }));
    next.run(request).await.map(|body| Body::new(Followed { body, watch, request: false }))
}

/// A request's body, or an answer's, that tells the connection's phase when it ends.
struct Followed {
    body: Body,
    watch: Arc<Watch>,
    /// A request's body (else an answer's).
    request: bool,
}

impl HttpBody for Followed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if self.request && matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.watch.body_done();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Followed {
    fn drop(&mut self) {
        match self.request {
            true => self.watch.body_done(),
            // The answer is written: the connection waits for the next request.
            false => self.watch.set(Phase::Idle(Instant::now())),
        }
    }
}
