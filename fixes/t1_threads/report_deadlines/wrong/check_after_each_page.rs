// Checks the deadline after each page instead of before it, so a report whose budget is already spent still renders its first page.
// caught by: test
//! Report deadlines
//!
//! A reporting service renders customers' reports page by page on a small pool of workers. Each
//! report comes with a time budget. A report still rendering when its budget runs out must be
//! abandoned (the customer is asked to narrow the date range), so that its worker moves on to the
//! next report instead of being held by a runaway one. Nothing can stop a render from outside:
//! the job itself has to notice, between pages, that its deadline has passed.
//!
//! Done when: a report whose deadline passes stops at its next page boundary and comes back as
//! `Outcome::Abandoned`, its worker takes the next report at once, and reports that fit in their
//! budget are rendered in full.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Report {
    pub customer: String,
    pub pages: u32,
    pub budget: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Rendered,
    Abandoned { pages_done: u32 },
}

/// The moment a report's budget runs out, on the pool's clock.
pub struct Deadline<'a> {
    clock: &'a dyn Clock,
    at: Instant,
}

impl Deadline<'_> {
    pub fn passed(&self) -> bool {
        self.clock.now() >= self.at
    }
}

/// Renders `report` one page at a time with `render_page`.
fn render<P: Fn(&Report, u32)>(report: &Report, deadline: &Deadline, render_page: &P) -> Outcome {
    for page in 0..report.pages {
        render_page(report, page);
        let done = page + 1;
        if done < report.pages && deadline.passed() {
            return Outcome::Abandoned { pages_done: done };
        }
    }
    Outcome::Rendered
}

/// A fixed pool of workers rendering reports, each within its own budget.
pub struct ReportPool {
    reports: mpsc::Sender<Report>,
    workers: Vec<thread::JoinHandle<()>>,
    outcomes: mpsc::Receiver<(String, Outcome)>,
}

impl ReportPool {
    pub fn new<C, P>(workers: usize, clock: C, render_page: P) -> Self
    where
        C: Clock + 'static,
        P: Fn(&Report, u32) + Send + Sync + 'static,
    {
        let clock = Arc::new(clock);
        let (reports, queue) = mpsc::channel::<Report>();
        let queue = Arc::new(Mutex::new(queue));
        let (done, outcomes) = mpsc::channel();
        let render_page = Arc::new(render_page);
        let workers = (0..workers)
            .map(|_| {
                let (queue, done) = (Arc::clone(&queue), done.clone());
                let (clock, render_page) = (Arc::clone(&clock), Arc::clone(&render_page));
                thread::spawn(move || {
                    loop {
                        let next = queue.lock().unwrap().recv();
                        let Ok(report) = next else { break };
                        let deadline = Deadline { clock: &*clock, at: clock.now() + report.budget };
                        let outcome = render(&report, &deadline, &*render_page);
                        done.send((report.customer, outcome)).expect("the pool is gone");
                    }
                })
            })
            .collect();
        ReportPool { reports, workers, outcomes }
    }

    pub fn submit(&self, report: Report) {
        self.reports.send(report).expect("every worker has stopped");
    }

    /// Waits for every submitted report; returns their outcomes in the order they finished.
    pub fn finish(self) -> Vec<(String, Outcome)> {
        drop(self.reports);
        for worker in self.workers {
            worker.join().unwrap();
        }
        self.outcomes.try_iter().collect()
    }
}

fn main() {
    let page_time = Duration::from_millis(20);
    let pool = ReportPool::new(2, RealClock, move |_: &Report, _| RealClock.sleep(page_time));
    let budget = Duration::from_millis(200);
    let started = Instant::now();
    for (customer, pages) in [("acme", 5), ("globex", 60), ("initech", 3), ("umbrella", 4)] {
        pool.submit(Report { customer: customer.to_string(), pages, budget });
    }
    for (customer, outcome) in pool.finish() {
        println!("{customer:>9}: {outcome:?}");
    }
    println!("all reports done in {} ms (each has a 200 ms budget)", started.elapsed().as_millis());
}
