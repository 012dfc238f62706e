//! The online diff: `cargo xtask diff ENV`.
//!
//! The app's new assembly is compared with the DEPLOYED templates
//! (`GetTemplate`, stage `Original`, per stack; stack tags and termination
//! protection from `DescribeStacks`) by the same engine, and rendered the same
//! way, as the offline `cargo run -- diff --against DIR`
//! ([`stackcraft_review::diff`], linked without its `app` feature: no building
//! blocks, no L1 layer). A stack that does not exist is all-new; a deployed
//! stack named `<app>-<env>-*` that the app no longer has is a removal.
//! Replacement is predicted from the create-only properties the assembly
//! carries (`stackcraft.json`).
//!
//! Then, unless `--template-only`, one change set per existing stack whose
//! template diff is not empty is created, never executed and always deleted
//! (also on an error and, through [`ChangeSetGuard`], on Ctrl-C), and
//! CloudFormation's own verdict (`Replacement: True|Conditional|False`,
//! `RequiresRecreation`) is shown beside the prediction; where the two
//! disagree the resource is marked, and CloudFormation's verdict counts. This
//! is the default because it is cheap where it is done: unchanged stacks and
//! new stacks get none (a change set for a new stack would create it in
//! `REVIEW_IN_PROGRESS`), and a change set writes nothing to resources. It
//! needs `cloudformation:CreateChangeSet`/`DeleteChangeSet`; `--template-only`
//! needs read access only (`DescribeStacks`, `GetTemplate`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::types::{Capability as CfnCapability, ChangeSetType, Tag, TemplateStage};
use serde_json::Value as Json;
use stackcraft_review::diff::{DiffReport, FailOn, Replacement as Verdict};
use stackcraft_review::{Snapshot, StackSnapshot};

use crate::assembly::{Assembly, StackArtifact};
use crate::aws::{aws_err, is_missing_stack};
use crate::deployer::Deployer;
use crate::error::Error;
use crate::model::{ChangeAction, Replacement, ResourceChange};

/// Options of the online diff.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip the change sets: template diff only (read-only).
    pub template_only: bool,
    /// How many stacks to read (and change sets to create) at the same time.
    pub concurrency: usize,
    /// Print JSON (schema_version 1, as the offline diff).
    pub json: bool,
    /// `--fail-on` kinds: `replacement`, `stateful`, `security`, `any`.
    pub fail_on: Vec<String>,
}

/// Change sets created by the online diff and not deleted yet. The command
/// line deletes what is left after an interruption.
#[derive(Debug, Clone, Default)]
pub struct ChangeSetGuard {
    inner: Arc<Mutex<Vec<Pending>>>,
}

#[derive(Debug, Clone)]
struct Pending {
    client: cfn::Client,
    stack: String,
    id: String,
}

impl ChangeSetGuard {
    fn add(&self, client: &cfn::Client, stack: &str, id: &str) {
        if let Ok(mut v) = self.inner.lock() {
            v.push(Pending { client: client.clone(), stack: stack.to_owned(), id: id.to_owned() });
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut v) = self.inner.lock() {
            v.retain(|p| p.id != id);
        }
    }

    /// The change sets still to delete (stack name, change set id).
    pub fn pending(&self) -> Vec<(String, String)> {
        self.inner.lock().map(|v| v.iter().map(|p| (p.stack.clone(), p.id.clone())).collect()).unwrap_or_default()
    }

    /// Delete every change set still registered; returns the ones that
    /// could not be deleted, as `stack: id (reason)`.
    pub async fn cleanup(&self) -> Vec<String> {
        let pending: Vec<Pending> = self.inner.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
        let mut failed = Vec::new();
        for p in pending {
            if let Err(e) = p.client.delete_change_set().change_set_name(&p.id).stack_name(&p.stack).send().await {
                failed.push(format!("{}: {} ({})", p.stack, p.id, aws_err("DeleteChangeSet", &p.stack, e)));
            }
        }
        failed
    }
}

/// The result of an online diff: the report plus notes (CloudFormation
/// changes the templates do not show, verdicts not available).
#[derive(Debug, Clone)]
pub struct Online {
    /// The diff, CloudFormation's verdicts added.
    pub report: DiffReport,
    /// Lines to print after the report.
    pub notes: Vec<String>,
}

