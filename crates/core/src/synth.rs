//! Synthesis: graph → resolved templates → validation → cloud assembly.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::{json, Map, Value as Json};

use crate::diag::{Diagnostic, Severity, SynthError};
use crate::graph::{parse_token, App, Graph, JsonEdit, NodeId, NodeKind, Props, TagFormat};
use crate::logical_id;
use crate::timings;
use crate::validate;

/// One synthesized stack.
#[derive(Debug, Clone)]
pub struct StackArtifact {
    /// Construct id of the stack (artifact id and template file stem).
    pub id: String,
    /// Deployed CloudFormation stack name.
    pub stack_name: String,
    /// The template.
    pub template: Json,
    /// Ids of the stacks this one depends on (deploy those first).
    pub dependencies: Vec<String>,
    /// Termination protection for the deployed stack.
    pub termination_protection: bool,
    /// Stack-level tags (applied to the CloudFormation stack at deploy).
    pub tags: BTreeMap<String, String>,
    /// The AWS account the stack deploys to, when pinned (else the caller's).
    pub account: Option<String>,
    /// The AWS region the stack deploys to, when pinned (else deploy's default).
    pub region: Option<String>,
    /// Declared once for all environments ([`App::shared_stack`]).
    pub shared: bool,
}

/// Ordering and `--stack` selection are the assembly contract's.
impl stackcraft_assembly::StackNode for StackArtifact {
    fn id(&self) -> &str {
        &self.id
    }
    fn stack_name(&self) -> &str {
        &self.stack_name
    }
    fn dependencies(&self) -> &[String] {
        &self.dependencies
    }
}

impl StackArtifact {
    /// The template file name inside the assembly.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.id)
    }
    /// The template as written to disk (pretty, sorted keys, trailing newline).
    pub fn template_text(&self) -> String {
        render(&self.template)
    }
    /// `aws://ACCOUNT/REGION` as the CDK manifest writes it
    /// (`unknown-account` / `unknown-region` when not pinned).
    pub fn environment_uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region.as_deref().unwrap_or("unknown-region")
        )
    }
}

/// Pretty JSON with object keys sorted at every level, whatever map type
/// serde_json was built with (a dependency enabling its `preserve_order`
/// feature must not change our bytes), and a trailing newline.
pub(crate) fn render(v: &Json) -> String {
    let mut out = Vec::new();
    pretty(&mut out, v);
    // Only `&str` and ASCII are written: the bytes are UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Bytes gathered before [`write_rendered`] writes them out.
const WRITE_CHUNK: usize = 64 * 1024;

/// Where [`pretty`] puts the text it writes.
trait Sink {
    /// Whether object members must come in sorted key order (not when only
    /// the length is wanted).
    const SORTED: bool = true;
    /// Append `bytes`.
    fn put(&mut self, bytes: &[u8]);
    /// A member of an array or object is complete: a point where the text
    /// written so far may be passed on.
    fn member_done(&mut self) {}
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Counts the bytes, keeps none.
struct Count(usize);

impl Sink for Count {
    const SORTED: bool = false;
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// Gathers the text in a buffer and writes it to a file whenever it holds
/// [`WRITE_CHUNK`] bytes or more; the first write error is kept and the
/// rest of the text is dropped.
struct Chunked<'a> {
    buf: &'a mut Vec<u8>,
    file: std::fs::File,
    failed: Option<std::io::Error>,
}

impl Sink for Chunked<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    fn member_done(&mut self) {
        if self.buf.len() >= WRITE_CHUNK {
            if self.failed.is_none() {
                self.failed = std::io::Write::write_all(&mut self.file, self.buf).err();
            }
            self.buf.clear();
        }
    }
}

/// Write [`render`]`(v)` to the file `path`, in writes of about
/// [`WRITE_CHUNK`] bytes from `buf` (cleared first and reused across files):
/// the text is never held whole in memory.
pub(crate) fn write_rendered(path: &Path, v: &Json, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    buf.reserve(WRITE_CHUNK.saturating_add(WRITE_CHUNK / 4));
    let mut out = Chunked { buf, file: std::fs::File::create(path)?, failed: None };
    pretty(&mut out, v);
    match out.failed {
        Some(e) => Err(e),
        None => std::io::Write::write_all(&mut out.file, out.buf),
    }
}

/// The length in bytes of [`render`]`(v)`: the same printer, counting
/// instead of keeping the text.
pub(crate) fn rendered_len(v: &Json) -> usize {
    let mut n = Count(0);
    pretty(&mut n, v);
    n.0
}

/// Whether no byte of a JSON string needs an escape (no control
/// character, `"` or `\\`). Checked eight bytes at a time in a `u64`
/// (the classic "has a byte below n / equal to c" word tricks, exact for
/// any input); the last few bytes one by one.
fn plain(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // A byte of `x` is zero ⇔ its high bit is set here.
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b);
        // Bytes below 0x20 (bytes of 0x80 and up never count: `!x`).
        let control = x.wrapping_sub(ONES.wrapping_mul(0x20)) & !x & HIGH;
        if control
            | zero_byte(x ^ ONES.wrapping_mul(u64::from(b'"')))
            | zero_byte(x ^ ONES.wrapping_mul(u64::from(b'\\')))
            != 0
        {
            return false;
        }
    }
    !words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Write [`render`]`(v)` to `out`: the bytes serde_json's pretty printer
/// writes for [`Sorted`]`(v)` (two-space indent, `": "` after keys,
/// `[]`/`{}` when empty, its string escapes and number formats), written
/// straight to the sink without going through the serde data model. The
/// one place the output format is written down: [`rendered_len`] counts
/// what it writes.
fn pretty<S: Sink>(out: &mut S, v: &Json) {
    fn indent<S: Sink>(out: &mut S, depth: usize) {
        const SPACES: &[u8] = &[b' '; 64];
        let mut n = depth.saturating_mul(2);
        while n > 0 {
            let k = n.min(SPACES.len());
            out.put(SPACES.get(..k).unwrap_or_default());
            n -= k;
        }
    }
    fn string<S: Sink>(out: &mut S, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.put(b"\"");
        let bytes = s.as_bytes();
        if plain(bytes) {
            out.put(bytes);
            out.put(b"\"");
            return;
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => b"",
                _ => continue,
            };
            out.put(bytes.get(start..i).unwrap_or_default());
            if esc.is_empty() {
                let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
                out.put(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
            } else {
                out.put(esc);
            }
            start = i.saturating_add(1);
        }
        out.put(bytes.get(start..).unwrap_or_default());
        out.put(b"\"");
    }
    fn value<S: Sink>(out: &mut S, v: &Json, depth: usize) {
        let inner = depth.saturating_add(1);
        match v {
            Json::Null => out.put(b"null"),
            Json::Bool(true) => out.put(b"true"),
            Json::Bool(false) => out.put(b"false"),
            // serde_json's own number formatting (itoa/ryu, what its
            // `Display` writes too); numbers are rare.
            Json::Number(n) => out.put(n.to_string().as_bytes()),
            Json::String(s) => string(out, s),
            Json::Array(a) if a.is_empty() => out.put(b"[]"),
            Json::Object(m) if m.is_empty() => out.put(b"{}"),
            Json::Array(a) => {
                out.put(b"[");
                for (i, x) in a.iter().enumerate() {
                    out.put(if i == 0 { b"\n" } else { b",\n" });
                    indent(out, inner);
                    value(out, x, inner);
                    out.member_done();
                }
                out.put(b"\n");
                indent(out, depth);
                out.put(b"]");
            }
            Json::Object(m) => {
                let member = |out: &mut S, i: usize, k: &str, x: &Json| {
                    out.put(if i == 0 { b"\n" } else { b",\n" });
                    indent(out, inner);
                    string(out, k);
                    out.put(b": ");
                    value(out, x, inner);
                    out.member_done();
                };
                out.put(b"{");
                // Most objects (typed L1 properties, sections built in
                // order) are already sorted: those are written as they are.
                if !S::SORTED || m.keys().zip(m.keys().skip(1)).all(|(a, b)| a < b) {
                    for (i, (k, x)) in m.iter().enumerate() {
                        member(out, i, k, x);
                    }
                } else {
                    let mut entries: Vec<(&String, &Json)> = m.iter().collect();
                    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                    for (i, (k, x)) in entries.into_iter().enumerate() {
                        member(out, i, k, x);
                    }
                }
                out.put(b"\n");
                indent(out, depth);
                out.put(b"}");
            }
        }
    }
    value(out, v, 0);
    out.put(b"\n");
}

