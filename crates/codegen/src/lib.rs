//! stackcraft-codegen: generates `crates/cfn` (package `stackcraft-cfn`) from
//! the CloudFormation resource provider schemas bundled in the pinned cfn-lint
//! wheel.
//!
//! Inputs are fetched with the ordinary package client
//! (`pip download --no-deps cfn-lint==1.58.0`) into the ignored
//! `<workspace>/.cache/codegen` and unpacked there; nothing fetched is
//! committed. The selection of services lives in [`selection`].
//!
//! Synth-time validation: each service module gets its types' provider
//! schemas reduced to their constraints and emitted as static tables
//! (`validation_tables`, see `prune` and `tables`), and the
//! hand-written runtime in `crates/codegen/runtime/` (the schema interpreter
//! `schema.rs` and the cross-property rules `rules.rs`) is copied verbatim
//! into the generated crate. Edit those files here, then run
//! `cargo xtask codegen`.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

mod docs;
mod emit;
pub mod getatt;
mod model;
mod names;
mod prune;
mod replacement;
pub mod selection;
mod tables;

/// The pinned cfn-lint version.
pub const CFN_LINT_VERSION: &str = "1.58.0";
/// The region whose provider schemas are generated.
pub const REGION: &str = "us-east-1";

/// The workspace root (this crate's grandparent directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).map(Path::to_path_buf).unwrap_or_default()
}

/// The directory of the generated crate.
pub fn cfn_crate_dir() -> PathBuf {
    workspace_root().join("crates/cfn")
}

/// Where the pinned inputs are fetched and unpacked.
pub fn cache_dir() -> PathBuf {
    workspace_root().join(".cache/codegen")
}

/// The unpacked `cfnlint` package of the pinned wheel, fetching it first if
/// needed (`pip download --no-deps cfn-lint==1.58.0`, then unzip with
/// `python3 -m zipfile -e`).
pub fn fetch_inputs() -> Result<PathBuf, String> {
    // One fetch at a time within a process (tests run in parallel threads of
    // one process, so the process id alone does not make a scratch name
    // unique); across processes, every scratch path is unique and published
    // by rename.
    static FETCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = FETCH.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = cache_dir();
    let unpacked = cache.join(format!("cfn_lint-{CFN_LINT_VERSION}"));
    let pkg = unpacked.join("cfnlint");
    if pkg.join("data/schemas/providers").join(format!("{REGION}.json")).is_file() {
        return Ok(pkg);
    }
    std::fs::create_dir_all(&cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let wheel = cache.join(format!("cfn_lint-{CFN_LINT_VERSION}-py3-none-any.whl"));
    if !wheel.is_file() {
        let spec = format!("cfn-lint=={CFN_LINT_VERSION}");
        let mut last_err = String::from("no pip found");
        let mut ok = false;
        let dl = scratch(&cache, "download");
        let _ = std::fs::remove_dir_all(&dl);
        for (prog, pre) in [("python3", &["-m", "pip"][..]), ("pip3", &[][..]), ("pip", &[][..])] {
            let out = Command::new(prog)
                .args(pre)
                .args(["download", "--no-deps", "--only-binary=:all:", &spec, "-d"])
                .arg(&dl)
                .output();
            match out {
                Ok(o) if o.status.success() => {
                    ok = true;
                    break;
                }
                Ok(o) => last_err = format!("{prog} download failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
                Err(e) => last_err = format!("cannot run {prog}: {e}"),
            }
        }
        let fetched = dl.join(wheel.file_name().unwrap_or_default());
        if ok && fetched.is_file() && !wheel.is_file() {
            // Publish atomically; a concurrent run that won keeps its copy.
            let _ = std::fs::rename(&fetched, &wheel);
        }
        let _ = std::fs::remove_dir_all(&dl);
        if !ok || !wheel.is_file() {
            return Err(format!("could not fetch {spec}: {last_err}"));
        }
    }
    // Unpack beside the final directory, then rename (atomic for concurrent runs).
    let tmp = scratch(&cache, "partial");
    let _ = std::fs::remove_dir_all(&tmp);
    let out = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run python3 -m zipfile: {e}"))?;
    if !out.status.success() {
        return Err(format!("cannot unpack {}: {}", wheel.display(), String::from_utf8_lossy(&out.stderr)));
    }
    if std::fs::rename(&tmp, &unpacked).is_err() {
        // Another run finished first: use its copy.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if !pkg.is_dir() {
        return Err(format!("{} missing after unpacking {}", pkg.display(), wheel.display()));
    }
    Ok(pkg)
}

/// A scratch path in `cache` no other fetch (thread or process) uses.
fn scratch(cache: &Path, what: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    cache.join(format!("cfn_lint-{CFN_LINT_VERSION}.{what}-{}-{n}", std::process::id()))
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))
}

