//! MSK Serverless ([`ServerlessKafkaCluster`]): a Kafka cluster with IAM
//! client authentication (SASL/IAM on port 9098) in the VPC's private
//! subnets, its security group, and least-privilege `kafka-cluster:*` grants
//! on the cluster, named topics and consumer groups.
//!
//! # Bootstrap brokers
//!
//! CloudFormation exposes no bootstrap-broker attribute for serverless
//! clusters (only `Arn`). The cluster ARN is the output
//! ([`ServerlessKafkaCluster::arn`]); clients call `kafka:GetBootstrapBrokers`
//! with it at startup (`BootstrapBrokerStringSaslIam`, port 9098), which
//! [`ServerlessKafkaCluster::grant_connect`] allows on exactly this cluster.
//! (Resolving it at deploy time would need a Lambda-backed custom resource.)

use stackcraft_cfn::msk;
use stackcraft_core::{ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement};
use stackcraft_vpc::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps, SubnetType, Vpc};
use typed_builder::TypedBuilder;

/// The port of SASL/IAM client connections to MSK.
pub const MSK_IAM_PORT: u16 = 9098;

/// Properties of a [`ServerlessKafkaCluster`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ServerlessKafkaClusterProps {
    /// The VPC.
    pub vpc: Vpc,
    /// The cluster name (1–64 of `A-Z a-z 0-9 -`, starting with a letter or
    /// digit), unique in the account and region: include the environment,
    /// e.g. `order-tracking-dev`. Changing it replaces the cluster.
    #[builder(setter(into))]
    pub cluster_name: String,
    /// Subnets for the cluster's endpoints. Default: the VPC's isolated
    /// subnets if it has any, else its private subnets. Public subnets are
    /// rejected. At least 2 availability zones.
    #[builder(default, setter(strip_option))]
    pub subnet_type: Option<SubnetType>,
}

/// An MSK Serverless cluster (`AWS::MSK::ServerlessCluster`) with IAM client
/// authentication, in private subnets, behind its own security group
/// (no egress; ingress only as opened through [`HasConnections`], default
/// port 9098).
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_iam::{Role, RoleProps, ServicePrincipal};
/// use stackcraft_messaging::{ServerlessKafkaCluster, ServerlessKafkaClusterProps};
/// use stackcraft_vpc::{Vpc, VpcProps};
///
/// let app = App::new("demo");
/// let stack = app.stack("Main");
/// let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
/// let kafka = ServerlessKafkaCluster::new(&stack, "Kafka",
///     ServerlessKafkaClusterProps::builder().vpc(vpc).cluster_name("orders-dev").build());
/// let role = Role::new(&stack, "App", RoleProps::builder()
///     .assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build());
/// kafka.grant_write_topic(&role, "orders");
/// kafka.grant_read_topic(&role, "shipments");
/// kafka.grant_consume_group(&role, "tracker");
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct ServerlessKafkaCluster {
    scope: Scope,
    handle: ResourceHandle,
    security_group: SecurityGroup,
}

