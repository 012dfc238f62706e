//! EventBridge: custom buses ([`EventBus`], encrypted with a customer-managed
//! key, optional archive), rules ([`Rule`]) with typed [`EventPattern`]s,
//! and targets ([`RuleTarget`]: a queue, a topic or another bus, with
//! dead-letter queue and retry policy) that write the resource policies and
//! key statements delivery needs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{json, Map, Value as Json};
use stackcraft_cfn::events;
use stackcraft_core::validate::names::{Letters, NameRule};
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement, Principal, Role, RoleProps, ServicePrincipal};
use stackcraft_security::{Key, KeyProps};
use typed_builder::TypedBuilder;

use crate::queue::Queue;
use crate::topic::Topic;

const EVENTS: &str = "events.amazonaws.com";

/// Settings of an [`EventBus`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct EventBusProps {
    /// The bus name (1–256 characters of `[A-Za-z0-9._/-]`, not `default`,
    /// not starting with `aws.`). Default: `<stack name>-<construct id>`.
    #[builder(default, setter(strip_option, into))]
    pub event_bus_name: Option<String>,
    /// A description.
    #[builder(default, setter(strip_option, into))]
    pub description: Option<String>,
    /// The key encrypting events at rest. Default: a new customer-managed key
    /// whose policy lets EventBridge of this account use it.
    #[builder(default, setter(strip_option))]
    pub encryption_key: Option<Key>,
    /// Archive every event of the bus for this many days (0 = forever) so
    /// it can be replayed. Default: no archive.
    #[builder(default, setter(strip_option))]
    pub archive_retention_days: Option<u32>,
}

impl Default for EventBusProps {
    fn default() -> Self {
        EventBusProps::builder().build()
    }
}

/// A custom EventBridge event bus (`AWS::Events::EventBus`), with its key
/// and, optionally, an archive (`AWS::Events::Archive`).
#[derive(Debug, Clone)]
pub struct EventBus {
    handle: ResourceHandle,
    key: Key,
}

/// EventBridge event bus names (custom buses).
pub(crate) const EVENT_BUS_NAME: NameRule = NameRule::new("event bus name", 1, 256, Letters::Any, "._/-")
    .reserved_prefixes(&["aws."])
    .reserved_names(&["default"]);

/// A problem with an event bus name, if any.
fn bus_name_problem(n: &str) -> Option<String> {
    EVENT_BUS_NAME.check(n).err().map(|e| e.to_string())
}

impl EventBus {
    /// Add an event bus with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: EventBusProps) -> EventBus {
        let scope = scope.scope(id);
        let key = props.encryption_key.unwrap_or_else(|| {
            Key::new(
                &scope,
                "Key",
                KeyProps::builder().description(format!("Encrypts event bus {}", scope.path())).build(),
            )
        });
        key.add_to_resource_policy(
            PolicyStatement::allow()
                .sid("AllowEventBridgeToEncryptEvents")
                .principal(Principal::service(EVENTS))
                .actions(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"])
                .all_resources("a key policy applies to its own key")
                .condition("StringEquals", "aws:SourceAccount", Value::<String>::account_id()),
        );
        let name: Value<String> = match &props.event_bus_name {
            Some(n) => {
                if let Some(p) = bus_name_problem(n) {
                    scope.error("Name", p);
                }
                Value::from(n.as_str())
            }
            None => {
                let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect();
                Value::sub(format!("${{AWS::StackName}}-{id}"))
            }
        };
        let mut l1 = events::EventBus::new(name).kms_key_identifier(key.arn());
        if let Some(d) = &props.description {
            if d.chars().count() > 512 {
                scope.error("Description", "description must be at most 512 characters");
            }
            l1 = l1.description(d.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        if let Some(days) = props.archive_retention_days {
            let archive = events::Archive::new(handle.get_att::<String>("Arn"))
                .retention_days(i64::from(days))
                .kms_key_identifier(key.arn())
                .description(format!("All events of {}", scope.path()));
            scope.add("Archive", archive);
        }
        EventBus { handle, key }
    }

    /// The bus ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The bus name (`Fn::GetAtt Name`, which the `Ref` also returns;
    /// moto 5.2.5 resolves only the attribute), what `PutEvents` takes as
    /// `EventBusName`.
    pub fn name(&self) -> Value<String> {
        self.handle.get_att("Name")
    }

    /// The key encrypting the bus.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The underlying `AWS::Events::EventBus` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Allow `grantee` to put events on this bus (`events:PutEvents`).
    pub fn grant_put_events(&self, grantee: &dyn Grantable) {
        grantee
            .grant_principal()
            .add_to_policy(PolicyStatement::allow().action("events:PutEvents").resource(self.arn()));
    }
}

/// How one event field is matched.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Matcher {
    /// Equal to one of these strings.
    AnyOf(Vec<String>),
    /// Equal to this number.
    Number(f64),
    /// A string starting with this prefix.
    Prefix(String),
    /// Any value except these strings.
    AnythingBut(Vec<String>),
    /// The field is present (`true`) or absent (`false`).
    Exists(bool),
}

impl Matcher {
    /// Equal to one of `values`.
    pub fn any_of<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        Matcher::AnyOf(values.into_iter().map(Into::into).collect())
    }

