//! Customer-managed KMS keys ([`Key`]) with rotation on and a key policy that
//! grows as building blocks need it (CloudWatch Logs, CloudWatch alarms
//! publishing to encrypted SNS topics, ...).

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value as Json;
use stackcraft_cfn::kms;
use stackcraft_core::validate::names::{Letters, NameRule};
use stackcraft_core::{DeletionPolicy, ResourceHandle, Scope, Stack, ToCfn, Value};
use stackcraft_iam::{Grantable, PolicyStatement, Principal};
use typed_builder::TypedBuilder;

/// Settings of a [`Key`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct KeyProps {
    /// What the key protects (shown in the KMS console).
    #[builder(default, setter(strip_option, into))]
    pub description: Option<String>,
    /// An alias, with or without the `alias/` prefix (e.g. `pyshop/logs`).
    /// Names starting with `alias/aws/` are reserved by AWS and rejected.
    #[builder(default, setter(strip_option, into))]
    pub alias: Option<String>,
    /// What happens to the key when it leaves the stack. Default
    /// [`DeletionPolicy::Retain`]: data encrypted with a deleted key is lost.
    #[builder(default = DeletionPolicy::Retain)]
    pub removal_policy: DeletionPolicy,
    /// Waiting period (7–30 days) before a deleted key is destroyed. Default 30.
    #[builder(default = 30)]
    pub pending_window_days: u32,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps::builder().build()
    }
}

/// A symmetric customer-managed KMS key (`AWS::KMS::Key`) with yearly
/// automatic rotation enabled.
///
/// The key policy starts with the account root statement (so IAM policies of
/// the account decide who may use the key, as with every CDK key); building
/// blocks add service statements with [`Key::add_to_resource_policy`] or the
/// helpers ([`Key::allow_cloudwatch_logs`], [`Key::allow_cloudwatch_alarms`]).
/// Every ARN is partition-aware.
///
/// The key's state (its L1 properties and policy statements) is kept typed in
/// the block and rendered into the template whenever it changes.
///
/// # One key per stack
///
/// Every KMS key costs about $1 a month. [`Key::share_in_stack`] makes a key
/// the default of its stack: log groups (`stackcraft_observability::LogGroupEncryption::StackKey`,
/// the default), secrets and buckets of that stack that are not given a key
/// use it instead of creating their own ([`Key::for_resource`]). Per-resource
/// keys stay possible by passing a key (or `NewKey`) explicitly.
#[derive(Debug, Clone)]
pub struct Key {
    handle: ResourceHandle,
    state: Rc<RefCell<KeyState>>,
}

#[derive(Debug)]
struct KeyState {
    /// Key policy statements, in insertion order; unique by `Sid`.
    statements: Vec<Json>,
    /// Whether the statement of [`Key::allow_cloudwatch_logs`] is in
    /// `statements` as that helper wrote it (so a repeated call costs nothing).
    logs_statement: bool,
}

impl KeyState {
    /// The key policy document: built directly (`json!` would copy every
    /// statement through serde).
    fn policy(&self) -> Json {
        let mut m = serde_json::Map::new();
        m.insert("Version".into(), Json::String("2012-10-17".into()));
        m.insert("Statement".into(), Json::Array(self.statements.clone()));
        Json::Object(m)
    }
}

thread_local! {
    /// The stack default keys ([`Key::share_in_stack`]).
    static STACK_KEYS: RefCell<Vec<(Stack, Key)>> = const { RefCell::new(Vec::new()) };
}

/// The statement ids the helpers use (stable, so a statement is added once).
/// KMS alias names: `alias/` and 1 to 250 characters of `[a-zA-Z0-9/_-]`,
/// not under `alias/aws/` (reserved for AWS managed keys).
pub(crate) const ALIAS_NAME: NameRule =
    NameRule::new("alias", 7, 256, Letters::Any, "/_-").required_prefix("alias/").reserved_prefixes(&["alias/aws/"]);

const SID_ROOT: &str = "EnableIamPolicies";
const SID_LOGS: &str = "AllowCloudWatchLogs";
const SID_ALARMS: &str = "AllowCloudWatchAlarmsToPublishToEncryptedTopics";

