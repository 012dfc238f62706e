//! Policy statements: effect, actions, resources, principals and conditions.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};
use stackcraft_core::{ToCfn, Value};

use crate::principal::Principal;

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`
    Allow,
    /// `"Effect": "Deny"`
    Deny,
}

impl Effect {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// One condition of a statement: `{"<operator>": {"<key>": <value>}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: String,
    key: String,
    value: Json,
}

impl Condition {
    /// `operator` (e.g. `StringEquals`, `ArnLike`, `Bool`), condition `key`
    /// (e.g. `aws:SourceAccount`) and value (a string, a list, a [`Value`],
    /// any JSON).
    pub fn new(operator: &str, key: &str, value: impl serde::Serialize) -> Self {
        Condition {
            operator: operator.to_owned(),
            key: key.to_owned(),
            value: serde_json::to_value(value).unwrap_or(Json::Null),
        }
    }

    /// `StringEquals aws:SourceAccount = <this stack's account>`: the usual
    /// confused-deputy guard for service principals.
    pub fn source_account_is_this_account() -> Self {
        Self::new("StringEquals", "aws:SourceAccount", Value::account_id())
    }
}

/// One statement of an IAM policy document.
///
/// Built with chained methods; actions and resources are kept sorted and
/// deduplicated so the rendered JSON is deterministic whatever the order of
/// the calls:
///
/// ```
/// use stackcraft_core::Value;
/// use stackcraft_iam::PolicyStatement;
///
/// let bucket_objects = Value::arn("s3", "", "", "my-bucket/*");
/// let st = PolicyStatement::allow()
///     .actions(["s3:PutObject", "s3:GetObject"])
///     .resource(bucket_objects)
///     .condition("Bool", "aws:SecureTransport", "true");
/// let json = st.to_json();
/// assert_eq!(json["Action"], serde_json::json!(["s3:GetObject", "s3:PutObject"]));
/// assert_eq!(json["Condition"]["Bool"]["aws:SecureTransport"], "true");
/// ```
///
/// Least privilege is enforced when a statement is added to a role
/// ([`crate::Role::add_to_policy`]) or validated with
/// [`PolicyStatement::problems`]: no `*` or `service:*` actions, and no `*`
/// resource unless declared with [`PolicyStatement::all_resources`] and the
/// reason (an action without resource-level permissions).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyStatement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    /// Sorted, unique.
    pub(crate) actions: Vec<String>,
    /// Sorted by rendered JSON, unique.
    pub(crate) resources: Vec<Value<String>>,
    /// Why `Resource: "*"` is needed, when it is.
    pub(crate) all_resources_reason: Option<String>,
    pub(crate) principals: Vec<Principal>,
    /// operator → key → value.
    pub(crate) conditions: BTreeMap<String, BTreeMap<String, Json>>,
}

impl PolicyStatement {
    /// A statement with the given effect and nothing else yet.
    pub fn new(effect: Effect) -> Self {
        PolicyStatement {
            sid: None,
            effect,
            actions: Vec::new(),
            resources: Vec::new(),
            all_resources_reason: None,
            principals: Vec::new(),
            conditions: BTreeMap::new(),
        }
    }

    /// An `Allow` statement.
    pub fn allow() -> Self {
        Self::new(Effect::Allow)
    }

    /// A `Deny` statement.
    pub fn deny() -> Self {
        Self::new(Effect::Deny)
    }

    /// The statement id (`Sid`, alphanumeric). Statements with different sids
    /// are never merged.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Add one action, `service:Action` (e.g. `secretsmanager:GetSecretValue`).
    pub fn action(mut self, action: impl Into<String>) -> Self {
        let a = action.into();
        if let Err(pos) = self.actions.binary_search(&a) {
            self.actions.insert(pos, a);
        }
        self
    }

    /// Add several actions.
    pub fn actions<S: Into<String>>(self, actions: impl IntoIterator<Item = S>) -> Self {
        actions.into_iter().fold(self, |s, a| s.action(a))
    }

    /// Add one resource ARN (a literal or any intrinsic). A literal `"*"` is
    /// rejected by [`PolicyStatement::problems`]: use
    /// [`PolicyStatement::all_resources`] instead.
    pub fn resource(mut self, arn: impl Into<Value<String>>) -> Self {
        let r = arn.into();
        match self.resources.binary_search_by(|x| cmp_rendered(x, &r)) {
            Ok(_) => {}
            Err(pos) => self.resources.insert(pos, r),
        }
        self
    }

    /// Add several resource ARNs.
    pub fn resources<U: Into<Value<String>>>(self, arns: impl IntoIterator<Item = U>) -> Self {
        arns.into_iter().fold(self, |s, r| s.resource(r))
    }

