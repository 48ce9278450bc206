//! The one socket of one connection, opened by outboxctl itself (ARCHITECTURE.md §5).
//!
//! Owning the socket is what lets a connection be cut — by its own deadline, by a second
//! Ctrl-C, or because nobody reads the rest of a result — without touching any other
//! connection of the process, on every Unix: the handle that cuts it is the socket's
//! own, not a descriptor number found by listing the process's open files. A cut socket
//! fails every later read and write with a [`CutError`] that says why, so the error the
//! caller reports names the cause, whatever the driver would have called it.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream, UnixStream};

/// Why a connection was cut: the text of the error every later use of it fails with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cut {
    /// The server stayed silent past `--statement-timeout` and its grace.
    Silent { timeout: Duration, grace: Duration },
    /// A round trip with a deadline of its own went unanswered (a pooler holding the
    /// client until a server connection frees).
    Unanswered { within: Duration },
    /// The connection was accepted but its first query went unanswered within the
    /// connect timeout (a pooler holding clients until a server connection frees).
    FirstAnswer { within: Duration },
    /// A second signal abandoned the statement in flight.
    Abandoned,
    /// Nobody reads the rest of a result (a closed pipe): ending the connection is the
    /// only quick way to stop a server that is sending it.
    Unread,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::units::format_duration;
        match self {
            Cut::Silent { timeout, grace } => write!(
                f,
                "the server did not answer within --statement-timeout {} (plus {} grace), so outboxctl closed the connection",
                format_duration(*timeout),
                format_duration(*grace)
            ),
            Cut::Unanswered { within } => write!(
                f,
                "no answer within {}, so outboxctl closed the connection",
                format_duration(*within)
            ),
            Cut::FirstAnswer { within } => write!(
                f,
                "the server accepted the connection but did not answer its first query within {} (the connect timeout), so outboxctl closed it: a pooler with every server connection taken, or a server too busy to answer",
                format_duration(*within)
            ),
            Cut::Abandoned => write!(
                f,
                "the statement in flight was abandoned by a second signal and its connection closed"
            ),
            Cut::Unread => write!(
                f,
                "the rest of the result was not wanted, so outboxctl closed the connection"
            ),
        }
    }
}

/// The error a cut connection fails with; the driver carries it as the source of its own.
#[derive(Debug)]
pub struct CutError(pub Cut);

impl std::fmt::Display for CutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for CutError {}

/// The cut behind a driver error, if a connection was cut.
pub fn cut_of<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e Cut> {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(cut) = err.downcast_ref::<CutError>() {
            return Some(&cut.0);
        }
        // io::Error's source skips the error it wraps: look inside it.
        if let Some(inner) = err
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<CutError>())
        {
            return Some(&inner.0);
        }
        current = err.source();
    }
    None
}

/// What a cut needs: the socket while it is open, and the reason once it is cut.
#[derive(Debug, Default)]
struct CutState {
    /// `None` once the socket is closed, so a cut never reaches a descriptor number the
    /// process has since reused for something else.
    fd: Mutex<Option<RawFd>>,
    why: OnceLock<Cut>,
}

/// A handle that cuts one connection, from any thread. Clones cut the same connection.
#[derive(Clone, Debug, Default)]
pub struct Cutter(Arc<CutState>);

