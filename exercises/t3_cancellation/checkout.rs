//! Checkout
//!
//! Placing an order calls three services at once: the warehouse reserves the items, the bank
//! authorizes the card, the courier books a pickup. If one call fails the order cannot go through,
//! so the others are told to stop: each undoes what it did and answers `Cancelled`. The calls run
//! in a `Group`, which reports the failure that stopped the order (the cause, not the `Cancelled`
//! answers that followed), and only once every call has finished, so that a customer who retries
//! never races a reservation still being released.
//!
//! Done when: `wait` returns the first error any task returned (`Ok` if none failed), and only
//! after every task has finished; every task is told to stop as soon as one fails; and the loom
//! models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::time::Duration;

/// The signal that tells a group's tasks to stop.
#[derive(Default)]
pub struct Stop {
    stopped: Mutex<bool>,
    changed: Condvar,
}

impl Stop {
    /// For tasks that check between steps.
    pub fn is_set(&self) -> bool {
        *self.stopped.lock().unwrap()
    }

    /// Blocks until the group tells its tasks to stop.
    pub fn wait(&self) {
        let mut stopped = self.stopped.lock().unwrap();
        while !*stopped {
            stopped = self.changed.wait(stopped).unwrap();
        }
    }

    fn set(&self) {
        *self.stopped.lock().unwrap() = true;
        self.changed.notify_all();
    }
}

/// Tasks that run together and fail together: the first error stops them all.
pub struct Group<E> {
    stop: Arc<Stop>,
    /// The error `wait` reports.
    failure: Arc<Mutex<Option<E>>>,
    tasks: Vec<thread::JoinHandle<()>>,
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Group { stop: Arc::default(), failure: Arc::default(), tasks: Vec::new() }
    }
}

impl<E: Send + 'static> Group<E> {
    /// Runs `task` on a thread of its own. If it fails, every task of the group is told to stop.
    pub fn spawn<F>(&mut self, task: F)
    where
        F: FnOnce(&Stop) -> Result<(), E> + Send + 'static,
    {
        let (stop, failure) = (Arc::clone(&self.stop), Arc::clone(&self.failure));
        self.tasks.push(thread::spawn(move || {
            if let Err(error) = task(&stop) {
                *failure.lock().unwrap() = Some(error);
                stop.set();
            }
        }));
    }

    /// Waits for every task to finish; returns the first error one of them returned.
    pub fn wait(self) -> Result<(), E> {
        for task in self.tasks {
            task.join().expect("a task panicked");
        }
        match self.failure.lock().unwrap().take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutError {
    OutOfStock(&'static str),
    CardDeclined,
    Cancelled,
}

/// One service call that takes `steps` steps of 10 ms, or gives up when told to stop.
fn call(name: &'static str, steps: u32, stop: &Stop) -> Result<(), CheckoutError> {
    for _ in 0..steps {
        if stop.is_set() {
            println!("  {name}: stopped, rolled back");
            return Err(CheckoutError::Cancelled);
        }
        RealClock.sleep(Duration::from_millis(10));
    }
    println!("  {name}: done");
    Ok(())
}

fn main() {
    let mut checkout = Group::default();
    checkout.spawn(|stop: &Stop| call("warehouse", 30, stop));
    checkout.spawn(|stop: &Stop| call("courier", 50, stop));
    checkout.spawn(|_: &Stop| {
        RealClock.sleep(Duration::from_millis(100));
        Err(CheckoutError::CardDeclined)
    });
    println!("order failed: {:?}", checkout.wait().unwrap_err());
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;
    use std::sync::mpsc as gate;

    #[test]
    fn wait_returns_the_first_error_once_every_task_has_stopped() {
        let threads = LiveThreads::track();
        let (stopped, saw_stop) = gate::channel();
        let (decline, declined) = gate::channel::<()>();
        let mut checkout = Group::default();
        let mut roll_backs = Vec::new();
        for service in ["warehouse", "courier"] {
            let stopped = stopped.clone();
            let (roll_back, rolling_back) = gate::channel::<()>();
            roll_backs.push(roll_back);
            checkout.spawn(move |stop: &Stop| {
                stop.wait();
                stopped.send(service).unwrap();
                rolling_back.recv().unwrap();
                Err(CheckoutError::Cancelled)
            });
        }
        drop(stopped); // so a task that never stops ends the test instead of blocking it
        checkout.spawn(move |_: &Stop| {
            declined.recv().unwrap();
            Err(CheckoutError::CardDeclined)
        });
        // wait() is already waiting when the card is declined.
        let waiting = thread::spawn(move || checkout.wait());
        assert!(waiting.wait_until_blocked().is_some(), "wait() returned before any task ended");
        decline.send(()).unwrap();
        let mut told = [saw_stop.recv().unwrap(), saw_stop.recv().unwrap()];
        told.sort();
        assert_eq!(told, ["courier", "warehouse"], "every other task must be told to stop");
        // The card's task has ended, its error recorded, before the others answer Cancelled.
        threads.wait_for_live_at_most(3);
        roll_backs.into_iter().for_each(|roll_back| roll_back.send(()).unwrap());
        let result = waiting.join().unwrap();
        assert_eq!(threads.not_joined(), 0, "wait() returned before joining every task");
        let cause = "the card was declined first; the others answered Cancelled because of it";
        assert_eq!(result, Err(CheckoutError::CardDeclined), "{cause}");
    }

    #[test]
    fn a_group_where_every_task_succeeds_returns_ok_and_stops_nobody() {
        let mut checkout = Group::<CheckoutError>::default();
        for _ in 0..3 {
            checkout.spawn(
                |stop: &Stop| if stop.is_set() { Err(CheckoutError::Cancelled) } else { Ok(()) },
            );
        }
        assert_eq!(checkout.wait(), Ok(()));
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn the_first_error_is_reported_not_the_cancellation_it_caused() {
        kit::model::check(|| {
            let mut checkout = Group::default();
            checkout.spawn(|_: &Stop| Err(CheckoutError::CardDeclined));
            checkout.spawn(|stop: &Stop| {
                stop.wait();
                Err(CheckoutError::Cancelled)
            });
            assert_eq!(checkout.wait(), Err(CheckoutError::CardDeclined), "it failed first");
        });
    }

    #[test]
    fn wait_returns_only_after_every_task_has_finished() {
        kit::model::check(|| {
            let rolled_back = Arc::new(AtomicBool::new(false));
            let mut checkout = Group::default();
            checkout.spawn(|_: &Stop| Err(CheckoutError::CardDeclined));
            let rollback = Arc::clone(&rolled_back);
            checkout.spawn(move |stop: &Stop| {
                stop.wait();
                rollback.store(true, Ordering::SeqCst);
                Ok(())
            });
            let _ = checkout.wait();
            assert!(rolled_back.load(Ordering::SeqCst), "wait() returned before a rollback ended");
        });
    }
}
