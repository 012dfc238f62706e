//! The [`Vpc`] building block: subnets in tiers across availability zones,
//! routing, NAT, endpoints and flow logs.

use std::ops::Deref;
use std::rc::Rc;

use stackcraft_cfn::{ec2, logs, ssm, Tag};
use stackcraft_core::{validate, ResourceHandle, Scope, Value};
use stackcraft_iam::{Condition, PolicyStatement, Principal, Role, RoleProps};
use typed_builder::TypedBuilder;

use crate::cidr::{self, TierSpec};
use crate::port::Port;
use crate::security_group::{SecurityGroup, SecurityGroupProps};

/// The most availability zones a VPC may span (the largest AWS region has 6).
pub const MAX_AZS: u8 = 6;

/// The kind of a subnet tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SubnetType {
    /// Routed to the internet gateway (load balancers, NAT gateways).
    Public,
    /// No inbound route from the internet; outbound through NAT gateways
    /// (Fargate tasks, anything that pulls images or calls AWS APIs).
    PrivateWithEgress,
    /// No route out of the VPC at all (databases); AWS services only through
    /// VPC endpoints.
    Isolated,
}

impl SubnetType {
    /// A short label used in tags and messages.
    pub fn label(self) -> &'static str {
        match self {
            SubnetType::Public => "Public",
            SubnetType::PrivateWithEgress => "Private",
            SubnetType::Isolated => "Isolated",
        }
    }
}

/// One subnet tier: a subnet of this type in every availability zone.
///
/// ```
/// use stackcraft_vpc::SubnetConfiguration;
/// let public = SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.2.0/24"]);
/// let private = SubnetConfiguration::private_with_egress("Private").cidr_mask(20);
/// let db = SubnetConfiguration::isolated("Data"); // carved from what is left
/// # let _ = (public, private, db);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetConfiguration {
    /// The tier name (construct ids `<Name>Subnet1`, `<Name>Subnet2`, ...).
    pub name: String,
    /// The tier kind.
    pub subnet_type: SubnetType,
    /// Prefix length of carved subnets (`None`: share the remaining space).
    pub cidr_mask: Option<u8>,
    /// Explicit CIDR blocks, one per availability zone (overrides carving).
    pub cidrs: Vec<String>,
    /// Give instances launched here a public IPv4 address (public tiers
    /// only; default `false`: load balancers and NAT gateways get their own
    /// addresses, and checkov CKV_AWS_130 flags auto-assignment).
    pub map_public_ip_on_launch: bool,
}

impl SubnetConfiguration {
    /// A tier of `subnet_type` named `name`.
    pub fn new(name: impl Into<String>, subnet_type: SubnetType) -> Self {
        SubnetConfiguration {
            name: name.into(),
            subnet_type,
            cidr_mask: None,
            cidrs: Vec::new(),
            map_public_ip_on_launch: false,
        }
    }
    /// A public tier.
    pub fn public(name: impl Into<String>) -> Self {
        Self::new(name, SubnetType::Public)
    }
    /// A private tier with outbound internet access through NAT.
    pub fn private_with_egress(name: impl Into<String>) -> Self {
        Self::new(name, SubnetType::PrivateWithEgress)
    }
    /// An isolated tier.
    pub fn isolated(name: impl Into<String>) -> Self {
        Self::new(name, SubnetType::Isolated)
    }
    /// Carve subnets of this prefix length (`/16`..=`/28`).
    pub fn cidr_mask(mut self, mask: u8) -> Self {
        self.cidr_mask = Some(mask);
        self
    }
    /// Explicit CIDR blocks, one per availability zone, in zone order.
    pub fn cidrs<S: Into<String>>(mut self, cidrs: impl IntoIterator<Item = S>) -> Self {
        self.cidrs = cidrs.into_iter().map(Into::into).collect();
        self
    }
    /// Auto-assign public IPv4 addresses (public tiers only).
    pub fn map_public_ip_on_launch(mut self, on: bool) -> Self {
        self.map_public_ip_on_launch = on;
        self
    }
}

