// Catches the panic around the whole worker loop: the worker survives as a thread but stops taking reports, and the panicked report has no outcome.
// caught by: test
//! Nightly reports
//!
//! Every night a finance team's server renders its reports (sales by region, churn, stock...) on
//! a small pool of worker threads. A report either renders or fails with a reason. The report
//! code comes from many teams, and now and then some of it panics on data it did not expect. One
//! broken report must not stop the others: a report that panics counts as failed, and its worker
//! goes on with the next report in the queue.
//!
//! Done when: `finish` returns one outcome per submitted report, whether it rendered, failed or
//! panicked, and every worker is still there to be joined at the end.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

/// Renders one report: its text, or why it could not be rendered.
pub type Job = Box<dyn FnOnce() -> Result<String, String> + Send>;

/// What became of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub report: String,
    pub result: Result<String, String>,
}

/// A fixed pool of report workers fed by one queue.
pub struct ReportPool {
    jobs: mpsc::Sender<(String, Job)>,
    outcomes: mpsc::Receiver<Outcome>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl ReportPool {
    /// Starts `size` workers.
    pub fn new(size: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<(String, Job)>();
        let queue = Arc::new(Mutex::new(queue));
        let (done, outcomes) = mpsc::channel();
        let workers = (0..size.max(1))
            .map(|_| {
                let queue = Arc::clone(&queue);
                let done = done.clone();
                thread::spawn(move || {
                    // A panicking report must not kill the worker thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        work(&queue, &done)
                    }));
                })
            })
            .collect();
        ReportPool { jobs, outcomes, workers }
    }

    /// Queues a report.
    pub fn submit<F>(&self, report: &str, render: F)
    where
        F: FnOnce() -> Result<String, String> + Send + 'static,
    {
        self.jobs
            .send((report.to_string(), Box::new(render)))
            .expect("every report worker stopped");
    }

    /// Waits for every queued report and returns their outcomes, in the order they finished.
    pub fn finish(self) -> Vec<Outcome> {
        drop(self.jobs);
        let outcomes: Vec<Outcome> = self.outcomes.iter().collect();
        for worker in self.workers {
            worker.join().expect("a report worker died");
        }
        outcomes
    }
}

/// One worker: renders reports off the queue until it is closed and empty.
fn work(queue: &Mutex<mpsc::Receiver<(String, Job)>>, done: &mpsc::Sender<Outcome>) {
    loop {
        let next = queue.lock().unwrap().recv();
        let Ok((report, render)) = next else { return };
        let result = render();
        if done.send(Outcome { report, result }).is_err() {
            return;
        }
    }
}

fn main() {
    let pool = ReportPool::new(2);
    pool.submit("sales", || Ok("sales: 1,204 orders".to_string()));
    pool.submit("churn", || Err("the CRM export is missing".to_string()));
    pool.submit("regions", || {
        let regions: Vec<&str> = Vec::new();
        Ok(format!("top region: {}", regions[0]))
    });
    pool.submit("stock", || Ok("stock: 37 items low".to_string()));
    let mut outcomes = pool.finish();
    outcomes.sort_by(|a, b| a.report.cmp(&b.report));
    for outcome in outcomes {
        match outcome.result {
            Ok(text) => println!("{:>8}: {text}", outcome.report),
            Err(why) => println!("{:>8}: FAILED ({why})", outcome.report),
        }
    }
}