impl ServerlessKafkaCluster {
    /// Add a cluster with construct id `id` under `scope`; the resource is
    /// `<id>/Resource`, its security group `<id>/SecurityGroup`.
    pub fn new(scope: &Scope, id: &str, props: ServerlessKafkaClusterProps) -> Self {
        let scope = scope.scope(id);
        let n = &props.cluster_name;
        let name_ok = !n.is_empty()
            && n.len() <= 64
            && n.starts_with(|c: char| c.is_ascii_alphanumeric())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !name_ok {
            scope.error(
                "ClusterName",
                format!("cluster name {n:?}: 1-64 characters of A-Z a-z 0-9 -, starting with a letter or digit"),
            );
        }
        let subnet_type = props.subnet_type.unwrap_or(if props.vpc.has_subnets(SubnetType::Isolated) {
            SubnetType::Isolated
        } else {
            SubnetType::PrivateWithEgress
        });
        if subnet_type == SubnetType::Public {
            scope.error(
                "VpcConfigs",
                "an MSK cluster must not be placed in public subnets: use SubnetType::Isolated or PrivateWithEgress",
            );
        }
        let subnets = props.vpc.subnet_ids(subnet_type);
        if subnets.len() < 2 {
            scope.error(
                "VpcConfigs",
                format!(
                    "MSK Serverless needs subnets in at least 2 availability zones; the VPC has {} {} subnet(s)",
                    subnets.len(),
                    subnet_type.label()
                ),
            );
        }
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::builder()
                .vpc(props.vpc.clone())
                .description(format!("MSK Serverless cluster {}", scope.path()))
                .allow_all_outbound(false)
                .build(),
        );
        let auth = msk::serverless_cluster::ClientAuthentication::new(msk::serverless_cluster::Sasl::new(
            msk::serverless_cluster::Iam::new(true),
        ));
        let vpc_config = msk::serverless_cluster::VpcConfig::new(subnets).security_groups(vec![security_group.id()]);
        let l1 = msk::ServerlessCluster::new(msk::ServerlessClusterRequired {
            client_authentication: auth.into(),
            cluster_name: n.as_str().into(),
            vpc_configs: vec![vpc_config].into(),
        });
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        ServerlessKafkaCluster { scope, handle, security_group }
    }

    /// The cluster ARN (`Ref`),
    /// `arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`.
    pub fn arn(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The ARN of a topic (or `prefix*` topics) of this cluster:
    /// `arn:...:topic/<name>/<uuid>/<topic>`, built from the cluster ARN.
    pub fn topic_arn(&self, topic: &str) -> Value<String> {
        self.sibling_arn("topic", topic)
    }

    /// The ARN of a consumer group (or `prefix*` groups) of this cluster:
    /// `arn:...:group/<name>/<uuid>/<group>`.
    pub fn group_arn(&self, group: &str) -> Value<String> {
        self.sibling_arn("group", group)
    }

    fn sibling_arn(&self, kind: &str, name: &str) -> Value<String> {
        let parts = || Value::<Vec<Value<String>>>::split(":cluster/", self.arn());
        Value::join_raw(
            "",
            [
                Value::<String>::select(0, parts()),
                Value::from(format!(":{kind}/")),
                Value::<String>::select(1, parts()),
                Value::from(format!("/{name}")),
            ],
        )
    }

    /// The cluster's security group.
    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    /// The `AWS::MSK::ServerlessCluster` resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    fn check_name(&self, what: &str, name: &str) -> bool {
        let stem = name.strip_suffix('*').unwrap_or(name);
        let ok = !stem.is_empty()
            && name.len() <= 249
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !ok {
            self.scope.error(
                "Policies",
                format!(
                    "{what} name {name:?}: 1-249 characters of A-Z a-z 0-9 . _ -, optionally ending in '*' \
                     for a prefix (a bare '*' would grant every {what})"
                ),
            );
        }
        ok
    }

    /// Allow `grantee` to connect (`kafka-cluster:Connect`,
    /// `kafka-cluster:DescribeCluster`) and to look up the bootstrap brokers
    /// (`kafka:GetBootstrapBrokers`, `kafka:DescribeClusterV2`), all on this
    /// cluster's ARN only.
    pub fn grant_connect(&self, grantee: &dyn Grantable) {
        let role = grantee.grant_principal();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "kafka-cluster:Connect",
                    "kafka-cluster:DescribeCluster",
                    "kafka:DescribeClusterV2",
                    "kafka:GetBootstrapBrokers",
                ])
                .resource(self.arn()),
        );
    }

    /// Allow `grantee` to read topic `topic` (`kafka-cluster:DescribeTopic`,
    /// `kafka-cluster:ReadData` on its ARN; `prefix*` for a family of
    /// topics), plus [`Self::grant_connect`]. Consumers also need
    /// [`Self::grant_consume_group`].
    pub fn grant_read_topic(&self, grantee: &dyn Grantable, topic: &str) {
        if !self.check_name("topic", topic) {
            return;
        }
        self.grant_connect(grantee);
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"])
                .resource(self.topic_arn(topic)),
        );
    }

    /// Allow `grantee` to write to topic `topic` (`kafka-cluster:DescribeTopic`,
    /// `kafka-cluster:WriteData` on its ARN), idempotently
    /// (`kafka-cluster:WriteDataIdempotently` on the cluster: the default of
    /// Kafka 3 producers), plus [`Self::grant_connect`].
    pub fn grant_write_topic(&self, grantee: &dyn Grantable, topic: &str) {
        if !self.check_name("topic", topic) {
            return;
        }
        self.grant_connect(grantee);
        let role = grantee.grant_principal();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"])
                .resource(self.topic_arn(topic)),
        );
        role.add_to_policy(PolicyStatement::allow().action("kafka-cluster:WriteDataIdempotently").resource(self.arn()));
    }

    /// Allow `grantee` to consume as group `group` (`kafka-cluster:DescribeGroup`,
    /// `kafka-cluster:AlterGroup` on its ARN), plus [`Self::grant_connect`].
    pub fn grant_consume_group(&self, grantee: &dyn Grantable, group: &str) {
        if !self.check_name("group", group) {
            return;
        }
        self.grant_connect(grantee);
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"])
                .resource(self.group_arn(group)),
        );
    }
}

