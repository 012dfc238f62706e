//! Listeners, their actions and routing rules (by path and host), with rule
//! priorities assigned automatically.

use std::cell::RefCell;
use std::rc::Rc;

use std::ops::Deref;

use stackcraft_cfn::elasticloadbalancingv2 as elbv2;
use stackcraft_cfn::elasticloadbalancingv2::listener_rule as rule;
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_vpc::Port;
use typed_builder::TypedBuilder;

use crate::load_balancer::ApplicationLoadBalancer;
use crate::target_group::TargetGroup;

/// Builds the `Action` of either the listener or the listener-rule module
/// (the schemas define two identical shapes).
macro_rules! action_impl {
    ($action:expr, $m:ident) => {{
        use elbv2::$m as m;
        match $action {
            ListenerAction::Forward(groups) if groups.len() == 1 => {
                m::Action::new(m::Type::Forward).target_group_arn(groups[0].0.arn())
            }
            ListenerAction::Forward(groups) => m::Action::new(m::Type::Forward).forward_config(
                m::ForwardConfig::new().target_groups(
                    groups
                        .iter()
                        .map(|(g, w)| m::TargetGroupTuple::new().target_group_arn(g.arn()).weight(*w))
                        .collect::<Vec<_>>(),
                ),
            ),
            ListenerAction::FixedResponse { status_code, content_type, body } => {
                let mut c = m::FixedResponseConfig::new(status_code.to_string()).content_type(content_type.as_str());
                if !body.is_empty() {
                    c = c.message_body(body.as_str());
                }
                m::Action::new(m::Type::FixedResponse).fixed_response_config(c)
            }
            ListenerAction::Redirect(r) => {
                let mut c =
                    m::RedirectConfig::new(if r.permanent { m::StatusCode::Http301 } else { m::StatusCode::Http302 });
                if let Some(v) = &r.protocol {
                    c = c.protocol(v.as_str());
                }
                if let Some(v) = r.port {
                    c = c.port(v.to_string());
                }
                if let Some(v) = &r.host {
                    c = c.host(v.as_str());
                }
                if let Some(v) = &r.path {
                    c = c.path(v.as_str());
                }
                if let Some(v) = &r.query {
                    c = c.query(v.as_str());
                }
                m::Action::new(m::Type::Redirect).redirect_config(c)
            }
        }
    }};
}

/// The protocol clients use to reach a listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListenerProtocol {
    /// Plain HTTP (default port 80). Use it to redirect to HTTPS.
    Http,
    /// HTTPS (default port 443); needs a certificate.
    Https,
}

/// The TLS negotiation policy of an HTTPS listener. All variants allow
/// TLS 1.2 or newer only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SslPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.3 and 1.2 (AWS's
    /// recommended policy; the default).
    Tls13Tls12,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`: TLS 1.3 only.
    Tls13Only,
    /// `ELBSecurityPolicy-TLS-1-2-Ext-2018-06`: TLS 1.2 with a broader
    /// cipher list for older clients.
    Tls12Ext,
    /// `ELBSecurityPolicy-FS-1-2-Res-2020-10`: TLS 1.2, forward secrecy,
    /// restricted ciphers.
    ForwardSecrecyTls12Restricted,
}

impl SslPolicy {
    /// The AWS policy name.
    pub fn name(&self) -> &'static str {
        match self {
            SslPolicy::Tls13Tls12 => "ELBSecurityPolicy-TLS13-1-2-2021-06",
            SslPolicy::Tls13Only => "ELBSecurityPolicy-TLS13-1-3-2021-06",
            SslPolicy::Tls12Ext => "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            SslPolicy::ForwardSecrecyTls12Restricted => "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        }
    }
}

/// A redirect (HTTP 301 or 302). Unset parts keep the request's
/// (`#{protocol}`, `#{port}`, `#{host}`, `/#{path}`, `#{query}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Redirect {
    /// `HTTP` or `HTTPS`.
    pub protocol: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Host.
    pub host: Option<String>,
    /// Path (starts with `/`).
    pub path: Option<String>,
    /// Query (without `?`).
    pub query: Option<String>,
    /// `true`: 301 Moved Permanently; `false`: 302 Found.
    pub permanent: bool,
}

/// What a listener or rule does with a request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ListenerAction {
    /// Forward to target groups (weighted when several: `(group, weight)`,
    /// weights 0 to 999).
    Forward(Vec<(TargetGroup, u16)>),
    /// A fixed response.
    FixedResponse {
        /// 2XX, 4XX or 5XX.
        status_code: u16,
        /// `text/plain`, `text/css`, `text/html`, `application/javascript`
        /// or `application/json`.
        content_type: String,
        /// At most 1024 characters.
        body: String,
    },
    /// A redirect.
    Redirect(Redirect),
}

const CONTENT_TYPES: [&str; 5] = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

impl ListenerAction {
    /// Forward everything to one target group.
    pub fn forward(group: &TargetGroup) -> Self {
        ListenerAction::Forward(vec![(group.clone(), 1)])
    }
    /// A fixed response.
    pub fn fixed_response(status_code: u16, content_type: &str, body: &str) -> Self {
        ListenerAction::FixedResponse { status_code, content_type: content_type.into(), body: body.into() }
    }
    /// A permanent redirect to HTTPS on port 443, keeping host, path and
    /// query.
    pub fn redirect_to_https() -> Self {
        ListenerAction::Redirect(Redirect {
            protocol: Some("HTTPS".into()),
            port: Some(443),
            permanent: true,
            ..Redirect::default()
        })
    }

    fn is_https_redirect(&self) -> bool {
        matches!(self, ListenerAction::Redirect(r) if r.protocol.as_deref() == Some("HTTPS"))
    }