/// How private-with-egress subnets reach the internet. A config file holds
/// it as `"none"`, `"single"` or `"one_per_az"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NatGateways {
    /// No NAT gateway (only valid without private-with-egress tiers).
    None,
    /// One NAT gateway in the first zone, shared by all zones (cheaper; a
    /// zone outage cuts egress everywhere).
    Single,
    /// One NAT gateway per availability zone (highly available).
    OnePerAz,
}

/// A gateway VPC endpoint (free; routes added to every non-public subnet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum GatewayEndpoint {
    /// Amazon S3.
    S3,
    /// Amazon DynamoDB.
    DynamoDb,
}

impl GatewayEndpoint {
    fn short(self) -> &'static str {
        match self {
            GatewayEndpoint::S3 => "s3",
            GatewayEndpoint::DynamoDb => "dynamodb",
        }
    }
}

/// An interface VPC endpoint (PrivateLink) for any AWS service, placed in
/// the first non-public tier with private DNS, reachable on 443 from the VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceEndpoint {
    service: String,
}

impl InterfaceEndpoint {
    /// An endpoint for `com.amazonaws.<region>.<short_name>`, e.g.
    /// `"ecr.api"`, `"ecr.dkr"`, `"logs"`, `"secretsmanager"`.
    pub fn aws(short_name: impl Into<String>) -> Self {
        InterfaceEndpoint { service: short_name.into() }
    }
    /// The short service name.
    pub fn service(&self) -> &str {
        &self.service
    }
}

/// Where VPC flow logs go.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowLogDestination {
    /// A new CloudWatch Logs group (with a delivery role).
    CloudWatchLogs {
        /// Retention in days (one of CloudWatch's allowed values; default 365).
        retention_days: u32,
        /// A KMS key ARN to encrypt the group with (`None`: the CloudWatch
        /// Logs service key; checkov CKV_AWS_158 is then skipped with that
        /// reason).
        kms_key_arn: Option<Value<String>>,
    },
    /// An existing S3 bucket, by ARN (optionally with a key prefix, as
    /// `arn:...:bucket/prefix/`).
    S3 {
        /// The bucket (or bucket/prefix) ARN.
        bucket_arn: Value<String>,
    },
}

/// The CloudWatch Logs retention values AWS accepts.
pub const ALLOWED_RETENTION_DAYS: [u32; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// Which traffic flow logs capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrafficType {
    /// Accepted and rejected traffic.
    All,
    /// Accepted traffic only.
    Accept,
    /// Rejected traffic only.
    Reject,
}

/// VPC flow log settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLogs {
    /// Destination.
    pub destination: FlowLogDestination,
    /// Captured traffic.
    pub traffic_type: TrafficType,
}

impl Default for FlowLogs {
    /// All traffic to a new CloudWatch Logs group kept one year.
    fn default() -> Self {
        FlowLogs {
            destination: FlowLogDestination::CloudWatchLogs { retention_days: 365, kms_key_arn: None },
            traffic_type: TrafficType::All,
        }
    }
}

/// Properties of a [`Vpc`]. Defaults: `10.0.0.0/16`, 2 zones, one public and
/// one private-with-egress tier sharing the range equally, one NAT gateway
/// per zone, flow logs to CloudWatch Logs.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct VpcProps {
    /// The VPC's IPv4 CIDR block (`/16`..=`/28`).
    #[builder(default = String::from("10.0.0.0/16"), setter(into))]
    pub cidr: String,
    /// How many availability zones to span (1..=6), chosen with
    /// `Fn::Select` over `Fn::GetAZs` (never hard-coded zone names). The
    /// region must have at least this many zones.
    #[builder(default = 2)]
    pub az_count: u8,
    /// Subnet tiers, in carving order.
    #[builder(default = vec![SubnetConfiguration::public("Public"), SubnetConfiguration::private_with_egress("Private")])]
    pub subnets: Vec<SubnetConfiguration>,
    /// NAT strategy.
    #[builder(default = NatGateways::OnePerAz)]
    pub nat_gateways: NatGateways,
    /// Gateway endpoints (S3, DynamoDB).
    #[builder(default)]
    pub gateway_endpoints: Vec<GatewayEndpoint>,
    /// Interface endpoints.
    #[builder(default)]
    pub interface_endpoints: Vec<InterfaceEndpoint>,
    /// Flow logs (`None` turns them off and records a synth warning).
    #[builder(default = Some(FlowLogs::default()))]
    pub flow_logs: Option<FlowLogs>,
    /// Remove every rule of the VPC's default security group (checkov
    /// CKV2_AWS_12 / CIS 5.4), so nothing that falls back to it gets
    /// traffic. Done without a Lambda: an SSM State Manager association runs
    /// the AWS-owned runbook `AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules`
    /// once after creation, with a role that may only revoke rules of that
    /// group. Default `true`.
    #[builder(default = true)]
    pub restrict_default_security_group: bool,
}

