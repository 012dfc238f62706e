//! Writing output safely: nothing the user owns is ever deleted or
//! overwritten, and a failed write leaves nothing behind.
//!
//! Every file or directory the tools write goes through here: the cloud
//! assembly (`synth --out DIR`) replaces only a directory that is recognisably
//! a previous assembly, and a single output file (`schema --out FILE`)
//! replaces only a file it wrote before. Anything else is a [`WriteError`]
//! that says what is there and touches nothing.

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an output could not be written. Nothing was changed on disk.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The path cannot be an output location (`.`, `..`, `/`, empty).
    InvalidPath {
        /// The path as given.
        path: PathBuf,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Something the tool did not write is at the path.
    Occupied {
        /// The path as given.
        path: PathBuf,
        /// What is there, in words (`a file`, `a directory holding notes.txt`…).
        what: String,
        /// What the tool would have replaced.
        expected: &'static str,
    },
    /// A component of the parent path is not a directory.
    ParentNotDirectory {
        /// The path as given.
        path: PathBuf,
        /// The ancestor that is in the way.
        parent: PathBuf,
    },
    /// The operating system refused an operation.
    Io {
        /// The path as given.
        path: PathBuf,
        /// What was being done (`create a temporary directory in /x`).
        action: String,
        /// The error.
        source: io::Error,
    },
}

impl WriteError {
    /// The path the error is about (as given by the user).
    pub fn path(&self) -> &Path {
        match self {
            WriteError::InvalidPath { path, .. }
            | WriteError::Occupied { path, .. }
            | WriteError::ParentNotDirectory { path, .. }
            | WriteError::Io { path, .. } => path,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::InvalidPath { path, reason } => write!(f, "{}: {reason}", path.display()),
            WriteError::Occupied { path, what, expected } => write!(
                f,
                "{} is {what}, not {expected}; it was left untouched. Choose another path, or move it away yourself",
                path.display()
            ),
            WriteError::ParentNotDirectory { path, parent } => {
                write!(f, "{}: {} is not a directory", path.display(), parent.display())
            }
            WriteError::Io { path, action, source } => {
                let why = match source.kind() {
                    io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                    _ => source.to_string(),
                };
                write!(f, "{}: cannot {action}: {why}", path.display())
            }
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The parent directory and file name of an output path, refusing paths that
/// cannot be replaced as a whole (`.`, `..`, `/`, empty).
fn split(path: &Path) -> Result<(PathBuf, String), WriteError> {
    let invalid = |reason| WriteError::InvalidPath { path: path.to_owned(), reason };
    match path.components().next_back() {
        None => return Err(invalid("the path is empty")),
        Some(Component::CurDir) => {
            return Err(invalid("the current directory cannot be an output location; name a directory inside it"))
        }
        Some(Component::ParentDir) => {
            return Err(invalid("a parent directory cannot be an output location; name a directory inside it"))
        }
        Some(Component::RootDir | Component::Prefix(_)) => {
            return Err(invalid("the root directory cannot be an output location"))
        }
        Some(Component::Normal(_)) => {}
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| invalid("no file name"))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Find the deepest existing ancestor: it must be a directory.
    let mut probe = parent.clone();
    loop {
        match std::fs::metadata(&probe) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Err(WriteError::ParentNotDirectory { path: path.to_owned(), parent: probe }),
            Err(_) => match probe.parent() {
                Some(p) if !p.as_os_str().is_empty() => probe = p.to_path_buf(),
                _ => break,
            },
        }
    }
    std::fs::create_dir_all(&parent).map_err(|source| WriteError::Io {
        path: path.to_owned(),
        action: format!("create the directory {}", parent.display()),
        source,
    })?;
    Ok((parent, name))
}

/// A unique suffix for temporary and moved-aside names.
fn unique() -> String {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), WRITES.fetch_add(1, Ordering::Relaxed))
}

/// Describes what is at `path` for an error message (entries named, sorted).
fn describe(path: &Path, meta: &std::fs::Metadata) -> String {
    if meta.file_type().is_symlink() {
        return "a symbolic link".into();
    }
    if !meta.is_dir() {
        return "a file".into();
    }
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    match names.len() {
        0 => "an empty directory".into(),
        n if n <= 3 => format!("a directory holding {}", names.join(", ")),
        n => format!("a directory holding {} and {} more", names[..3].join(", "), n - 3),
    }
}