/// Which services to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// [`selection::SERVICES`]: what `crates/cfn` contains.
    Committed,
    /// Every `AWS::*` type in the schemas (~1,850; to check the generator's
    /// generality, not committed).
    Everything,
}

/// Generate every file of the crate (paths relative to `crates/cfn`) from the
/// unpacked `cfnlint` package directory. Unformatted: see [`format()`].
pub fn generate_unformatted(cfnlint: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    generate_selection(cfnlint, Selection::Committed)
}

/// [`generate_unformatted`] for a [`Selection`].
pub fn generate_selection(cfnlint: &Path, selection: Selection) -> Result<BTreeMap<PathBuf, String>, String> {
    let version = std::fs::read_to_string(cfnlint.join("version.py")).unwrap_or_default();
    if !version.contains(CFN_LINT_VERSION) {
        return Err(format!("{} is not cfn-lint {CFN_LINT_VERSION}", cfnlint.display()));
    }
    let schemas = cfnlint.join("data/schemas");
    let providers = read_json(&schemas.join("providers").join(format!("{REGION}.json")))?;
    let providers = providers.as_object().ok_or("providers file is not an object")?;
    let getatt_src = std::fs::read_to_string(cfnlint.join("schema/_getatts.py"))
        .map_err(|e| format!("cannot read cfnlint/schema/_getatts.py: {e}"))?;
    let getatts = getatt::parse(&getatt_src)?;

    let mut files = BTreeMap::new();
    let mut modules = Vec::new();
    let mut replacement_rows = Vec::new();
    // (service, only these types; empty = all)
    let services: Vec<(&str, &[&str])> = match selection {
        Selection::Committed => selection::SERVICES.iter().map(|s| (s.cfn, s.only)).collect(),
        Selection::Everything => providers
            .keys()
            .filter_map(|t| t.strip_prefix("AWS::")?.split("::").next())
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(|cfn| (cfn, &[][..]))
            .collect(),
    };
    for (cfn, only) in services {
        let prefix = format!("AWS::{}::", cfn);
        let mut types: Vec<(&str, &str)> = providers
            .iter()
            .filter_map(|(t, h)| Some((t.strip_prefix(&prefix)?, h.as_str()?)))
            .filter(|(name, _)| only.is_empty() || only.contains(name))
            .collect();
        types.sort();
        if types.is_empty() {
            return Err(format!("no resource types for service {}", cfn));
        }
        for wanted in only.iter().copied() {
            if !types.iter().any(|(n, _)| *n == wanted) {
                return Err(format!("AWS::{}::{wanted} is not in the {REGION} schemas", cfn));
            }
        }
        let mut taken = BTreeSet::new();
        let mut resources = Vec::new();
        let mut pruned = Vec::new();
        for (name, hash) in types {
            let schema = read_json(&schemas.join("resources").join(format!("{hash}.json")))?;
            let mut rust = names::upper_camel(name);
            if names::reserved_type(&rust) {
                rust.push_str("Resource");
            }
            let rust = names::unique(rust, &mut taken);
            let handle = names::unique(format!("{rust}Ref"), &mut taken);
            let type_name = format!("{prefix}{name}");
            resources.push(model::resource(&type_name, &schema, rust, handle, &getatts));
            pruned.push((type_name, prune::resource(&schema)));
        }
        replacement_rows.extend(replacement::rows(&resources));
        let module = names::service_module(cfn);
        let tables = if pruned.is_empty() {
            String::new()
        } else {
            let refs: Vec<(&str, &Json)> = pruned.iter().map(|(t, j)| (t.as_str(), j)).collect();
            tables::emit(&refs)
        };
        files.insert(PathBuf::from(format!("src/{module}.rs")), emit::service(cfn, &resources, &tables));
        modules.push((module, cfn.to_owned(), resources.len()));
    }
    files.insert(PathBuf::from("src/lib.rs"), emit::lib_rs(&modules));
    files.insert(PathBuf::from("src/schema.rs"), emit::runtime(include_str!("../runtime/schema.rs")));
    files.insert(PathBuf::from("src/rules.rs"), emit::runtime(include_str!("../runtime/rules.rs")));
    files.insert(PathBuf::from("Cargo.toml"), emit::cargo_toml(&modules));
    replacement::emit(&mut files, replacement_rows);
    Ok(files)
}