/// One subnet of a [`Vpc`].
#[derive(Debug, Clone)]
pub struct Subnet {
    /// The tier name.
    pub tier: String,
    /// The tier kind.
    pub subnet_type: SubnetType,
    /// Zone index (0-based).
    pub az_index: usize,
    /// The subnet's CIDR block.
    pub cidr: String,
    /// The subnet resource.
    pub handle: ResourceHandle,
    /// The subnet's route table resource.
    pub route_table: ResourceHandle,
    /// The resources that give this subnet its connectivity (route table
    /// association and default route).
    pub connectivity: Vec<ResourceHandle>,
}

impl Subnet {
    /// `Ref` of the subnet (its id).
    pub fn subnet_id(&self) -> Value<String> {
        self.handle.ref_()
    }
    /// `Ref` of the route table.
    pub fn route_table_id(&self) -> Value<String> {
        self.route_table.ref_()
    }
    /// The subnet's zone (`Fn::GetAtt AvailabilityZone`).
    pub fn availability_zone(&self) -> Value<String> {
        self.handle.get_att("AvailabilityZone")
    }
}

struct VpcInner {
    scope: Scope,
    handle: ResourceHandle,
    cidr: String,
    az_count: usize,
    subnets: Vec<Subnet>,
    nat_gateways: Vec<ResourceHandle>,
    igw_attachment: Option<ResourceHandle>,
    interface_endpoints: Vec<String>,
    gateway_endpoints: Vec<GatewayEndpoint>,
}

/// A VPC (`AWS::EC2::VPC`) with subnet tiers across availability zones,
/// internet gateway, NAT gateways, route tables, optional gateway and
/// interface endpoints and flow logs. Cheap to clone.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_vpc::{NatGateways, SubnetConfiguration, SubnetType, Vpc, VpcProps};
///
/// let app = App::new("shop");
/// let stack = app.stack("Network");
/// let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder()
///     .cidr("10.0.0.0/16")
///     .subnets(vec![
///         SubnetConfiguration::public("Public").cidrs(["10.0.1.0/24", "10.0.2.0/24"]),
///         SubnetConfiguration::private_with_egress("Private").cidrs(["10.0.10.0/24", "10.0.11.0/24"]),
///     ])
///     .nat_gateways(NatGateways::OnePerAz)
///     .build());
/// assert_eq!(vpc.subnet_ids(SubnetType::Public).len(), 2);
/// app.synth().unwrap();
/// ```
#[derive(Clone)]
pub struct Vpc {
    inner: Rc<VpcInner>,
}

impl std::fmt::Debug for Vpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vpc({})", self.inner.scope.path())
    }
}

fn name_tag(value: impl Into<Value<String>>) -> Vec<Tag> {
    vec![Tag::new("Name", value)]
}