/// Serializes a JSON value with object keys in sorted order, without
/// copying it: through serde_json's pretty printer, the reference [`pretty`]
/// is tested against.
#[cfg(test)]
struct Sorted<'a>(&'a Json);

#[cfg(test)]
impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            // Most objects (typed L1 properties, sections built in order)
            // are already sorted: those are written as they are, without
            // collecting and sorting their entries.
            Json::Object(m) if m.keys().zip(m.keys().skip(1)).all(|(a, b)| a < b) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &Sorted(v))?;
                }
                map.end()
            }
            Json::Object(m) => {
                let mut entries: Vec<(&String, &Json)> = m.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &Sorted(v))?;
                }
                map.end()
            }
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Sorted(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// The result of a successful synth: templates, the construct tree and the
/// warnings found.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// Application name.
    pub app: String,
    /// Environment name, if the app was built for one.
    pub environment: Option<String>,
    /// The stacks in dependency order (dependencies first).
    pub stacks: Vec<StackArtifact>,
    /// Warnings (the errors made synth fail).
    pub warnings: Vec<Diagnostic>,
    /// The construct tree (written as `tree.json`).
    pub tree: Json,
    /// Every acknowledgement declared (none in audit mode).
    pub acknowledgements: Vec<crate::ack::Acknowledgement>,
    /// The warnings and findings those acknowledgements silenced.
    pub acknowledged: Vec<crate::ack::Acknowledged>,
    /// Report files added by validators (file name → content), written
    /// into the assembly beside the templates (e.g. `policy-report.json`).
    pub reports: BTreeMap<String, Json>,
}

/// Manifest schema version written (one the CDK CLI v2 reads).
pub const MANIFEST_VERSION: &str = "36.0.0";

impl Assembly {
    /// The stack with construct id `id`.
    pub fn stack(&self, id: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// Keep only the named stacks and what they depend on. Unknown names are
    /// an error listing the known ones.
    pub fn select(mut self, names: &[String]) -> Result<Self, SynthError> {
        let keep = stackcraft_assembly::select(&self.stacks, names, true).map_err(|e| SynthError {
            diagnostics: e
                .unknown
                .iter()
                .map(|n| {
                    Diagnostic::error(
                        n,
                        "--stack",
                        format!("no stack named {n:?}; the stacks are: {}", e.known.join(", ")),
                    )
                })
                .collect(),
        })?;
        self.stacks.retain(|s| keep.contains(&s.id));
        Ok(self)
    }

    /// The `manifest.json` content, in the layout the AWS CDK CLI reads
    /// (the [`stackcraft_assembly::Manifest`] contract).
    pub fn manifest(&self) -> Json {
        use stackcraft_assembly as contract;
        let mut artifacts = BTreeMap::new();
        artifacts.insert(
            "Tree".to_string(),
            contract::Artifact::Tree(contract::TreeArtifact {
                properties: contract::TreeProperties { file: "tree.json".into() },
            }),
        );
        for s in &self.stacks {
            let stack = contract::StackArtifact {
                environment: contract::Environment::new(s.account.clone(), s.region.clone()),
                properties: contract::StackProperties {
                    template_file: s.template_file(),
                    stack_name: Some(s.stack_name.clone()),
                    termination_protection: s.termination_protection,
                    tags: s.tags.clone(),
                },
                dependencies: s.dependencies.clone(),
                display_name: Some(s.id.clone()),
            };
            artifacts.insert(s.id.clone(), contract::Artifact::Stack(stack));
        }
        let mut manifest = contract::Manifest::new(artifacts);
        manifest.version = MANIFEST_VERSION.to_string();
        serde_json::to_value(&manifest).unwrap_or_default()
    }

    /// `stackcraft.json`: what deploy needs beyond the CDK manifest (the
    /// [`stackcraft_assembly::Metadata`] contract).
    pub fn stackcraft_metadata(&self) -> Json {
        use stackcraft_assembly as contract;
        let meta = contract::Metadata {
            schema_version: contract::SCHEMA_VERSION.to_string(),
            app: self.app.clone(),
            environment: self.environment.clone(),
            // Shared stacks are always protected: they do not make an environment production.
            production: self.stacks.iter().any(|s| s.termination_protection && !s.shared),
            stacks: self
                .stacks
                .iter()
                .map(|s| contract::StackMetadata {
                    id: s.id.clone(),
                    stack_name: s.stack_name.clone(),
                    template_file: s.template_file(),
                    dependencies: s.dependencies.clone(),
                    account: s.account.clone(),
                    region: s.region.clone(),
                    shared: s.shared,
                })
                .collect(),
            // Filled once the L1 layer's create-only data reaches the graph.
            create_only_properties: BTreeMap::new(),
        };
        serde_json::to_value(&meta).unwrap_or_default()
    }

    /// Write the cloud assembly to `dir` atomically: everything is written to
    /// a temporary sibling directory first, which then replaces `dir`, so an
    /// error never leaves a half-written assembly behind. An existing `dir` is
    /// replaced only when it is recognisably a previous cloud assembly
    /// ([`crate::output::is_previous_assembly`]); anything else is an error
    /// and is left untouched.
    pub fn write(&self, dir: &Path) -> Result<(), crate::output::WriteError> {
        crate::output::replace_dir(dir, "a cloud assembly", crate::output::is_previous_assembly, |tmp| {
            // One buffer for every file, sized for the largest template.
            let mut buf = Vec::new();
            for s in &self.stacks {
                write_rendered(&tmp.join(s.template_file()), &s.template, &mut buf)?;
            }
            write_rendered(&tmp.join("manifest.json"), &self.manifest(), &mut buf)?;
            write_rendered(&tmp.join("tree.json"), &self.tree, &mut buf)?;
            write_rendered(&tmp.join("stackcraft.json"), &self.stackcraft_metadata(), &mut buf)?;
            write_rendered(&tmp.join("cdk.out"), &json!({ "version": MANIFEST_VERSION }), &mut buf)?;
            if !self.acknowledgements.is_empty() {
                write_rendered(&tmp.join("acknowledgements.json"), &self.acknowledgements_report(), &mut buf)?;
            }
            for (file, content) in &self.reports {
                // Validators name their files; keep them inside the assembly.
                if !file.is_empty() && !file.contains(['/', '\\']) && !file.starts_with('.') {
                    write_rendered(&tmp.join(file), content, &mut buf)?;
                }
            }
            Ok(())
        })
    }
}

/// Where a stack deploys and what it offers to other stacks.
#[derive(Default)]
struct Loc {
    account: Option<String>,
    region: Option<String>,
    shared: bool,
    reader_role: Option<String>,
    explicit: BTreeSet<(NodeId, Option<String>)>,
}

struct Ctx<'g> {
    g: &'g Graph,
    uid: u64,
    logical: HashMap<NodeId, String>,
    /// Outputs each producer stack must emit for other stacks:
    /// stack → output id → (value, export name if exported).
    exports: BTreeMap<NodeId, BTreeMap<String, (Json, Option<String>)>>,
    deps: BTreeMap<NodeId, BTreeSet<NodeId>>,
    /// Why a stack depends on another (the first reference found), for cycle errors.
    why: BTreeMap<(NodeId, NodeId), String>,
    stack_names: HashMap<NodeId, String>,
    locs: HashMap<NodeId, Loc>,
    diags: Vec<Diagnostic>,
    /// JSON keys from the element body down to the value being resolved:
    /// the first `depth` entries (the strings above are kept for reuse).
    keys: Vec<String>,
    depth: usize,
}

