//! Running the real `workbook` binary on the real workbook, or on a scratch copy of it, with
//! every wait bounded.

#![allow(dead_code)] // Each test file uses its own part of this module.

pub mod grading;
pub mod pty;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous: the first run builds loom and the kit from scratch on a loaded 2-core machine.
pub const COLD_BUILD: Duration = Duration::from_secs(600);

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("checker/ has a parent").to_path_buf()
}

/// `workbook ARGS` in `dir`, without color, failing the test if it runs longer than `limit`.
pub fn workbook(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_workbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the workbook binary starts");
    let id = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match finished.recv_timeout(limit) {
        Ok(output) => output.expect("the workbook binary could be waited for"),
        Err(_) => {
            // SAFETY: plain kill of a process this test started.
            unsafe { libc::kill(id as i32, libc::SIGKILL) };
            panic!("`workbook {}` ran longer than {limit:?}", args.join(" "));
        }
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for one test, under cargo's scratch area for integration tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A copy of the workbook's sources (not its build output) in a fresh folder.
pub fn copy_workbook(name: &str) -> PathBuf {
    let dir = scratch(name);
    let root = repo_root();
    for file in ["Cargo.toml", "Cargo.lock", "info.toml", "rustfmt.toml"] {
        std::fs::copy(root.join(file), dir.join(file)).expect("copy a workbook file");
    }
    for folder in ["kit", "checker", "exercises", "solutions", ".cargo", "fixes"] {
        if root.join(folder).exists() {
            copy_tree(&root.join(folder), &dir.join(folder));
        }
    }
    dir
}

/// A copy of the workbook keeping only the exercises named, all without loom, so it builds fast.
pub fn copy_workbook_with(name: &str, keep: &[&str]) -> std::path::PathBuf {
    let dir = copy_workbook(name);
    let info = std::fs::read_to_string(dir.join("info.toml")).unwrap();
    let mut tables = info.split("\n[[exercises]]\n");
    let mut kept = tables.next().unwrap().to_owned();
    for table in tables {
        if keep.iter().any(|name| table.starts_with(&format!("name = \"{name}\""))) {
            kept.push_str("\n[[exercises]]\n");
            kept.push_str(table);
        } else {
            let name =
                table.lines().next().unwrap().trim_start_matches("name = \"").trim_end_matches('"');
            let dir_line = table.lines().find(|l| l.starts_with("dir = ")).unwrap();
            let folder = dir_line.trim_start_matches("dir = \"").trim_end_matches('"');
            let _ = std::fs::remove_dir_all(dir.join("fixes").join(folder).join(name));
            for source in ["exercises", "solutions"] {
                std::fs::remove_file(dir.join(source).join(folder).join(format!("{name}.rs")))
                    .unwrap();
                let manifest = dir.join(source).join("Cargo.toml");
                let bin = format!("\n[[bin]]\nname = \"{name}\"\npath = \"{folder}/{name}.rs\"\n");
                let text = std::fs::read_to_string(&manifest).unwrap();
                assert!(text.contains(&bin), "{bin} in {text}");
                std::fs::write(&manifest, text.replace(&bin, "\n")).unwrap();
            }
        }
    }
    std::fs::write(dir.join("info.toml"), kept).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// Every file under `dir` with its content, to prove a command changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("read a folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let content = std::fs::read(&path).expect("read a file");
                files.push((path, content));
            }
        }
    }
    files.sort();
    files
}

/// Processes whose executable lies under `dir`: the test binaries a run started.
pub fn processes_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc is readable") {
        let Ok(entry) = entry else { continue };
        if let Ok(exe) = std::fs::read_link(entry.path().join("exe"))
            && exe.starts_with(dir)
        {
            found.push(format!("{} {}", entry.file_name().to_string_lossy(), exe.display()));
        }
    }
    found
}

/// Waits until `condition` holds, checking every few milliseconds, for at most `limit`.
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The 1-based line of the first line of `file` that contains `needle`.
pub fn line_containing(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read a source file");
    text.lines().position(|line| line.contains(needle)).expect("the needle is in the file") + 1
}

/// Renders the page `html` in headless Chromium (Debian's `chromium`) at `width`x`height` and
/// returns the screenshot's RGBA pixels, also left at `png` to look at. `None`, saying why, when
/// Chromium is not installed (`.ci/run` installs it).
pub fn screenshot(html: &Path, png: &Path, width: u32, height: u32) -> Option<Vec<[u8; 4]>> {
    let Ok(chromium) = which("chromium") else {
        eprintln!("SKIPPED the browser check: no `chromium` on PATH (apt-get install chromium)");
        return None;
    };
    let profile = scratch(&format!("chromium-profile-{}", std::process::id()));
    let _ = std::fs::remove_file(png);
    let child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let id = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let output = match finished.recv_timeout(Duration::from_secs(120)) {
        Ok(output) => output.expect("chromium could be waited for"),
        Err(_) => {
            // SAFETY: plain kill of a process this test started.
            unsafe { libc::kill(id as i32, libc::SIGKILL) };
            panic!("chromium ran longer than 120s");
        }
    };
    let _ = std::fs::remove_dir_all(&profile);
    assert!(output.status.success(), "chromium failed: {}", text(&output.stderr));
    let decoder = png::Decoder::new(std::fs::File::open(png).expect("chromium wrote a screenshot"));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).expect("a PNG frame");
    assert_eq!((frame.width, frame.height), (width, height));
    let pixels = match frame.color_type {
        png::ColorType::Rgba => buffer.chunks(4).map(|p| [p[0], p[1], p[2], p[3]]).collect(),
        png::ColorType::Rgb => buffer.chunks(3).map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("unexpected PNG color type {other:?}"),
    };
    Some(pixels)
}

/// The full path of `program` on PATH.
fn which(program: &str) -> Result<PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file()).ok_or(())
}
