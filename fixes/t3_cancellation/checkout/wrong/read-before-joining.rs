// Keeps the first error but takes it before joining the tasks: a failure that comes later is missed.
// caught by: test, loom-assert
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
                failure.lock().unwrap().get_or_insert(error);
                stop.set();
            }
        }));
    }

    /// Waits for every task to finish; returns the first error one of them returned.
    pub fn wait(self) -> Result<(), E> {
        let failure = self.failure.lock().unwrap().take();
        for task in self.tasks {
            task.join().expect("a task panicked");
        }
        match failure {
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