impl Vpc {
    /// Create the VPC and everything in it under `scope/id`. Bad input is
    /// recorded with `scope.error` (synth then fails with all messages).
    pub fn new(scope: &Scope, id: &str, props: VpcProps) -> Vpc {
        let scope = scope.scope(id);
        let az_count = usize::from(props.az_count);
        if !(1..=MAX_AZS).contains(&props.az_count) {
            scope.error(
                "AzCount",
                format!(
                    "az_count {} is not allowed; use 1 to {MAX_AZS} (and no more than the region has)",
                    props.az_count
                ),
            );
        }
        let az_count = az_count.clamp(1, usize::from(MAX_AZS));
        validate_tiers(&scope, &props);

        let specs: Vec<TierSpec> = props
            .subnets
            .iter()
            .map(|s| TierSpec { name: s.name.clone(), cidr_mask: s.cidr_mask, cidrs: s.cidrs.clone() })
            .collect();
        let plan = match cidr::plan(&props.cidr, az_count, &specs) {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    scope.error(&e.property, e.message);
                }
                vec![Vec::new(); props.subnets.len()]
            }
        };

        let vpc: ResourceHandle = scope
            .add(
                "Resource",
                ec2::Vpc::new()
                    .cidr_block(props.cidr.trim())
                    .enable_dns_hostnames(true)
                    .enable_dns_support(true)
                    .instance_tenancy(ec2::vpc::InstanceTenancy::Default)
                    .tags(name_tag(scope.path())),
            )
            .deref()
            .clone();
        let vpc_id = vpc.ref_();

        let has_public = props.subnets.iter().any(|s| s.subnet_type == SubnetType::Public);
        let (igw_id, igw_attachment) = if has_public {
            let igw = scope.add("IGW", ec2::InternetGateway::new().tags(name_tag(scope.path())));
            let att: ResourceHandle = scope
                .add("VPCGW", ec2::VpcGatewayAttachment::new(vpc_id.clone()).internet_gateway_id(igw.ref_()))
                .deref()
                .clone();
            (Some(igw.ref_()), Some(att))
        } else {
            (None, None)
        };

        let mut subnets: Vec<Subnet> = Vec::new();
        let tiers_in_order = [SubnetType::Public, SubnetType::PrivateWithEgress, SubnetType::Isolated];
        // Public tiers first (NAT gateways live there), then the others, but
        // each subnet is created in its own tier's construct scope.
        let mut nat_gateways: Vec<ResourceHandle> = Vec::new();
        for kind in tiers_in_order {
            for (ti, tier) in props.subnets.iter().enumerate() {
                if tier.subnet_type != kind {
                    continue;
                }
                for (az, block) in plan[ti].iter().enumerate() {
                    let sid = format!("{}Subnet{}", tier.name, az + 1);
                    let s = scope.scope(&sid);
                    let subnet: ResourceHandle = s
                        .add(
                            "Subnet",
                            ec2::Subnet::new(vpc_id.clone())
                                .cidr_block(block.to_string())
                                .availability_zone(Value::<String>::select(az as i64, Value::get_azs("")))
                                .map_public_ip_on_launch(kind == SubnetType::Public && tier.map_public_ip_on_launch)
                                .tags(vec![
                                    Tag::new("Name", s.path()),
                                    Tag::new("stackcraft:subnet-name", tier.name.as_str()),
                                    Tag::new("stackcraft:subnet-type", kind.label()),
                                ]),
                        )
                        .deref()
                        .clone();
                    let rt: ResourceHandle = s
                        .add("RouteTable", ec2::RouteTable::new(vpc_id.clone()).tags(name_tag(s.path())))
                        .deref()
                        .clone();
                    let assoc: ResourceHandle = s
                        .add(
                            "RouteTableAssociation",
                            ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
                                route_table_id: rt.ref_(),
                                subnet_id: subnet.ref_(),
                            }),
                        )
                        .deref()
                        .clone();
                    let mut connectivity = vec![assoc];
                    match kind {
                        SubnetType::Public => {
                            if let Some(att) = &igw_attachment {
                                let route: ResourceHandle = s
                                    .add(
                                        "DefaultRoute",
                                        ec2::Route::new(rt.ref_())
                                            .destination_cidr_block("0.0.0.0/0")
                                            .gateway_id(igw_id.clone().unwrap_or_else(|| Value::from(""))),
                                    )
                                    .deref()
                                    .clone();
                                route.add_depends_on(att);
                                connectivity.push(route);
                            }
                            let first_public =
                                props.subnets.iter().position(|t| t.subnet_type == SubnetType::Public) == Some(ti);
                            let wanted = match props.nat_gateways {
                                NatGateways::None => 0,
                                NatGateways::Single => 1,
                                NatGateways::OnePerAz => az_count,
                            };
                            let needs_nat =
                                props.subnets.iter().any(|t| t.subnet_type == SubnetType::PrivateWithEgress);
                            if first_public && az < wanted && needs_nat {
                                let eip = s.add("EIP", ec2::Eip::new().domain("vpc").tags(name_tag(s.path())));
                                let nat: ResourceHandle = s
                                    .add(
                                        "NATGateway",
                                        ec2::NatGateway::new()
                                            .allocation_id(eip.attr_allocation_id())
                                            .subnet_id(subnet.ref_())
                                            .tags(name_tag(s.path())),
                                    )
                                    .deref()
                                    .clone();
                                for c in &connectivity {
                                    nat.add_depends_on(c);
                                }
                                nat_gateways.push(nat);
                            }
                        }
                        SubnetType::PrivateWithEgress => {
                            if !nat_gateways.is_empty() {
                                let nat = &nat_gateways[az % nat_gateways.len()];
                                let route: ResourceHandle = s
                                    .add(
                                        "DefaultRoute",
                                        ec2::Route::new(rt.ref_())
                                            .destination_cidr_block("0.0.0.0/0")
                                            .nat_gateway_id(nat.ref_()),
                                    )
                                    .deref()
                                    .clone();
                                connectivity.push(route);
                            }
                        }
                        SubnetType::Isolated => {}
                    }
                    subnets.push(Subnet {
                        tier: tier.name.clone(),
                        subnet_type: kind,
                        az_index: az,
                        cidr: block.to_string(),
                        handle: subnet,
                        route_table: rt,
                        connectivity,
                    });
                }
            }
        }
        // Keep subnets in the user's tier order for lookups.
        subnets
            .sort_by_key(|s| (props.subnets.iter().position(|t| t.name == s.tier).unwrap_or(usize::MAX), s.az_index));

        let inner = VpcInner {
            scope: scope.clone(),
            handle: vpc,
            cidr: props.cidr.trim().to_owned(),
            az_count,
            subnets,
            nat_gateways,
            igw_attachment,
            interface_endpoints: props.interface_endpoints.iter().map(|e| e.service.trim().to_owned()).collect(),
            gateway_endpoints: props.gateway_endpoints.clone(),
        };
        let this = Vpc { inner: Rc::new(inner) };
        this.add_gateway_endpoints(&props.gateway_endpoints);
        this.add_interface_endpoints(&props.interface_endpoints);
        if props.restrict_default_security_group {
            this.restrict_default_security_group();
        }
        match &props.flow_logs {
            Some(fl) => this.add_flow_logs(fl),
            None => this.inner.scope.warn(
                "vpc.flow-logs",
                "FlowLogs",
                "VPC flow logs are turned off; security reviews (checkov CKV2_AWS_11, CIS 3.9) expect them",
            ),
        }
        this
    }

    fn add_gateway_endpoints(&self, endpoints: &[GatewayEndpoint]) {
        let mut seen = Vec::new();
        for ep in endpoints {
            if seen.contains(ep) {
                continue;
            }
            seen.push(*ep);
            let rts: Vec<Value<String>> = self.inner.subnets.iter().map(Subnet::route_table_id).collect();
            let id = match ep {
                GatewayEndpoint::S3 => "S3GatewayEndpoint",
                GatewayEndpoint::DynamoDb => "DynamoDbGatewayEndpoint",
            };
            self.inner.scope.add(
                id,
                ec2::VpcEndpoint::new(self.vpc_id())
                    .service_name(Value::sub(format!("com.amazonaws.${{AWS::Region}}.{}", ep.short())))
                    .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Gateway)
                    .route_table_ids(rts),
            );
        }
    }

    fn add_interface_endpoints(&self, endpoints: &[InterfaceEndpoint]) {
        if endpoints.is_empty() {
            return;
        }
        let kind = [SubnetType::PrivateWithEgress, SubnetType::Isolated].into_iter().find(|k| self.has_subnets(*k));
        let Some(kind) = kind else {
            self.inner
                .scope
                .error("InterfaceEndpoints", "interface endpoints need a private-with-egress or isolated subnet tier");
            return;
        };
        // One subnet per zone: the first tier of that kind.
        let first_tier = self.inner.subnets.iter().find(|s| s.subnet_type == kind).map(|s| s.tier.clone());
        let subnet_ids: Vec<Value<String>> =
            self.inner.subnets.iter().filter(|s| Some(&s.tier) == first_tier.as_ref()).map(Subnet::subnet_id).collect();
        let mut seen: Vec<&str> = Vec::new();
        for ep in endpoints {
            let svc = ep.service.trim();
            if svc.is_empty() || !svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                self.inner.scope.error(
                    "InterfaceEndpoints",
                    format!("'{svc}' is not a service short name like 'ecr.api', 'logs' or 'secretsmanager'"),
                );
                continue;
            }
            if svc.starts_with("com.amazonaws.") || svc.starts_with("aws.") || svc.starts_with("cn.com.amazonaws.") {
                let short = svc.rsplit_once("com.amazonaws.").map_or(svc, |(_, r)| r);
                let short =
                    short.split_once('.').filter(|(r, _)| validate::region(r).is_ok()).map_or(short, |(_, s)| s);
                self.inner.scope.error(
                    "InterfaceEndpoints",
                    format!(
                        "'{svc}' is a full endpoint service name; give the short name ('{short}'): the endpoint adds 'com.amazonaws.<region>.' itself"
                    ),
                );
                continue;
            }
            if seen.contains(&svc) {
                continue;
            }
            seen.push(svc);
            let id: String = svc
                .split(['.', '-'])
                .map(|p| {
                    let mut c = p.chars();
                    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
                })
                .collect();
            let es = self.inner.scope.scope(&format!("{id}Endpoint"));
            let sg = SecurityGroup::new(
                &es,
                "SecurityGroup",
                SecurityGroupProps::builder()
                    .vpc(self.clone())
                    .description(format!("{} interface endpoint: HTTPS from the VPC", svc))
                    .allow_all_outbound(false)
                    .build(),
            );
            sg.add_ingress_from_cidr(&self.inner.cidr, Port::tcp(443), &format!("HTTPS from the VPC to {svc}"));
            es.add(
                "Resource",
                ec2::VpcEndpoint::new(self.vpc_id())
                    .service_name(Value::sub(format!("com.amazonaws.${{AWS::Region}}.{svc}")))
                    .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Interface)
                    .private_dns_enabled(true)
                    .subnet_ids(subnet_ids.clone())
                    .security_group_ids(vec![sg.id()]),
            );
        }
    }

    fn restrict_default_security_group(&self) {
        let s = self.inner.scope.scope("RestrictDefaultSecurityGroup");
        let default_sg: Value<String> = self.inner.handle.get_att("DefaultSecurityGroup");
        let sg_arn = Value::sub_with(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${GroupId}",
            [("GroupId", default_sg.clone())],
        );
        let role = Role::new(
            &s,
            "Role",
            RoleProps::builder()
                .assumed_by(Principal::service("ssm.amazonaws.com"))
                .trust_conditions(vec![Condition::source_account_is_this_account()])
                .description(format!(
                    "Lets SSM Automation remove the rules of the default security group of {}",
                    self.inner.scope.path()
                ))
                .inline_statements(vec![
                    PolicyStatement::allow()
                        .actions(["ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"])
                        .resource(sg_arn),
                    PolicyStatement::allow()
                        .action("ec2:DescribeSecurityGroups")
                        .all_resources("ec2:DescribeSecurityGroups has no resource-level permissions"),
                ])
                .build(),
        );
        let mut params = std::collections::BTreeMap::new();
        params.insert("GroupId".to_owned(), vec![default_sg]);
        params.insert("AutomationAssumeRole".to_owned(), vec![role.arn()]);
        s.add(
            "Association",
            ssm::Association::new("AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules").parameters(params),
        );
    }

    fn add_flow_logs(&self, fl: &FlowLogs) {
        let s = self.inner.scope.scope("FlowLog");
        let traffic = match fl.traffic_type {
            TrafficType::All => ec2::flow_log::TrafficType::All,
            TrafficType::Accept => ec2::flow_log::TrafficType::Accept,
            TrafficType::Reject => ec2::flow_log::TrafficType::Reject,
        };
        match &fl.destination {
            FlowLogDestination::CloudWatchLogs { retention_days, kms_key_arn } => {
                if !ALLOWED_RETENTION_DAYS.contains(retention_days) {
                    s.error(
                        "RetentionInDays",
                        format!("{retention_days} is not a CloudWatch Logs retention; use one of {ALLOWED_RETENTION_DAYS:?}"),
                    );
                }
                let mut lg = logs::LogGroup::new().retention_in_days(*retention_days);
                if let Some(k) = kms_key_arn {
                    lg = lg.kms_key_id(k.clone());
                }
                let lg = s.add("LogGroup", lg);
                lg.apply_removal_policy(stackcraft_core::DeletionPolicy::Retain);
                if kms_key_arn.is_none() {
                    lg.acknowledge(
                        "logs.kms",
                        "VPC flow logs are encrypted at rest with the CloudWatch Logs service key; pass FlowLogDestination::CloudWatchLogs { kms_key_arn } to use a customer-managed key",
                    );
                }
                let role = Role::new(
                    &s,
                    "IAMRole",
                    RoleProps::builder()
                        .assumed_by(Principal::service("vpc-flow-logs.amazonaws.com"))
                        .trust_conditions(vec![Condition::source_account_is_this_account()])
                        .description(format!(
                            "Delivers the flow logs of {} to CloudWatch Logs",
                            self.inner.scope.path()
                        ))
                        .inline_statements(vec![PolicyStatement::allow()
                            .actions(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"])
                            .resource(lg.attr_arn())])
                        .build(),
                );
                s.add(
                    "FlowLog",
                    ec2::FlowLog::new(ec2::FlowLogRequired {
                        resource_id: self.vpc_id(),
                        resource_type: ec2::flow_log::ResourceType::Vpc.into(),
                    })
                    .traffic_type(traffic.clone())
                    .log_destination_type(ec2::flow_log::LogDestinationType::CloudWatchLogs)
                    .log_group_name(lg.ref_())
                    .deliver_logs_permission_arn(role.arn())
                    .tags(name_tag(s.path())),
                );
            }
            FlowLogDestination::S3 { bucket_arn } => {
                if let Value::Lit(a) = bucket_arn {
                    // `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/prefix/`.
                    let bucket = validate::names::arn(a, &validate::names::aws::BUCKET_ARN)
                        .map(|arn| arn.resource.split('/').next().unwrap_or_default().to_owned());
                    if let Err(m) = bucket
                        .map_err(|e| e.to_string())
                        .and_then(|b| validate::names::aws::BUCKET_NAME.check(&b).map_err(|e| e.to_string()))
                    {
                        s.error("LogDestination", m);
                    }
                }
                s.add(
                    "FlowLog",
                    ec2::FlowLog::new(ec2::FlowLogRequired {
                        resource_id: self.vpc_id(),
                        resource_type: ec2::flow_log::ResourceType::Vpc.into(),
                    })
                    .traffic_type(traffic.clone())
                    .log_destination_type(ec2::flow_log::LogDestinationType::S3)
                    .log_destination(bucket_arn.clone())
                    .tags(name_tag(s.path())),
                );
            }
        }
    }

    /// `Ref` of the VPC (its id).
    pub fn vpc_id(&self) -> Value<String> {
        self.inner.handle.ref_()
    }

    /// The VPC's CIDR block as given.
    pub fn cidr(&self) -> &str {
        &self.inner.cidr
    }

    /// `Fn::GetAtt CidrBlock`.
    pub fn vpc_cidr_block(&self) -> Value<String> {
        self.inner.handle.get_att("CidrBlock")
    }

    /// The VPC resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.inner.handle
    }

    /// The construct scope of the VPC.
    pub fn scope(&self) -> &Scope {
        &self.inner.scope
    }

    /// How many zones the VPC spans.
    pub fn az_count(&self) -> usize {
        self.inner.az_count
    }

    /// The zones (`Fn::Select` over `Fn::GetAZs`), in zone order.
    pub fn availability_zones(&self) -> Vec<Value<String>> {
        (0..self.inner.az_count).map(|i| Value::select(i as i64, Value::get_azs(""))).collect()
    }

    /// The ids of all subnets of a kind (every tier of that kind, zone order
    /// within each tier).
    pub fn subnet_ids(&self, kind: SubnetType) -> Vec<Value<String>> {
        self.subnets(kind).iter().map(Subnet::subnet_id).collect()
    }

    /// The subnets of a kind.
    pub fn subnets(&self, kind: SubnetType) -> Vec<Subnet> {
        self.inner.subnets.iter().filter(|s| s.subnet_type == kind).cloned().collect()
    }

    /// The subnets of one tier by name.
    pub fn tier_subnets(&self, tier: &str) -> Vec<Subnet> {
        self.inner.subnets.iter().filter(|s| s.tier == tier).cloned().collect()
    }

    /// Whether the VPC has the interface endpoint `short_name` (`"logs"`, `"ecr.api"`).
    pub fn has_interface_endpoint(&self, short_name: &str) -> bool {
        self.inner.interface_endpoints.iter().any(|e| e == short_name)
    }

    /// Whether the VPC has the gateway endpoint `ep`.
    pub fn has_gateway_endpoint(&self, ep: GatewayEndpoint) -> bool {
        self.inner.gateway_endpoints.contains(&ep)
    }

    /// Whether the VPC has subnets of `kind`.
    pub fn has_subnets(&self, kind: SubnetType) -> bool {
        self.inner.subnets.iter().any(|s| s.subnet_type == kind)
    }

    /// The NAT gateway resources.
    pub fn nat_gateways(&self) -> &[ResourceHandle] {
        &self.inner.nat_gateways
    }

    /// Resources that must exist before anything reaches the internet from
    /// `kind` subnets (associations, default routes, the IGW attachment):
    /// make internet-facing load balancers depend on them.
    pub fn internet_connectivity_established(&self, kind: SubnetType) -> Vec<ResourceHandle> {
        let mut out: Vec<ResourceHandle> = self.inner.igw_attachment.iter().cloned().collect();
        for s in self.inner.subnets.iter().filter(|s| s.subnet_type == kind) {
            out.extend(s.connectivity.iter().cloned());
        }
        out
    }
}