    fn validate(&self, scope: &Scope, property: &str) {
        match self {
            ListenerAction::Forward(groups) => {
                if groups.is_empty() || groups.len() > 5 {
                    scope.error(property, format!("a forward action needs 1 to 5 target groups, got {}", groups.len()));
                }
                if groups.iter().any(|(_, w)| *w > 999) {
                    scope.error(property, "target group weights must be 0 to 999");
                }
            }
            ListenerAction::FixedResponse { status_code, content_type, body } => {
                if !(200..=299).contains(status_code) && !(400..=599).contains(status_code) {
                    scope.error(
                        property,
                        format!("fixed-response status {status_code} is not allowed; use a 2XX, 4XX or 5XX code"),
                    );
                }
                if !CONTENT_TYPES.contains(&content_type.as_str()) {
                    scope.error(
                        property,
                        format!(
                            "fixed-response content type '{content_type}' is not allowed; use one of {CONTENT_TYPES:?}"
                        ),
                    );
                }
                if body.len() > 1024 {
                    scope.error(property, "fixed-response body must have at most 1024 characters");
                }
            }
            ListenerAction::Redirect(r) => {
                if let Some(p) = &r.protocol {
                    if p != "HTTP" && p != "HTTPS" {
                        scope.error(property, format!("redirect protocol '{p}' is not allowed; use HTTP or HTTPS"));
                    }
                }
                if let Some(Err(m)) = r.port.map(|x| stackcraft_core::validate::names::port(u32::from(x))) {
                    scope.error(property, format!("redirect {m} (None: keep the request's port)"));
                }
                if let Some(p) = &r.path {
                    if !p.starts_with('/') {
                        scope.error(property, format!("redirect path '{p}' must start with '/'"));
                    }
                }
                if *r == (Redirect { permanent: r.permanent, ..Redirect::default() }) {
                    scope.error(
                        property,
                        "a redirect must change at least one of protocol, port, host, path or query (else it loops)",
                    );
                }
            }
        }
    }

    fn to_listener_action(&self) -> elbv2::listener::Action {
        action_impl!(self, listener)
    }

    fn to_rule_action(&self) -> elbv2::listener_rule::Action {
        action_impl!(self, listener_rule)
    }

    fn target_groups(&self) -> Vec<TargetGroup> {
        match self {
            ListenerAction::Forward(g) => g.iter().map(|(g, _)| g.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Properties of a [`Listener`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ListenerProps {
    /// Protocol (default HTTPS).
    #[builder(default = ListenerProtocol::Https)]
    pub protocol: ListenerProtocol,
    /// Port (default 80 for HTTP, 443 for HTTPS).
    #[builder(default, setter(strip_option))]
    pub port: Option<u16>,
    /// Certificate ARNs (HTTPS only; at least one).
    #[builder(default)]
    pub certificate_arns: Vec<Value<String>>,
    /// TLS policy (HTTPS only).
    #[builder(default = SslPolicy::Tls13Tls12)]
    pub ssl_policy: SslPolicy,
    /// What happens to requests no rule matches.
    pub default_action: ListenerAction,
    /// Open the port to every IPv4 client (`0.0.0.0/0`) when internet-facing
    /// (default true; internal load balancers are never opened this way).
    #[builder(default = true)]
    pub open: bool,
}

/// A routing condition of a listener rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ListenerCondition {
    /// Path patterns (case-sensitive, `*` and `?` wildcards, e.g. `/api/*`).
    PathPatterns(Vec<String>),
    /// Host headers (e.g. `api.example.com`, `*.example.com`).
    HostHeaders(Vec<String>),
    /// HTTP request methods (e.g. `GET`, `POST`).
    HttpRequestMethods(Vec<String>),
}

impl ListenerCondition {
    /// Match any of these path patterns.
    pub fn path_patterns<S: Into<String>>(p: impl IntoIterator<Item = S>) -> Self {
        ListenerCondition::PathPatterns(p.into_iter().map(Into::into).collect())
    }
    /// Match any of these host names.
    pub fn host_headers<S: Into<String>>(h: impl IntoIterator<Item = S>) -> Self {
        ListenerCondition::HostHeaders(h.into_iter().map(Into::into).collect())
    }
    /// Match any of these methods.
    pub fn http_request_methods<S: Into<String>>(m: impl IntoIterator<Item = S>) -> Self {
        ListenerCondition::HttpRequestMethods(m.into_iter().map(Into::into).collect())
    }

    fn values(&self) -> &[String] {
        match self {
            ListenerCondition::PathPatterns(v)
            | ListenerCondition::HostHeaders(v)
            | ListenerCondition::HttpRequestMethods(v) => v,
        }
    }

    fn validate(&self) -> Result<(), String> {
        let vals = self.values();
        if vals.is_empty() {
            return Err("a condition needs at least one value".into());
        }
        if let ListenerCondition::PathPatterns(_) = self {
            if let Some(v) = vals.iter().find(|v| !v.starts_with('/') && !v.starts_with('*')) {
                return Err(format!(
                    "path pattern '{v}' never matches: request paths start with '/' (write '/{v}', or start with the wildcard '*')"
                ));
            }
        }
        for v in vals {
            let ok = match self {
                ListenerCondition::PathPatterns(_) => {
                    !v.is_empty()
                        && v.len() <= 128
                        && v.chars().all(|c| c.is_ascii_alphanumeric() || "_-.$/~\"'@:+&*?".contains(c))
                }
                ListenerCondition::HostHeaders(_) => {
                    !v.is_empty()
                        && v.len() <= 128
                        && v.chars().all(|c| c.is_ascii_alphanumeric() || "-.*?".contains(c))
                }
                ListenerCondition::HttpRequestMethods(_) => {
                    !v.is_empty() && v.len() <= 40 && v.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c == '-')
                }
            };
            if !ok {
                return Err(format!(
                    "'{v}' is not a valid {} (at most 128 characters; paths: letters, digits, _-.$/~\"'@:+&*?; hosts: letters, digits, -.*?; methods: A-Z, _ and -)",
                    match self {
                        ListenerCondition::PathPatterns(_) => "path pattern",
                        ListenerCondition::HostHeaders(_) => "host header",
                        ListenerCondition::HttpRequestMethods(_) => "HTTP method",
                    }
                ));
            }
        }
        Ok(())
    }

    fn to_cfn(&self) -> rule::RuleCondition {
        match self {
            ListenerCondition::PathPatterns(v) => rule::RuleCondition::new()
                .field("path-pattern")
                .path_pattern_config(rule::PathPatternConfig::new().values(v.clone())),
            ListenerCondition::HostHeaders(v) => rule::RuleCondition::new()
                .field("host-header")
                .host_header_config(rule::HostHeaderConfig::new().values(v.clone())),
            ListenerCondition::HttpRequestMethods(v) => rule::RuleCondition::new()
                .field("http-request-method")
                .http_request_method_config(rule::HttpRequestMethodConfig::new().values(v.clone())),
        }
    }
}

/// Properties of a listener rule.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ListenerRuleProps {
    /// Priority 1 to 50000 (lower wins). `None`: assigned automatically —
    /// 10, 20, 30, ... in the order rules are added, skipping priorities
    /// already taken — so adding a rule never renumbers existing ones.
    #[builder(default, setter(strip_option))]
    pub priority: Option<u32>,
    /// Conditions (all must match; at most 5 values in total).
    pub conditions: Vec<ListenerCondition>,
    /// The action.
    pub action: ListenerAction,
}

/// Step between automatically assigned rule priorities.
pub const PRIORITY_STEP: u32 = 10;
/// Highest rule priority AWS accepts.
pub const MAX_PRIORITY: u32 = 50_000;

/// Why [`PriorityPlan`] refused a priority; `rule` is the rule's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriorityError {
    /// An explicit priority outside 1 to [`MAX_PRIORITY`].
    #[error("rule '{rule}': priority {priority} is not allowed; use 1 to {MAX_PRIORITY}")]
    OutOfRange {
        /// The rule asking.
        rule: String,
        /// The priority asked for.
        priority: u32,
    },
    /// An explicit priority another rule of the listener holds.
    #[error("rule '{rule}': priority {priority} is already used by rule '{other}' on this listener; choose another priority or leave it unset to assign one automatically")]
    Taken {
        /// The rule asking.
        rule: String,
        /// The priority asked for.
        priority: u32,
        /// The rule holding it.
        other: String,
    },
    /// The automatic sequence reached [`MAX_PRIORITY`].
    #[error("rule '{rule}': no automatic priority left below {MAX_PRIORITY}; give explicit priorities")]
    Exhausted {
        /// The rule asking.
        rule: String,
    },
    /// [`MAX_PRIORITY`] is already reserved or taken.
    #[error("rule '{rule}': priority {MAX_PRIORITY} is already used by rule '{other}' on this listener")]
    LastTaken {
        /// The rule asking.
        rule: String,
        /// The rule holding it.
        other: String,
    },
}

/// Pure priority bookkeeping of one listener (exposed for testing and for
/// tools that want to predict priorities).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorityPlan {
    taken: Vec<(u32, String)>,
    /// A rule holding [`MAX_PRIORITY`] outside the automatic sequence (the
    /// fallback rule of a listener that requires a header).
    last: Option<String>,
}