/// Two optional locations (account or region) are the same unless both are
/// known and differ: an unknown one is deploy's default for every stack.
fn same(a: Option<&String>, b: Option<&String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

impl Ctx<'_> {
    /// The property being resolved, for diagnostics (`Properties.` and
    /// intrinsic function names left out).
    fn property(&self) -> String {
        let parts: Vec<&str> = self
            .keys
            .iter()
            .take(self.depth)
            .map(String::as_str)
            .filter(|k| *k != "Properties" && *k != "Ref" && !k.starts_with("Fn::"))
            .collect();
        if parts.is_empty() {
            "reference".to_owned()
        } else {
            parts.join(".")
        }
    }

    /// Enter the member `key` (see [`Ctx::property`]).
    fn push_key(&mut self, key: &str) {
        match self.keys.get_mut(self.depth) {
            Some(slot) => {
                slot.clear();
                slot.push_str(key);
            }
            None => self.keys.push(key.to_owned()),
        }
        self.depth = self.depth.saturating_add(1);
    }

    fn pop_key(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn target(&mut self, token: &str, at: NodeId) -> Option<NodeId> {
        let (uid, node) = parse_token(token)?;
        if uid != self.uid || node >= self.g.nodes.len() {
            let property = self.property();
            self.diags.push(Diagnostic::error(
                &self.g.path(at),
                &property,
                "uses a construct of another App (a handle created under a different App::new); build every stack of an app from the same App",
            ));
            return None;
        }
        Some(node)
    }

    fn depend(&mut self, consumer: NodeId, producer: NodeId, why: impl FnOnce() -> String) {
        if consumer == producer {
            return;
        }
        self.deps.entry(consumer).or_default().insert(producer);
        self.why.entry((consumer, producer)).or_insert_with(why);
    }

    /// The output id and value through which `producer` offers `target`'s
    /// Ref or attribute to other stacks.
    fn output_for(&self, producer: NodeId, target: NodeId, attr: Option<&str>) -> (String, Json) {
        let lid = self.logical.get(&target).cloned().unwrap_or_default();
        let value = match attr {
            None => json!({ "Ref": lid }),
            Some(a) => json!({ "Fn::GetAtt": [lid, a] }),
        };
        // Output ids must be ASCII alphanumeric: a non-ASCII logical ID (an
        // override) is cleaned here, and the hash keeps ids distinct.
        let clean = |s: &str| -> String { s.chars().filter(char::is_ascii_alphanumeric).collect() };
        let kind = match attr {
            None => format!("Ref{}", clean(&lid)),
            Some(a) => format!("FnGetAtt{}{}", clean(&lid), clean(a)),
        };
        let hash = format!("{:08X}", logical_id::stable_hash(&format!("{}/{kind}", self.g.path(producer))) as u32);
        let prefix = format!("ExportsOutput{kind}");
        let mut out_id = validate::truncate_chars(&prefix, logical_id::MAX_LEN - 8).to_owned();
        out_id.push_str(&hash);
        (out_id, value)
    }

    fn export_name(&self, producer: NodeId, out_id: &str) -> String {
        format!("{}:{out_id}", self.stack_names.get(&producer).map_or("", String::as_str))
    }

    /// A reference from `consumer` to `target` in stack `producer`:
    /// `Fn::ImportValue` of an export within one account and region,
    /// `Fn::GetStackOutput` across regions or accounts (exports cannot cross
    /// them). Either way the consumer is deployed after the producer.
    fn import(&mut self, consumer: NodeId, producer: NodeId, target: NodeId, attr: Option<&str>, at: NodeId) -> Json {
        let used = || format!("{}{}", self.g.path(target), attr.map(|a| format!(".{a}")).unwrap_or_default());
        let what = used();
        let property = self.property();
        let at_path = self.g.path(at);
        self.depend(consumer, producer, || format!("{at_path} [{property}] uses {what}"));
        let (out_id, value) = self.output_for(producer, target, attr);
        let empty = Loc::default();
        let p = self.locs.get(&producer).unwrap_or(&empty);
        let c = self.locs.get(&consumer).unwrap_or(&empty);
        let producer_id = &self.g.nodes[producer].id;
        if c.shared && !p.shared {
            self.diags.push(Diagnostic::error(
                &at_path,
                &property,
                format!("uses {what} of stack {producer_id:?}, but this stack is shared by every environment and can only use values of other shared stacks; move the resource into a shared stack or pass the value in as a parameter"),
            ));
            return Json::Null;
        }
        let explicit = p.explicit.contains(&(target, attr.map(str::to_owned)));
        if p.shared && !explicit {
            let call = match attr {
                None => "ref_()".to_owned(),
                Some(a) => format!("get_att(\"{a}\")"),
            };
            self.diags.push(Diagnostic::error(
                &at_path,
                &property,
                format!("uses {what} of shared stack {producer_id:?}, which does not export it; a shared stack's exports must not depend on which environment is synthesized, so export the value explicitly: `{}.export_value(handle.{call})` on the shared stack", self.g.nodes[producer].id.to_lowercase()),
            ));
            return Json::Null;
        }
        let same_account = same(c.account.as_ref(), p.account.as_ref());
        // Regions must be known on both sides to cross them: a stack pinned to
        // a region cannot tell whether an unpinned producer (deploy's default
        // region) is in the same one.
        if let (Some(cr), None) = (&c.region, &p.region) {
            self.diags.push(Diagnostic::error(
                &at_path,
                &property,
                format!("uses {what} of stack {producer_id:?}, whose region is not known at synth, from a stack pinned to {cr}; pin the environment's region (Environment::region) or the producer's (Stack::in_region)"),
            ));
            return Json::Null;
        }
        let same_region = c.region == p.region;
        if same_account && same_region {
            let export = self.export_name(producer, &out_id);
            self.exports.entry(producer).or_default().insert(out_id, (value, Some(export.clone())));
            return json!({ "Fn::ImportValue": export });
        }
        let mut get = Map::new();
        get.insert("StackName".into(), json!(self.stack_names.get(&producer)));
        get.insert("OutputName".into(), json!(out_id));
        if !same_region {
            get.insert("Region".into(), json!(p.region));
        }
        if !same_account {
            match &p.reader_role {
                Some(role) => {
                    get.insert("RoleArn".into(), json!(role));
                }
                None => {
                    self.diags.push(Diagnostic::error(
                        &at_path,
                        &property,
                        format!("uses {what} of stack {producer_id:?} in account {}, another account; CloudFormation reads it with a role of that account: call set_output_reader_role(ROLE_ARN) on stack {producer_id:?}", p.account.as_deref().unwrap_or_default()),
                    ));
                    return Json::Null;
                }
            }
        }
        let entry = self.exports.entry(producer).or_default();
        entry.entry(out_id).or_insert((value, None));
        json!({ "Fn::GetStackOutput": get })
    }

    /// Replace tokens in `v` for use inside stack `stack`.
    /// `at` is the node whose JSON this is; its path is built only for a diagnostic.
    fn resolve(&mut self, v: &mut Json, stack: NodeId, at: NodeId) {
        match v {
            Json::Object(m) => {
                if m.len() == 1 {
                    if let Some(Json::String(t)) = m.get("Ref") {
                        if parse_token(t).is_some() {
                            let t = t.clone();
                            self.push_key("Ref");
                            *v = match self.target(&t, at) {
                                Some(target) => self.reference(stack, target, None, at),
                                None => Json::Null,
                            };
                            self.pop_key();
                            return;
                        }
                    }
                    if let Some(Json::Array(a)) = m.get("Fn::GetAtt") {
                        if let [Json::String(t), Json::String(attr)] = a.as_slice() {
                            if parse_token(t).is_some() {
                                let (t, attr) = (t.clone(), attr.clone());
                                *v = match self.target(&t, at) {
                                    Some(target) => self.reference(stack, target, Some(&attr), at),
                                    None => Json::Null,
                                };
                                return;
                            }
                        }
                    }
                }
                // Scalars other than tokens never change: skipped.
                for (k, x) in m.iter_mut().filter(|(_, x)| may_hold_token(x)) {
                    self.push_key(k);
                    self.resolve(x, stack, at);
                    self.pop_key();
                }
            }
            Json::Array(a) => {
                for x in a.iter_mut().filter(|x| may_hold_token(x)) {
                    self.resolve(x, stack, at);
                }
            }
            Json::String(s) if parse_token(s).is_some() => {
                let t = s.clone();
                match self.target(&t, at) {
                    Some(target) => {
                        let owner = self.g.stack_of(target);
                        if owner != Some(stack) {
                            let property = self.property();
                            self.diags.push(Diagnostic::error(
                                &self.g.path(at),
                                &property,
                                format!(
                                    "uses {} of stack {:?}; conditions and mappings can only be used in their own stack",
                                    self.g.path(target),
                                    owner.map(|o| self.g.nodes[o].id.clone()).unwrap_or_default()
                                ),
                            ));
                        }
                        *s = self.logical.get(&target).cloned().unwrap_or_default();
                    }
                    None => *s = String::new(),
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, stack: NodeId, target: NodeId, attr: Option<&str>, at: NodeId) -> Json {
        let kind_ok = match &self.g.nodes[target].kind {
            NodeKind::Resource(_) => true,
            NodeKind::Parameter(_) => attr.is_none(),
            _ => false,
        };
        if !kind_ok {
            let property = self.property();
            self.diags.push(Diagnostic::error(
                &self.g.path(at),
                &property,
                format!(
                    "{} cannot be referenced with {}",
                    self.g.path(target),
                    if attr.is_some() { "Fn::GetAtt" } else { "Ref" }
                ),
            ));
            return Json::Null;
        }
        let Some(owner) = self.g.stack_of(target) else {
            return Json::Null;
        };
        if owner == stack {
            let lid = self.logical.get(&target).cloned().unwrap_or_default();
            match attr {
                None => json!({ "Ref": lid }),
                Some(a) => json!({ "Fn::GetAtt": [lid, a] }),
            }
        } else {
            self.import(stack, owner, target, attr, at)
        }
    }
}

/// Whether [`Ctx::resolve`] may change `v`: a token string, or a non-empty
/// array or object (looked into once, by resolving it).
fn may_hold_token(v: &Json) -> bool {
    match v {
        Json::String(s) => parse_token(s).is_some(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
        _ => false,
    }
}

fn stack_nodes(g: &Graph) -> Vec<NodeId> {
    g.nodes[0].children.iter().copied().filter(|&c| matches!(g.nodes[c].kind, NodeKind::Stack(_))).collect()
}

/// Nodes below `root` in construct order (depth-first, insertion order).
fn descendants(g: &Graph, root: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeId> = g.nodes[root].children.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(g.nodes[n].children.iter().rev().copied());
    }
    out
}

/// The tags that apply to `node`: its own and its ancestors' (the app's
/// root tags left out for shared stacks, whose templates must not depend on
/// the environment).
fn tags_for(g: &Graph, mut node: NodeId, include_root: bool) -> BTreeMap<String, String> {
    let mut chain = vec![node];
    while let Some(p) = g.nodes[node].parent {
        if p != 0 || include_root {
            chain.push(p);
        }
        node = p;
    }
    let mut tags = BTreeMap::new();
    for n in chain.into_iter().rev() {
        for (k, v) in &g.nodes[n].tags {
            tags.insert(k.clone(), v.clone());
        }
    }
    tags
}

fn apply_tags(props: &mut Json, format: TagFormat, tags: &BTreeMap<String, String>) {
    if tags.is_empty() || format == TagFormat::None {
        return;
    }
    if !props.is_object() {
        *props = json!({});
    }
    let existing = props.get_mut("Tags");
    match format {
        TagFormat::List => {
            let mut list = match existing {
                Some(Json::Array(a)) => std::mem::take(a),
                Some(_) => return, // an intrinsic: leave it alone
                None => Vec::new(),
            };
            let explicit: BTreeSet<String> =
                list.iter().filter_map(|t| t.get("Key").and_then(Json::as_str).map(str::to_owned)).collect();
            // Built directly (`json!` would copy through serde); `tags` is
            // sorted, so only explicit tags need merging in.
            let mut added: Vec<Json> = tags
                .iter()
                .filter(|(k, _)| !explicit.contains(*k))
                .map(|(k, v)| {
                    let mut t = Map::with_capacity(2);
                    t.insert("Key".to_owned(), Json::String(k.clone()));
                    t.insert("Value".to_owned(), Json::String(v.clone()));
                    Json::Object(t)
                })
                .collect();
            if !list.is_empty() {
                added.append(&mut list);
                added.sort_by_cached_key(|t| t.get("Key").and_then(Json::as_str).map(str::to_owned));
            }
            props["Tags"] = Json::Array(added);
        }
        TagFormat::Map => {
            let mut map = match existing {
                Some(Json::Object(m)) => std::mem::take(m),
                Some(_) => return,
                None => Map::new(),
            };
            for (k, v) in tags {
                map.entry(k.clone()).or_insert_with(|| Json::String(v.clone()));
            }
            props["Tags"] = Json::Object(map);
        }
        TagFormat::None => {}
    }
}

/// Apply a dotted-path override (`A.B.0.C`) to `props`.
fn apply_override(props: &mut Json, path: &str, value: Option<&Json>) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("override path {path:?} has an empty segment"));
    }
    override_at(props, &parts, value).map_err(|e| format!("override path {path:?}: {e}"))
}

fn override_at(cur: &mut Json, parts: &[&str], value: Option<&Json>) -> Result<(), String> {
    let (part, rest) = match parts {
        [p, rest @ ..] => (*p, rest),
        [] => return Ok(()),
    };
    if let Json::Array(a) = cur {
        let idx: usize = part.parse().map_err(|_| format!("{part:?} is not an index into a list"))?;
        if idx >= a.len() {
            return Err(format!("index {idx} is past the end of a list of {}", a.len()));
        }
        if rest.is_empty() {
            match value {
                Some(v) => a[idx] = v.clone(),
                None => {
                    a.remove(idx);
                }
            }
            return Ok(());
        }
        return override_at(&mut a[idx], rest, value);
    }
    if !cur.is_object() {
        if value.is_none() {
            return Ok(());
        }
        *cur = json!({});
    }
    let Json::Object(m) = cur else { return Ok(()) };
    if rest.is_empty() {
        match value {
            Some(v) => {
                m.insert(part.to_owned(), v.clone());
            }
            None => {
                m.remove(part);
            }
        }
        return Ok(());
    }
    if value.is_none() && !m.contains_key(part) {
        return Ok(());
    }
    override_at(m.entry(part.to_owned()).or_insert_with(|| json!({})), rest, value)
}

/// One template element (resource, parameter, condition, mapping or
/// output) of a stack, resolved, before it is placed in its section.
struct Element {
    node: NodeId,
    stack: NodeId,
    section: &'static str,
    logical_id: String,
    body: Json,
}

/// A stack's template sections by name (`Resources`, `Outputs`…), each by logical ID.
type Sections = HashMap<NodeId, BTreeMap<&'static str, Map<String, Json>>>;

impl App {
    /// Synthesize every stack: resolve references (cross-stack ones become
    /// exports and imports), apply tags and overrides, validate, and return
    /// the templates. All errors are reported together; nothing is written.
    ///
    /// The pipeline, one named phase each (timed by [`crate::timings`]):
    /// render → name (stack names, logical IDs) → resolve (tags, overrides,
    /// references) → schema (resource validators) → exports → order →
    /// assemble → validate (inputs, limits, names, references) → policy
    /// (template validators, acknowledgements).
    pub fn synth(&self) -> Result<Assembly, SynthError> {
        let mut rendered = timings::phase("render", || self.render_resources());
        let g = self.inner.graph.borrow();
        let env = self.inner.env.borrow().clone();
        let mut ctx = Ctx {
            g: &g,
            uid: self.inner.uid,
            logical: HashMap::new(),
            exports: BTreeMap::new(),
            deps: BTreeMap::new(),
            why: BTreeMap::new(),
            stack_names: HashMap::new(),
            locs: HashMap::new(),
            diags: g.errors.clone(),
            keys: Vec::new(),
            depth: 0,
        };
        timings::phase("validate", || validate_inputs(&g, env.as_ref(), &mut ctx.diags));
        let audit = self.inner.audit.get();
        let acks = if audit { Vec::new() } else { crate::ack::collect(&g) };
        let (stacks, members) = timings::phase("name", || self.name_stacks(&mut ctx, env.as_ref()));
        let want_paths = !acks.is_empty() || !self.inner.template_validators.borrow().is_empty();
        let (elements, paths) =
            timings::phase("resolve", || resolve_elements(&mut ctx, &stacks, &members, &mut rendered, want_paths));
        timings::phase("schema", || self.validate_resources(&g, &elements, &mut ctx.diags));
        let mut sections = timings::phase("assemble", || collect_sections(&g, elements, &mut ctx.diags));
        timings::phase("exports", || add_exports(&mut ctx, &stacks, &mut sections));
        let order = timings::phase("order", || order_stacks(&mut ctx, &stacks));
        let production = env.as_ref().is_some_and(|e| e.production);
        let mut artifacts = timings::phase("assemble", || assemble(&ctx, order, sections, production));
        let mut diags = std::mem::take(&mut ctx.diags);
        timings::phase("validate", || validate::assembly(&g, &artifacts, &mut diags));
        let (acknowledgements, acknowledged, reports) = timings::phase("policy", || {
            self.apply_policy(env.as_ref(), production, audit, acks, &paths, &mut artifacts, &mut diags)
        });
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(SynthError { diagnostics: diags });
        }
        let tree = timings::phase("assemble", || tree(&g, &ctx.logical));
        Ok(Assembly {
            app: self.inner.name.clone(),
            environment: env.map(|e| e.name),
            stacks: artifacts,
            warnings: diags,
            tree,
            acknowledgements,
            acknowledged,
            reports,
        })
    }

    /// Synth phase "name": each stack's name and location, every node's
    /// logical ID, explicit stack dependencies. Returns the stacks in
    /// construct order and each stack's member nodes.
    fn name_stacks(
        &self,
        ctx: &mut Ctx<'_>,
        env: Option<&crate::graph::EnvInfo>,
    ) -> (Vec<NodeId>, HashMap<NodeId, Vec<NodeId>>) {
        let g = ctx.g;
        let stacks = stack_nodes(g);
        if stacks.is_empty() {
            ctx.diags.push(Diagnostic::error("", "stacks", "the app has no stacks; add one with app.stack(\"Name\")"));
        }
        let mut members: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        for &s in &stacks {
            let NodeKind::Stack(data) = &g.nodes[s].kind else {
                continue;
            };
            let name = data.stack_name.clone().unwrap_or_else(|| match env {
                Some(e) if !data.shared => format!("{}-{}-{}", self.inner.name, e.name, g.nodes[s].id),
                _ => format!("{}-{}", self.inner.name, g.nodes[s].id),
            });
            ctx.stack_names.insert(s, name);
            let checks = [
                ("account", data.account.as_deref().map(validate::account)),
                ("region", data.region.as_deref().map(validate::region)),
            ];
            for (what, check) in checks {
                if let Some(Err(m)) = check {
                    ctx.diags.push(Diagnostic::error(&g.path(s), what, m));
                }
            }
            let from_env = |f: fn(&crate::graph::EnvInfo) -> &Option<String>| env.and_then(|e| f(e).clone());
            ctx.locs.insert(
                s,
                Loc {
                    account: data.account.clone().or_else(|| from_env(|e| &e.account)),
                    region: data.region.clone().or_else(|| from_env(|e| &e.region)),
                    shared: data.shared,
                    reader_role: data.output_reader_role.clone(),
                    explicit: data.exported.iter().cloned().collect(),
                },
            );
            let nodes = descendants(g, s);
            for &n in &nodes {
                ctx.logical.insert(n, logical_id::for_node(g, n));
            }
            for &d in &data.dependencies {
                ctx.depend(s, d, || "an explicit add_dependency".to_owned());
            }
            members.insert(s, nodes);
        }
        (stacks, members)
    }

    /// Synth phase "schema": every installed [`crate::ResourceValidator`]
    /// on each resource's final properties, borrowed (not copied).
    fn validate_resources(&self, g: &Graph, elements: &[Element], diags: &mut Vec<Diagnostic>) {
        let validators = self.inner.validators.borrow();
        if validators.is_empty() {
            return;
        }
        let no_properties = Json::Object(Map::new());
        let mut findings = Vec::new();
        for e in elements.iter().filter(|e| e.section == "Resources") {
            let type_name = e.body.get("Type").and_then(Json::as_str).unwrap_or_default();
            let props = e.body.get("Properties").unwrap_or(&no_properties);
            for v in validators.iter() {
                (v.validate)(type_name, props, &mut findings);
            }
            if !findings.is_empty() {
                let path = g.path(e.node);
                for f in findings.drain(..) {
                    diags.push(Diagnostic::error(&path, &f.property, f.message));
                }
            }
        }
    }

    /// Synth phase "policy": the template validators (policy rules, lint
    /// suppressions) once the templates are otherwise valid, the
    /// acknowledgements applied to their findings and stamped into the
    /// templates' metadata, and the diagnostics put in their reported order.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn apply_policy(
        &self,
        env: Option<&crate::graph::EnvInfo>,
        production: bool,
        audit: bool,
        acks: Vec<(NodeId, crate::ack::Acknowledgement)>,
        paths: &BTreeMap<(String, String), String>,
        artifacts: &mut Vec<StackArtifact>,
        diags: &mut Vec<Diagnostic>,
    ) -> (Vec<crate::ack::Acknowledgement>, Vec<crate::ack::Acknowledged>, BTreeMap<String, Json>) {
        let acknowledgements: Vec<crate::ack::Acknowledgement> = acks.into_iter().map(|(_, a)| a).collect();
        let mut reports = BTreeMap::new();
        if !diags.iter().any(|d| d.severity == Severity::Error && d.rule.is_none()) {
            for v in self.inner.template_validators.borrow().iter() {
                let mut input = crate::ack::ValidationInput {
                    stacks: artifacts,
                    environment: env.map(|e| e.name.as_str()),
                    production,
                    paths,
                    acknowledgements: &acknowledgements,
                    reports: &mut reports,
                };
                diags.extend(v.validate(&mut input));
            }
        }
        let mut acknowledged = Vec::new();
        diags.retain_mut(|d| {
            let Some(rule) = &d.rule else { return true };
            if let Some(a) = crate::ack::find(&acknowledgements, rule, &d.path) {
                acknowledged.push(crate::ack::Acknowledged { diagnostic: d.clone(), acknowledgement: a.clone() });
                return false;
            }
            if audit {
                d.severity = Severity::Warning;
            }
            true
        });
        diags.sort_by(|a, b| (a.severity, &a.path).cmp(&(b.severity, &b.path)));
        diags.dedup();
        acknowledged
            .sort_by(|a, b| (&a.diagnostic.path, &a.diagnostic.rule).cmp(&(&b.diagnostic.path, &b.diagnostic.rule)));
        if !acknowledgements.is_empty() {
            crate::ack::stamp(
                artifacts,
                paths,
                &acknowledgements,
                &acknowledged,
                &self.inner.template_validators.borrow(),
            );
        }
        (acknowledgements, acknowledged, reports)
    }
}

