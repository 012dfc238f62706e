//! stackcraft-review: know before you deploy.
//!
//! - [`diff`]: compare two cloud assemblies (the app's new one with an earlier
//!   one on disk) resource by resource, predicting replacements and calling
//!   out stateful replacements/removals and security widening first.
//! - [`cost`]: a monthly cost estimate from a dated, shipped price table.
//! - [`graph`]: the architecture drawn from the assembly (Mermaid, DOT).
//!
//! [`Review`] installs the `diff`, `cost` and `graph` subcommands into an
//! app's command line (`stackcraft::cli::run`).
//!
//! Without the default `app` feature the crate is the diff engine (and the
//! cost estimate) alone, on serde_json and the assembly contract:
//! `stackcraft-deploy` links it that way for the online diff (`cargo xtask
//! diff ENV`), so one engine renders both the offline and the online diff
//! while deploy links neither the building blocks nor the L1 layer.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

#[cfg(feature = "app")]
mod command;
pub mod cost;
pub mod diff;
#[cfg(feature = "app")]
pub mod graph;
pub mod prices;
pub mod replacement;
pub mod stateful;
#[cfg(feature = "app")]
mod svg;

#[cfg(feature = "app")]
pub use command::Review;

/// Exit code of `diff --fail-on` (offline and online) when the named kind of
/// change is present.
pub const EXIT_FAIL_ON: u8 = 3;

/// One stack of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq)]
pub struct StackSnapshot {
    /// Construct id (artifact id).
    pub id: String,
    /// Deployed stack name.
    pub stack_name: String,
    /// The CloudFormation template.
    pub template: Json,
    /// Termination protection.
    pub termination_protection: bool,
    /// Stack-level tags.
    pub tags: BTreeMap<String, String>,
    /// The region, when pinned.
    pub region: Option<String>,
}

/// Why [`Snapshot::read_dir`] could not read a cloud assembly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// `manifest.json` does not follow the assembly contract.
    #[error("{}: {source}", path.display())]
    Manifest {
        /// The manifest.
        path: std::path::PathBuf,
        /// What is wrong with it.
        source: stackcraft_assembly::ContractError,
    },
    /// A template is not JSON.
    #[error("{}: not JSON: {source}", path.display())]
    Template {
        /// The template file.
        path: std::path::PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
}

/// An assembly as review sees it: stacks plus a logical-ID → construct path
/// index from `tree.json`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The stacks in manifest order.
    pub stacks: Vec<StackSnapshot>,
    /// `(stack id, logical id)` → construct path.
    pub paths: BTreeMap<(String, String), String>,
}

impl Snapshot {
    /// From a synthesized assembly.
    #[cfg(feature = "app")]
    pub fn from_assembly(a: &stackcraft_core::Assembly) -> Self {
        let stacks = a
            .stacks
            .iter()
            .map(|s| StackSnapshot {
                id: s.id.clone(),
                stack_name: s.stack_name.clone(),
                template: s.template.clone(),
                termination_protection: s.termination_protection,
                tags: s.tags.clone(),
                region: s.region.clone(),
            })
            .collect();
        let mut paths = BTreeMap::new();
        index_tree(&a.tree, &mut paths);
        Snapshot { stacks, paths }
    }

    /// Read a cloud assembly directory (`manifest.json`, its templates and
    /// `tree.json` when present).
    pub fn read_dir(dir: &Path) -> Result<Self, ReadError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })
        };
        let mpath = dir.join("manifest.json");
        let text = read(&mpath)?;
        let manifest = stackcraft_assembly::Manifest::from_json(&text)
            .map_err(|source| ReadError::Manifest { path: mpath.clone(), source })?;
        let mut stacks = Vec::new();
        for (id, s) in manifest.stacks() {
            let tpath = dir.join(&s.properties.template_file);
            let t = read(&tpath)?;
            let template: Json =
                serde_json::from_str(&t).map_err(|source| ReadError::Template { path: tpath.clone(), source })?;
            stacks.push(StackSnapshot {
                id: id.to_owned(),
                stack_name: s.properties.stack_name.clone().unwrap_or_else(|| id.to_owned()),
                template,
                termination_protection: s.properties.termination_protection,
                tags: s.properties.tags.clone(),
                region: s.environment.region.clone(),
            });
        }
        let mut paths = BTreeMap::new();
        if let Ok(t) = std::fs::read_to_string(dir.join("tree.json")) {
            if let Ok(tree) = serde_json::from_str::<Json>(&t) {
                index_tree(&tree, &mut paths);
            }
        }
        Ok(Snapshot { stacks, paths })
    }

    /// Add the construct paths of a `tree.json` document (stack = the first
    /// path segment).
    pub fn index_tree(&mut self, tree: &Json) {
        index_tree(tree, &mut self.paths);
    }

    /// The stack with id `id`.
    pub fn stack(&self, id: &str) -> Option<&StackSnapshot> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// The construct path of a resource (falls back to `stack/logicalId`).
    pub fn path(&self, stack: &str, logical_id: &str) -> String {
        self.paths
            .get(&(stack.to_owned(), logical_id.to_owned()))
            .cloned()
            .unwrap_or_else(|| format!("{stack}/{logical_id}"))
    }
}

/// Walk tree.json: every node with a `stackcraft:logicalId` (or CDK's
/// `aws:cdk:logicalId`) attribute; the stack is the path's first segment.
fn index_tree(node: &Json, out: &mut BTreeMap<(String, String), String>) {
    if let Some(obj) = node.as_object() {
        if let (Some(path), Some(attrs)) = (obj.get("path").and_then(Json::as_str), obj.get("attributes")) {
            let lid = attrs.get("stackcraft:logicalId").or_else(|| attrs.get("aws:cdk:logicalId"));
            if let Some(lid) = lid.and_then(Json::as_str) {
                let stack = path.split('/').next().unwrap_or(path);
                // A resource's L1 child is named `Resource`: show the block's path.
                let shown = path.strip_suffix("/Resource").unwrap_or(path);
                out.insert((stack.to_owned(), lid.to_owned()), shown.to_owned());
            }
        }
        for v in obj.values() {
            index_tree(v, out);
        }
    }
}

/// The `Resources` object of a template (empty when missing).
pub(crate) fn resources(template: &Json) -> serde_json::Map<String, Json> {
    template.get("Resources").and_then(Json::as_object).cloned().unwrap_or_default()
}
