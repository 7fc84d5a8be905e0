//! Frame reader
//!
//! A telemetry gateway relays readings from field devices to the ingest pipeline. Each device
//! keeps one connection open and sends length-prefixed frames: a 4-byte big-endian length, then
//! that many bytes of payload. Devices sit on cellular links, so a frame often arrives in pieces,
//! seconds apart. The gateway also writes the device a heartbeat (an empty frame) every 5
//! seconds: a device that hears nothing for 15 seconds drops the link and dials in again.
//!
//! Done when: `relay` forwards upstream every frame the device sends, whole and in order, however
//! its bytes are spread out in time; writes a heartbeat every 5 s from the moment it starts (at
//! 5 s, 10 s, ...), also while a frame is half received; and returns `Ok` once the device hangs
//! up after its last frame, leaving no task behind.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::io::{self, AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf};
use kit::tasks::sync::mpsc;
use kit::tasks::time::{Duration, Instant, interval_at};
use kit::tasks::{self, select};

/// How often the gateway writes the device a heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// The largest payload a device may announce; anything longer means the stream is corrupt.
pub const MAX_FRAME: usize = 4096;
/// A heartbeat is an empty frame: a length of zero.
const HEARTBEAT: [u8; 4] = [0; 4];

/// Reads a device's frames off its side of the connection.
pub struct FrameReader {
    conn: ReadHalf<DuplexStream>,
    /// The bytes read but not yet returned as a frame. It lives in the reader, not in the future
    /// of `next_frame`, so a half-read frame survives that future being dropped in `select!`.
    buffer: Vec<u8>,
}

impl FrameReader {
    pub fn new(conn: ReadHalf<DuplexStream>) -> Self {
        FrameReader { conn, buffer: Vec::new() }
    }

    /// The next frame's payload; `None` once the device has hung up between two frames.
    ///
    /// Cancel-safe: `read_buf` either appends what came to the buffer or, dropped, reads nothing.
    pub async fn next_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(payload) = self.parse()? {
                return Ok(Some(payload));
            }
            if self.conn.read_buf(&mut self.buffer).await? == 0 {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
        }
    }

    /// Takes a whole frame off the front of the buffer, if one is there.
    fn parse(&mut self) -> io::Result<Option<Vec<u8>>> {
        let Some(header) = self.buffer.first_chunk::<4>() else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*header) as usize;
        if len > MAX_FRAME {
            let what = format!("a frame of {len} bytes announced, over the {MAX_FRAME}-byte limit");
            return Err(io::Error::new(io::ErrorKind::InvalidData, what));
        }
        if self.buffer.len() < 4 + len {
            return Ok(None);
        }
        let payload = self.buffer[4..4 + len].to_vec();
        self.buffer.drain(..4 + len);
        Ok(Some(payload))
    }
}

/// Relays `device`'s frames to `upstream` and writes it a heartbeat every `HEARTBEAT_EVERY`,
/// until the device hangs up.
pub async fn relay(device: DuplexStream, upstream: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let (reader, mut writer) = io::split(device);
    let mut frames = FrameReader::new(reader);
    let mut heartbeat = interval_at(Instant::now() + HEARTBEAT_EVERY, HEARTBEAT_EVERY);
    loop {
        select! {
            frame = frames.next_frame() => match frame? {
                Some(payload) => {
                    if upstream.send(payload).await.is_err() {
                        return Ok(()); // the pipeline is shutting down
                    }
                }
                None => return Ok(()),
            },
            _ = heartbeat.tick() => writer.write_all(&HEARTBEAT).await?,
        }
    }
}

/// The bytes of a frame carrying `payload`: its length, then itself.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