/// Part of synth phase "validate": the environment's account and region and
/// every tag, checked before anything is resolved.
fn validate_inputs(g: &Graph, env: Option<&crate::graph::EnvInfo>, diags: &mut Vec<Diagnostic>) {
    if let Some(e) = env {
        let checks = [
            ("account", e.account.as_deref().map(validate::account)),
            ("region", e.region.as_deref().map(validate::region)),
        ];
        for (what, check) in checks {
            if let Some(Err(m)) = check {
                diags.push(Diagnostic::error("", what, format!("environment {:?}: {m}", e.name)));
            }
        }
    }
    for (n, node) in g.nodes.iter().enumerate() {
        for (k, v) in &node.tags {
            if let Err(m) = validate::tag(k, v) {
                diags.push(Diagnostic::error(&g.path(n), "Tags", m));
            }
        }
    }
}

/// Synth phase "resolve": each stack's elements in construct order, with
/// tags and overrides applied to resources and every reference resolved
/// (cross-stack ones recorded as exports and stack dependencies). Also the
/// construct path of each resource by (stack id, logical ID) when
/// `want_paths` (for the template validators and acknowledgements).
fn resolve_elements(
    ctx: &mut Ctx<'_>,
    stacks: &[NodeId],
    members: &HashMap<NodeId, Vec<NodeId>>,
    rendered: &mut [Json],
    want_paths: bool,
) -> (Vec<Element>, BTreeMap<(String, String), String>) {
    let g = ctx.g;
    let mut paths: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut elements = Vec::new();
    for &s in stacks {
        for &n in members.get(&s).map_or(&[][..], Vec::as_slice) {
            let lid = ctx.logical.get(&n).cloned().unwrap_or_default();
            let (section, mut body) = match &g.nodes[n].kind {
                NodeKind::Resource(d) => {
                    let mut props = rendered.get_mut(n).map(Json::take).unwrap_or_default();
                    let shared = ctx.locs.get(&s).is_some_and(|l| l.shared);
                    apply_tags(&mut props, d.tags, &tags_for(g, n, !shared));
                    for (p, v) in &d.overrides {
                        if let Err(e) = apply_override(&mut props, p, v.as_ref()) {
                            ctx.diags.push(Diagnostic::error(&g.path(n), p, e));
                        }
                    }
                    let mut r = json!({ "Type": d.type_name });
                    if props.as_object().is_some_and(|m| !m.is_empty()) {
                        r["Properties"] = props;
                    }
                    let mut depends: BTreeSet<String> = BTreeSet::new();
                    for &dep in &d.depends_on {
                        match g.stack_of(dep) {
                            Some(o) if o == s => {
                                depends.insert(ctx.logical.get(&dep).cloned().unwrap_or_default());
                            }
                            Some(o) => {
                                ctx.depend(s, o, || format!("{} DependsOn {}", g.path(n), g.path(dep)));
                            }
                            None => {}
                        }
                    }
                    if !depends.is_empty() {
                        r["DependsOn"] = json!(depends);
                    }
                    if let Some(p) = d.deletion_policy {
                        r["DeletionPolicy"] = json!(p.as_str());
                    }
                    if let Some(p) = d.update_replace_policy {
                        r["UpdateReplacePolicy"] = json!(p.as_str());
                    }
                    if let Some(c) = &d.condition {
                        r["Condition"] = json!(c);
                    }
                    if !d.metadata.is_empty() {
                        r["Metadata"] = Json::Object(d.metadata.clone());
                    }
                    if want_paths {
                        paths.insert((g.nodes[s].id.clone(), lid.clone()), g.path(n));
                    }
                    ("Resources", r)
                }
                NodeKind::Parameter(p) => ("Parameters", p.clone()),
                NodeKind::Condition(c) => ("Conditions", c.clone()),
                NodeKind::Mapping(m) => ("Mappings", m.clone()),
                NodeKind::Output(o) => {
                    // Built directly: `json!` would copy the value through serde.
                    let mut out = Json::Object(Map::from_iter([("Value".to_owned(), o.value.clone())]));
                    if let Some(d) = &o.description {
                        out["Description"] = json!(d);
                    }
                    if let Some(e) = &o.export_name {
                        out["Export"] = json!({ "Name": e });
                    }
                    if let Some(c) = &o.condition {
                        out["Condition"] = json!(c);
                    }
                    ("Outputs", out)
                }
                NodeKind::Scope | NodeKind::Stack(_) | NodeKind::Root => continue,
            };
            ctx.resolve(&mut body, s, n);
            elements.push(Element { node: n, stack: s, section, logical_id: lid, body });
        }
    }
    (elements, paths)
}