impl PriorityPlan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserve `explicit` (if given) or the next free multiple of
    /// [`PRIORITY_STEP`] above the highest priority taken so far, for rule
    /// `name`. Errors name the rule that already holds the priority.
    pub fn assign(&mut self, name: &str, explicit: Option<u32>) -> Result<u32, PriorityError> {
        let p = match explicit {
            Some(p) => {
                if !(1..=MAX_PRIORITY).contains(&p) {
                    return Err(PriorityError::OutOfRange { rule: name.to_owned(), priority: p });
                }
                let last = self.last.as_ref().filter(|_| p == MAX_PRIORITY);
                if let Some(other) = self.taken.iter().find(|(q, _)| *q == p).map(|(_, o)| o).or(last) {
                    return Err(PriorityError::Taken { rule: name.to_owned(), priority: p, other: other.clone() });
                }
                p
            }
            None => {
                let max = self.taken.iter().map(|(q, _)| *q).max().unwrap_or(0);
                let p = (max / PRIORITY_STEP + 1) * PRIORITY_STEP;
                if p > MAX_PRIORITY || (p == MAX_PRIORITY && self.last.is_some()) {
                    return Err(PriorityError::Exhausted { rule: name.to_owned() });
                }
                p
            }
        };
        self.taken.push((p, name.to_owned()));
        Ok(p)
    }

    /// Reserve [`MAX_PRIORITY`] for rule `name` without moving the automatic
    /// sequence (automatic priorities stay below it).
    pub fn reserve_last(&mut self, name: &str) -> Result<u32, PriorityError> {
        if let Some(other) = self.taken.iter().find(|(q, _)| *q == MAX_PRIORITY).map(|(_, o)| o).or(self.last.as_ref())
        {
            return Err(PriorityError::LastTaken { rule: name.to_owned(), other: other.clone() });
        }
        self.last = Some(name.to_owned());
        Ok(MAX_PRIORITY)
    }
}

struct RuleRecord {
    name: String,
    priority: u32,
    conditions: Vec<ListenerCondition>,
    /// The conditions as glob tokens, computed once for the route analysis.
    tokens: Vec<CondTokens>,
}

/// How two listener rules relate, as far as the requests they match go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteRelation {
    /// No request matches both.
    Disjoint,
    /// Some requests match both (neither contains the other).
    Overlapping,
    /// Every request the second rule matches also matches the first.
    FirstContainsSecond,
    /// Every request the first rule matches also matches the second.
    SecondContainsFirst,
}

/// A wildcard pattern as ALB reads it: `*` any run of characters, `?` one
/// character (path patterns are case-sensitive, host headers not).
fn glob_tokens(pattern: &str, fold_case: bool) -> Vec<char> {
    if fold_case {
        pattern.to_ascii_lowercase().chars().collect()
    } else {
        pattern.chars().collect()
    }
}

/// Does every string `inner` matches also match `outer`? Sound (a `true` is
/// always right); `*` in `inner` must be covered by `*` in `outer`.
fn glob_includes(outer: &[char], inner: &[char]) -> bool {
    !literal_prefixes_differ(outer, inner) && includes_table(outer, inner)
}