fn main() {
    tasks::block_on(async {
        let (gateway_end, device_end) = io::duplex(1024);
        let (upstream, mut pipeline) = mpsc::channel(16);
        let gateway = tasks::spawn(relay(gateway_end, upstream));
        let (mut hears, mut says) = io::split(device_end);
        tasks::spawn(async move {
            while hears.read_u32().await.is_ok() {
                println!("device:   heartbeat");
            }
        });
        tasks::spawn(async move {
            let reading = frame(b"pump-7 pressure=2.31bar");
            says.write_all(&frame(b"pump-7 online")).await?;
            tasks::time::sleep(Duration::from_millis(4800)).await;
            says.write_all(&reading[..10]).await?; // the link stalls mid-frame
            tasks::time::sleep(Duration::from_millis(400)).await;
            says.write_all(&reading[10..]).await?;
            says.shutdown().await
        });
        while let Some(payload) = pipeline.recv().await {
            println!("upstream: {}", String::from_utf8_lossy(&payload));
        }
        println!("relay ended: {:?}", gateway.await.expect("the relay panicked"));
    });
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::tasks::time::{sleep, sleep_until};

    /// Runs `relay` against a device that writes each piece of `script` at its time (ms since the
    /// relay started) and hangs up; checks that the frames `sent` were forwarded whole and in
    /// order, that heartbeats reached the device at `beats` (ms), and that nothing was left.
    async fn relay_to_device(script: Vec<(u64, Vec<u8>)>, sent: &[&str], beats: &[u64]) {
        let wrote: Vec<_> =
            script.iter().map(|(at, b)| format!("{} bytes at {at} ms", b.len())).collect();
        let started = Instant::now();
        let (gateway_end, device_end) = io::duplex(1024);
        let (upstream, mut pipeline) = mpsc::channel(16);
        let gateway = tasks::spawn(relay(gateway_end, upstream));
        let (mut hears, mut says) = io::split(device_end);
        let listener = tasks::spawn(async move {
            let mut heard = Vec::new();
            while let Ok(beat) = hears.read_u32().await {
                assert_eq!(beat, 0, "the gateway wrote the device something else than a heartbeat");
                heard.push(started.elapsed().as_millis() as u64);
            }
            heard
        });
        let device = tasks::spawn(async move {
            for (at, piece) in script {
                sleep_until(started + Duration::from_millis(at)).await;
                if says.write_all(&piece).await.is_err() {
                    return; // the gateway hung up first
                }
            }
            let _ = says.shutdown().await;
        });
        let mut frames = Vec::new();
        while let Some(payload) = pipeline.recv().await {
            frames.push(String::from_utf8_lossy(&payload).into_owned());
        }
        let ended = gateway.await.expect("relay panicked");
        device.await.expect("the device panicked");
        sleep(Duration::from_millis(1)).await; // an aborted task is dropped when next run
        let closed = listener.is_finished();
        assert!(closed, "relay returned, but a task it started still held the connection open");
        let heard = listener.await.expect("the device's listener panicked");
        let left = tasks::alive_tasks();
        assert_eq!(left, 0, "{left} task(s) of the relay were still running after it returned");
        let (wrote, heartbeats) = (wrote.join(", "), format!("heartbeats at {heard:?} ms"));
        let story = format!("the device wrote {wrote} and hung up, sending {sent:?}; {heartbeats}");
        if let Err(e) = ended {
            panic!("relay failed with \"{e}\" after forwarding {frames:?}; {story}");
        }
        assert_eq!(frames, sent, "the frames forwarded upstream; {story}");
        let due = "one is due every 5 s from the start, whatever the device is doing";
        assert_eq!(heard, beats, "when heartbeats reached the device, in ms: {due}; {story}");
    }

    #[test]
    fn a_frame_that_stalls_across_a_heartbeat_arrives_whole() {
        tasks::test(async {
            let reading = frame(b"temp=21.5C hum=40%");
            let script = vec![
                (1000, frame(b"boot")),
                (4500, reading[..9].to_vec()),
                (6500, reading[9..].to_vec()),
                (7500, frame(b"bye")),
            ];
            relay_to_device(script, &["boot", "temp=21.5C hum=40%", "bye"], &[5000]).await;
        });
    }

    #[test]
    fn heartbeats_go_on_while_the_device_is_quiet_or_trickles_a_frame_in() {
        tasks::test(async {
            let reading = frame(b"rpm=1200");
            let script = vec![
                (2500, frame(b"hello")),
                (14500, reading[..2].to_vec()), // half the length, before a heartbeat
                (15500, reading[2..6].to_vec()),
                (17500, reading[6..8].to_vec()),
                (21500, reading[8..].to_vec()),
                (22500, [frame(b"a"), frame(b"bye")].concat()), // two frames in one write
            ];
            let beats = [5000, 10000, 15000, 20000];
            relay_to_device(script, &["hello", "rpm=1200", "a", "bye"], &beats).await;
        });
    }
}