    /// `Resource: "*"`, for actions that have no resource-level permissions
    /// (e.g. `ecr:GetAuthorizationToken`, `ssmmessages:CreateControlChannel`).
    /// `reason` documents why; it is required so that every wildcard resource
    /// in a template can be traced to a decision.
    pub fn all_resources(mut self, reason: impl Into<String>) -> Self {
        self.all_resources_reason = Some(reason.into());
        self
    }

    /// Add a principal (resource policies and trust policies only; identity
    /// policies attached to a role must not have one).
    pub fn principal(mut self, principal: impl Into<Principal>) -> Self {
        let p = principal.into();
        if !self.principals.contains(&p) {
            self.principals.push(p);
            self.principals.sort_by_key(|p| p.sort_key());
        }
        self
    }

    /// Add a condition: `operator` (e.g. `StringEquals`, `Bool`, `ArnLike`),
    /// condition `key` (e.g. `aws:SourceAccount`) and value (a string,
    /// a list, a [`Value`], any JSON). A second value for the same operator
    /// and key replaces the first.
    pub fn condition(mut self, operator: &str, key: &str, value: impl serde::Serialize) -> Self {
        let v = serde_json::to_value(value).unwrap_or(Json::Null);
        self.conditions.entry(operator.to_owned()).or_default().insert(key.to_owned(), v);
        self
    }

    /// Add a [`Condition`] value object (same as [`PolicyStatement::condition`]).
    pub fn with_condition(mut self, c: Condition) -> Self {
        self.conditions.entry(c.operator).or_default().insert(c.key, c.value);
        self
    }

    /// The effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The actions, sorted.
    pub fn action_list(&self) -> &[String] {
        &self.actions
    }

    /// The resources, sorted by their JSON rendering.
    pub fn resource_list(&self) -> &[Value<String>] {
        &self.resources
    }

    /// Whether the statement names at least one principal.
    pub fn has_principals(&self) -> bool {
        !self.principals.is_empty()
    }