impl HasConnections for ServerlessKafkaCluster {
    /// The cluster's security group with default port 9098 (SASL/IAM):
    /// `kafka.connections().allow_default_port_from(&service)`.
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], Some(Port::tcp(MSK_IAM_PORT)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::{App, Assembly};
    use stackcraft_iam::{Role, RoleProps, ServicePrincipal};
    use stackcraft_vpc::{NatGateways, SubnetConfiguration, VpcProps};

    fn sample(topic: &str) -> (App, Role, ServerlessKafkaCluster) {
        let app = App::new("ot");
        stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
        let stack = app.stack("Kafka");
        let vpc = Vpc::new(
            &stack,
            "Vpc",
            VpcProps::builder()
                .subnets(vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")])
                .nat_gateways(NatGateways::None)
                .build(),
        );
        let kafka = ServerlessKafkaCluster::new(
            &stack,
            "Cluster",
            ServerlessKafkaClusterProps::builder().vpc(vpc.clone()).cluster_name("ot-dev").build(),
        );
        let role = Role::new(
            &stack,
            "App",
            RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
        );
        kafka.grant_write_topic(&role, topic);
        kafka.grant_read_topic(&role, "shipments");
        kafka.grant_consume_group(&role, "tracker");
        let clients = SecurityGroup::new(
            &stack,
            "Clients",
            SecurityGroupProps::builder()
                .vpc(vpc.clone())
                .description("Kafka clients")
                .allow_all_outbound(false)
                .build(),
        );
        kafka.connections().allow_default_port_from(&Connections::new(vec![clients], None));
        (app, role, kafka)
    }

    fn synth(app: &App) -> Assembly {
        app.synth().expect("synth")
    }

    #[test]
    fn grants_are_exact() {
        let (app, role, kafka) = sample("orders");
        let doc = role.policy_document().to_json();
        let text = doc.to_string();
        for a in [
            "kafka-cluster:Connect",
            "kafka-cluster:WriteData",
            "kafka-cluster:WriteDataIdempotently",
            "kafka-cluster:ReadData",
            "kafka-cluster:AlterGroup",
        ] {
            assert!(text.contains(a), "{a}: {text}");
        }
        assert!(!text.contains("kafka-cluster:*") && !text.contains("\"*\""), "{text}");
        let topic = stackcraft_core::ToCfn::to_cfn(&kafka.topic_arn("orders")).to_string();
        assert!(topic.contains(":topic/") && topic.contains("/orders") && topic.contains(":cluster/"), "{topic}");
        let t = &synth(&app).stacks[0].template;
        let p = &t["Resources"][kafka.handle().logical_id()]["Properties"];
        assert_eq!(p["ClientAuthentication"]["Sasl"]["Iam"]["Enabled"], true);
        assert_eq!(p["ClusterName"], "ot-dev");
        let rules: Vec<_> = t["Resources"]
            .as_object()
            .expect("resources")
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
            .collect();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0]["Properties"]["FromPort"], 9098);
    }

    #[test]
    fn wildcard_names_are_errors() {
        let (app, _, _) = sample("*");
        let err = app.synth().expect_err("bare wildcard").to_string();
        assert!(
            err.contains(
                "Kafka/Cluster [Policies]: topic name \"*\": 1-249 characters of A-Z a-z 0-9 . _ -, optionally \
                 ending in '*' for a prefix (a bare '*' would grant every topic)"
            ),
            "{err}"
        );
        let (app, role, _) = sample("orders.*");
        assert!(role.policy_document().to_json().to_string().contains("/orders.*"));
        assert!(app.synth().is_ok());
    }

    #[test]
    fn bad_name_and_public_subnets() {
        let app = App::new("ot");
        let stack = app.stack("Kafka");
        let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build());
        ServerlessKafkaCluster::new(
            &stack,
            "Cluster",
            ServerlessKafkaClusterProps::builder()
                .vpc(vpc)
                .cluster_name("ot_dev")
                .subnet_type(SubnetType::Public)
                .build(),
        );
        let err = app.synth().expect_err("bad").to_string();
        assert!(err.contains("Kafka/Cluster [ClusterName]: cluster name \"ot_dev\""), "{err}");
        assert!(
            err.contains("Kafka/Cluster [VpcConfigs]: an MSK cluster must not be placed in public subnets"),
            "{err}"
        );
    }

    #[test]
    fn snapshot() {
        let (app, _, _) = sample("orders");
        insta::assert_json_snapshot!(synth(&app).stacks[0].template);
    }

    #[test]
    fn cfn_lint_and_checkov_are_clean() {
        let (app, _, _) = sample("orders");
        let asm = synth(&app);
        stackcraft_testing::assert_cfn_lint_clean(&asm);
        stackcraft_testing::assert_checkov_clean(&asm);
    }
}