/// [`glob_includes`] by dynamic programming.
fn includes_table(outer: &[char], inner: &[char]) -> bool {
    // dp[i][j]: outer[i..] includes inner[j..]; two rows kept: `next` is
    // row i + 1, `row` row i (filled from the right).
    let m = inner.len();
    let mut next = vec![false; m + 1];
    let mut row = vec![false; m + 1];
    next[m] = true;
    for &o in outer.iter().rev() {
        for j in (0..=m).rev() {
            row[j] = if o == '*' {
                // the star matches nothing, or swallows inner[j] (whatever it is)
                next[j] || (j < m && row[j + 1])
            } else if let Some(&c) = inner.get(j) {
                let ok = if o == '?' { c != '*' } else { c == o };
                ok && next[j + 1]
            } else {
                false
            };
        }
        std::mem::swap(&mut next, &mut row);
    }
    next[0]
}

/// Whether the patterns have different literal characters at a position
/// before any wildcard of either: then no string matches both (and, as
/// every pattern matches some string, neither includes the other). The
/// common case of two services' paths, decided without the tables below.
fn literal_prefixes_differ(a: &[char], b: &[char]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if matches!(x, '*' | '?') || matches!(y, '*' | '?') {
            return false;
        }
        if x != y {
            return true;
        }
    }
    false
}

/// Is there a string both patterns match?
fn glob_intersects(a: &[char], b: &[char]) -> bool {
    !literal_prefixes_differ(a, b) && intersects_table(a, b)
}

/// [`glob_intersects`] by dynamic programming.
fn intersects_table(a: &[char], b: &[char]) -> bool {
    // dp[i][j]: a[i..] and b[j..] share a string; rows as in glob_includes.
    let (n, m) = (a.len(), b.len());
    let mut next = vec![false; m + 1];
    let mut row = vec![false; m + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            row[j] = if i == n && j == m {
                true
            } else if i < n && a[i] == '*' {
                next[j] || (j < m && row[j + 1])
            } else if j < m && b[j] == '*' {
                row[j + 1] || (i < n && next[j])
            } else if i < n && j < m {
                (a[i] == b[j] || a[i] == '?' || b[j] == '?') && next[j + 1]
            } else {
                false
            };
        }
        std::mem::swap(&mut next, &mut row);
    }
    next[0]
}

impl ListenerCondition {
    fn field(&self) -> u8 {
        match self {
            ListenerCondition::PathPatterns(_) => 0,
            ListenerCondition::HostHeaders(_) => 1,
            ListenerCondition::HttpRequestMethods(_) => 2,
        }
    }

    fn tokens(&self) -> Vec<Vec<char>> {
        let fold = matches!(self, ListenerCondition::HostHeaders(_));
        self.values().iter().map(|v| glob_tokens(v, fold)).collect()
    }
}

/// A condition's field and its values as glob tokens.
struct CondTokens {
    field: u8,
    values: Vec<Vec<char>>,
}

/// The glob tokens of a rule's conditions (computed once per rule, not once
/// per comparison).
fn tokenize(conditions: &[ListenerCondition]) -> Vec<CondTokens> {
    conditions.iter().map(|c| CondTokens { field: c.field(), values: c.tokens() }).collect()
}

/// Does rule `outer` match every request rule `inner` matches? Each of
/// `outer`'s conditions must be implied by a condition of `inner` on the
/// same field (every value of it included in a value of `outer`'s).
fn rule_contains(outer: &[CondTokens], inner: &[CondTokens]) -> bool {
    outer.iter().all(|oc| {
        inner
            .iter()
            .filter(|ic| ic.field == oc.field)
            .any(|ic| ic.values.iter().all(|iv| oc.values.iter().any(|o| glob_includes(o, iv))))
    })
}

/// Can one request match both rules? For each field both constrain, every
/// condition of one must share a request with every condition of the other.
fn rules_intersect(a: &[CondTokens], b: &[CondTokens]) -> bool {
    a.iter().all(|ac| {
        b.iter()
            .filter(|bc| bc.field == ac.field)
            .all(|bc| ac.values.iter().any(|x| bc.values.iter().any(|y| glob_intersects(x, y))))
    })
}

/// How the requests matched by rule conditions `a` and `b` relate (all
/// conditions of a rule must match; any value of a condition).
pub fn route_relation(a: &[ListenerCondition], b: &[ListenerCondition]) -> RouteRelation {
    relation(&tokenize(a), &tokenize(b))
}

/// [`route_relation`] of tokenized rules.
fn relation(a: &[CondTokens], b: &[CondTokens]) -> RouteRelation {
    if rule_contains(a, b) {
        RouteRelation::FirstContainsSecond
    } else if rule_contains(b, a) {
        RouteRelation::SecondContainsFirst
    } else if rules_intersect(a, b) {
        RouteRelation::Overlapping
    } else {
        RouteRelation::Disjoint
    }
}

/// A header every request must carry (name, value), shared with the lazy
/// conditions of the listener's rules and its default action.
type RequiredHeader = Rc<RefCell<Option<(String, Value<String>)>>>;

struct ListenerInner {
    scope: Scope,
    handle: ResourceHandle,
    alb: ApplicationLoadBalancer,
    port: u16,
    protocol: ListenerProtocol,
    priorities: RefCell<PriorityPlan>,
    rules: RefCell<Vec<RuleRecord>>,
    default_action: ListenerAction,
    required_header: RequiredHeader,
    /// The `0.0.0.0/0` (or VPC CIDR) ingress rule opened for this listener.
    open_ingress: Option<ResourceHandle>,
    restricted: RefCell<bool>,
}

/// The status and body of the default action of a listener that requires a
/// header ([`Listener::require_header`]).
pub(crate) const FORBIDDEN_STATUS: u16 = 403;

fn header_condition(name: &str, value: &Value<String>) -> rule::RuleCondition {
    rule::RuleCondition::new()
        .field("http-header")
        .http_header_config(rule::HttpHeaderConfig::new().http_header_name(name).values(vec![value.clone()]))
}

/// Header names ALB accepts in an `http-header` condition (RFC 7230 token
/// characters, at most 40).
fn validate_header_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!("header name {name:?}: 1 to 40 characters of letters, digits and !#$%&'*+-.^_`|~ (RFC 7230 token)"))
    }
}

/// A listener of an [`ApplicationLoadBalancer`]. Cheap to clone.
#[derive(Clone)]
pub struct Listener {
    inner: Rc<ListenerInner>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listener({})", self.inner.scope.path())
    }
}

