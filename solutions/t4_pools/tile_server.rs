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
                    respond(conn, "503 Service Unavailable", "busy, try another replica\n");
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

/// Reads the request line and the headers, up to the blank line, and answers.
fn serve<H: Fn(&str) -> Option<String>>(conn: TcpStream, render: &H) {
    // A client that stalls must not hold a handler for ever.
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut lines = BufReader::new(&conn).lines().map_while(Result::ok);
    let request = lines.next().unwrap_or_default();
    // No header matters here, but the whole request is read before answering.
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

/// A stand-in for rendering the tile at `/tiles/{zoom}/{x}/{y}.png`.
fn render_tile(path: &str) -> Option<String> {
    let tile = path.strip_prefix("/tiles/")?.strip_suffix(".png")?;
    Some(format!("PNG of tile {tile}\n"))
}

/// Connects and sends `GET path`; `read_response` reads the answer.
fn send_get(addr: SocketAddr, path: &str) -> io::Result<TcpStream> {
    let mut conn = TcpStream::connect(addr)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    conn.set_write_timeout(Some(Duration::from_secs(5)))?;
    conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: tiles\r\n\r\n").as_bytes())?;
    Ok(conn)
}

/// Everything the server sent. A reset after the response (a server may close without reading
/// the whole request) ends the read with an error, but what came before it counts.
fn read_response(mut conn: TcpStream) -> String {
    let mut response = Vec::new();
    let _ = conn.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

fn main() {
    use kit::time::{Clock, RealClock};
    let slow_render = |path: &str| {
        RealClock.sleep(Duration::from_millis(100));
        render_tile(path)
    };
    let server = TileServer::start(2, 2, slow_render).expect("no free port on 127.0.0.1");
    println!("tile server on http://{}: 2 handlers, room for 2 in the queue", server.addr);
    // A burst: every request is sent before any response is read.
    let paths = (0..6).map(|x| format!("/tiles/3/{x}/2.png")).chain(["/favicon.ico".into()]);
    for (conn, path) in paths.map(|path| (send_get(server.addr, &path), path)).collect::<Vec<_>>() {
        let response = conn.map(read_response).unwrap_or_else(|e| e.to_string());
        println!("GET {path:<18} {}", response.lines().next().unwrap_or("no response"));
    }
    server.shutdown();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;
    use std::sync::mpsc::{Sender, channel};

    fn status(response: &str) -> String {
        response.lines().next().unwrap_or("no response at all").to_owned()
    }

    #[test]
    fn serves_tiles_answers_404_and_shuts_down() {
        let server = TileServer::start(2, 4, render_tile).unwrap();
        let get = |path| send_get(server.addr, path).map(read_response).unwrap_or_default();
        let (tile, missing) = (get("/tiles/3/1/2.png"), get("/favicon.ico"));
        server.shutdown();
        assert_eq!(status(&tile), "HTTP/1.1 200 OK");
        assert!(tile.ends_with("\r\n\r\nPNG of tile 3/1/2\n"), "the tile came back as {tile:?}");
        assert_eq!(status(&missing), "HTTP/1.1 404 Not Found");
    }

    /// Opens the handlers' gate and shuts the server down, also when an assertion failed.
    struct Stop(Option<Sender<()>>, Option<TileServer>);

    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.take();
            self.1.take().into_iter().for_each(TileServer::shutdown);
        }
    }

    #[test]
    fn a_full_queue_is_answered_503_at_once_on_no_new_thread() {
        const REFUSED: &str = "HTTP/1.1 503 Service Unavailable";
        let threads = LiveThreads::track();
        // A handler reports `(id, None)` when it starts request `id`, then waits at a std channel
        // (as long as the test needs); a client reports `(id, Some(status))` once answered.
        let ((events, seen), (gate, held)) = (channel(), channel::<()>());
        let (started, held) = (events.clone(), Mutex::new(held));
        let server = TileServer::start(2, 2, move |path: &str| {
            let id = path[1..].parse().ok()?;
            let _ = started.send((id, None));
            let _ = held.lock().unwrap().recv();
            Some(format!("tile {id}"))
        });
        let server = server.unwrap();
        let (addr, at_start) = (server.addr, threads.spawned());
        let stop = Stop(Some(gate), Some(server));
        let request = |id: u32| {
            let (events, conn) = (events.clone(), send_get(addr, &format!("/{id}")).unwrap());
            std::thread::spawn(move || events.send((id, Some(status(&read_response(conn))))));
        };
        for id in 1..=2 {
            request(id);
            assert_eq!(seen.recv().unwrap(), (id, None), "a handler was free for request {id}");
        }
        let busy = "while both handlers were busy and 2 requests were queued";
        let refused = || match seen.recv().unwrap() {
            (id, Some(status)) => (id, status),
            (id, None) => panic!(
                "request {id} was handed to a thread of its own {busy}: expected 503 Service \
                 Unavailable"
            ),
        };
        (3..=5).for_each(request);
        assert_eq!(refused(), (5, REFUSED.into()), "request 5 came {busy}");
        (6..=12).for_each(request);
        for _ in 6..=12 {
            let (id, status) = refused();
            assert_eq!(status, REFUSED, "request {id} came {busy}");
        }
        // One helper thread started on first use would do; one per connection would not.
        let extra = threads.spawned() - at_start;
        let grew = format!("8 requests that found the queue full started {extra} threads");
        assert!(extra <= 1, "{grew}: the server's threads must not grow with its connections");
        drop(stop);
        let mut rest: Vec<_> = seen.iter().take(6).collect();
        rest.sort();
        let ok = |id| (id, Some("HTTP/1.1 200 OK".to_owned()));
        let served = [ok(1), ok(2), (3, None), ok(3), (4, None), ok(4)];
        assert_eq!(rest, served, "the busy and the queued requests are served at shutdown");
    }
}