impl Cutter {
    /// Ends the connection now: every read and write on it fails with `why` from here
    /// on. The first reason given is the one kept.
    pub fn cut(&self, why: Cut) {
        let reset = why == Cut::Unread;
        let _ = self.0.why.set(why);
        let Ok(fd) = self.0.fd.lock() else {
            return;
        };
        if let Some(fd) = *fd {
            // SAFETY: the descriptor is the open socket of this connection: the lock
            // held here keeps the stream from closing it in the meantime.
            let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            let socket = SockRef::from(&borrowed);
            if reset {
                // A reset, not a polite close: a server blocked sending rows to a reader
                // that stopped would otherwise wait for the kernel to give up on the
                // half-closed socket (a minute), its query running all along.
                let _ = socket.set_linger(Some(Duration::ZERO));
            }
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Why the connection was cut, once it was.
    pub fn why(&self) -> Option<&Cut> {
        self.0.why.get()
    }
}

enum Inner {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// A connection's socket: TCP or a Unix-domain socket, with the handle that cuts it.
pub struct PgStream {
    inner: Inner,
    cutter: Cutter,
}

impl PgStream {
    fn new(inner: Inner) -> Self {
        let fd = match &inner {
            Inner::Tcp(s) => s.as_raw_fd(),
            Inner::Unix(s) => s.as_raw_fd(),
        };
        let cutter = Cutter::default();
        if let Ok(mut slot) = cutter.0.fd.lock() {
            *slot = Some(fd);
        }
        Self { inner, cutter }
    }

    pub fn cutter(&self) -> Cutter {
        self.cutter.clone()
    }

    fn cut_error(&self) -> Option<io::Error> {
        self.cutter
            .why()
            .map(|why| io::Error::other(CutError(why.clone())))
    }
}

impl Drop for PgStream {
    fn drop(&mut self) {
        // From here the descriptor may close at any moment: no cut may reach it.
        if let Ok(mut slot) = self.cutter.0.fd.lock() {
            *slot = None;
        }
    }
}

impl AsyncRead for PgStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(err) = self.cut_error() {
            return Poll::Ready(Err(err));
        }
        let this = self.get_mut();
        let polled = match &mut this.inner {
            Inner::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Unix(s) => Pin::new(s).poll_read(cx, buf),
        };
        // A cut wakes the read with an end of file or a reset: say why instead.
        match (polled, this.cut_error()) {
            (Poll::Ready(_), Some(err)) => Poll::Ready(Err(err)),
            (polled, _) => polled,
        }
    }
}

impl AsyncWrite for PgStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.cut_error() {
            return Poll::Ready(Err(err));
        }
        match &mut self.get_mut().inner {
            Inner::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.cut_error() {
            return Poll::Ready(Err(err));
        }
        match &mut self.get_mut().inner {
            Inner::Tcp(s) => Pin::new(s).poll_flush(cx),
            Inner::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().inner {
            Inner::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// TCP settings, as libpq's `keepalives*` and `tcp_user_timeout` give them.
#[derive(Clone, Debug, Default)]
pub struct TcpOptions {
    pub keepalive: Option<TcpKeepalive>,
    pub user_timeout: Option<Duration>,
}

/// Where one host is reached.
#[derive(Clone, Debug)]
pub enum Endpoint {
    /// A socket directory: the server listens on `DIR/.s.PGSQL.PORT`.
    SocketDir(String, u16),
    /// A host name, resolved here; each address is tried in turn, as libpq does.
    Name(String, u16),
    /// A numeric address (`hostaddr`), used without resolving anything; the host
    /// name given beside it (or the address itself) is what TLS verifies.
    Addr(IpAddr, u16, String),
}

/// One place a socket can be opened to.
#[derive(Clone, Debug)]
pub enum Place {
    Unix(String),
    Tcp(SocketAddr),
}

impl Endpoint {
    /// The places to try, in order: a host name's every address.
    pub async fn places(&self) -> io::Result<Vec<Place>> {
        match self {
            Endpoint::SocketDir(dir, port) => Ok(vec![Place::Unix(format!(
                "{}/.s.PGSQL.{port}",
                dir.trim_end_matches('/')
            ))]),
            Endpoint::Addr(addr, port, _) => Ok(vec![Place::Tcp(SocketAddr::new(*addr, *port))]),
            Endpoint::Name(name, port) => {
                let places: Vec<Place> = tokio::net::lookup_host((name.as_str(), *port))
                    .await?
                    .map(Place::Tcp)
                    .collect();
                if places.is_empty() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("host name \"{name}\" resolves to no address"),
                    ));
                }
                Ok(places)
            }
        }
    }

    pub fn is_socket(&self) -> bool {
        matches!(self, Endpoint::SocketDir(..))
    }

    /// The name TLS verifies the server's certificate against.
    pub fn tls_name(&self) -> String {
        match self {
            Endpoint::SocketDir(..) => String::new(),
            Endpoint::Name(name, _) => name.clone(),
            Endpoint::Addr(_, _, name) => name.clone(),
        }
    }
}

/// Opens a socket to `place`. The caller bounds the time it may take.
pub async fn open(place: &Place, tcp: &TcpOptions) -> io::Result<PgStream> {
    match place {
        Place::Unix(path) => {
            let stream = UnixStream::connect(path).await?;
            Ok(PgStream::new(Inner::Unix(stream)))
        }
        Place::Tcp(addr) => connect_tcp(*addr, tcp).await,
    }
}

async fn connect_tcp(addr: SocketAddr, tcp: &TcpOptions) -> io::Result<PgStream> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    let options = SockRef::from(&socket);
    if let Some(keepalive) = &tcp.keepalive {
        options.set_tcp_keepalive(keepalive)?;
    }
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
    if let Some(timeout) = tcp.user_timeout {
        options.set_tcp_user_timeout(Some(timeout))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(PgStream::new(Inner::Tcp(stream)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_is_found_inside_the_errors_that_carry_it() {
        let io = io::Error::other(CutError(Cut::Abandoned));
        assert_eq!(cut_of(&io), Some(&Cut::Abandoned));
        let plain = io::Error::other("reset by peer");
        assert_eq!(cut_of(&plain), None);
    }

    #[test]
    fn a_cut_fails_reads_and_writes_of_that_connection_only() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let options = TcpOptions::default();
            let mut first = connect_tcp(addr, &options).await.unwrap();
            let (mut first_peer, _) = listener.accept().await.unwrap();
            let mut second = connect_tcp(addr, &options).await.unwrap();
            let (mut second_peer, _) = listener.accept().await.unwrap();

            first.cutter().cut(Cut::Abandoned);
            let mut buf = [0u8; 4];
            let err = first.read(&mut buf).await.unwrap_err();
            assert_eq!(cut_of(&err), Some(&Cut::Abandoned));
            assert!(first.write_all(b"x").await.is_err());
            // The peer sees the end of the connection.
            assert_eq!(first_peer.read(&mut buf).await.unwrap(), 0);

            second.write_all(b"ping").await.unwrap();
            second_peer.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            second_peer.write_all(b"pong").await.unwrap();
            second.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"pong");
        });
    }

    #[test]
    fn a_cut_after_the_socket_closed_touches_nothing() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cutter = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let stream = connect_tcp(listener.local_addr().unwrap(), &TcpOptions::default())
                .await
                .unwrap();
            stream.cutter()
        });
        // The stream is gone; its descriptor number may be reused by now.
        cutter.cut(Cut::Silent {
            timeout: Duration::from_secs(1),
            grace: Duration::from_secs(3),
        });
        assert!(cutter.0.fd.lock().unwrap().is_none());
    }
}