impl Listener {
    pub(crate) fn new(alb: &ApplicationLoadBalancer, id: &str, props: ListenerProps) -> Listener {
        let scope = alb.scope().scope(id);
        let port = props.port.unwrap_or(match props.protocol {
            ListenerProtocol::Http => 80,
            ListenerProtocol::Https => 443,
        });
        if let Err(m) = stackcraft_core::validate::names::port(u32::from(port)) {
            scope.error("Port", format!("listener {m}"));
        }
        for a in &props.certificate_arns {
            if let Value::Lit(s) = a {
                if let Err(m) =
                    stackcraft_core::validate::names::arn(s, &stackcraft_core::validate::names::aws::CERTIFICATE_ARN)
                {
                    scope.error("Certificates", format!("{m} (a domain name belongs in Certificate::new)"));
                }
            }
        }
        if !alb.claim_port(port) {
            scope.error("Port", format!("the load balancer already has a listener on port {port}"));
        }
        props.default_action.validate(&scope, "DefaultActions");
        let required_header: RequiredHeader = Rc::new(RefCell::new(None));
        let default_actions: Value<Vec<Value<elbv2::listener::Action>>> = Value::lazy({
            let required = required_header.clone();
            let action = props.default_action.clone();
            move || {
                if required.borrow().is_some() {
                    vec![Value::from(
                        ListenerAction::fixed_response(FORBIDDEN_STATUS, "text/plain", "Forbidden")
                            .to_listener_action(),
                    )]
                } else {
                    vec![Value::from(action.to_listener_action())]
                }
            }
        });
        let mut l = elbv2::Listener::new(elbv2::ListenerRequired { default_actions, load_balancer_arn: alb.arn() })
            .port(port)
            .protocol(match props.protocol {
                ListenerProtocol::Http => elbv2::listener::Protocol::Http,
                ListenerProtocol::Https => elbv2::listener::Protocol::Https,
            });
        match props.protocol {
            ListenerProtocol::Https => {
                if props.certificate_arns.is_empty() {
                    scope.error(
                        "Certificates",
                        "an HTTPS listener needs at least one certificate ARN (see Certificate)",
                    );
                }
                l = l
                    .certificates(
                        props
                            .certificate_arns
                            .iter()
                            .take(1)
                            .map(|a| elbv2::listener::Certificate::new().certificate_arn(a.clone()))
                            .collect::<Vec<_>>(),
                    )
                    .ssl_policy(props.ssl_policy.name());
            }
            ListenerProtocol::Http => {
                if !props.certificate_arns.is_empty() {
                    scope.error("Certificates", "certificates are only used by HTTPS listeners");
                }
            }
        }
        let handle: ResourceHandle = scope.add("Resource", l).deref().clone();
        if props.protocol == ListenerProtocol::Http && !props.default_action.is_https_redirect() {
            scope.warn("alb.https-only", 
                "Protocol",
                "this HTTP listener serves traffic unencrypted; prefer an HTTPS listener plus redirect_http_to_https (checkov CKV_AWS_2 fails otherwise)",
            );
        }
        // Extra certificates go into a ListenerCertificate resource.
        if props.certificate_arns.len() > 1 {
            scope.add(
                "Certificates",
                elbv2::ListenerCertificate::new(elbv2::ListenerCertificateRequired {
                    certificates: props
                        .certificate_arns
                        .iter()
                        .skip(1)
                        .map(|a| elbv2::listener_certificate::Certificate::new().certificate_arn(a.clone()))
                        .collect::<Vec<_>>()
                        .into(),
                    listener_arn: handle.ref_(),
                }),
            );
        }
        for g in props.default_action.target_groups() {
            g.attach(alb, &handle);
        }
        let mut open_ingress = None;
        if props.open && alb.internet_facing() {
            let rules = alb.security_group().add_ingress_from_cidr(
                "0.0.0.0/0",
                Port::tcp(port),
                &format!("Allow clients from anywhere to listener port {port}"),
            );
            if let Some(r) = rules {
                if port == 80 && props.default_action.is_https_redirect() {
                    r.acknowledge(
                        "vpc.open-ingress",
                        "port 80 is open on the internet-facing load balancer only to redirect clients to HTTPS",
                    );
                }
                open_ingress = Some(r);
            }
        } else if props.open {
            // Internal: open to the VPC only.
            let cidr = alb.inner.vpc_cidr.clone();
            alb.security_group().add_ingress_from_cidr(
                &cidr,
                Port::tcp(port),
                &format!("Allow clients in the VPC to listener port {port}"),
            );
        }
        Listener {
            inner: Rc::new(ListenerInner {
                scope,
                handle,
                alb: alb.clone(),
                port,
                protocol: props.protocol,
                priorities: RefCell::new(PriorityPlan::new()),
                rules: RefCell::new(Vec::new()),
                default_action: props.default_action,
                required_header,
                open_ingress,
                restricted: RefCell::new(false),
            }),
        }
    }

