//! Security groups and the [`Connections`] model: who may talk to whom on
//! which [`Port`].
//!
//! Every rule is written as a separate `AWS::EC2::SecurityGroupIngress` /
//! `AWS::EC2::SecurityGroupEgress` resource with a description, so two groups
//! that allow each other never form a reference cycle. Both halves of a
//! group-to-group rule are placed in the scope of the group on which the
//! `allow_*` call is made (`a.allow_from(&b, ..)` puts them under `a`), so a
//! service stack that opens itself to a load balancer of a network stack only
//! imports from the network stack, never the other way round.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use std::ops::Deref;

use stackcraft_cfn::ec2;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

use crate::port::{Port, Protocol};
use crate::vpc::Vpc;

/// Properties of a [`SecurityGroup`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct SecurityGroupProps {
    /// The VPC the group belongs to.
    pub vpc: Vpc,
    /// `GroupDescription` (required by checkov CKV_AWS_23; immutable after creation).
    #[builder(setter(into))]
    pub description: String,
    /// Allow all outbound traffic (`true`, CloudFormation's and CDK's default).
    /// When `false` the group starts with no egress and [`Connections`] add
    /// egress rules as needed.
    #[builder(default = true)]
    pub allow_all_outbound: bool,
}

struct SgInner {
    scope: Scope,
    handle: Option<ResourceHandle>,
    id: Value<String>,
    allow_all_outbound: bool,
    rules: RefCell<BTreeSet<String>>,
}

/// An EC2 security group (`AWS::EC2::SecurityGroup`). Cheap to clone; clones
/// refer to the same group.
#[derive(Clone)]
pub struct SecurityGroup {
    inner: Rc<SgInner>,
}

impl std::fmt::Debug for SecurityGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecurityGroup({})", self.inner.scope.path())
    }
}

