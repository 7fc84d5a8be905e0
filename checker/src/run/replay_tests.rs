//! Watch mode's rebuilds from remembered rustc commands, on a real (tiny) package: an exercise
//! reading cargo's variables with `env!` builds the same through the replay as through cargo.

use super::{BuildMode, Runner};
use crate::info::{Exercise, FailureKind, Source};
use crate::process::Cancel;

const MANIFEST: &str = "[package]\nname = \"exercises\"\nversion = \"3.1.4\"\nedition = \"2024\"\n\
                        \n[[bin]]\nname = \"envy\"\npath = \"t1/envy.rs\"\n";

/// Reads variables cargo sets besides the package's name and folder.
const SOURCE: &str = r#"
const VERSION: &str = env!("CARGO_PKG_VERSION");
const BIN: &str = env!("CARGO_BIN_NAME");

fn main() {
    println!("{VERSION} {BIN}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn sees_what_cargo_set() {
        assert_eq!((super::VERSION, super::BIN), ("3.1.4", "envy"));
        assert_eq!(env!("CARGO_PKG_VERSION_MINOR"), "1");
        assert_eq!(env!("CARGO_CRATE_NAME"), "envy");
    }
}
"#;

fn exercise() -> Exercise {
    Exercise {
        name: "envy".to_owned(),
        dir: "t1".to_owned(),
        points: 1,
        loom: false,
        timeout: None,
        hint: String::new(),
        stronger_hint: None,
        bug: String::new(),
        fails_with: vec![FailureKind::Test],
        line: 1,
    }
}

fn passes(runner: &Runner) -> bool {
    let report = runner.run(&exercise(), None, &Cancel::new(), &mut |_| {}).unwrap();
    let report = report.into_result().unwrap();
    let failure = report.steps.iter().find_map(|step| step.message.clone());
    assert!(report.passed(), "{failure:?}");
    true
}

#[test]
fn an_exercise_reading_cargos_variables_passes_through_the_replay_and_its_fallback() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = [\"exercises\"]\n").unwrap();
    std::fs::create_dir_all(root.join("exercises/t1")).unwrap();
    std::fs::write(root.join("exercises/Cargo.toml"), MANIFEST).unwrap();
    let file = root.join("exercises/t1/envy.rs");
    std::fs::write(&file, SOURCE).unwrap();
    let runner = Runner::new(root, Source::Exercises, false).unwrap().with_fast_rebuilds();
    let cache = runner.rustc_cache.as_ref().unwrap();
    let key = (Source::Exercises, "envy".to_owned(), BuildMode::Plain);

    assert!(passes(&runner), "built by cargo");
    let remembered = cache.get(&key).expect("cargo's rustc command is remembered");
    assert!(remembered.env.iter().any(|(name, _)| name == "CARGO_PKG_VERSION_MINOR"));

    std::fs::write(&file, format!("{SOURCE}// saved again\n")).unwrap();
    assert!(passes(&runner), "rebuilt from the remembered command");

    // A command that lacks a variable cargo sets: the replay must not give the verdict.
    let mut lacking = remembered;
    lacking.env.retain(|(name, _)| name != "CARGO_PKG_VERSION");
    cache.insert(key.clone(), lacking);
    std::fs::write(&file, format!("{SOURCE}// and again\n")).unwrap();
    assert!(passes(&runner), "built by cargo again");
    let relearned = cache.get(&key).unwrap();
    assert!(relearned.env.iter().any(|(name, _)| name == "CARGO_PKG_VERSION"));
}