    /// The construct scope (rules are created below it).
    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    /// Admit only requests carrying header `name` with `value` (e.g. an
    /// origin-verify secret that a CloudFront distribution adds; pass a
    /// Secrets Manager dynamic reference, never the secret itself): every
    /// rule, earlier or later, gets an `http-header` condition on it, and
    /// the default action becomes a fixed 403. The previous default action
    /// moves to a fallback rule `RequireHeaderDefault` at priority 50000
    /// that also requires the header (unless it already was a fixed 403).
    /// ALB compares header values case-insensitively and treats `*` and `?`
    /// as wildcards: use a long value of letters and digits.
    pub fn require_header(&self, name: &str, value: impl Into<Value<String>>) {
        let value = value.into();
        let scope = &self.inner.scope;
        if let Err(m) = validate_header_name(name) {
            scope.error("Conditions", m);
            return;
        }
        if let Value::Lit(v) = &value {
            scope.error(
                "Conditions",
                format!(
                    "required header {name}: a literal value ({} characters) would put the secret in the template; \
                     pass a Secrets Manager dynamic reference (Secret::value_reference)",
                    v.len()
                ),
            );
            return;
        }
        if let Some((other, _)) = self.inner.required_header.borrow().as_ref() {
            scope.error(
                "Conditions",
                format!("this listener already requires header {other}; a listener can require only one header"),
            );
            return;
        }
        for r in self.inner.rules.borrow().iter() {
            let total: usize = r.conditions.iter().map(|c| c.values().len()).sum();
            if total >= 5 {
                scope.error(
                    "Conditions",
                    format!(
                        "rule '{}' has {total} condition values; with the required header {name} it would exceed 5",
                        r.name
                    ),
                );
            }
        }
        *self.inner.required_header.borrow_mut() = Some((name.to_owned(), value.clone()));
        let default = &self.inner.default_action;
        let already_forbidden =
            matches!(default, ListenerAction::FixedResponse { status_code, .. } if *status_code == FORBIDDEN_STATUS);
        if !already_forbidden {
            let rule_scope = scope.scope("RequireHeaderDefault");
            let priority = match self.inner.priorities.borrow_mut().reserve_last(&rule_scope.path()) {
                Ok(p) => p,
                Err(e) => {
                    rule_scope.error("Priority", e.to_string());
                    MAX_PRIORITY
                }
            };
            let handle: ResourceHandle = rule_scope
                .add(
                    "Resource",
                    elbv2::ListenerRule::new(elbv2::ListenerRuleRequired {
                        actions: vec![default.to_rule_action()].into(),
                        conditions: vec![header_condition(name, &value)].into(),
                        priority: priority.into(),
                    })
                    .listener_arn(self.arn()),
                )
                .deref()
                .clone();
            for g in default.target_groups() {
                g.attach(&self.inner.alb, &handle);
            }
        }
    }

    /// The header every request must carry, if [`Listener::require_header`]
    /// was called.
    pub fn required_header(&self) -> Option<(String, Value<String>)> {
        self.inner.required_header.borrow().clone()
    }

    /// Admit clients only from the managed prefix list `prefix_list_id`
    /// (e.g. CloudFront's origin-facing list): the listener's open ingress
    /// rule (`0.0.0.0/0`, or the VPC for internal load balancers) becomes a
    /// rule from the prefix list; without one, a prefix-list rule is added.
    /// Mind the security group's rule quota: a prefix list counts as its
    /// maximum number of entries (55 for CloudFront's).
    pub fn restrict_to_prefix_list(&self, prefix_list_id: impl Into<Value<String>>, description: &str) {
        let id = prefix_list_id.into();
        if std::mem::replace(&mut *self.inner.restricted.borrow_mut(), true) {
            self.inner.scope.error("Port", "the listener's ingress is already restricted to a prefix list");
            return;
        }
        let port = self.inner.port;
        match &self.inner.open_ingress {
            Some(rule) => {
                let description = description.to_owned();
                rule.edit::<stackcraft_cfn::ec2::SecurityGroupIngress>(move |r| {
                    r.cidr_ip = None;
                    r.source_prefix_list_id = Some(id);
                    r.description = Some(description.into());
                });
            }
            None => {
                self.inner.alb.security_group().add_ingress_from_prefix_list(id, Port::tcp(port), description);
            }
        }
    }