impl PartialEq for SecurityGroup {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl SecurityGroup {
    /// A new security group in `props.vpc`.
    pub fn new(scope: &Scope, id: &str, props: SecurityGroupProps) -> SecurityGroup {
        let scope = scope.scope(id);
        let description = props.description.trim().to_owned();
        if description.is_empty() || description.len() > 255 {
            scope.error("Description", "a security group needs a description of 1 to 255 characters");
        }
        let extra = stackcraft_core::validate::EC2_DESCRIPTION_EXTRA;
        let bad: std::collections::BTreeSet<char> =
            description.chars().filter(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c))).collect();
        if !bad.is_empty() {
            let list: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
            scope.error(
                "Description",
                format!(
                    "security group description {description:?} contains {}; EC2 allows only ASCII letters, digits and {extra:?}",
                    list.join(", ")
                ),
            );
        }
        let egress = if props.allow_all_outbound {
            ec2::security_group::Egress::new("-1")
                .cidr_ip("0.0.0.0/0")
                .description("Allow all outbound traffic by default")
        } else {
            // CDK's marker rule: replaces CloudFormation's default allow-all
            // egress with a rule that matches nothing.
            ec2::security_group::Egress::new("icmp")
                .cidr_ip("255.255.255.255/32")
                .description("Disallow all traffic")
                .from_port(252)
                .to_port(86)
        };
        let handle: ResourceHandle = scope
            .add(
                "Resource",
                ec2::SecurityGroup::new(description).vpc_id(props.vpc.vpc_id()).security_group_egress(vec![egress]),
            )
            .deref()
            .clone();
        let id = handle.get_att("GroupId");
        SecurityGroup {
            inner: Rc::new(SgInner {
                scope,
                handle: Some(handle),
                id,
                allow_all_outbound: props.allow_all_outbound,
                rules: RefCell::new(BTreeSet::new()),
            }),
        }
    }

    /// An existing group by id (e.g. from another system). Rules added to it
    /// are created in `scope`. `allow_all_outbound` says whether the group
    /// already allows all egress (then no egress rules are added to it).
    pub fn from_id(
        scope: &Scope,
        id: &str,
        group_id: impl Into<Value<String>>,
        allow_all_outbound: bool,
    ) -> SecurityGroup {
        SecurityGroup {
            inner: Rc::new(SgInner {
                scope: scope.scope(id),
                handle: None,
                id: group_id.into(),
                allow_all_outbound,
                rules: RefCell::new(BTreeSet::new()),
            }),
        }
    }

    /// The group id (`Fn::GetAtt GroupId`).
    pub fn id(&self) -> Value<String> {
        self.inner.id.clone()
    }

    /// The underlying resource (`None` for imported groups).
    pub fn handle(&self) -> Option<ResourceHandle> {
        self.inner.handle.clone()
    }

    /// Whether the group allows all outbound traffic.
    pub fn allow_all_outbound(&self) -> bool {
        self.inner.allow_all_outbound
    }

    /// The construct scope of the group (its rules are created below it).
    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    fn claim(&self, key: String) -> bool {
        self.inner.rules.borrow_mut().insert(key)
    }

    fn add_rule(
        &self,
        placement: &Scope,
        kind: Direction,
        peer_key: &str,
        peer: Peer,
        port: Port,
        description: &str,
    ) -> Option<ResourceHandle> {
        let key = format!("{kind}|{}|{peer_key}|{port}", self.inner.scope.path());
        if !self.claim(key) {
            return None;
        }
        let description =
            if description.trim().is_empty() { format!("{kind} {port}") } else { description.trim().to_owned() };
        if description.len() > 255 {
            placement.error("Description", format!("rule description is longer than 255 characters: '{description}'"));
        }
        let prefix = match kind {
            Direction::Ingress => "IngressFrom",
            Direction::Egress => "EgressTo",
        };
        let own = if placement.path() == self.inner.scope.path() {
            String::new()
        } else {
            self.inner.scope.path().replace('/', "_")
        };
        let cid = format!(
            "{own}{prefix}{}{}{}",
            peer_key.replace('/', "_"),
            port.protocol().as_cfn().replace("-1", "All"),
            if port.from_port() >= 0 { port.from_port().to_string() } else { String::new() }
        );
        let cid = if port.to_port() != port.from_port() && port.to_port() >= 0 {
            format!("{cid}to{}", port.to_port())
        } else {
            cid
        };
        let (from, to) = match port.protocol() {
            Protocol::All => (None, None),
            _ => (Some(port.from_port()), Some(port.to_port())),
        };
        let handle: ResourceHandle = if kind == Direction::Ingress {
            let mut r =
                ec2::SecurityGroupIngress::new(port.protocol().as_cfn()).group_id(self.id()).description(description);
            if let (Some(f), Some(t)) = (from, to) {
                r = r.from_port(f).to_port(t);
            }
            r = match peer {
                Peer::Cidr(c) => r.cidr_ip(c),
                Peer::Group(g) => r.source_security_group_id(g),
                Peer::PrefixList(p) => r.source_prefix_list_id(p),
            };
            placement.add(&cid, r).deref().clone()
        } else {
            let mut r = ec2::SecurityGroupEgress::new(ec2::SecurityGroupEgressRequired {
                group_id: self.id(),
                ip_protocol: port.protocol().as_cfn().into(),
            })
            .description(description);
            if let (Some(f), Some(t)) = (from, to) {
                r = r.from_port(f).to_port(t);
            }
            r = match peer {
                Peer::Cidr(c) => r.cidr_ip(c),
                Peer::Group(g) => r.destination_security_group_id(g),
                Peer::PrefixList(p) => r.destination_prefix_list_id(p),
            };
            placement.add(&cid, r).deref().clone()
        };
        Some(handle)
    }

    /// Allow ingress from an IPv4 CIDR block. Returns the rule resource
    /// (`None` if the same rule already exists).
    pub fn add_ingress_from_cidr(&self, cidr: &str, port: Port, description: &str) -> Option<ResourceHandle> {
        if let Err(e) = crate::cidr::parse_any_block(cidr) {
            self.inner.scope.error("SecurityGroupIngress", e.to_string());
            return None;
        }
        self.add_rule(
            &self.inner.scope.clone(),
            Direction::Ingress,
            cidr,
            Peer::Cidr(cidr.to_owned()),
            port,
            description,
        )
    }

    /// Allow ingress from a managed prefix list (`pl-...`, or a value
    /// resolved at deploy such as `Fn::FindInMap`). Returns the rule resource
    /// (`None` if the same rule already exists). A prefix list counts
    /// against the group's rule quota with its maximum number of entries.
    pub fn add_ingress_from_prefix_list(
        &self,
        prefix_list_id: impl Into<Value<String>>,
        port: Port,
        description: &str,
    ) -> Option<ResourceHandle> {
        let id = prefix_list_id.into();
        if let Value::Lit(l) = &id {
            if !l.starts_with("pl-") {
                self.inner.scope.error("SecurityGroupIngress", format!("prefix list id {l:?} must start with 'pl-'"));
                return None;
            }
        }
        self.add_rule(
            &self.inner.scope.clone(),
            Direction::Ingress,
            "PrefixList",
            Peer::PrefixList(id),
            port,
            description,
        )
    }

    /// Allow egress to an IPv4 CIDR block (no-op when the group already
    /// allows all outbound traffic).
    pub fn add_egress_to_cidr(&self, cidr: &str, port: Port, description: &str) -> Option<ResourceHandle> {
        if self.inner.allow_all_outbound {
            return None;
        }
        if let Err(e) = crate::cidr::parse_any_block(cidr) {
            self.inner.scope.error("SecurityGroupEgress", e.to_string());
            return None;
        }
        self.add_rule(
            &self.inner.scope.clone(),
            Direction::Egress,
            cidr,
            Peer::Cidr(cidr.to_owned()),
            port,
            description,
        )
    }

    /// Allow ingress from another group; the rule resource is created in
    /// `placement`.
    fn ingress_from_group(
        &self,
        placement: &Scope,
        peer: &SecurityGroup,
        port: Port,
        description: &str,
    ) -> Option<ResourceHandle> {
        self.add_rule(
            placement,
            Direction::Ingress,
            &peer.inner.scope.path(),
            Peer::Group(peer.id()),
            port,
            description,
        )
    }

    /// Allow egress to another group (no-op when all outbound is allowed).
    fn egress_to_group(
        &self,
        placement: &Scope,
        peer: &SecurityGroup,
        port: Port,
        description: &str,
    ) -> Option<ResourceHandle> {
        if self.inner.allow_all_outbound {
            return None;
        }
        self.add_rule(placement, Direction::Egress, &peer.inner.scope.path(), Peer::Group(peer.id()), port, description)
    }
}

