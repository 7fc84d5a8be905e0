//! The runtimes exercises run on: `test`, a current-thread runtime on a paused clock with a
//! watchdog that turns a hang into a diagnosis at once, and `block_on` for a `main`.

use super::waits;
use std::future::Future;
use std::task::Poll;
use std::time::Duration;

/// How much virtual time a test may take. With the clock paused, the runtime moves it straight to
/// the next timer whenever every task waits, so a test whose tasks all wait for each other
/// reaches this limit at once, in real time, and fails with a diagnosis.
pub const HANG_AFTER: Duration = Duration::from_secs(3600);

/// Runs a test's future to its end on a current-thread runtime whose clock starts paused: a
/// `sleep` or a timeout costs no real time, and tasks run in an order that never depends on the
/// machine. If the future is still pending once [`HANG_AFTER`] of virtual time has passed, which
/// with every task idle happens at once, the test fails with a hang diagnosis that says what each
/// task awaits.
///
/// ```
/// kit::tasks::test(async {
///     kit::tasks::time::sleep(std::time::Duration::from_secs(60)).await; // microseconds
/// });
/// ```
#[track_caller]
pub fn test<F: Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("failed to build the test's runtime");
    let outcome = runtime.block_on(async {
        let began = tokio::time::Instant::now();
        let mut future = std::pin::pin!(future);
        let mut watchdog = std::pin::pin!(tokio::time::sleep(HANG_AFTER));
        // Polled by hand, not in `select!`, which would drop the test's future, and with it the
        // notes of what it awaits, before the diagnosis is written.
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            match watchdog.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(diagnosis(began.elapsed()))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    });
    match outcome {
        Ok(output) => output,
        Err(diagnosis) => {
            drop(runtime);
            crate::hang::fail(diagnosis)
        }
    }
}

/// What every pending task awaits, once the watchdog fired.
fn diagnosis(waited: Duration) -> String {
    let pending = waits::pending();
    let mut text = format!(
        "the test was still pending after {}s of virtual time: every task was waiting and none \
         could wake the others (the clock is paused, so this took no real time).",
        waited.as_secs()
    );
    if pending.is_empty() {
        text.push_str(
            "\nNo task was in one of the kit's waits (a channel, a lock, a semaphore, a join); a \
             task waiting to read or write a byte stream (`io`) is not noted.",
        );
    } else {
        text.push_str("\nWhat each task was waiting for:");
        for line in pending {
            text.push_str("\n  - ");
            text.push_str(&line.replace('\n', "\n    "));
        }
    }
    text
}

/// Runs a `main`'s future on a current-thread runtime on the real clock.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("failed to build a runtime")
        .block_on(future)
}