/// What is deployed of one stack.
#[derive(Debug, Clone)]
struct Deployed {
    template: Json,
    termination_protection: bool,
    tags: BTreeMap<String, String>,
}

/// The deployed stack `name`, or None when it does not exist.
async fn deployed(client: &cfn::Client, name: &str) -> Result<Option<Deployed>, Error> {
    let stack = match client.describe_stacks().stack_name(name).send().await {
        Ok(out) => out.stacks().first().cloned(),
        Err(e) if is_missing_stack(&e) => None,
        Err(e) => return Err(aws_err("DescribeStacks", name, e)),
    };
    let Some(stack) = stack.filter(|s| s.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE")) else {
        return Ok(None);
    };
    let out = match client.get_template().stack_name(name).template_stage(TemplateStage::Original).send().await {
        Ok(out) => out,
        Err(e) if is_missing_stack(&e) => return Ok(None),
        Err(e) => return Err(aws_err("GetTemplate", name, e)),
    };
    let body = out.template_body().unwrap_or("{}");
    let template = serde_json::from_str(body)
        .map_err(|e| Error::TemplateNotJson { stack: name.to_string(), detail: e.to_string() })?;
    Ok(Some(Deployed {
        template,
        termination_protection: stack.enable_termination_protection().unwrap_or(false),
        tags: stack.tags().iter().filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned()))).collect(),
    }))
}

/// The assembly as the diff engine sees it.
pub fn new_snapshot(assembly: &Assembly) -> Result<Snapshot, Error> {
    let mut snap = Snapshot::default();
    for art in &assembly.stacks {
        snap.stacks.push(StackSnapshot {
            id: art.id.clone(),
            stack_name: art.stack_name.clone(),
            template: art.template()?,
            termination_protection: art.termination_protection,
            tags: art.tags.clone(),
            region: art.region.clone(),
        });
    }
    if let Some(tree) = &assembly.tree {
        snap.index_tree(tree);
    }
    Ok(snap)
}

/// The name prefix of the app's stacks in this environment (`<app>-<env>-`),
/// when the assembly names both.
fn prefix(assembly: &Assembly) -> Option<String> {
    (!assembly.app.is_empty() && !assembly.environment.is_empty())
        .then(|| format!("{}-{}-", assembly.app, assembly.environment))
}

/// Deployed stacks named `<app>-<env>-*` that the assembly does not have.
async fn removed_stacks(client: &cfn::Client, assembly: &Assembly) -> Result<Vec<String>, Error> {
    let Some(prefix) = prefix(assembly) else { return Ok(vec![]) };
    let known: BTreeSet<&str> = assembly.stacks.iter().map(|s| s.stack_name.as_str()).collect();
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .describe_stacks()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_err("DescribeStacks", "", e))?;
        for s in out.stacks() {
            let Some(name) = s.stack_name() else { continue };
            let gone = s.stack_status().map(|s| s.as_str()) == Some("DELETE_COMPLETE");
            if !gone && name.starts_with(&prefix) && !known.contains(name) {
                names.push(name.to_owned());
            }
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    names.sort();
    Ok(names)
}

/// `cargo xtask diff ENV`: diff, print the report on standard output (text
/// or JSON), notes on standard error; [`Error::DiffFailOn`] (exit code 3)
/// when a `--fail-on` kind is present.
pub async fn run(
    deployer: &Arc<Deployer>,
    assembly: &Assembly,
    opts: &Options,
    guard: &ChangeSetGuard,
) -> Result<(), Error> {
    let online = diff(deployer, assembly, opts, guard).await?;
    let text = if opts.json {
        let mut s = serde_json::to_string_pretty(&online.report.to_json()).unwrap_or_default();
        s.push('\n');
        s
    } else {
        online.report.render()
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(Error::Io(format!("cannot write to standard output: {e}")))
            }
            _ => {}
        }
    }
    for n in &online.notes {
        eprintln!("note: {n}");
    }
    let tripped: Vec<&str> = opts
        .fail_on
        .iter()
        .filter(|k| FailOn::parse(k).is_some_and(|f| online.report.fails(f)))
        .map(String::as_str)
        .collect();
    if !tripped.is_empty() {
        return Err(Error::DiffFailOn(tripped.join(", ")));
    }
    Ok(())
}

