/// How work that can be cancelled ended: the one way every layer (a process group, a build, a
/// test, a run) says it was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Outcome<T> {
    Finished(T),
    /// Its [`Cancel`](super::Cancel) was cancelled: nothing it produced counts.
    Cancelled,
}

impl<T> Outcome<T> {
    /// The value, for work under a [`Cancel`](super::Cancel) that nothing cancels; an error
    /// if it was cancelled all the same.
    pub fn into_result(self) -> anyhow::Result<T> {
        match self {
            Outcome::Finished(value) => Ok(value),
            Outcome::Cancelled => Err(anyhow::anyhow!("the work was cancelled")),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Finished(value) => Outcome::Finished(f(value)),
            Outcome::Cancelled => Outcome::Cancelled,
        }
    }
}

/// The value of a finished [`Outcome`], or returns `Ok(Outcome::Cancelled)` from the function:
/// `?` for cancellation.
macro_rules! finished {
    ($outcome:expr) => {
        match $outcome {
            $crate::process::Outcome::Finished(value) => value,
            $crate::process::Outcome::Cancelled => {
                return Ok($crate::process::Outcome::Cancelled);
            }
        }
    };
}
pub(crate) use finished;