/// Format the `.rs` files with rustfmt (edition 2021, the workspace's `rustfmt.toml`).
pub fn format(files: BTreeMap<PathBuf, String>) -> Result<BTreeMap<PathBuf, String>, String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into());
    let mut out = BTreeMap::new();
    // rustfmt in parallel (one process per file) — the files are independent.
    let results: Vec<(PathBuf, Result<String, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .into_iter()
            .map(|(path, text)| {
                let rustfmt = rustfmt.clone();
                scope.spawn(move || {
                    if path.extension().is_some_and(|e| e == "rs") {
                        let r = run_rustfmt(&rustfmt, &text);
                        (path, r)
                    } else {
                        (path, Ok(text))
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| (PathBuf::new(), Err("rustfmt thread panicked".into()))))
            .collect()
    });
    for (path, r) in results {
        let text = r.map_err(|e| format!("{}: {e}", path.display()))?;
        out.insert(path, text);
    }
    Ok(out)
}

fn run_rustfmt(rustfmt: &str, text: &str) -> Result<String, String> {
    use std::io::Write;
    let mut cmd = Command::new(rustfmt);
    cmd.args(["--edition", "2021", "--emit", "stdout"]);
    // The workspace's style (e.g. `max_width`), whatever the current directory.
    let root = workspace_root();
    if let Some(config) = ["rustfmt.toml", ".rustfmt.toml"].iter().map(|f| root.join(f)).find(|p| p.is_file()) {
        cmd.arg("--config-path").arg(config);
    }
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {rustfmt}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no rustfmt stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| format!("rustfmt: {e}"))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!("rustfmt failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Generate and format every file.
pub fn generate(cfnlint: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    format(generate_unformatted(cfnlint)?)
}

/// Differences between `files` and the crate at `dir`: files that differ or
/// are missing, and generated `src/*.rs` files that are no longer produced.
pub fn stale_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    for (path, text) in files {
        if std::fs::read_to_string(dir.join(path)).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.clone());
        }
    }
    for extra in obsolete(dir, files) {
        stale.push(extra);
    }
    stale
}

/// Generated `src/*.rs` files in `dir` that `files` does not contain.
fn obsolete(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join("src")) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let rel = PathBuf::from("src").join(p.file_name().unwrap_or_default());
        if p.extension().is_some_and(|e| e == "rs") && !files.contains_key(&rel) {
            let head = std::fs::read_to_string(&p).unwrap_or_default();
            if head.starts_with(emit::HEADER) {
                out.push(rel);
            }
        }
    }
    out
}

/// Write `files` into `dir`, removing obsolete generated files; returns the
/// number of files changed.
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<usize, String> {
    let stale = stale_files(dir, files);
    for path in &stale {
        let full = dir.join(path);
        match files.get(path) {
            Some(text) => {
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                std::fs::write(&full, text).map_err(|e| format!("{}: {e}", full.display()))?;
            }
            None => std::fs::remove_file(&full).map_err(|e| format!("{}: {e}", full.display()))?,
        }
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// The code emitted for a small schema: required properties in
    /// `new(WidgetRequired { .. })`, setters and `set_` setters, nested and
    /// recursive types, an enum, tags, attributes, metadata, doc links.
    #[test]
    fn emitted_code_shape() {
        let schema = json!({
            "typeName": "AWS::Demo::Widget",
            "description": "A widget. See [the guide](https://example.com/guide) for <details>.",
            "definitions": {
                "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
                "Rule": {"type": "object", "required": ["Name"], "properties": {
                    "Name": {"type": "string", "description": "The rule name."},
                    "Not": {"$ref": "#/definitions/Rule"}
                }}
            },
            "properties": {
                "Name": {"type": "string", "description": "The widget name."},
                "Type": {"type": "string"},
                "Size": {"type": "integer"},
                "Mode": {"type": "string", "enum": ["PAY_PER_REQUEST", "PROVISIONED"], "description": "Billing."},
                "Rules": {"type": "array", "items": {"$ref": "#/definitions/Rule"}},
                "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "Arn": {"type": "string", "description": "The ARN."},
                "Endpoint": {"type": "object", "properties": {"Address": {"type": "string"}}}
            },
            "required": ["Type", "Name"],
            "readOnlyProperties": ["/properties/Arn", "/properties/Endpoint/Address"],
            "createOnlyProperties": ["/properties/Name"],
            "primaryIdentifier": ["/properties/Arn"],
            "tagging": {"taggable": true}
        });
        let getatts = crate::getatt::GetAttData::default();
        let r = crate::model::resource("AWS::Demo::Widget", &schema, "Widget".into(), "WidgetRef".into(), &getatts);
        let text = crate::emit::service("Demo", &[r], "");
        let files = std::collections::BTreeMap::from([(std::path::PathBuf::from("src/demo.rs"), text)]);
        let formatted = crate::format(files).expect("rustfmt");
        insta::assert_snapshot!(formatted.values().next().expect("one file"));
    }
}