enum Peer {
    Cidr(String),
    Group(Value<String>),
    PrefixList(Value<String>),
}

/// Anything with security groups that other things connect to or from
/// (security groups, load balancers, services, databases).
pub trait HasConnections {
    /// The connections (security groups and default port) of this thing.
    fn connections(&self) -> Connections;
}

/// The security groups of a thing plus its default port: the handle through
/// which traffic between things is allowed.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_vpc::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
///
/// let app = App::new("demo");
/// let stack = app.stack("Net");
/// let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
/// let lb = SecurityGroup::new(&stack, "LbSg", SecurityGroupProps::builder().vpc(vpc.clone()).description("load balancer").allow_all_outbound(false).build());
/// let app_sg = SecurityGroup::new(&stack, "AppSg", SecurityGroupProps::builder().vpc(vpc.clone()).description("app").build());
/// let app_conn = Connections::new(vec![app_sg], Some(Port::tcp(8000)));
/// app_conn.allow_default_port_from(&lb);
/// lb.connections().allow_from_anyone_ipv4(Port::tcp(443));
/// ```
#[derive(Clone, Debug)]
pub struct Connections {
    groups: Vec<SecurityGroup>,
    default_port: Option<Port>,
}

impl Connections {
    /// Connections over `groups` with an optional default port (the port
    /// others connect to by default, e.g. 5432 for Postgres).
    pub fn new(groups: Vec<SecurityGroup>, default_port: Option<Port>) -> Connections {
        Connections { groups, default_port }
    }

    /// The security groups.
    pub fn security_groups(&self) -> &[SecurityGroup] {
        &self.groups
    }