    /// Least-privilege and shape problems, each a sentence naming what is
    /// allowed instead. Empty when the statement is fine.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.actions.is_empty() {
            out.push("a policy statement needs at least one action".to_owned());
        }
        for a in &self.actions {
            match a.split_once(':') {
                None if a == "*" => out.push(
                    "action \"*\" is not allowed: list the actions the grantee needs (least privilege)".to_owned(),
                ),
                None => out.push(format!("action {a:?} must have the form \"service:Action\", e.g. \"s3:GetObject\"")),
                Some((svc, act)) => {
                    if svc.is_empty() || !svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.push(format!("action {a:?} has an invalid service prefix {svc:?}"));
                    }
                    if act == "*" {
                        out.push(format!(
                            "action {a:?} grants every action of {svc}: list the actions needed (least privilege)"
                        ));
                    } else if act.is_empty() || !act.chars().all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
                    {
                        out.push(format!("action {a:?} has an invalid action name {act:?}"));
                    }
                }
            }
        }
        if self.resources.iter().any(|r| r.as_literal() == Some("*")) {
            out.push(
                "resource \"*\" must be declared with PolicyStatement::all_resources(reason), \
                 only for actions without resource-level permissions"
                    .to_owned(),
            );
        }
        if self.resources.is_empty() && self.all_resources_reason.is_none() {
            out.push(
                "a policy statement needs at least one resource (or all_resources(reason) \
                 for actions without resource-level permissions)"
                    .to_owned(),
            );
        }
        if !self.resources.is_empty() && self.all_resources_reason.is_some() {
            out.push("a statement with all_resources(..) must not also list specific resources".to_owned());
        }
        if self.effect == Effect::Allow && self.principals.iter().any(|p| matches!(p, Principal::Any)) {
            out.push(
                "an Allow statement with Principal::Any lets everyone in: use Principal::anyone(reason) \
                 if that is intended (Principal::Any is for Deny statements)"
                    .to_owned(),
            );
        }
        for op in self.conditions.keys() {
            if !is_condition_operator(op) {
                out.push(format!(
                    "condition operator {op:?} is not an IAM operator (e.g. StringEquals, StringLike, \
                     ArnLike, Bool, IpAddress, NumericLessThan, DateGreaterThan, Null; optionally \
                     with IfExists, ForAllValues: or ForAnyValue:)"
                ));
            }
        }
        if let Some(sid) = &self.sid {
            if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push(format!("statement id {sid:?} must be non-empty and alphanumeric"));
            }
        }
        out
    }

    /// The statement's CloudFormation JSON (tokens unresolved). Single actions
    /// and resources are written as a string, several as a list.
    pub fn to_json(&self) -> Json {
        let mut m = Map::with_capacity(6);
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), Json::String(sid.clone()));
        }
        m.insert("Effect".into(), Json::String(self.effect.as_str().to_owned()));
        if !self.principals.is_empty() {
            m.insert("Principal".into(), Principal::render(&self.principals));
        }
        m.insert("Action".into(), one_or_many(self.actions.iter().cloned().map(Json::String)));
        if self.all_resources_reason.is_some() && self.resources.is_empty() {
            m.insert("Resource".into(), Json::String("*".to_owned()));
        } else if !self.resources.is_empty() {
            m.insert("Resource".into(), one_or_many(self.resources.iter().map(ToCfn::to_cfn)));
        }
        if !self.conditions.is_empty() {
            // Built directly: `json!` would copy the values through serde.
            let conditions = self
                .conditions
                .iter()
                .map(|(op, keys)| {
                    (op.clone(), Json::Object(keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
                })
                .collect();
            m.insert("Condition".into(), Json::Object(conditions));
        }
        Json::Object(m)
    }

    /// [`PolicyStatement::to_json`] of a statement given away: the condition
    /// values are moved, not copied.
    pub(crate) fn into_json(mut self) -> Json {
        let conditions = std::mem::take(&mut self.conditions);
        let mut json = self.to_json();
        if !conditions.is_empty() {
            if let Json::Object(m) = &mut json {
                let conditions =
                    conditions.into_iter().map(|(op, keys)| (op, Json::Object(keys.into_iter().collect()))).collect();
                m.insert("Condition".into(), Json::Object(conditions));
            }
        }
        json
    }

    /// Whether `self` and `other` render the same JSON except for their
    /// actions (they merge by uniting their actions). Compared field by
    /// field, with no statement cloned or rendered to text.
    pub(crate) fn same_except_actions(&self, other: &PolicyStatement) -> bool {
        self.same_head(other) && self.same_resources(other) && self.same_conditions(other)
    }

    /// Whether `self` and `other` render the same JSON except for their
    /// resources (they merge by uniting their resources).
    pub(crate) fn same_except_resources(&self, other: &PolicyStatement) -> bool {
        self.same_head(other) && self.actions == other.actions && self.same_conditions(other)
    }

    /// `Sid`, `Effect` and `Principal` render the same.
    fn same_head(&self, other: &PolicyStatement) -> bool {
        self.sid == other.sid
            && self.effect == other.effect
            && self.principals.is_empty() == other.principals.is_empty()
            && (self.principals == other.principals
                || same_json(&Principal::render(&self.principals), &Principal::render(&other.principals)))
    }

    /// The `Resource` element renders the same (both absent, or equal).
    fn same_resources(&self, other: &PolicyStatement) -> bool {
        match (self.resource_slot(), other.resource_slot()) {
            (ResourceSlot::Absent, ResourceSlot::Absent) | (ResourceSlot::Star, ResourceSlot::Star) => true,
            (ResourceSlot::Absent, _) | (_, ResourceSlot::Absent) => false,
            (ResourceSlot::List(a), ResourceSlot::List(b)) if a.len() == b.len() => {
                a.iter().zip(b).all(|(x, y)| same_value(x, y))
            }
            // A literal "*" resource or a list-valued intrinsic can render
            // like the other shape: compare the rendered element (rare).
            (x, y) => same_json(&x.render(), &y.render()),
        }
    }

    fn resource_slot(&self) -> ResourceSlot<'_> {
        if self.all_resources_reason.is_some() && self.resources.is_empty() {
            ResourceSlot::Star
        } else if !self.resources.is_empty() {
            ResourceSlot::List(&self.resources)
        } else {
            ResourceSlot::Absent
        }
    }

    /// The `Condition` element renders the same (both absent, or equal).
    fn same_conditions(&self, other: &PolicyStatement) -> bool {
        self.conditions.len() == other.conditions.len()
            && self.conditions.iter().zip(&other.conditions).all(|((o1, k1), (o2, k2))| {
                o1 == o2 && k1.len() == k2.len() && k1.iter().zip(k2).all(|((a, x), (b, y))| a == b && same_json(x, y))
            })
    }

    /// Merge `other`'s actions into this statement.
    pub(crate) fn absorb_actions(&mut self, other: &PolicyStatement) {
        for a in &other.actions {
            if let Err(pos) = self.actions.binary_search(a) {
                self.actions.insert(pos, a.clone());
            }
        }
    }

    /// Merge `other`'s resources into this statement.
    pub(crate) fn absorb_resources(&mut self, other: &PolicyStatement) {
        for r in &other.resources {
            if let Err(pos) = self.resources.binary_search_by(|x| cmp_rendered(x, r)) {
                self.resources.insert(pos, r.clone());
            }
        }
    }
}

