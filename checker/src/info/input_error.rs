use std::fmt;
use std::path::Path;

/// Bad input from the user: a malformed file, an unknown name. Reported without a backtrace and
/// with exit code 2, and nothing is changed on disk.
#[derive(Debug)]
pub struct InputError {
    message: String,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError { message: message.into() }
    }

    /// An error about `file` at `line`, in the `file:line: message` form editors can jump to.
    pub fn at(file: &Path, line: usize, message: impl fmt::Display) -> Self {
        InputError::new(format!("{}:{line}: {message}", file.display()))
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}
