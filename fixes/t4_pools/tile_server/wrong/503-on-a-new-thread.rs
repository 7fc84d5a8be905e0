// Answers 503, but on a new thread per refused connection: the thread count still grows with the load.
// caught by: test
//! Tile server
//!
//! A map's tiles are rendered on demand by a small HTTP service behind a load balancer. A render
//! keeps a CPU busy, so the service renders on a fixed pool of handler threads fed by a bounded
//! queue of connections. When every handler is busy and the queue is full, it answers "503 Service
//! Unavailable" at once, and the load balancer retries on another replica.
//!
//! Done when: every request is answered (200 with the tile, 404 for a path that is no tile, 503
//! at once while every handler is busy and the queue is full), the number of threads does not grow
//! with the number of connections, and `shutdown` returns with every thread joined.

use kit::sync::atomic::{AtomicBool, Ordering};
use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

pub struct TileServer {
    /// Where it listens: a free port of 127.0.0.1.
    pub addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: thread::JoinHandle<()>,
    handlers: Vec<thread::JoinHandle<()>>,
}

impl TileServer {
    /// Serves with `handlers` threads calling `render(path)`, and a queue of `capacity` at most.
    pub fn start<H>(handlers: usize, capacity: usize, render: H) -> io::Result<Self>
    where
        H: Fn(&str) -> Option<String> + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let (queue, backlog) = mpsc::sync_channel::<TcpStream>(capacity);
        let (backlog, render) = (Arc::new(Mutex::new(backlog)), Arc::new(render));
        let handlers = (0..handlers.max(1))
            .map(|_| {
                let (backlog, render) = (Arc::clone(&backlog), Arc::clone(&render));
                thread::spawn(move || {
                    // The lock is held while taking a connection, not while serving it.
                    let next = || backlog.lock().unwrap().recv();
                    while let Ok(conn) = next() {
                        serve(conn, &*render);
                    }
                })
            })
            .collect();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let acceptor = thread::spawn(move || {
            let running = |_: &io::Result<TcpStream>| !stop.load(Ordering::SeqCst);
            for conn in listener.incoming().take_while(running).flatten() {
                if let Err(mpsc::TrySendError::Full(conn)) = queue.try_send(conn) {
                    // Answered off the acceptor, so that it goes back to accepting at once.
                    thread::spawn(move || respond(conn, "503 Service Unavailable", "busy\n"));
                }
            }
            // Leaving drops `queue`: the handlers serve what is queued, then stop.
        });
        Ok(TileServer { addr, stopping, acceptor, handlers })
    }

    /// Stops accepting, serves what is queued and joins every thread.
    pub fn shutdown(self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The acceptor is blocked in `accept`: a connection wakes it to see the flag.
        let _ = TcpStream::connect(self.addr);
        // A thread that panicked has said so already; the others must still be joined.
        for thread in std::iter::once(self.acceptor).chain(self.handlers) {
            let _ = thread.join();
        }
    }
}

/// Reads the whole request, up to the blank line (no header matters here), and answers.
fn serve<H: Fn(&str) -> Option<String>>(conn: TcpStream, render: &H) {
    // A client that stalls must not hold a handler for ever.
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut lines = BufReader::new(&conn).lines().map_while(Result::ok);
    let request = lines.next().unwrap_or_default();
    lines.find(String::is_empty);
    match request.split(' ').nth(1).and_then(render) {
        Some(tile) => respond(conn, "200 OK", &tile),
        None => respond(conn, "404 Not Found", "no such tile\n"),
    }
}

fn respond(mut conn: TcpStream, status: &str, body: &str) {
    let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close", body.len());
    // A client that has gone needs nothing more.
    let _ = conn.write_all(format!("{head}\r\n\r\n{body}").as_bytes());
}

/// A stand-in for rendering the tile at `/tiles/{zoom}/{x}/{y}.png`, which takes a while.
fn render_tile(path: &str) -> Option<String> {
    let tile = path.strip_prefix("/tiles/")?.strip_suffix(".png")?;
    RealClock.sleep(Duration::from_millis(100));
    Some(format!("PNG of tile {tile}\n"))
}

/// Connects and sends `GET path`; `read_response` reads the answer.
fn send_get(addr: SocketAddr, path: &str) -> io::Result<TcpStream> {
    let mut conn = TcpStream::connect(addr)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: tiles\r\n\r\n").as_bytes())?;
    Ok(conn)
}

/// Everything the server sent, also when a reset (a close with the request unread) ends the read.
fn read_response(mut conn: TcpStream) -> String {
    let mut response = Vec::new();
    let _ = conn.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

fn main() {
    let server = TileServer::start(2, 2, render_tile).expect("no free port on 127.0.0.1");
    println!("tile server on http://{}: 2 handlers, room for 2 in the queue", server.addr);
    // A burst: every request is sent before any response is read.
    let paths = (0..6).map(|x| format!("/tiles/3/{x}/2.png")).chain(["/favicon.ico".into()]);
    let burst: Vec<_> = paths.map(|path| (send_get(server.addr, &path), path)).collect();
    for (conn, path) in burst {
        let response = conn.map(read_response).unwrap_or_else(|e| e.to_string());
        println!("GET {path:<18} {}", response.lines().next().unwrap_or("no response"));
    }
    server.shutdown();
}