    /// The listener ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.inner.handle.ref_()
    }

    /// The listener resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.inner.handle
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The protocol.
    pub fn protocol(&self) -> ListenerProtocol {
        self.inner.protocol
    }

    /// Is rule priority `priority` (1 to 50000) still free on this listener?
    pub fn is_priority_free(&self, priority: u32) -> bool {
        (1..=MAX_PRIORITY).contains(&priority)
            && !self.inner.priorities.borrow().taken.iter().any(|(p, _)| *p == priority)
            && !(priority == MAX_PRIORITY && self.inner.priorities.borrow().last.is_some())
    }

    /// The load balancer.
    pub fn load_balancer(&self) -> &ApplicationLoadBalancer {
        &self.inner.alb
    }

    /// Add a routing rule (`AWS::ElasticLoadBalancingV2::ListenerRule`).
    /// Clashing priorities and rules that can never match (every request
    /// they match is taken by a rule with a lower priority number, e.g.
    /// `/api/*` before `/api/orders*`) are reported as errors naming both
    /// rules; rules that share some requests are reported as warnings.
    pub fn add_rule(&self, id: &str, props: ListenerRuleProps) -> ResourceHandle {
        let scope = self.inner.scope.scope(id);
        let name = scope.path();
        if props.conditions.is_empty() {
            scope.error("Conditions", "a rule needs at least one condition (path pattern, host header, ...); use the listener's default action for everything else");
        }
        let total: usize = props.conditions.iter().map(|c| c.values().len()).sum();
        if total > 5 {
            scope.error(
                "Conditions",
                format!("a rule may have at most 5 condition values in total, this one has {total}"),
            );
        }
        for c in &props.conditions {
            if let Err(m) = c.validate() {
                scope.error("Conditions", m);
            }
        }
        props.action.validate(&scope, "Actions");
        let priority = match self.inner.priorities.borrow_mut().assign(&name, props.priority) {
            Ok(p) => p,
            Err(e) => {
                scope.error("Priority", e.to_string());
                props.priority.unwrap_or(MAX_PRIORITY)
            }
        };
        let tokens = tokenize(&props.conditions);
        self.analyse_route(&scope, &name, priority, &tokens);
        self.inner.rules.borrow_mut().push(RuleRecord { name, priority, conditions: props.conditions.clone(), tokens });
        if total >= 5 {
            if let Some((header, _)) = self.inner.required_header.borrow().as_ref() {
                scope.error(
                    "Conditions",
                    format!("with the listener's required header {header} a rule may have at most 4 condition values, this one has {total}"),
                );
            }
        }
        let conditions: Value<Vec<Value<rule::RuleCondition>>> = Value::lazy({
            let required = self.inner.required_header.clone();
            let conditions = props.conditions.clone();
            move || {
                let mut c: Vec<Value<rule::RuleCondition>> =
                    conditions.iter().map(|c| Value::from(c.to_cfn())).collect();
                if let Some((name, value)) = required.borrow().as_ref() {
                    c.push(header_condition(name, value).into());
                }
                c
            }
        });
        let handle: ResourceHandle = scope
            .add(
                "Resource",
                elbv2::ListenerRule::new(elbv2::ListenerRuleRequired {
                    actions: vec![props.action.to_rule_action()].into(),
                    conditions,
                    priority: priority.into(),
                })
                .listener_arn(self.arn()),
            )
            .deref()
            .clone();
        for g in props.action.target_groups() {
            g.attach(&self.inner.alb, &handle);
        }
        handle
    }

    /// Compare a new rule with the listener's earlier rules: a rule that can
    /// never match (a higher-priority rule matches every request it does)
    /// is an error naming both; rules that share some requests are a
    /// warning (the lower priority number wins those). A specific rule
    /// before a more general one is the intended fallback shape and passes.
    fn analyse_route(&self, scope: &Scope, name: &str, priority: u32, conditions: &[CondTokens]) {
        if conditions.is_empty() {
            return;
        }
        for other in self.inner.rules.borrow().iter() {
            let (first, second) = if other.priority <= priority {
                ((other.name.as_str(), other.priority), (name, priority))
            } else {
                ((name, priority), (other.name.as_str(), other.priority))
            };
            let (first_conds, second_conds) = if other.priority <= priority {
                (&other.tokens[..], conditions)
            } else {
                (conditions, &other.tokens[..])
            };
            match relation(first_conds, second_conds) {
                RouteRelation::FirstContainsSecond => scope.error(
                    "Conditions",
                    format!(
                        "rule '{}' (priority {}) can never match: rule '{}' (priority {}) matches every request it does; \
                         give the more specific rule the lower priority number or narrow the other rule's conditions",
                        second.0, second.1, first.0, first.1
                    ),
                ),
                RouteRelation::Overlapping => scope.warning(
                    "Conditions",
                    format!(
                        "rule '{}' (priority {}) and rule '{}' (priority {}) overlap: requests matching both go to '{}'",
                        first.0, first.1, second.0, second.1, first.0
                    ),
                ),
                // Disjoint, or a specific rule before a general fallback
                // (`/api/orders*` before `/api/*`): both intended.
                _ => {}
            }
        }
    }

    /// Route requests matching `conditions` to `group` (priority assigned
    /// automatically).
    pub fn add_target_group(
        &self,
        id: &str,
        conditions: Vec<ListenerCondition>,
        group: &TargetGroup,
    ) -> ResourceHandle {
        self.add_rule(
            id,
            ListenerRuleProps::builder().conditions(conditions).action(ListenerAction::forward(group)).build(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_priorities_are_stable() {
        let mut p = PriorityPlan::new();
        assert_eq!(p.assign("a", None), Ok(10));
        assert_eq!(p.assign("b", None), Ok(20));
        assert_eq!(p.assign("c", Some(5)), Ok(5));
        assert_eq!(p.assign("d", Some(25)), Ok(25));
        assert_eq!(p.assign("e", None), Ok(30));
        assert_eq!(p.assign("f", Some(31)), Ok(31));
        assert_eq!(p.assign("g", None), Ok(40));
    }

    #[test]
    fn priority_clashes_and_range() {
        let mut p = PriorityPlan::new();
        p.assign("api", None).unwrap();
        let e = p.assign("web", Some(10)).unwrap_err();
        assert_eq!(e, PriorityError::Taken { rule: "web".into(), priority: 10, other: "api".into() });
        assert_eq!(
            e.to_string(),
            "rule 'web': priority 10 is already used by rule 'api' on this listener; choose another priority or leave it unset to assign one automatically"
        );
        assert!(p.assign("x", Some(0)).unwrap_err().to_string().contains("use 1 to 50000"));
        assert!(p.assign("y", Some(50_001)).is_err());
        p.assign("z", Some(50_000)).unwrap();
        assert!(p.assign("w", None).unwrap_err().to_string().contains("no automatic priority left"));
    }

    #[test]
    fn reserved_last_priority_stays_out_of_the_sequence() {
        let mut p = PriorityPlan::new();
        assert_eq!(p.assign("a", None), Ok(10));
        assert_eq!(p.reserve_last("fallback"), Ok(MAX_PRIORITY));
        assert_eq!(p.assign("b", None), Ok(20));
        assert_eq!(
            p.assign("c", Some(MAX_PRIORITY)).unwrap_err().to_string(),
            "rule 'c': priority 50000 is already used by rule 'fallback' on this listener; choose another priority or leave it unset to assign one automatically"
        );
        assert!(p.reserve_last("again").unwrap_err().to_string().contains("already used by rule 'fallback'"));
        p.assign("d", Some(49_990)).unwrap();
        assert_eq!(p.assign("e", None), Err(PriorityError::Exhausted { rule: "e".into() }));
    }

    #[test]
    fn required_header_must_not_be_a_literal_or_a_bad_name() {
        use stackcraft_core::App;
        use stackcraft_vpc::{Vpc, VpcProps};
        let app = App::new("t");
        let stack = app.stack("S");
        let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().az_count(2).build());
        let alb = crate::ApplicationLoadBalancer::new(
            &stack,
            "Alb",
            crate::ApplicationLoadBalancerProps::builder().vpc(vpc).build(),
        );
        let l = alb.add_https_listener(
            "Https",
            "arn:aws:acm:us-east-1:1:certificate/x",
            ListenerAction::fixed_response(404, "text/plain", "no"),
        );
        l.require_header("X-Verify", "hunter2");
        l.require_header("X Verify", Value::sub("{{resolve:secretsmanager:s}}"));
        let e = app.synth().unwrap_err().to_string();
        assert!(e.contains("error: S/Alb/Https [Conditions]: required header X-Verify: a literal value (7 characters) would put the secret in the template; pass a Secrets Manager dynamic reference (Secret::value_reference)"), "{e}");
        assert!(e.contains("error: S/Alb/Https [Conditions]: header name \"X Verify\": 1 to 40 characters"), "{e}");
    }

    fn p(v: &[&str]) -> ListenerCondition {
        ListenerCondition::path_patterns(v.iter().copied())
    }
    fn h(v: &[&str]) -> ListenerCondition {
        ListenerCondition::host_headers(v.iter().copied())
    }

    #[test]
    fn differing_literal_prefixes_decide_what_the_tables_decide() {
        let patterns = [
            "/api/*",
            "/api/orders*",
            "/api/customers*",
            "/api",
            "/apx",
            "/a?c",
            "/a*c",
            "*",
            "",
            "/",
            "/b/*",
            "/a/1",
            "?",
            "/api/orders",
            "x*",
            "/api/o?",
            "é/*",
            "e/*",
        ];
        let mut differ = 0;
        for a in patterns {
            for b in patterns {
                let (a, b) = (glob_tokens(a, false), glob_tokens(b, false));
                if literal_prefixes_differ(&a, &b) {
                    differ += 1;
                    assert!(!includes_table(&a, &b) && !includes_table(&b, &a), "{a:?} {b:?}");
                    assert!(!intersects_table(&a, &b), "{a:?} {b:?}");
                }
                assert_eq!(glob_includes(&a, &b), includes_table(&a, &b), "{a:?} {b:?}");
                assert_eq!(glob_intersects(&a, &b), intersects_table(&a, &b), "{a:?} {b:?}");
            }
        }
        assert!(differ > 50, "{differ}");
    }

    #[test]
    fn glob_inclusion_and_intersection() {
        let t = |s: &str| glob_tokens(s, false);
        assert!(glob_includes(&t("/api/*"), &t("/api/orders*")));
        assert!(glob_includes(&t("/api/*"), &t("/api/orders")));
        assert!(glob_includes(&t("*"), &t("/x/*")));
        assert!(glob_includes(&t("/a?c"), &t("/abc")));
        assert!(glob_includes(&t("/a?c"), &t("/a?c")));
        assert!(!glob_includes(&t("/api/orders*"), &t("/api/*")));
        assert!(!glob_includes(&t("/a?c"), &t("/a*c")));
        assert!(!glob_includes(&t("/api/orders"), &t("/api/orders*")));
        assert!(glob_intersects(&t("/api/*"), &t("*/orders")));
        assert!(glob_intersects(&t("/a?"), &t("/?b")));
        assert!(!glob_intersects(&t("/api/*"), &t("/web/*")));
        assert!(!glob_intersects(&t("/api/orders*"), &t("/api/customers*")));
    }

    /// The two-dimensional tables the glob functions were first written
    /// with, kept as the reference for the two-row versions.
    fn reference(outer: &[char], inner: &[char], intersect: bool) -> bool {
        let (n, m) = (outer.len(), inner.len());
        let mut dp = vec![vec![false; m + 1]; n + 1];
        dp[n][m] = true;
        for i in (0..=n).rev() {
            for j in (0..=m).rev() {
                if i == n && j == m {
                    continue;
                }
                dp[i][j] = if intersect {
                    let (a, b) = (outer, inner);
                    if i < n && a[i] == '*' {
                        dp[i + 1][j] || (j < m && dp[i][j + 1])
                    } else if j < m && b[j] == '*' {
                        dp[i][j + 1] || (i < n && dp[i + 1][j])
                    } else if i < n && j < m {
                        (a[i] == b[j] || a[i] == '?' || b[j] == '?') && dp[i + 1][j + 1]
                    } else {
                        false
                    }
                } else if i == n {
                    false
                } else if outer[i] == '*' {
                    dp[i + 1][j] || (j < m && dp[i][j + 1])
                } else if j < m {
                    let c = inner[j];
                    let ok = if outer[i] == '?' { c != '*' } else { c == outer[i] };
                    ok && dp[i + 1][j + 1]
                } else {
                    false
                };
            }
        }
        dp[0][0]
    }

    #[test]
    fn glob_tables_match_the_reference_on_every_short_pattern() {
        let mut patterns: Vec<Vec<char>> = vec![vec![]];
        for len in 1..=4 {
            let prev: Vec<Vec<char>> = patterns.iter().filter(|p| p.len() == len - 1).cloned().collect();
            for p in prev {
                for c in ['a', 'b', '*', '?'] {
                    let mut q = p.clone();
                    q.push(c);
                    patterns.push(q);
                }
            }
        }
        for a in &patterns {
            for b in &patterns {
                assert_eq!(glob_includes(a, b), reference(a, b, false), "{a:?} includes {b:?}");
                assert_eq!(glob_intersects(a, b), reference(a, b, true), "{a:?} intersects {b:?}");
            }
        }
    }

    #[test]
    fn route_relations() {
        use RouteRelation::*;
        assert_eq!(route_relation(&[p(&["/api/*"])], &[p(&["/api/orders*"])]), FirstContainsSecond);
        assert_eq!(route_relation(&[p(&["/api/orders*"])], &[p(&["/api/*"])]), SecondContainsFirst);
        assert_eq!(route_relation(&[p(&["/api/orders*"])], &[p(&["/api/customers*"])]), Disjoint);
        // a host-only rule takes every path of that host
        assert_eq!(
            route_relation(&[h(&["API.example.com"])], &[h(&["api.example.com"]), p(&["/x"])]),
            FirstContainsSecond
        );
        // different hosts never share a request
        assert_eq!(
            route_relation(&[h(&["a.example.com"]), p(&["/*"])], &[h(&["b.example.com"]), p(&["/x"])]),
            Disjoint
        );
        // a path rule and a host rule share the requests to that host and path
        assert_eq!(route_relation(&[p(&["/x/*"])], &[h(&["a.example.com"])]), Overlapping);
        assert_eq!(route_relation(&[p(&["/a/*", "/b/*"])], &[p(&["/b/*", "/c/*"])]), Overlapping);
        // all of the inner rule's values must be covered
        assert_eq!(route_relation(&[p(&["/a/*", "/b/*"])], &[p(&["/b/1", "/a/2"])]), FirstContainsSecond);
        assert_eq!(route_relation(&[p(&["/a/*"])], &[p(&["/a/1", "/c/2"])]), Overlapping);
    }

    #[test]
    fn conditions_validate() {
        assert!(ListenerCondition::path_patterns(["/api/*"]).validate().is_ok());
        assert!(ListenerCondition::host_headers(["*.example.com"]).validate().is_ok());
        assert!(ListenerCondition::path_patterns(["/a b"])
            .validate()
            .unwrap_err()
            .contains("not a valid path pattern"));
        assert!(ListenerCondition::host_headers(Vec::<String>::new()).validate().is_err());
        assert!(ListenerCondition::http_request_methods(["get"]).validate().is_err());
    }
}