/// Part of synth phase "assemble": the elements placed in their stacks'
/// sections; a logical ID used twice in a section is an error.
fn collect_sections(g: &Graph, elements: Vec<Element>, diags: &mut Vec<Diagnostic>) -> Sections {
    let mut sections: Sections = HashMap::new();
    for e in elements {
        let map = sections.entry(e.stack).or_default().entry(e.section).or_default();
        if map.contains_key(&e.logical_id) {
            diags.push(Diagnostic::error(
                &g.path(e.node),
                "logical ID",
                format!(
                    "logical ID {:?} is used twice in {} of stack {}; rename one of the constructs or override its logical ID",
                    e.logical_id, e.section, g.nodes[e.stack].id
                ),
            ));
        }
        map.insert(e.logical_id, e.body);
    }
    sections
}

/// Synth phase "exports": the outputs each stack offers other stacks —
/// values exported explicitly (`Stack::export_value`), whether used or not,
/// and those requested by consumers (exported within one account and
/// region, read with `Fn::GetStackOutput` across them).
fn add_exports(ctx: &mut Ctx<'_>, stacks: &[NodeId], sections: &mut Sections) {
    for &s in stacks {
        let explicit: Vec<(NodeId, Option<String>)> =
            ctx.locs.get(&s).map(|l| l.explicit.iter().cloned().collect()).unwrap_or_default();
        for (target, attr) in explicit {
            let (out_id, value) = ctx.output_for(s, target, attr.as_deref());
            let name = ctx.export_name(s, &out_id);
            ctx.exports.entry(s).or_default().insert(out_id, (value, Some(name)));
        }
    }
    for (producer, outs) in std::mem::take(&mut ctx.exports) {
        let sec = sections.entry(producer).or_default();
        let map = sec.entry("Outputs").or_default();
        for (id, (value, name)) in outs {
            let mut out = Json::Object(Map::from_iter([("Value".to_owned(), value)]));
            if let Some(name) = name {
                out["Export"] = json!({ "Name": name });
            }
            map.insert(id, out);
        }
    }
}

