//! A user's own workspace gets the deploy commands from a few-line xtask that
//! depends on `stackcraft-deploy` (the snippet in the crate docs): copy the
//! template in `tests/fixtures/user-workspace`, point its path dependency at
//! this crate, and `cargo check` it with the shared target directory, pinned to
//! this repository's Cargo.lock (offline: every crate is already fetched).

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn minimal_user_xtask_compiles() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = crate_dir.parent().and_then(Path::parent).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("user-workspace");
    copy_dir(&crate_dir.join("tests/fixtures/user-workspace"), &ws);
    let manifest = ws.join("xtask/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("@STACKCRAFT_DEPLOY@", &crate_dir.display().to_string().replace('\\', "/"));
    std::fs::write(&manifest, text).unwrap();
    std::fs::copy(repo.join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();

    // The target directory of this test run, shared so dependencies are reused.
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().to_path_buf();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--quiet", "--offline", "--package", "xtask"])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "the user-workspace xtask does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