    fn to_json(&self) -> Json {
        match self {
            Matcher::AnyOf(v) => json!(v),
            Matcher::Number(n) => json!([{"numeric": ["=", n]}]),
            Matcher::Prefix(p) => json!([{"prefix": p}]),
            Matcher::AnythingBut(v) => json!([{"anything-but": v}]),
            Matcher::Exists(b) => json!([{"exists": b}]),
        }
    }

    fn problem(&self) -> Option<&'static str> {
        match self {
            Matcher::AnyOf(v) | Matcher::AnythingBut(v) if v.is_empty() => Some("matches no value (empty list)"),
            Matcher::Number(n) if !n.is_finite() => Some("is not a finite number"),
            _ => None,
        }
    }
}

/// A typed EventBridge event pattern: `source`, `detail-type` and fields of
/// `detail` (dotted paths for nested fields).
///
/// ```
/// use stackcraft_messaging::{EventPattern, Matcher};
/// let p = EventPattern::new()
///     .source(["cart.service"])
///     .detail_type(["CartCheckedOut"])
///     .detail("order.currency", Matcher::any_of(["EUR"]));
/// assert_eq!(p.to_json()["detail"]["order"]["currency"], serde_json::json!(["EUR"]));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventPattern {
    source: Vec<String>,
    detail_type: Vec<String>,
    account: Vec<Value<String>>,
    detail: BTreeMap<String, Matcher>,
}

impl EventPattern {
    /// An empty pattern (add at least one field).
    pub fn new() -> Self {
        Self::default()
    }

    /// Events from one of these sources.
    pub fn source<S: Into<String>>(mut self, sources: impl IntoIterator<Item = S>) -> Self {
        self.source.extend(sources.into_iter().map(Into::into));
        self
    }

    /// Events with one of these detail types.
    pub fn detail_type<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.detail_type.extend(types.into_iter().map(Into::into));
        self
    }

    /// Events from this account only (e.g. `Value::account_id()`).
    pub fn account(mut self, account: impl Into<Value<String>>) -> Self {
        self.account.push(account.into());
        self
    }

    /// Match the `detail` field at `path` (`"a.b"` for nested fields).
    pub fn detail(mut self, path: &str, matcher: Matcher) -> Self {
        self.detail.insert(path.to_owned(), matcher);
        self
    }

    /// Problems with the pattern (empty, empty lists, bad paths).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.source.is_empty() && self.detail_type.is_empty() && self.account.is_empty() && self.detail.is_empty() {
            out.push("the event pattern matches nothing specific: give a source, detail type or detail field".into());
        }
        for (path, m) in &self.detail {
            if path.is_empty() || path.split('.').any(str::is_empty) {
                out.push(format!("detail path {path:?} is invalid: use dot-separated field names"));
            }
            if let Some(p) = m.problem() {
                out.push(format!("detail field {path:?} {p}"));
            }
        }
        out
    }

    /// The pattern as EventBridge JSON.
    pub fn to_json(&self) -> Json {
        let mut root = Map::new();
        if !self.source.is_empty() {
            root.insert("source".into(), json!(self.source));
        }
        if !self.detail_type.is_empty() {
            root.insert("detail-type".into(), json!(self.detail_type));
        }
        if !self.account.is_empty() {
            root.insert("account".into(), json!(self.account));
        }
        if !self.detail.is_empty() {
            let mut detail = Json::Object(Map::new());
            for (path, m) in &self.detail {
                let mut node = &mut detail;
                let parts: Vec<&str> = path.split('.').collect();
                for (i, part) in parts.iter().enumerate() {
                    let Json::Object(obj) = node else { break };
                    if i + 1 == parts.len() {
                        obj.insert((*part).to_owned(), m.to_json());
                        break;
                    }
                    node = obj.entry((*part).to_owned()).or_insert_with(|| Json::Object(Map::new()));
                }
            }
            root.insert("detail".into(), detail);
        }
        Json::Object(root)
    }
}

#[derive(Debug, Clone)]
enum TargetKind {
    Queue(Queue),
    Topic(Topic),
    Bus(EventBus),
}

/// Where a [`Rule`] delivers: a queue, a topic or another bus, with an
/// optional dead-letter queue and retry policy.
#[derive(Debug, Clone)]
pub struct RuleTarget {
    kind: TargetKind,
    dead_letter_queue: Option<Queue>,
    max_retry_attempts: Option<u32>,
    max_event_age_secs: Option<u32>,
}