/// Synth phase "order": the stacks with their dependencies first; a cycle
/// is an error naming the references that make it (the stacks are then
/// kept in construct order).
fn order_stacks(ctx: &mut Ctx<'_>, stacks: &[NodeId]) -> Vec<NodeId> {
    let g = ctx.g;
    match validate::topo_order(stacks, &ctx.deps) {
        Ok(o) => o,
        Err(cycle) => {
            let first = cycle.first().copied().unwrap_or(0);
            let names: Vec<String> =
                cycle.iter().chain(cycle.first()).map(|&x| format!("{:?}", g.nodes[x].id)).collect();
            let reasons: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(1))
                .filter_map(|(&a, &b)| ctx.why.get(&(a, b)).cloned())
                .collect();
            ctx.diags.push(Diagnostic::error(
                &g.path(first),
                "dependencies",
                format!(
                    "stacks {} depend on each other in a cycle: {}. Break one of these references: move the resource into the stack that uses it (or into a third stack both use), or create the connection from the other side so that only one stack refers to the other (e.g. call allow_*_to/allow_*_from on the block in the consuming stack, so the security-group rule lives there)",
                    names.join(" -> "),
                    reasons.join("; ")
                ),
            ));
            stacks.to_vec()
        }
    }
}

/// Synth phase "assemble": one template and artifact per stack, in order.
fn assemble(ctx: &Ctx<'_>, order: Vec<NodeId>, mut sections: Sections, production: bool) -> Vec<StackArtifact> {
    let g = ctx.g;
    let mut artifacts = Vec::with_capacity(order.len());
    for s in order {
        let NodeKind::Stack(data) = &g.nodes[s].kind else {
            continue;
        };
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if let Some(d) = &data.description {
            t.insert("Description".into(), json!(d));
        }
        if !data.metadata.is_empty() {
            t.insert("Metadata".into(), Json::Object(data.metadata.clone()));
        }
        if let Some(sec) = sections.remove(&s) {
            for (k, v) in sec {
                if !v.is_empty() {
                    t.insert(k.into(), Json::Object(v));
                }
            }
        }
        let dependencies: Vec<String> = ctx
            .deps
            .get(&s)
            .map(|d| d.iter().map(|&x| g.nodes[x].id.clone()).collect::<BTreeSet<_>>().into_iter().collect())
            .unwrap_or_default();
        let (account, region) = ctx.locs.get(&s).map(|l| (l.account.clone(), l.region.clone())).unwrap_or_default();
        artifacts.push(StackArtifact {
            id: g.nodes[s].id.clone(),
            stack_name: ctx.stack_names.get(&s).cloned().unwrap_or_default(),
            template: Json::Object(t),
            dependencies,
            // A shared stack holds what every environment uses: protected whatever the environment.
            termination_protection: data.termination_protection.unwrap_or(production || data.shared),
            tags: tags_for(g, s, !data.shared),
            account,
            region,
            shared: data.shared,
        });
    }
    artifacts
}