/// The IAM condition operators (with `IfExists` and the set qualifiers).
fn is_condition_operator(op: &str) -> bool {
    const BASE: [&str; 25] = [
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
    ];
    if op == "Null" {
        return true;
    }
    let op = op.strip_prefix("ForAllValues:").or_else(|| op.strip_prefix("ForAnyValue:")).unwrap_or(op);
    let op = op.strip_suffix("IfExists").unwrap_or(op);
    BASE.contains(&op) || op == "ArnNotLike"
}

/// A statement's `Resource` element, as `to_json` writes it.
enum ResourceSlot<'a> {
    Absent,
    Star,
    List(&'a [Value<String>]),
}

impl ResourceSlot<'_> {
    fn render(&self) -> Json {
        match self {
            ResourceSlot::Absent => Json::Null,
            ResourceSlot::Star => json!("*"),
            ResourceSlot::List(l) => one_or_many(l.iter().map(ToCfn::to_cfn)),
        }
    }
}

/// The order of resources: by their rendered JSON text.
fn sort_key(v: &Value<String>) -> String {
    v.to_cfn().to_string()
}

/// Compares two resources as [`sort_key`] would, without rendering the
/// common case: literals serde_json writes unescaped (`"` + text + `"`).
fn cmp_rendered(a: &Value<String>, b: &Value<String>) -> std::cmp::Ordering {
    fn plain(s: &str) -> bool {
        !s.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\')
    }
    if let (Value::Lit(x), Value::Lit(y)) = (a, b) {
        if plain(x) && plain(y) {
            let quote = std::iter::once(b'"');
            return x.bytes().chain(quote.clone()).cmp(y.bytes().chain(quote));
        }
    }
    sort_key(a).cmp(&sort_key(b))
}

/// Whether two resources render the same JSON.
fn same_value(a: &Value<String>, b: &Value<String>) -> bool {
    match (a, b) {
        (Value::Lit(x), Value::Lit(y)) => x == y,
        (Value::Expr(x, _), Value::Expr(y, _)) => same_json(x.as_json(), y.as_json()),
        _ => same_json(&a.to_cfn(), &b.to_cfn()),
    }
}

/// Whether two JSON values are written as the same text: object keys in the
/// same order, numbers of the same representation (`1` is not `1.0`, `0.0`
/// is not `-0.0`), which `==` on `serde_json::Value` does not distinguish.
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Number(x), Json::Number(y)) => {
            if x.is_f64() || y.is_f64() {
                x.is_f64() && y.is_f64() && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
            } else {
                x == y
            }
        }
        (Json::String(x), Json::String(y)) => x == y,
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, va), (kb, vb))| ka == kb && same_json(va, vb))
        }
        _ => false,
    }
}