impl RuleTarget {
    fn of(kind: TargetKind) -> Self {
        RuleTarget { kind, dead_letter_queue: None, max_retry_attempts: None, max_event_age_secs: None }
    }

    /// Deliver to an SQS queue (the queue policy and key statements are
    /// written). FIFO queues are not supported yet.
    pub fn queue(queue: &Queue) -> Self {
        Self::of(TargetKind::Queue(queue.clone()))
    }

    /// Publish to an SNS topic (the topic policy and key statements are
    /// written).
    pub fn topic(topic: &Topic) -> Self {
        Self::of(TargetKind::Topic(topic.clone()))
    }

    /// Forward to another event bus (through a role EventBridge assumes).
    pub fn event_bus(bus: &EventBus) -> Self {
        Self::of(TargetKind::Bus(bus.clone()))
    }

    /// Send events that could not be delivered to this queue.
    pub fn dead_letter_queue(mut self, queue: &Queue) -> Self {
        self.dead_letter_queue = Some(queue.clone());
        self
    }

    /// Retry delivery at most this often (0–185; EventBridge default 185).
    pub fn max_retry_attempts(mut self, n: u32) -> Self {
        self.max_retry_attempts = Some(n);
        self
    }

    /// Stop retrying after this many seconds (60–86,400; default 86,400).
    pub fn max_event_age_secs(mut self, secs: u32) -> Self {
        self.max_event_age_secs = Some(secs);
        self
    }
}

/// Settings of a [`Rule`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct RuleProps {
    /// Which events the rule matches.
    pub event_pattern: EventPattern,
    /// The bus the rule listens on. Default: the account's default bus.
    #[builder(default, setter(strip_option))]
    pub event_bus: Option<EventBus>,
    /// A description.
    #[builder(default, setter(strip_option, into))]
    pub description: Option<String>,
    /// Whether the rule is enabled. Default `true`.
    #[builder(default = true)]
    pub enabled: bool,
}

#[derive(Debug)]
struct RuleState {
    l1: events::Rule,
    targets: Vec<events::rule::Target>,
    role: Option<Role>,
}

/// An EventBridge rule (`AWS::Events::Rule`) with up to five targets.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_messaging::*;
///
/// let app = App::new("demo");
/// let stack = app.stack("Orders");
/// let bus = EventBus::new(&stack, "Bus", EventBusProps::default());
/// let dlq = Queue::new(&stack, "Dlq", QueueProps::default());
/// let queue = Queue::new(&stack, "Checkouts", QueueProps::default());
/// let rule = Rule::new(&stack, "OnCheckout", RuleProps::builder()
///     .event_bus(bus)
///     .event_pattern(EventPattern::new().source(["cart"]).detail_type(["CartCheckedOut"]))
///     .build());
/// rule.add_target(RuleTarget::queue(&queue).dead_letter_queue(&dlq).max_retry_attempts(10));
/// app.synth().unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Rule {
    scope: Scope,
    handle: ResourceHandle,
    state: Rc<RefCell<RuleState>>,
}

