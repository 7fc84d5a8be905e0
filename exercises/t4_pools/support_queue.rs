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
}

impl Queues {
    /// The ticket an agent starts next, taken off its queue; `None` when none waits.
    fn next_ticket(&mut self) -> Option<Work> {
        self.urgent.pop_front().or_else(|| self.normal.pop_front())
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::mpsc;
    use kit::thread::LiveThreads;
    use std::sync::mpsc as gate;

    /// Files a ticket that holds its agent until `release` is dropped: (`started`, `release`).
    fn held(inbox: &Inbox, priority: Priority) -> (mpsc::Receiver<()>, gate::Sender<()>) {
        let (started, has_started) = mpsc::channel();
        // The agent waits on a std channel: as long as the test needs, never diagnosed as a hang.
        let (release, hold) = gate::channel::<()>();
        inbox.file(priority, move || {
            started.send(()).unwrap();
            let _ = hold.recv();
        });
        (has_started, release)
    }

    /// Runs `file_tickets` while the desk's one agent is busy on a normal ticket, so that all of
    /// them are waiting when it picks its next one; returns the order they started in.
    fn start_order(file_tickets: impl FnOnce(&Inbox, &Log)) -> String {
        let (desk, inbox) = SupportDesk::open(1);
        let (started, release) = held(&inbox, Priority::Normal);
        started.recv().expect("the agent did not start the first ticket");
        let log = Log::default();
        file_tickets(&inbox, &log);
        drop(release);
        desk.close();
        log.lock().unwrap().join(" ")
    }

    #[test]
    fn under_steady_urgent_load_a_normal_ticket_goes_after_every_four_urgent_ones() {
        let order = start_order(|inbox, log| {
            (1..=3).for_each(|n| ticket(inbox, log, Priority::Normal, format!("N{n}")));
            outage(inbox, log, 1, 14);
        });
        let waited = order.split(' ').position(|t| t == "N1").expect("N1 was never worked");
        assert!(
            waited <= 4,
            "normal ticket N1 started only after {waited} urgent ones (at most 4 may go before it)"
        );
        let expected = "U1 U2 U3 U4 N1 U5 U6 U7 U8 N2 U9 U10 U11 U12 N3 U13 U14";
        assert_eq!(order, expected, "after each normal ticket, 4 urgent ones go first again");
    }

    #[test]
    fn the_count_restarts_when_a_normal_ticket_starts_because_no_urgent_one_waits() {
        let (desk, inbox) = SupportDesk::open(1);
        let log = Log::default();
        let (started, release) = held(&inbox, Priority::Normal);
        started.recv().unwrap();
        (1..=2).for_each(|n| ticket(&inbox, &log, Priority::Urgent, format!("U{n}")));
        let (quiet_started, quiet_release) = held(&inbox, Priority::Normal);
        drop(release);
        quiet_started.recv().unwrap(); // after U1 and U2, with no urgent ticket waiting
        (1..=2).for_each(|n| ticket(&inbox, &log, Priority::Normal, format!("N{n}")));
        outage(&inbox, &log, 3, 8);
        drop(quiet_release);
        desk.close();
        let order = log.lock().unwrap().join(" ");
        let why = "a normal ticket started after U2, so 4 more urgent ones go before N1";
        assert_eq!(order, "U1 U2 U3 U4 U5 U6 N1 U7 U8 N2", "{why}");
    }

    #[test]
    fn a_normal_ticket_filed_after_a_long_urgent_run_goes_next() {
        let (desk, inbox) = SupportDesk::open(1);
        let log = Log::default();
        let (started, release) = held(&inbox, Priority::Normal);
        started.recv().unwrap();
        (1..=4).for_each(|n| ticket(&inbox, &log, Priority::Urgent, format!("U{n}")));
        let (u5_started, u5_release) = held(&inbox, Priority::Urgent);
        drop(release);
        u5_started.recv().unwrap(); // 5 urgent tickets in a row, no normal one waiting
        ticket(&inbox, &log, Priority::Normal, "N1".to_string());
        outage(&inbox, &log, 6, 7);
        drop(u5_release);
        desk.close();
        let order = log.lock().unwrap().join(" ");
        let why = "5 urgent tickets have started since the last normal one: N1 goes next";
        assert_eq!(order, "U1 U2 U3 U4 N1 U6 U7", "{why}");
    }

    #[test]
    fn urgent_tickets_go_first_until_four_have_started_on_any_agents() {
        let agents = LiveThreads::track();
        let (desk, inbox) = SupportDesk::open(2);
        let log = Log::default();
        let (started, release1) = held(&inbox, Priority::Normal);
        started.recv().unwrap();
        let (started, release2) = held(&inbox, Priority::Normal);
        started.recv().unwrap();
        ticket(&inbox, &log, Priority::Normal, "N1".to_string());
        let (u1_started, u1_release) = held(&inbox, Priority::Urgent);
        (2..=4).for_each(|n| ticket(&inbox, &log, Priority::Urgent, format!("U{n}")));
        let (u5_started, u5_release) = held(&inbox, Priority::Urgent);
        drop(release1); // one agent moves on to U1 and stays on it...
        u1_started.recv().unwrap();
        drop(release2); // ...while the other works the rest, up to U5
        u5_started.recv().unwrap();
        let order = log.lock().unwrap().join(" ");
        drop((u1_release, u5_release));
        desk.close();
        assert_eq!(agents.live(), 0, "agents were still running after close returned");
        let why = "U1 (on one agent) and U2-U4 (on the other) are 4 urgent tickets in a row";
        assert_eq!(order, "U2 U3 U4 N1", "{why}: N1 goes next");
    }
}
