use std::time::Duration;

/// The limits every test process runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall time for one test; past it the test's process tree is ended.
    pub test_time: Duration,
    /// How long a kit wait may block before the kit diagnoses a hang. Shorter than `test_time`,
    /// so a diagnosable hang is diagnosed rather than killed.
    pub hang: Duration,
    /// Address space of a test process: 1 GiB is far more than any exercise needs, and makes a
    /// thread-per-job bomb fail within a few hundred threads.
    pub memory_bytes: u64,
    /// Output a test may write before it is stopped.
    pub output_bytes: u64,
    /// Wall time for one build.
    pub build_time: Duration,
    /// Run tests in namespaces of their own (loopback-only network, own PIDs): for grading.
    pub isolate: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            test_time: Duration::from_secs(10),
            hang: Duration::from_secs(2),
            memory_bytes: 1 << 30,
            output_bytes: 1 << 20,
            build_time: Duration::from_secs(600),
            isolate: false,
        }
    }
}

impl Limits {
    /// The limits for an exercise that sets its own per-test time limit.
    pub fn with_test_time(self, test_time: Option<Duration>) -> Self {
        match test_time {
            Some(time) => Limits { test_time: time, hang: self.hang.min(time / 2), ..self },
            None => self,
        }
    }
}