impl App {
    /// Synth phase "render": every resource's typed properties rendered to
    /// JSON (evaluating lazy values) and the user's JSON edits applied,
    /// indexed by node. The graph is not borrowed while producers and edits
    /// run, so they may use any handle.
    fn render_resources(&self) -> Vec<Json> {
        let taken: Vec<(NodeId, Props, Vec<JsonEdit>)> = {
            let mut g = self.inner.graph.borrow_mut();
            g.nodes
                .iter_mut()
                .enumerate()
                .filter_map(|(i, n)| match &mut n.kind {
                    NodeKind::Resource(d) => {
                        Some((i, std::mem::replace(&mut d.props, Props::Json(Json::Null)), d.edits.clone()))
                    }
                    _ => None,
                })
                .collect()
        };
        let mut out = Vec::new();
        let mut back = Vec::with_capacity(taken.len());
        for (n, props, edits) in taken {
            let mut json = props.render();
            for edit in &edits {
                edit(&mut json);
            }
            if out.len() <= n {
                out.resize(n + 1, Json::Null);
            }
            if let Some(slot) = out.get_mut(n) {
                *slot = json;
            }
            back.push((n, props));
        }
        let mut g = self.inner.graph.borrow_mut();
        for (n, props) in back {
            if let Some(NodeKind::Resource(d)) = g.nodes.get_mut(n).map(|x| &mut x.kind) {
                d.props = props;
            }
        }
        out
    }
}