fn one_or_many(items: impl Iterator<Item = Json>) -> Json {
    let mut v: Vec<Json> = items.collect();
    if v.len() == 1 {
        v.pop().unwrap_or(Json::Null)
    } else {
        Json::Array(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_sorted_and_unique() {
        let s = PolicyStatement::allow().actions(["b:X", "a:Y", "b:X"]).resource("arn:x");
        assert_eq!(s.action_list(), ["a:Y", "b:X"]);
        assert_eq!(s.to_json()["Resource"], "arn:x");
    }

    #[test]
    fn wildcards_are_problems() {
        let s = PolicyStatement::allow().action("*").resource("*");
        let p = s.problems();
        assert!(p.iter().any(|m| m.contains("action \"*\"")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("all_resources")), "{p:?}");
        let s = PolicyStatement::allow().action("s3:*").resource("arn:x");
        assert!(s.problems()[0].contains("every action of s3"));
        let s = PolicyStatement::allow().action("logs:Create*").resource("arn:x");
        assert!(s.problems().is_empty());
    }

    #[test]
    fn all_resources_needs_reason_and_renders_star() {
        let s = PolicyStatement::allow()
            .action("ecr:GetAuthorizationToken")
            .all_resources("GetAuthorizationToken has no resource-level permissions");
        assert!(s.problems().is_empty());
        assert_eq!(s.to_json()["Resource"], "*");
        assert!(PolicyStatement::allow().action("s3:GetObject").problems()[0].contains("at least one resource"));
    }

    #[test]
    fn condition_operators_are_checked() {
        let ok = PolicyStatement::allow()
            .action("s3:GetObject")
            .resource("arn:x")
            .condition("StringEqualsIfExists", "aws:SourceAccount", "1")
            .condition("ForAnyValue:StringLike", "aws:TagKeys", ["a*"])
            .condition("Null", "aws:TokenIssueTime", "true");
        assert!(ok.problems().is_empty(), "{:?}", ok.problems());
        let bad = PolicyStatement::allow().action("s3:GetObject").resource("arn:x").condition(
            "StringEqual",
            "aws:SourceAccount",
            "1",
        );
        assert!(bad.problems()[0].contains("\"StringEqual\" is not an IAM operator"));
    }

    #[test]
    fn bad_action_shape() {
        let p = PolicyStatement::allow().actions(["GetObject", "s3:Get Object"]).resource("arn:x").problems();
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn resource_order_is_the_rendered_text_order() {
        let words =
            ["", "a", "ab", "a b", "a!", "a\"", "a\\", "a\n", "a#", "b", "B", "é", "a\u{7f}", "arn:x/*", "arn:x"];
        let mut values: Vec<Value<String>> = words.iter().map(|w| Value::Lit((*w).to_owned())).collect();
        values.push(Value::arn("s3", "", "", "b"));
        values.push(Value::account_id());
        for a in &values {
            for b in &values {
                assert_eq!(cmp_rendered(a, b), sort_key(a).cmp(&sort_key(b)), "{a:?} vs {b:?}");
                assert_eq!(same_value(a, b), sort_key(a) == sort_key(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn same_json_is_same_text() {
        let cases = [
            json!(1),
            json!(1.0),
            json!(-0.0),
            json!(0.0),
            json!(-1),
            json!("1"),
            json!({"a": 1, "b": 2}),
            serde_json::from_str::<Json>(r#"{"b": 2, "a": 1}"#).unwrap(),
            json!([1, 2]),
            json!([2, 1]),
            json!(null),
            json!(true),
        ];
        for a in &cases {
            for b in &cases {
                // The texts differ where `==` on the values does not (1 vs 1.0, key order).
                let (ta, tb) = (a.to_string(), b.to_string());
                assert_eq!(same_json(a, b), ta == tb, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn merge_keys_compare_what_is_rendered() {
        let text = |s: &PolicyStatement| s.to_json().to_string();
        let without_actions = |s: &PolicyStatement| {
            let mut s = s.clone();
            s.actions.clear();
            text(&s)
        };
        let without_resources = |s: &PolicyStatement| {
            let mut s = s.clone();
            s.resources.clear();
            s.all_resources_reason = None;
            text(&s)
        };
        let statements = [
            PolicyStatement::allow().action("s3:GetObject").resource("arn:a"),
            PolicyStatement::allow().action("s3:PutObject").resource("arn:a"),
            PolicyStatement::allow().action("s3:GetObject").resource("arn:b"),
            PolicyStatement::allow().action("s3:GetObject").resources(["arn:a", "arn:b"]),
            PolicyStatement::allow().action("s3:GetObject").resource("*"),
            PolicyStatement::allow().action("s3:GetObject").all_resources("none"),
            PolicyStatement::allow().action("s3:GetObject").all_resources("other reason"),
            PolicyStatement::allow().action("s3:GetObject"),
            PolicyStatement::deny().action("s3:GetObject").resource("arn:a"),
            PolicyStatement::allow().sid("A").action("s3:GetObject").resource("arn:a"),
            PolicyStatement::allow().action("s3:GetObject").resource("arn:a").condition(
                "Bool",
                "aws:SecureTransport",
                "true",
            ),
            PolicyStatement::allow().action("s3:GetObject").resource("arn:a").condition(
                "Bool",
                "aws:SecureTransport",
                true,
            ),
            PolicyStatement::allow()
                .action("sns:Publish")
                .resource("arn:a")
                .principal(Principal::service("a.amazonaws.com")),
            PolicyStatement::allow()
                .action("sns:Publish")
                .resource("arn:a")
                .principal(Principal::service("b.amazonaws.com")),
            PolicyStatement::allow().action("s3:GetObject").resource(Value::arn("s3", "", "", "a")),
            PolicyStatement::allow()
                .action("s3:GetObject")
                .resource(Value::<String>::from(stackcraft_core::Expr::raw(json!(["arn:a", "arn:b"])))),
        ];
        for a in &statements {
            for b in &statements {
                assert_eq!(a.same_except_actions(b), without_actions(a) == without_actions(b), "{a:?} vs {b:?}");
                assert_eq!(a.same_except_resources(b), without_resources(a) == without_resources(b), "{a:?} vs {b:?}");
            }
        }
    }
}