/// Diff the assembly against what is deployed.
pub async fn diff(
    deployer: &Arc<Deployer>,
    assembly: &Assembly,
    opts: &Options,
    guard: &ChangeSetGuard,
) -> Result<Online, Error> {
    let new = new_snapshot(assembly)?;
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    // Read the deployed stacks, in parallel.
    let mut reads = tokio::task::JoinSet::new();
    for (i, art) in assembly.stacks.iter().enumerate() {
        let client = deployer.for_stack(art)?.cfn().clone();
        let (name, limit) = (art.stack_name.clone(), Arc::clone(&limit));
        reads.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, deployed(&client, &name).await)
        });
    }
    let removed = removed_stacks(deployer.cfn(), assembly).await?;
    for (j, name) in removed.iter().enumerate() {
        let client = deployer.cfn().clone();
        let (name, limit) = (name.clone(), Arc::clone(&limit));
        reads.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (assembly_len_offset(j), deployed(&client, &name).await)
        });
    }
    let mut found: BTreeMap<usize, Deployed> = BTreeMap::new();
    while let Some(joined) = reads.join_next().await {
        let (i, r) = joined.map_err(|e| Error::Io(format!("a stack read stopped: {e}")))?;
        if let Some(d) = r? {
            found.insert(i, d);
        }
    }
    let mut old = Snapshot::default();
    for (i, art) in assembly.stacks.iter().enumerate() {
        if let Some(d) = found.remove(&i) {
            old.stacks.push(StackSnapshot {
                id: art.id.clone(),
                stack_name: art.stack_name.clone(),
                template: d.template,
                termination_protection: d.termination_protection,
                tags: d.tags,
                region: art.region.clone(),
            });
        }
    }
    let pre = prefix(assembly).unwrap_or_default();
    for (j, name) in removed.iter().enumerate() {
        if let Some(d) = found.remove(&assembly_len_offset(j)) {
            old.stacks.push(StackSnapshot {
                id: name.strip_prefix(&pre).unwrap_or(name).to_owned(),
                stack_name: name.clone(),
                template: d.template,
                termination_protection: d.termination_protection,
                tags: d.tags,
                region: None,
            });
        }
    }
    let mut report = stackcraft_review::diff::diff_with(&old, &new, &assembly.create_only);
    let mut notes = Vec::new();
    if opts.template_only {
        return Ok(Online { report, notes });
    }
    // CloudFormation's verdict: one change set per changed, existing stack.
    let mut sets = tokio::task::JoinSet::new();
    for art in &assembly.stacks {
        let changed = report.stacks.iter().any(|s| s.id == art.id && s.status == "modified");
        if !changed {
            continue;
        }
        let d = deployer.for_stack(art)?;
        let (art, guard, limit) = (art.clone(), guard.clone(), Arc::clone(&limit));
        sets.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let r = change_set(&d, &art, &guard).await;
            (art.id.clone(), art.stack_name.clone(), r)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = sets.join_next().await {
        results.push(joined.map_err(|e| Error::Io(format!("a change set task stopped: {e}")))?);
    }
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut first_error = None;
    for (id, name, r) in results {
        match r {
            Ok(changes) => apply(&mut report, &id, &name, &changes, &mut notes),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(Online { report, notes })
}

/// Keys of removed stacks in the read results, after the assembly's.
fn assembly_len_offset(j: usize) -> usize {
    usize::MAX.saturating_sub(j)
}

/// Add CloudFormation's verdicts of one stack's change set to the report.
fn apply(report: &mut DiffReport, id: &str, name: &str, changes: &[ResourceChange], notes: &mut Vec<String>) {
    let mut no_verdict = Vec::new();
    for c in changes.iter().filter(|c| c.action == ChangeAction::Modify) {
        let verdict = match c.replacement {
            Some(Replacement::True) => Verdict::Always,
            Some(Replacement::Conditional) => Verdict::Conditional,
            Some(Replacement::False) => Verdict::None,
            None => {
                no_verdict.push(c.logical_id.clone());
                continue;
            }
        };
        let detail: Vec<String> = c
            .details
            .iter()
            .filter(|d| matches!(d.requires_recreation.as_deref(), Some("Always" | "Conditionally")))
            .map(|d| {
                let what = match &d.name {
                    Some(n) => format!("{}.{n}", d.attribute),
                    None => d.attribute.clone(),
                };
                let source = d.change_source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
                format!("{what}: RequiresRecreation {}{source}", d.requires_recreation.as_deref().unwrap_or_default())
            })
            .collect();
        if !report.set_cloudformation_verdict(id, &c.logical_id, verdict, detail) {
            notes.push(format!(
                "{name}: CloudFormation also modifies {} ({}; replacement: {}), which the templates do not show \
                 (a dynamic reference, a parameter value or a resolved value changed)",
                c.logical_id,
                c.resource_type,
                verdict.as_str()
            ));
        }
    }
    if !no_verdict.is_empty() {
        notes.push(format!(
            "{name}: CloudFormation's change set gave no replacement verdict for {} (the create-only table's \
             prediction stands)",
            no_verdict.join(", ")
        ));
    }
}

fn poll_interval(attempt: u32) -> Duration {
    let base = std::env::var("STACKCRAFT_POLL_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(1000);
    Duration::from_millis(base.saturating_mul(u64::from(attempt.clamp(1, 5))))
}

/// Whether a failed change set's reason means "no changes".
fn no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Create a change set for `art`, read its changes, delete it (whatever
/// happened after it was created).
async fn change_set(d: &Deployer, art: &StackArtifact, guard: &ChangeSetGuard) -> Result<Vec<ResourceChange>, Error> {
    let name = &art.stack_name;
    let client = d.cfn().clone();
    let cs_name = format!(
        "stackcraft-diff-{}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|t| t.as_millis()).unwrap_or(0)
    );
    let mut req = client
        .create_change_set()
        .stack_name(name)
        .change_set_name(&cs_name)
        .change_set_type(ChangeSetType::Update)
        .description("stackcraft diff (never executed)");
    req = if art.needs_upload() {
        req.template_url(d.upload_template(art).await?)
    } else {
        req.template_body(&art.template_body)
    };
    for c in art.required_capabilities() {
        req = req.capabilities(CfnCapability::from(c.as_str()));
    }
    for (k, v) in &art.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    let created = req.send().await.map_err(|e| aws_err("CreateChangeSet", name, e))?;
    let id = created.id().unwrap_or(&cs_name).to_owned();
    guard.add(&client, name, &id);
    let result = read_change_set(&client, name, &id).await;
    let deleted = client.delete_change_set().change_set_name(&id).stack_name(name).send().await;
    match deleted {
        Ok(_) => guard.forget(&id),
        Err(e) => {
            let err = aws_err("DeleteChangeSet", name, e);
            // Left registered: the command line retries and reports it.
            if result.is_ok() {
                return Err(Error::ChangeSetNotDeleted {
                    stack: name.to_string(),
                    change_set: id.to_string(),
                    cause: Box::new(err),
                });
            }
        }
    }
    result
}

async fn read_change_set(client: &cfn::Client, name: &str, id: &str) -> Result<Vec<ResourceChange>, Error> {
    let mut changes = Vec::new();
    let mut token: Option<String> = None;
    let mut attempt: u32 = 0;
    loop {
        let out = client
            .describe_change_set()
            .change_set_name(id)
            .stack_name(name)
            .include_property_values(true)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_err("DescribeChangeSet", name, e))?;
        match out.status().map(|s| s.as_str()).unwrap_or_default() {
            "CREATE_COMPLETE" => {
                changes.extend(out.changes().iter().filter_map(crate::aws::resource_change));
                match out.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                    _ => return Ok(changes),
                }
            }
            "FAILED" => {
                let reason = out.status_reason().unwrap_or_default().to_owned();
                if no_changes(&reason) {
                    return Ok(vec![]);
                }
                return Err(Error::ChangeSetFailed { stack: name.to_owned(), reason });
            }
            _ => {
                attempt = attempt.saturating_add(1);
                tokio::time::sleep(poll_interval(attempt)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_changes_reasons() {
        assert!(no_changes("The submitted information didn't contain changes. Submit different information"));
        assert!(!no_changes("Template format error"));
    }
}