/// The construct tree (`tree.json`), with the logical IDs synth assigned.
fn tree(g: &Graph, logical: &HashMap<NodeId, String>) -> Json {
    // Each node's path is its parent's plus its id (what `Graph::path`
    // computes by walking up), and every object is built with its keys in
    // sorted order, so writing it needs no sorting.
    fn node(g: &Graph, logical: &HashMap<NodeId, String>, n: NodeId, path: String) -> Json {
        let mut o = Map::with_capacity(4);
        if let NodeKind::Resource(d) = &g.nodes[n].kind {
            let mut a = Map::with_capacity(2);
            a.insert("aws:cdk:cloudformation:type".into(), Json::String(d.type_name.clone()));
            a.insert("stackcraft:logicalId".into(), logical.get(&n).map_or(Json::Null, |l| Json::String(l.clone())));
            o.insert("attributes".into(), Json::Object(a));
        }
        if !g.nodes[n].children.is_empty() {
            let mut children = Map::with_capacity(g.nodes[n].children.len());
            for &c in &g.nodes[n].children {
                let id = &g.nodes[c].id;
                let mut child_path = String::with_capacity(path.len().saturating_add(id.len()).saturating_add(1));
                if !path.is_empty() {
                    child_path.push_str(&path);
                    child_path.push('/');
                }
                child_path.push_str(id);
                children.insert(id.clone(), node(g, logical, c, child_path));
            }
            o.insert("children".into(), Json::Object(children));
        }
        let id = if n == 0 { "App".to_owned() } else { g.nodes[n].id.clone() };
        o.insert("id".into(), Json::String(id));
        o.insert("path".into(), Json::String(path));
        Json::Object(o)
    }
    // Built directly: `json!` would copy the whole tree through serde.
    let mut top = Map::new();
    top.insert("version".into(), Json::String("tree-0.1".into()));
    top.insert("tree".into(), node(g, logical, 0, String::new()));
    Json::Object(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_len_is_the_rendered_text_length_and_sorting_is_kept() {
        let v = json!({"b": [1, {"z": "\u{e9}\"", "a": null}], "a": {"y": 1.5, "x": true}, "c": {}});
        let text = render(&v);
        assert_eq!(rendered_len(&v), text.len());
        assert!(text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap());
        assert!(text.find("\"x\"").unwrap() < text.find("\"y\"").unwrap());
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn rendered_len_counts_escapes_numbers_and_nesting() {
        let values = [
            json!(null),
            json!("tab\there \u{1} \u{7f} \"q\" back\\slash\r\n\u{8}\u{c} \u{2603}"),
            json!([[], {}, [[1, -2, 3.25, 1e300, 18446744073709551615u64]], {"k": [true, false, null]}]),
            json!({"": {"a": {"b": {"c": []}}}, "z\n": "v"}),
            json!(-0.5),
        ];
        for v in values {
            assert_eq!(rendered_len(&v), render(&v).len(), "{v}");
        }
    }

    /// What serde_json's pretty printer writes for `v` with sorted keys.
    fn reference(v: &Json) -> String {
        let mut s = serde_json::to_string_pretty(&Sorted(v)).unwrap();
        s.push('\n');
        s
    }

    #[test]
    fn render_is_serde_jsons_pretty_printer_with_sorted_keys() {
        let values = [
            json!(null),
            json!("tab\there \u{1} \u{1f} \u{7f} \"q\" back\\slash\r\n\u{8}\u{c} \u{2603} \u{1F600}"),
            json!([[], {}, [[1, -2, 3.25, 1e300, -1e-7, 0.1, 18446744073709551615u64, -9223372036854775808i64]], {"k": [true, false, null]}]),
            json!({"": {"a": {"b": {"c": []}}}, "z\n": "v", "B": 1, "a": 2}),
            json!(-0.5),
            json!({"b": [1, {"z": "\u{e9}\"", "a": null}], "a": {"y": 1.5, "x": true}, "c": {}}),
        ];
        for v in values {
            assert_eq!(render(&v), reference(&v), "{v}");
        }
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            any::<String>().prop_map(Json::String),
            "[\\x00-\\x7f]{0,12}".prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                proptest::collection::vec(("[a-zA-Z\"\\x00-\\x1f]{0,6}", inner), 0..6)
                    .prop_map(|kv| Json::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn render_matches_serde_json_on_any_value(v in arb_json()) {
            proptest::prop_assert_eq!(render(&v), reference(&v));
            proptest::prop_assert_eq!(rendered_len(&v), reference(&v).len());
        }
    }

    #[test]
    fn write_rendered_writes_the_rendered_text() {
        let dir = std::env::temp_dir().join(format!("stackcraft-write-rendered-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let v = json!({"b": [1, {"z": "\u{e9}\"", "a": null}], "a": {"y": 1.5, "x": true}, "c": {}});
        let f = dir.join("t.json");
        let mut buf = b"left over".to_vec();
        write_rendered(&f, &v, &mut buf).unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), render(&v));
        // Larger than a write chunk: written in several pieces, same bytes.
        let big =
            json!({"r": (0..3000).map(|i| json!({"k": format!("value {i}\t"), "n": [i, {}]})).collect::<Vec<_>>()});
        write_rendered(&f, &big, &mut buf).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.len() > 3 * WRITE_CHUNK, "{}", text.len());
        assert_eq!(text, reference(&big));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn plain_finds_every_byte_needing_an_escape_at_every_position() {
        for len in 0..20 {
            for at in 0..len {
                for b in 0u8..=255 {
                    let mut s = vec![b'a'; len];
                    if let Some(x) = s.get_mut(at) {
                        *x = b;
                    }
                    let needs = b < 0x20 || b == b'"' || b == b'\\';
                    assert_eq!(plain(&s), !needs, "byte {b:#x} at {at} of {len}");
                }
            }
        }
        assert!(plain("é ü 漢 \u{7f}".as_bytes()));
    }

    #[test]
    fn only_token_strings_and_containers_are_looked_into() {
        assert!(may_hold_token(&json!("<<sc:1:2>>")));
        assert!(may_hold_token(&json!([1])));
        assert!(may_hold_token(&json!({"A": 1})));
        for v in [json!("<<sc:x:2>>"), json!("sc:1:2"), json!([]), json!({}), json!(1), json!(null), json!(true)] {
            assert!(!may_hold_token(&v), "{v}");
        }
    }

    #[test]
    fn overrides_create_and_delete_paths() {
        let mut p = json!({"A": [{"B": 1}]});
        apply_override(&mut p, "A.0.C", Some(&json!(2))).unwrap();
        apply_override(&mut p, "X.Y", Some(&json!("z"))).unwrap();
        apply_override(&mut p, "A.0.B", None).unwrap();
        assert_eq!(p, json!({"A": [{"C": 2}], "X": {"Y": "z"}}));
        assert!(apply_override(&mut p, "A.5.C", Some(&json!(1))).is_err());
        assert!(apply_override(&mut p, "A..C", Some(&json!(1))).is_err());
    }

    #[test]
    fn tags_merge_explicit_wins() {
        let mut p = json!({"Tags": [{"Key": "Name", "Value": "mine"}]});
        let tags: BTreeMap<String, String> =
            [("Name".to_owned(), "scope".to_owned()), ("Env".to_owned(), "dev".to_owned())].into();
        apply_tags(&mut p, TagFormat::List, &tags);
        assert_eq!(p, json!({"Tags": [{"Key": "Env", "Value": "dev"}, {"Key": "Name", "Value": "mine"}]}));
        let mut m = json!({});
        apply_tags(&mut m, TagFormat::Map, &tags);
        assert_eq!(m, json!({"Tags": {"Env": "dev", "Name": "scope"}}));
    }
}