fn validate_tiers(scope: &Scope, props: &VpcProps) {
    if props.subnets.is_empty() {
        scope.error("Subnets", "a VPC needs at least one subnet tier (public, private-with-egress or isolated)");
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, t) in props.subnets.iter().enumerate() {
        if t.name.is_empty() || !t.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            scope.error(
                &format!("SubnetConfiguration[{i}].Name"),
                format!("tier name '{}' must be non-empty and alphanumeric (it becomes part of construct ids)", t.name),
            );
        }
        if names.contains(&t.name.as_str()) {
            scope.error(
                &format!("SubnetConfiguration[{i}].Name"),
                format!("tier name '{}' is used twice; tier names must be unique", t.name),
            );
        }
        names.push(&t.name);
        if t.map_public_ip_on_launch && t.subnet_type != SubnetType::Public {
            scope.error(
                &format!("SubnetConfiguration[{i}].MapPublicIpOnLaunch"),
                format!("tier '{}' is not public; only public tiers may auto-assign public IPs", t.name),
            );
        }
    }
    let has = |k: SubnetType| props.subnets.iter().any(|t| t.subnet_type == k);
    if props.nat_gateways != NatGateways::None && has(SubnetType::PrivateWithEgress) && !has(SubnetType::Public) {
        scope.error(
            "NatGateways",
            "NAT gateways need a public subnet tier to live in; add SubnetConfiguration::public(..) or use NatGateways::None with isolated tiers",
        );
    }
    if props.nat_gateways == NatGateways::None && has(SubnetType::PrivateWithEgress) {
        scope.error(
            "NatGateways",
            "private-with-egress tiers need NAT gateways (NatGateways::Single or NatGateways::OnePerAz); use SubnetConfiguration::isolated(..) for subnets without internet egress",
        );
    }
}

#[cfg(test)]
mod nat_serde_tests {
    use super::NatGateways;

    #[test]
    fn a_config_names_the_nat_choice() {
        assert_eq!(serde_json::from_str::<NatGateways>("\"one_per_az\"").unwrap(), NatGateways::OnePerAz);
        assert_eq!(serde_json::to_string(&NatGateways::Single).unwrap(), "\"single\"");
        let e = serde_json::from_str::<NatGateways>("\"two\"").unwrap_err().to_string();
        assert!(e.starts_with("unknown variant `two`, expected one of `none`, `single`, `one_per_az`"), "{e}");
    }
}
