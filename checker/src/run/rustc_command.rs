//! The rustc command cargo ran for a test executable, read from what `cargo -vv` prints.

use std::path::PathBuf;

/// The rustc command cargo ran to build one test executable. Running it again directly skips
/// cargo's start-up and fingerprinting, about 100 ms of every save in watch mode.
#[derive(Debug, Clone)]
pub struct RustcCommand {
    pub program: String,
    pub args: Vec<String>,
    /// The environment cargo gave rustc (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`...), which
    /// `env!` reads.
    pub env: Vec<(String, String)>,
    pub executable: PathBuf,
}

/// The rustc command cargo ran (with `-vv`, which prints the environment first) for the test
/// executable of `bin`; its `executable` is left for the caller to fill in.
pub fn rustc_command(stderr: &str, bin: &str) -> Option<RustcCommand> {
    stderr.lines().find_map(|line| {
        let quoted = line.trim_start().strip_prefix("Running `")?.strip_suffix('`')?;
        // cargo quotes the way a POSIX shell reads.
        let mut words = shlex::split(quoted)?;
        let is_ours = words.windows(2).any(|w| w[0] == "--crate-name" && w[1] == bin)
            && words.iter().any(|word| word == "--test");
        if !is_ours {
            return None;
        }
        let program_at = words.iter().position(|word| !is_assignment(word))?;
        let args = words.split_off(program_at + 1);
        let program = words.pop()?;
        let env = words
            .into_iter()
            .filter_map(|word| word.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        Some(RustcCommand { program, args, env, executable: PathBuf::new() })
    })
}

/// `NAME=value`, as an environment assignment before a command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_quoting_cargo_prints() {
        let line = "rustc --crate-name a --check-cfg 'cfg(feature, values())' -C x=\"y z\" it\\'s";
        assert_eq!(
            shlex::split(line).unwrap(),
            [
                "rustc",
                "--crate-name",
                "a",
                "--check-cfg",
                "cfg(feature, values())",
                "-C",
                "x=y z",
                "it's"
            ]
        );
    }

    #[test]
    fn finds_the_test_build_of_one_binary() {
        let stderr = "   Compiling exercises v0.1.0\n     Running `/bin/rustc --crate-name other --test`\n     \
                      Running `CARGO_PKG_NAME=exercises CARGO_PKG_AUTHORS='' /bin/rustc --crate-name thumbnails --edition=2024 --test -C opt-level=0`\n";
        let command = rustc_command(stderr, "thumbnails").unwrap();
        assert_eq!(command.program, "/bin/rustc");
        assert_eq!(
            command.args,
            ["--crate-name", "thumbnails", "--edition=2024", "--test", "-C", "opt-level=0"]
        );
        let env = [("CARGO_PKG_NAME", "exercises"), ("CARGO_PKG_AUTHORS", "")];
        assert_eq!(command.env, env.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert!(rustc_command(stderr, "missing").is_none());
    }
}