impl Key {
    /// Add a key with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: KeyProps) -> Key {
        let scope = scope.scope(id);
        if !(7..=30).contains(&props.pending_window_days) {
            scope.error(
                "PendingWindowInDays",
                format!(
                    "pending window of {} days is out of range; KMS allows 7 to 30 days",
                    props.pending_window_days
                ),
            );
        }
        let root = PolicyStatement::allow()
            .sid(SID_ROOT)
            .principal(Principal::arn(Value::<String>::arn("iam", "", Value::account_id(), "root")))
            .action("kms:*")
            .all_resources("a key policy applies to its own key")
            .to_json();
        let mut key = kms::Key::new()
            .enable_key_rotation(true)
            .key_spec(kms::key::KeySpec::SymmetricDefault)
            .key_usage(kms::key::KeyUsage::EncryptDecrypt)
            .pending_window_in_days(i64::from(props.pending_window_days.clamp(7, 30)));
        if let Some(d) = &props.description {
            key = key.description(d.clone());
        }
        let state = Rc::new(RefCell::new(KeyState { statements: vec![root], logs_statement: false }));
        // The key policy is rendered from the typed state at synth: adding a
        // statement later only changes the state.
        let policy = state.clone();
        let key = key.key_policy(Value::<Json>::lazy(move || policy.borrow().policy()));
        let handle: ResourceHandle = (*scope.add("Resource", key)).clone();
        handle.apply_removal_policy(props.removal_policy);
        if let Some(alias) = &props.alias {
            let name = if alias.starts_with("alias/") { alias.clone() } else { format!("alias/{alias}") };
            if let Err(e) = ALIAS_NAME.check(&name) {
                scope.error("AliasName", e);
            }
            scope.add(
                "Alias",
                kms::Alias::new(kms::AliasRequired { alias_name: name.into(), target_key_id: handle.ref_() }),
            );
        }
        Key { handle, state }
    }

    /// Make this key the default key of its stack: building blocks of the
    /// stack that are not given a key use it ([`Key::for_resource`]) instead
    /// of creating one each. Call it before adding those blocks. A second
    /// call for the same stack replaces the default.
    ///
    /// (Kept in a per-thread registry until core offers stack-level context.)
    pub fn share_in_stack(&self) {
        let Some(stack) = self.handle.stack() else {
            return;
        };
        STACK_KEYS.with(|keys| {
            let mut keys = keys.borrow_mut();
            keys.retain(|(s, _)| *s != stack);
            keys.push((stack, self.clone()));
        });
    }

    /// The default key of `scope`'s stack, if [`Key::share_in_stack`] set one.
    pub fn stack_default(scope: &Scope) -> Option<Key> {
        let stack = scope.stack()?;
        STACK_KEYS.with(|keys| keys.borrow().iter().find(|(s, _)| *s == stack).map(|(_, k)| k.clone()))
    }

    /// The key a building block at `scope` should use: `explicit` if given,
    /// else the stack's default key ([`Key::share_in_stack`]), else a new key
    /// `Key` under `scope` described as encrypting `what` (e.g.
    /// `"secret Api/Token"`), with the given removal policy.
    pub fn for_resource(scope: &Scope, explicit: Option<Key>, what: &str, removal_policy: DeletionPolicy) -> Key {
        explicit.or_else(|| Key::stack_default(scope)).unwrap_or_else(|| {
            Key::new(
                scope,
                "Key",
                KeyProps::builder().description(format!("Encrypts {what}")).removal_policy(removal_policy).build(),
            )
        })
    }

    /// The key ARN (`Fn::GetAtt Arn`), what most services want as `KmsKeyId`.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The key id (`Ref`).
    pub fn key_id(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The underlying resource (escape hatch: overrides, checkov skips, ...).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Add a statement to the key policy, as [`stackcraft_iam::Role`] and
    /// the buckets, queues and topics take theirs. Key policies need a
    /// principal, and `Resource: "*"` there means "this key"
    /// ([`PolicyStatement::all_resources`]). A statement with the `Sid` of an
    /// existing one replaces it (so helpers are idempotent); statements
    /// without `Sid` are appended unless an identical one exists.
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        self.put_statement(statement.to_json());
    }

    /// Add a rendered statement (see [`Key::add_to_resource_policy`]); only
    /// for this module's statements a [`PolicyStatement`] cannot express.
    fn put_statement(&self, statement: Json) {
        let mut st = self.state.borrow_mut();
        let sid = statement.get("Sid").and_then(Json::as_str);
        if sid == Some(SID_LOGS) {
            // Whatever replaces it, it is no longer the helper's statement.
            st.logs_statement = false;
        }
        let same_sid = |s: &Json| sid.is_some() && s.get("Sid").and_then(Json::as_str) == sid;
        if let Some(i) = st.statements.iter().position(same_sid) {
            if let Some(existing) = st.statements.get_mut(i) {
                *existing = statement;
            }
        } else if !st.statements.contains(&statement) {
            st.statements.push(statement);
        }
    }

    /// Allow `grantee` to decrypt with the key (`kms:Decrypt`), e.g. to read
    /// a secret or messages encrypted with it.
    pub fn grant_decrypt(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(PolicyStatement::allow().action("kms:Decrypt").resource(self.arn()));
    }

    /// Allow `grantee` to encrypt with the key (`kms:Encrypt`,
    /// `kms:ReEncrypt*`, `kms:GenerateDataKey*`).
    pub fn grant_encrypt(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"])
                .resource(self.arn()),
        );
    }

    /// Both [`Key::grant_encrypt`] and [`Key::grant_decrypt`].
    pub fn grant_encrypt_decrypt(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"])
                .resource(self.arn()),
        );
    }

    /// Let CloudWatch Logs of this account and region encrypt and decrypt log
    /// groups with the key (scoped with the `kms:EncryptionContext:aws:logs:arn`
    /// condition to log groups of this account and region). Called by
    /// `stackcraft_observability::LogGroup` for the key it uses.
    pub fn allow_cloudwatch_logs(&self) {
        if self.state.borrow().logs_statement {
            return;
        }
        // The regional service principal is an `Fn::Sub`, which a
        // `ServicePrincipal` (a literal name) cannot hold: rendered here,
        // built directly (`json!` would copy each `Value` through serde).
        let s = |v: &str| Json::String(v.to_owned());
        let object = |entries: Vec<(&str, Json)>| {
            Json::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<serde_json::Map<_, _>>())
        };
        let arn = Value::arn("logs", Value::region(), Value::account_id(), "log-group:*");
        let statement = object(vec![
            ("Sid", s(SID_LOGS)),
            ("Effect", s("Allow")),
            ("Principal", object(vec![("Service", Value::sub("logs.${AWS::Region}.${AWS::URLSuffix}").to_cfn())])),
            (
                "Action",
                Json::Array(
                    ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
                        .into_iter()
                        .map(s)
                        .collect(),
                ),
            ),
            ("Resource", s("*")),
            (
                "Condition",
                object(vec![("ArnLike", object(vec![("kms:EncryptionContext:aws:logs:arn", arn.to_cfn())]))]),
            ),
        ]);
        self.put_statement(statement);
        self.state.borrow_mut().logs_statement = true;
    }

    /// Let CloudWatch alarms publish to SNS topics encrypted with this key
    /// (`kms:Decrypt` and `kms:GenerateDataKey*` for `cloudwatch.amazonaws.com`).
    /// Called when an alarm is bound to an encrypted topic (`AlarmAction::bind_alarm_action`).
    pub fn allow_cloudwatch_alarms(&self) {
        self.add_to_resource_policy(
            PolicyStatement::allow()
                .sid(SID_ALARMS)
                .principal(Principal::service("cloudwatch.amazonaws.com"))
                .actions(["kms:Decrypt", "kms:GenerateDataKey*"])
                .all_resources("a key policy applies to its own key"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::App;

    #[test]
    fn helpers_are_idempotent_and_ordered() {
        let app = App::new("t");
        let stack = app.stack("S");
        let key = Key::new(&stack, "Key", KeyProps::default());
        key.allow_cloudwatch_logs();
        key.allow_cloudwatch_alarms();
        key.allow_cloudwatch_logs();
        let a = app.synth().unwrap();
        let t = &a.stacks[0].template;
        let res = t["Resources"].as_object().unwrap();
        let k = res.values().next().unwrap();
        let sids: Vec<&str> = k["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, [SID_ROOT, SID_LOGS, SID_ALARMS]);
        assert_eq!(k["DeletionPolicy"], "Retain");
        assert_eq!(k["Properties"]["EnableKeyRotation"], true);
    }

    #[test]
    fn bad_alias_and_window_are_errors() {
        let app = App::new("t");
        let stack = app.stack("S");
        Key::new(&stack, "Key", KeyProps::builder().alias("aws/mine").pending_window_days(3).build());
        let err = app.synth().unwrap_err().to_string();
        assert!(err.contains("AliasName"), "{err}");
        assert!(err.contains("7 to 30"), "{err}");
    }
}
