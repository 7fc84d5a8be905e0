// Writes the heartbeats from a task of their own, aborted when the relay ends, and reads frames without select!, so no read is ever cancelled.
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

use kit::tasks;
use kit::tasks::io::{self, AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf};
use kit::tasks::sync::mpsc;
use kit::tasks::time::{Duration, Instant, interval_at};

/// How often the gateway writes the device a heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// The largest payload a device may announce; anything longer means the stream is corrupt.
pub const MAX_FRAME: usize = 4096;
/// A heartbeat is an empty frame: a length of zero.
const HEARTBEAT: [u8; 4] = [0; 4];

/// Reads a device's frames off its side of the connection.
pub struct FrameReader {
    conn: ReadHalf<DuplexStream>,
}

impl FrameReader {
    pub fn new(conn: ReadHalf<DuplexStream>) -> Self {
        FrameReader { conn }
    }

    /// The next frame's payload; `None` once the device has hung up between two frames.
    pub async fn next_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut header = [0; 4];
        match self.conn.read_exact(&mut header).await {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let len = u32::from_be_bytes(header) as usize;
        if len > MAX_FRAME {
            let what = format!("a frame of {len} bytes announced, over the {MAX_FRAME}-byte limit");
            return Err(io::Error::new(io::ErrorKind::InvalidData, what));
        }
        let mut payload = vec![0; len];
        self.conn.read_exact(&mut payload).await?;
        Ok(Some(payload))
    }
}

/// Relays `device`'s frames to `upstream` and writes it a heartbeat every `HEARTBEAT_EVERY`,
/// until the device hangs up.
pub async fn relay(device: DuplexStream, upstream: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let (reader, mut writer) = io::split(device);
    // The heartbeat runs on a task of its own, so nothing ever interrupts a frame.
    let beating = tasks::spawn(async move {
        let mut heartbeat = interval_at(Instant::now() + HEARTBEAT_EVERY, HEARTBEAT_EVERY);
        loop {
            heartbeat.tick().await;
            if writer.write_all(&HEARTBEAT).await.is_err() {
                break;
            }
        }
    });
    let mut frames = FrameReader::new(reader);
    let ended = loop {
        match frames.next_frame().await {
            Ok(Some(payload)) => {
                if upstream.send(payload).await.is_err() {
                    break Ok(()); // the pipeline is shutting down
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    beating.abort(); // it holds the connection's writing half
    ended
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