impl Rule {
    /// Add a rule with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: RuleProps) -> Rule {
        let scope = scope.scope(id);
        for p in props.event_pattern.problems() {
            scope.error("EventPattern", p);
        }
        let mut l1 = events::Rule::new().event_pattern(props.event_pattern.to_json()).state(if props.enabled {
            events::rule::State::Enabled
        } else {
            events::rule::State::Disabled
        });
        if let Some(bus) = &props.event_bus {
            l1 = l1.event_bus_name(bus.name());
        }
        if let Some(d) = &props.description {
            if d.chars().count() > 512 {
                scope.error("Description", "description must be at most 512 characters");
            }
            l1 = l1.description(d.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1.clone())).clone();
        Rule { scope, handle, state: Rc::new(RefCell::new(RuleState { l1, targets: Vec::new(), role: None })) }
    }

    /// The rule ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The underlying `AWS::Events::Rule` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Deliver matching events to `target`, writing the permissions it needs.
    pub fn add_target(&self, target: RuleTarget) -> &Rule {
        let mut st = self.state.borrow_mut();
        let n = st.targets.len();
        if n >= 5 {
            self.scope.error("Targets", "a rule has at most 5 targets");
            return self;
        }
        let mut t = match &target.kind {
            TargetKind::Queue(q) => {
                if q.is_fifo() {
                    self.scope.error("Targets", "FIFO queues are not supported as rule targets yet");
                }
                q.grant_send_to_service(EVENTS, self.arn());
                events::rule::Target::new(events::rule::TargetRequired {
                    arn: q.arn(),
                    id: format!("Target{n}").into(),
                })
            }
            TargetKind::Topic(topic) => {
                topic.grant_publish_to_service(EVENTS, Some(self.arn()));
                events::rule::Target::new(events::rule::TargetRequired {
                    arn: topic.arn(),
                    id: format!("Target{n}").into(),
                })
            }
            TargetKind::Bus(bus) => {
                let role = st
                    .role
                    .get_or_insert_with(|| {
                        Role::new(
                            &self.scope,
                            "EventsRole",
                            RoleProps::builder().assumed_by(ServicePrincipal::new(EVENTS)).build(),
                        )
                    })
                    .clone();
                bus.grant_put_events(&role);
                events::rule::Target::new(events::rule::TargetRequired {
                    arn: bus.arn(),
                    id: format!("Target{n}").into(),
                })
                .role_arn(role.arn())
            }
        };
        if let Some(dlq) = &target.dead_letter_queue {
            if dlq.is_fifo() {
                self.scope.error(
                    "Targets.DeadLetterConfig",
                    "the dead-letter queue of a rule target must be a standard queue",
                );
            }
            dlq.grant_send_to_service(EVENTS, self.arn());
            t = t.dead_letter_config(events::rule::DeadLetterConfig::new().arn(dlq.arn()));
        }
        if target.max_retry_attempts.is_some() || target.max_event_age_secs.is_some() {
            let mut rp = events::rule::RetryPolicy::new();
            if let Some(r) = target.max_retry_attempts {
                if r > 185 {
                    self.scope.error(
                        "Targets.RetryPolicy.MaximumRetryAttempts",
                        format!("max_retry_attempts of {r} is out of range; EventBridge allows 0 to 185"),
                    );
                }
                rp = rp.maximum_retry_attempts(i64::from(r.min(185)));
            }
            if let Some(a) = target.max_event_age_secs {
                if !(60..=86_400).contains(&a) {
                    self.scope.error(
                        "Targets.RetryPolicy.MaximumEventAgeInSeconds",
                        format!("max_event_age_secs of {a} is out of range; EventBridge allows 60 to 86400 seconds"),
                    );
                }
                rp = rp.maximum_event_age_in_seconds(i64::from(a.clamp(60, 86_400)));
            }
            t = t.retry_policy(rp);
        }
        st.targets.push(t);
        let l1 = st.l1.clone().targets(st.targets.clone());
        self.handle.edit(|p: &mut events::Rule| *p = l1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::QueueProps;
    use stackcraft_core::App;

    #[test]
    fn pattern_renders_nested_detail() {
        let p = EventPattern::new()
            .source(["cart"])
            .detail("order.total", Matcher::Number(3.0))
            .detail("order.currency", Matcher::Prefix("EU".into()))
            .detail("channel", Matcher::Exists(true));
        assert_eq!(
            p.to_json(),
            json!({"source": ["cart"], "detail": {
                "channel": [{"exists": true}],
                "order": {"currency": [{"prefix": "EU"}], "total": [{"numeric": ["=", 3.0]}]},
            }})
        );
        assert!(p.problems().is_empty());
        assert_eq!(EventPattern::new().problems().len(), 1);
    }

    #[test]
    fn targets_write_policies_and_bad_input_is_reported() {
        let app = App::new("t");
        let stack = app.stack("S");
        let bus = EventBus::new(&stack, "Bus", EventBusProps::builder().archive_retention_days(7).build());
        let other = EventBus::new(&stack, "Other", EventBusProps::builder().event_bus_name("aws.bad").build());
        let q = Queue::new(&stack, "Q", QueueProps::default());
        let dlq = Queue::new(&stack, "Dlq", QueueProps::default());
        let topic = Topic::new(&stack, "T", crate::TopicProps::default());
        let rule = Rule::new(
            &stack,
            "R",
            RuleProps::builder()
                .event_bus(bus.clone())
                .event_pattern(EventPattern::new().detail("x", Matcher::AnyOf(vec![])))
                .build(),
        );
        rule.add_target(RuleTarget::queue(&q).dead_letter_queue(&dlq).max_retry_attempts(200).max_event_age_secs(10))
            .add_target(RuleTarget::topic(&topic))
            .add_target(RuleTarget::event_bus(&other));
        let err = app.synth().unwrap_err().to_string();
        for needle in [
            "error: S/Other [Name]: event bus name \"aws.bad\" starts with \"aws.\", which AWS reserves",
            "error: S/R [EventPattern]: detail field \"x\" matches no value (empty list)",
            "error: S/R [Targets.RetryPolicy.MaximumRetryAttempts]: max_retry_attempts of 200 is out of range; EventBridge allows 0 to 185",
            "error: S/R [Targets.RetryPolicy.MaximumEventAgeInSeconds]: max_event_age_secs of 10 is out of range; EventBridge allows 60 to 86400 seconds",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in\n{err}");
        }
    }
}
