// Keeps a countdown of urgent tickets still allowed before a waiting normal one, refilled to 4 whenever a normal ticket starts.
//! Support queue
//!
//! A help desk's tickets are worked by a fixed pool of agents, a thread each. A ticket is urgent
//! (a customer's shop is down) or normal (a question about an invoice); urgent ones go first. But
//! on a bad day urgent tickets never stop coming, and the desk promises to answer every ticket, so
//! the support team agreed on a rule: after 4 urgent tickets in a row, a waiting normal one goes
//! next; then urgent ones go first again, for up to 4 more.
//!
//! Done when: an agent starts the oldest normal ticket if no urgent one waits or if 4 urgent ones
//! have started since the last normal one did (or since the desk opened), and otherwise the oldest
//! urgent one; every ticket is worked once; `close` returns when all are, with every agent gone.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Urgent,
    Normal,
}

type Work = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queues {
    urgent: VecDeque<Work>,
    normal: VecDeque<Work>,
    closed: bool,
    /// Urgent tickets that may still start before a waiting normal one.
    budget: Option<usize>,
}

impl Queues {
    /// The ticket an agent starts next, taken off its queue; `None` when none waits.
    fn next_ticket(&mut self) -> Option<Work> {
        let budget = self.budget.unwrap_or(4);
        if budget == 0 || self.urgent.is_empty() {
            if let Some(work) = self.normal.pop_front() {
                self.budget = Some(4);
                return Some(work);
            }
        }
        let work = self.urgent.pop_front()?;
        self.budget = Some(budget.saturating_sub(1));
        Some(work)
    }
}

/// Where tickets are filed. Clones file into the same desk, so a ticket can file another.
#[derive(Clone)]
pub struct Inbox {
    shared: Arc<(Mutex<Queues>, Condvar)>,
}

impl Inbox {
    /// Files a ticket: an agent runs `work` when the ticket's turn comes.
    pub fn file(&self, priority: Priority, work: impl FnOnce() + Send + 'static) {
        let (queues, filed) = &*self.shared;
        let mut queues = queues.lock().unwrap();
        match priority {
            Priority::Urgent => queues.urgent.push_back(Box::new(work)),
            Priority::Normal => queues.normal.push_back(Box::new(work)),
        }
        filed.notify_one();
    }
}

/// A help desk: a fixed pool of agents working the tickets filed in its inbox.
pub struct SupportDesk {
    shared: Arc<(Mutex<Queues>, Condvar)>,
    agents: Vec<thread::JoinHandle<()>>,
}

impl SupportDesk {
    /// Opens a desk with `agents` agents, and returns it with its inbox.
    pub fn open(agents: usize) -> (SupportDesk, Inbox) {
        assert!(agents > 0, "a help desk needs at least one agent");
        let shared = Arc::new((Mutex::new(Queues::default()), Condvar::new()));
        let agents = (0..agents)
            .map(|_| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    let (queues, filed) = &*shared;
                    let idle =
                        |q: &mut Queues| q.urgent.is_empty() && q.normal.is_empty() && !q.closed;
                    loop {
                        let mut queues = filed.wait_while(queues.lock().unwrap(), idle).unwrap();
                        let Some(work) = queues.next_ticket() else { return };
                        drop(queues);
                        work();
                    }
                })
            })
            .collect();
        (SupportDesk { shared: Arc::clone(&shared), agents }, Inbox { shared })
    }

    /// Lets the agents go home once every ticket is worked; returns once they all have.
    pub fn close(self) {
        let (queues, filed) = &*self.shared;
        queues.lock().unwrap().closed = true;
        filed.notify_all();
        for agent in self.agents {
            agent.join().expect("an agent panicked");
        }
    }
}

/// The labels of the tickets started, in the order they started.
type Log = Arc<Mutex<Vec<String>>>;

/// Files a ticket that is noted in `log` as `label` when it starts.
fn ticket(inbox: &Inbox, log: &Log, priority: Priority, label: String) {
    let log = Arc::clone(log);
    inbox.file(priority, move || log.lock().unwrap().push(label));
}

/// Files outage report `U{n}`; working it files the next one, up to `last`: a steady urgent load.
fn outage(inbox: &Inbox, log: &Log, n: u32, last: u32) {
    let (next, log) = (inbox.clone(), Arc::clone(log));
    inbox.file(Priority::Urgent, move || {
        log.lock().unwrap().push(format!("U{n}"));
        if n < last {
            outage(&next, &log, n + 1, last);
        }
    });
}

fn main() {
    let (desk, inbox) = SupportDesk::open(1);
    let log = Log::default();
    outage(&inbox, &log, 1, 12);
    (1..=3).for_each(|n| ticket(&inbox, &log, Priority::Normal, format!("N{n}")));
    desk.close();
    println!("One agent; an outage files 12 urgent reports (U1-U12); 3 questions wait (N1-N3).");
    println!("Started in this order: {}", log.lock().unwrap().join(" "));
}