/// Whether `dir` is recognisably a cloud assembly: stackcraft's own marker
/// (`stackcraft.json`), or a CDK cloud assembly (`manifest.json` with a
/// `version` and `artifacts`). An empty directory holds nothing to lose.
pub fn is_previous_assembly(dir: &Path) -> bool {
    if dir.join("stackcraft.json").is_file() {
        return true;
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            return v.get("version").is_some_and(serde_json::Value::is_string)
                && v.get("artifacts").is_some_and(serde_json::Value::is_object);
        }
    }
    std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none())
}

/// Replace the directory `dir` with one filled by `fill`, atomically: `fill`
/// writes into a temporary sibling, which then takes `dir`'s place. An
/// existing `dir` is replaced only when `is_ours` says it is a previous
/// output (`expected` names what that is, for the error). Concurrent writers
/// of the same directory all succeed, the last one wins.
pub fn replace_dir(
    dir: &Path,
    expected: &'static str,
    is_ours: fn(&Path) -> bool,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    let (parent, name) = split(dir)?;
    let check = |at: &Path| -> Result<(), WriteError> {
        match std::fs::symlink_metadata(at) {
            Err(_) => Ok(()),
            Ok(m) if m.is_dir() && is_ours(at) => Ok(()),
            Ok(m) => Err(WriteError::Occupied { path: dir.to_owned(), what: describe(at, &m), expected }),
        }
    };
    check(dir)?;
    let io_err = |action: String| move |source| WriteError::Io { path: dir.to_owned(), action, source };
    let unique = unique();
    let tmp = parent.join(format!(".{name}.tmp-{unique}"));
    std::fs::create_dir(&tmp).map_err(io_err(format!("create a temporary directory in {}", parent.display())))?;
    let result = (|| {
        fill(&tmp).map_err(io_err(format!("write into {}", tmp.display())))?;
        // Move the previous output aside, then ours in. Another process may
        // be writing the same directory: retry until ours lands.
        for attempt in 0..=20 {
            let old = parent.join(format!(".{name}.old-{unique}-{attempt}"));
            let moved = match std::fs::rename(dir, &old) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(io_err(format!("move the previous {} aside", dir.display()))(e)),
            };
            if moved {
                // Something may have appeared between the check and the move:
                // if what we moved is not ours, put it back and stop.
                if let Err(e) = check(&old) {
                    let _ = std::fs::rename(&old, dir);
                    return Err(e);
                }
            }
            let placed = std::fs::rename(&tmp, dir);
            if moved {
                let _ = std::fs::remove_dir_all(&old);
            }
            match placed {
                Ok(()) => return Ok(()),
                Err(_) if attempt < 20 && std::fs::symlink_metadata(dir).is_ok() => check(dir)?,
                Err(e) => return Err(io_err(format!("move the new output into {}", dir.display()))(e)),
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Write the file `path` atomically (temporary sibling, then rename). An
/// existing file is replaced only when `is_ours` accepts its content
/// (`expected` names what that is, for the error); a directory or link at
/// `path` is never replaced.
pub fn replace_file(
    path: &Path,
    contents: &[u8],
    expected: &'static str,
    is_ours: fn(&[u8]) -> bool,
) -> Result<(), WriteError> {
    let (parent, name) = split(path)?;
    if let Ok(m) = std::fs::symlink_metadata(path) {
        let ours = m.is_file() && std::fs::read(path).is_ok_and(|old| is_ours(&old));
        if !ours {
            return Err(WriteError::Occupied { path: path.to_owned(), what: describe(path, &m), expected });
        }
    }
    let io_err = |action: String| move |source| WriteError::Io { path: path.to_owned(), action, source };
    let tmp = parent.join(format!(".{name}.tmp-{}", unique()));
    let result = std::fs::write(&tmp, contents)
        .map_err(io_err(format!("write a temporary file in {}", parent.display())))
        .and_then(|()| {
            std::fs::rename(&tmp, path).map_err(io_err(format!("move the new file into {}", path.display())))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn fill(dir: &Path) -> io::Result<()> {
        std::fs::write(dir.join("stackcraft.json"), "{}")
    }

    #[test]
    fn refuses_an_ordinary_directory_and_touches_nothing() {
        let t = tempfile::tempdir().unwrap();
        let docs = t.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("notes.txt"), "mine").unwrap();
        let e = replace_dir(&docs, "a cloud assembly", is_previous_assembly, fill).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{} is a directory holding notes.txt, not a cloud assembly; it was left untouched. Choose another path, or move it away yourself",
                docs.display()
            )
        );
        assert_eq!(std::fs::read_to_string(docs.join("notes.txt")).unwrap(), "mine");
        assert_eq!(entries(t.path()), ["docs"]);
    }

    #[test]
    fn refuses_a_file_and_dot_paths() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("report.txt");
        std::fs::write(&f, "x").unwrap();
        let e = replace_dir(&f, "a cloud assembly", is_previous_assembly, fill).unwrap_err();
        assert!(e.to_string().contains("report.txt is a file, not a cloud assembly"), "{e}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "x");
        for p in [".", "..", "/", "", "a/.."] {
            let e = replace_dir(Path::new(p), "a cloud assembly", is_previous_assembly, fill).unwrap_err();
            assert!(matches!(e, WriteError::InvalidPath { .. }), "{p:?}: {e}");
        }
        let e = replace_dir(&f.join("out"), "a cloud assembly", is_previous_assembly, fill).unwrap_err();
        assert_eq!(e.to_string(), format!("{}: {} is not a directory", f.join("out").display(), f.display()));
        assert_eq!(entries(t.path()), ["report.txt"]);
    }

    #[test]
    fn replaces_a_previous_assembly_and_empty_directories() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("cdk.out");
        std::fs::create_dir(&out).unwrap();
        replace_dir(&out, "a cloud assembly", is_previous_assembly, fill).unwrap();
        std::fs::write(out.join("Old.template.json"), "{}").unwrap();
        replace_dir(&out, "a cloud assembly", is_previous_assembly, fill).unwrap();
        assert_eq!(entries(&out), ["stackcraft.json"]);
        // A CDK cloud assembly (manifest.json) is recognised too.
        let cdk = t.path().join("cdk2");
        std::fs::create_dir(&cdk).unwrap();
        std::fs::write(cdk.join("manifest.json"), r#"{"version":"36.0.0","artifacts":{}}"#).unwrap();
        replace_dir(&cdk, "a cloud assembly", is_previous_assembly, fill).unwrap();
        assert_eq!(entries(t.path()), ["cdk.out", "cdk2"]);
    }

    #[test]
    fn failed_fill_writes_nothing() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("cdk.out");
        let e = replace_dir(&out, "a cloud assembly", is_previous_assembly, |_| Err(io::Error::other("boom")));
        assert!(e.unwrap_err().to_string().contains("boom"));
        assert!(entries(t.path()).is_empty());
    }

    #[test]
    fn unwritable_parent_is_a_clear_error() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let ro = t.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        // root ignores permissions: only assert when the directory is really read-only.
        if std::fs::write(ro.join("probe"), "").is_ok() {
            return;
        }
        let e = replace_dir(&ro.join("out"), "a cloud assembly", is_previous_assembly, fill).unwrap_err();
        assert!(e.to_string().ends_with("permission denied"), "{e}");
    }

    #[test]
    fn files_are_replaced_only_when_ours() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("schema.json");
        let ours = |b: &[u8]| b.starts_with(b"{\"$schema\"");
        replace_file(&f, b"{\"$schema\": 1}", "a schema written by this tool", ours).unwrap();
        replace_file(&f, b"{\"$schema\": 2}", "a schema written by this tool", ours).unwrap();
        std::fs::write(&f, "user notes").unwrap();
        let e = replace_file(&f, b"{\"$schema\": 3}", "a schema written by this tool", ours).unwrap_err();
        assert!(e.to_string().contains("is a file, not a schema written by this tool"), "{e}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "user notes");
        let e = replace_file(t.path(), b"{}", "a schema written by this tool", ours).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert_eq!(entries(t.path()), ["schema.json"]);
    }
}
