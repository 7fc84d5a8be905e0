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
use std::panic::{self, AssertUnwindSafe};

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
                thread::spawn(move || work(&queue, &done))
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
        // A panic fails this report only: the worker lives on to render the next one.
        let result = panic::catch_unwind(AssertUnwindSafe(render)).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            Err(format!("the report panicked: {message}"))
        });
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::mpsc;

    /// The outcomes by report name, each as `Ok(text)` or `Err(())`: any reason will do.
    fn by_name(mut outcomes: Vec<Outcome>) -> Vec<(String, Result<String, ()>)> {
        outcomes.sort_by(|a, b| a.report.cmp(&b.report));
        outcomes.into_iter().map(|o| (o.report, o.result.map_err(|_| ()))).collect()
    }

    #[test]
    fn renders_every_report_and_reports_failures() {
        let pool = ReportPool::new(2);
        pool.submit("a", || Ok("A".to_string()));
        pool.submit("b", || Err("no data".to_string()));
        pool.submit("c", || Ok("C".to_string()));
        let expected =
            vec![("a".into(), Ok("A".into())), ("b".into(), Err(())), ("c".into(), Ok("C".into()))];
        assert_eq!(by_name(pool.finish()), expected);
    }

    #[test]
    fn a_panicking_report_fails_alone_and_the_worker_goes_on() {
        // One worker, held on the first report until every report is queued behind it, so the
        // panicking report is certainly followed by two more on the same worker.
        let pool = ReportPool::new(1);
        let (open, gate) = mpsc::channel::<()>();
        pool.submit("first", move || {
            gate.recv().expect("the test opens the gate");
            Ok("1".to_string())
        });
        pool.submit("broken", || panic!("report 'broken' divided by zero"));
        // A formatted message with a value known only at run time: its payload is a `String`,
        // not a `&str`.
        let table = String::from("regions");
        pool.submit("also-broken", move || panic!("table {table} has no rows"));
        pool.submit("last", || Ok("4".to_string()));
        open.send(()).unwrap();
        let outcomes = pool.finish();
        assert_eq!(
            outcomes.len(),
            4,
            "expected an outcome for each of the 4 reports: {outcomes:?}"
        );
        let expected = vec![
            ("also-broken".to_string(), Err(())),
            ("broken".to_string(), Err(())),
            ("first".to_string(), Ok("1".to_string())),
            ("last".to_string(), Ok("4".to_string())),
        ];
        assert_eq!(by_name(outcomes), expected);
    }

    #[test]
    fn no_reports_means_no_outcomes() {
        assert!(ReportPool::new(3).finish().is_empty());
    }
}