    /// The default port, if any.
    pub fn default_port(&self) -> Option<Port> {
        self.default_port
    }

    /// Add a security group.
    pub fn add_security_group(&mut self, group: SecurityGroup) {
        if !self.groups.contains(&group) {
            self.groups.push(group);
        }
    }

    /// Allow `other` to connect to these groups on `port`: an ingress rule on
    /// each of these groups and an egress rule on each of `other`'s groups
    /// (when they restrict outbound traffic), all placed under this side.
    pub fn allow_from(&self, other: &dyn HasConnections, port: Port, description: &str) {
        let other = other.connections();
        for mine in &self.groups {
            for theirs in &other.groups {
                if mine == theirs {
                    mine.ingress_from_group(mine.scope(), theirs, port, description);
                    mine.egress_to_group(mine.scope(), theirs, port, description);
                    continue;
                }
                mine.ingress_from_group(mine.scope(), theirs, port, description);
                theirs.egress_to_group(mine.scope(), mine, port, description);
            }
        }
    }

    /// Allow these groups to connect to `other` on `port` (egress here,
    /// ingress there), all placed under this side.
    pub fn allow_to(&self, other: &dyn HasConnections, port: Port, description: &str) {
        let other = other.connections();
        for mine in &self.groups {
            for theirs in &other.groups {
                mine.egress_to_group(mine.scope(), theirs, port, description);
                theirs.ingress_from_group(mine.scope(), mine, port, description);
            }
        }
    }

    /// Allow `other` to connect to this thing's default port. Records an
    /// error when no default port is set.
    pub fn allow_default_port_from(&self, other: &dyn HasConnections) {
        match self.default_port {
            Some(port) => {
                let desc = format!("from {} to the default port ({port})", describe(&other.connections()));
                self.allow_from(other, port, &desc)
            }
            None => self.report_no_default_port(),
        }
    }

    /// Allow this thing to connect to `other`'s default port.
    pub fn allow_default_port_to(&self, other: &dyn HasConnections) {
        let theirs = other.connections();
        match theirs.default_port {
            Some(port) => {
                let desc = format!("to {} on its default port ({port})", describe(&theirs));
                self.allow_to(other, port, &desc)
            }
            None => theirs.report_no_default_port(),
        }
    }

    /// Allow traffic between members of these groups on `port`.
    pub fn allow_internally(&self, port: Port, description: &str) {
        self.allow_from(self, port, description)
    }

    /// Allow ingress from any IPv4 address (`0.0.0.0/0`) on `port`. Returns
    /// the rule resources (to attach checkov skips where justified).
    pub fn allow_from_anyone_ipv4(&self, port: Port) -> Vec<ResourceHandle> {
        self.allow_from_cidr("0.0.0.0/0", port)
    }

    /// Allow ingress from an IPv4 CIDR block on `port`.
    pub fn allow_from_cidr(&self, cidr: &str, port: Port) -> Vec<ResourceHandle> {
        let desc = format!("Allow {port} from {cidr}");
        self.groups.iter().filter_map(|g| g.add_ingress_from_cidr(cidr, port, &desc)).collect()
    }

    /// Allow egress to an IPv4 CIDR block on `port`.
    pub fn allow_to_cidr(&self, cidr: &str, port: Port) -> Vec<ResourceHandle> {
        let desc = format!("Allow {port} to {cidr}");
        self.groups.iter().filter_map(|g| g.add_egress_to_cidr(cidr, port, &desc)).collect()
    }

    fn report_no_default_port(&self) {
        if let Some(g) = self.groups.first() {
            g.scope()
                .error("DefaultPort", "this thing has no default port; use allow_from/allow_to with an explicit Port");
        }
    }
}

fn describe(c: &Connections) -> String {
    let names: Vec<String> = c.groups.iter().map(|g| g.scope().path()).collect();
    names.join(", ")
}

impl HasConnections for Connections {
    fn connections(&self) -> Connections {
        self.clone()
    }
}

impl HasConnections for SecurityGroup {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.clone()], None)
    }
}

/// Which way a security-group rule admits traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
    }
}
