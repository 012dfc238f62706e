//! ElastiCache for Redis OSS / Valkey ([`ReplicationGroup`]): private,
//! encrypted in transit and at rest, highly available, backed up, logged.
//!
//! # The AUTH token and the connection URL
//!
//! With TLS on (the default) the group is protected by an AUTH token that
//! Secrets Manager generates into a [`Secret`] (`{"username": "default",
//! "password": ...}`, 32 letters and digits: valid for ElastiCache and safe in
//! a URL). The replication group gets it through the dynamic reference
//! `{{resolve:secretsmanager:<arn>:SecretString:password}}`, resolved by
//! CloudFormation at deploy time, so the token never appears in the template,
//! its events or outputs.
//!
//! Applications usually want one URL, so a second secret,
//! [`ReplicationGroup::connection_url_secret`], holds
//! `rediss://:<token>@<primary-endpoint>:<port>` (the configuration endpoint in
//! cluster mode), composed by `Fn::Sub` of the endpoint attributes and the same
//! dynamic reference: again the template holds only the reference. Limit: the
//! token is not rotated automatically (a rotation would leave the URL secret
//! stale until the next deploy), as for the PostgreSQL `DATABASE_URL`.
//!
//! # Metrics per node
//!
//! ElastiCache publishes host and engine metrics per member cluster:
//! `<group>-001`, `<group>-002`, ... (cluster mode disabled) or
//! `<group>-0001-001`, ... (cluster mode, per shard). [`ReplicationGroup::member_ids`]
//! lists them (from the group's `Ref`, so a generated group id works too), the
//! `metric_*` helpers return one [`Metric`] per member, and
//! [`ReplicationGroup::alarm_on_every_node`] creates one alarm per member.

use serde_json::json;
use stackcraft_cfn::elasticache;
use stackcraft_cfn::elasticache::replication_group as rg;
use stackcraft_core::{DeletionPolicy, ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, SecretSource};
use stackcraft_observability::{
    Alarm, AlarmProps, Key, LogGroup, LogGroupEncryption, LogGroupProps, Metric, RetentionDays, Statistic, Unit,
};
use stackcraft_vpc::{Connections, HasConnections, Port, SecurityGroup, SecurityGroupProps, SubnetType, Vpc};
use typed_builder::TypedBuilder;

use crate::secret::{GeneratedSecret, Secret, SecretProps, SecretValue};

/// Engine and version of a [`ReplicationGroup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CacheEngine {
    /// Redis OSS 6.2.
    Redis6_2,
    /// Redis OSS 7.0.
    Redis7_0,
    /// Redis OSS 7.1 (default).
    #[default]
    Redis7_1,
    /// Valkey 7.2.
    Valkey7_2,
    /// Valkey 8.0.
    Valkey8_0,
    /// Valkey 8.1.
    Valkey8_1,
}

impl CacheEngine {
    /// The `Engine` value: `redis` or `valkey`.
    pub fn engine(self) -> &'static str {
        match self {
            CacheEngine::Redis6_2 | CacheEngine::Redis7_0 | CacheEngine::Redis7_1 => "redis",
            CacheEngine::Valkey7_2 | CacheEngine::Valkey8_0 | CacheEngine::Valkey8_1 => "valkey",
        }
    }

    /// The `EngineVersion` value, e.g. `7.1`.
    pub fn version(self) -> &'static str {
        match self {
            CacheEngine::Redis6_2 => "6.2",
            CacheEngine::Redis7_0 => "7.0",
            CacheEngine::Redis7_1 => "7.1",
            CacheEngine::Valkey7_2 => "7.2",
            CacheEngine::Valkey8_0 => "8.0",
            CacheEngine::Valkey8_1 => "8.1",
        }
    }
}

/// The node families ElastiCache offers for Redis OSS / Valkey with
/// encryption in transit and at rest (current generations; `r6gd` is data
/// tiering).
pub const CACHE_NODE_FAMILIES: [&str; 10] = ["c7gn", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "t3", "t4g"];

/// Cluster mode (sharding) of a [`ReplicationGroup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClusterMode {
    /// One shard: a primary and its replicas (default).
    #[default]
    Disabled,
    /// Data partitioned over this many shards (1-500), each with
    /// [`ReplicationGroupProps::nodes_per_shard`] nodes.
    Enabled {
        /// Number of shards.
        shards: u32,
    },
}

/// Settings of a [`ReplicationGroup`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ReplicationGroupProps {
    /// The VPC to place the nodes in.
    pub vpc: Vpc,
    /// Engine and version. Default [`CacheEngine::Redis7_1`].
    #[builder(default)]
    pub engine: CacheEngine,
    /// Node type, e.g. `cache.t4g.small` (validated: `cache.` prefix and a
    /// known family, see [`CACHE_NODE_FAMILIES`]). Default `cache.t4g.micro`.
    #[builder(default = "cache.t4g.micro".to_string(), setter(into))]
    pub node_type: String,
    /// Nodes per shard: the primary and 0 to 5 replicas (1-6). Default 2.
    #[builder(default = 2)]
    pub nodes_per_shard: u32,
    /// Multi-AZ with automatic failover (needs at least 2 nodes per shard).
    /// Default: on when there are at least 2 nodes per shard.
    #[builder(default, setter(strip_option))]
    pub multi_az: Option<bool>,
    /// Cluster mode. Default [`ClusterMode::Disabled`].
    #[builder(default)]
    pub cluster_mode: ClusterMode,
    /// Subnets: isolated if the VPC has some, else private. Public subnets
    /// are rejected.
    #[builder(default, setter(strip_option))]
    pub subnet_type: Option<SubnetType>,
    /// Port. Default 6379.
    #[builder(default = 6379)]
    pub port: u16,
    /// TLS in transit with an AUTH token (default `true`). Turning it off
    /// removes the token and carries checkov skips saying so.
    #[builder(default = true)]
    pub tls: bool,
    /// KMS key for encryption at rest, the token secrets and the log group.
    /// Default: the stack's shared key ([`Key::share_in_stack`]), else a new
    /// key.
    #[builder(default, setter(strip_option))]
    pub encryption_key: Option<Key>,
    /// Explicit replication group id (1-40 lowercase letters, digits and
    /// hyphens, starting with a letter). Default: generated.
    #[builder(default, setter(strip_option, into))]
    pub replication_group_id: Option<String>,
    /// Days of automatic daily snapshots (0-35; 0 turns them off). Default 7.
    #[builder(default = 7)]
    pub snapshot_retention_days: u32,
    /// Name of the log group receiving the slow log and the engine log
    /// (e.g. `/aws/elasticache/redis/coldchain-prod`). Default: generated.
    #[builder(default, setter(strip_option, into))]
    pub log_group_name: Option<String>,
    /// Retention of the log group. Default one year.
    #[builder(default = RetentionDays::OneYear)]
    pub log_retention: RetentionDays,
    /// What happens to the group when it leaves the stack. Default
    /// [`DeletionPolicy::Snapshot`] (a final snapshot is kept).
    #[builder(default = DeletionPolicy::Snapshot)]
    pub removal_policy: DeletionPolicy,
}

/// An ElastiCache replication group (`AWS::ElastiCache::ReplicationGroup`)
/// for Redis OSS or Valkey, with its subnet group, security group, AUTH token
/// and connection-URL secrets, and a log group for the slow and engine logs.
///
/// See the [module documentation](self) for how the token is handled.
#[derive(Debug, Clone)]
pub struct ReplicationGroup {
    handle: elasticache::ReplicationGroupRef,
    security_group: SecurityGroup,
    token: Option<Secret>,
    url: Secret,
    log_group: LogGroup,
    key: Key,
    port: u16,
    shards: u32,
    nodes_per_shard: u32,
    cluster_mode: bool,
}

impl ReplicationGroup {
    /// Add a replication group with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: ReplicationGroupProps) -> ReplicationGroup {
        let scope = scope.scope(id);
        validate(&scope, &props);
        let nodes = props.nodes_per_shard.clamp(1, 6);
        let multi_az = props.multi_az.unwrap_or(nodes >= 2) && nodes >= 2;
        let shards = match props.cluster_mode {
            ClusterMode::Disabled => 1,
            ClusterMode::Enabled { shards } => shards.clamp(1, 500),
        };
        let key = Key::for_resource(
            &scope,
            props.encryption_key.clone(),
            &format!("cache {}", scope.path()),
            DeletionPolicy::Retain,
        );

        let subnet_type = props.subnet_type.unwrap_or(if props.vpc.has_subnets(SubnetType::Isolated) {
            SubnetType::Isolated
        } else {
            SubnetType::PrivateWithEgress
        });
        if subnet_type == SubnetType::Public {
            scope.error(
                "CacheSubnetGroupName",
                "a cache must not be placed in public subnets: use SubnetType::Isolated or PrivateWithEgress",
            );
        }
        let subnets = props.vpc.subnet_ids(subnet_type);
        if multi_az && subnets.len() < 2 {
            scope.error(
                "CacheSubnetGroupName",
                format!(
                    "Multi-AZ needs subnets in at least 2 availability zones; the VPC has {} {} subnet(s)",
                    subnets.len(),
                    subnet_type.label()
                ),
            );
        }
        let subnet_group = scope
            .add("SubnetGroup", elasticache::SubnetGroup::new(format!("Subnets of cache {}", scope.path()), subnets));
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            &props.vpc,
            SecurityGroupProps::builder()
                .description(format!("Cache {}", scope.path()))
                .allow_all_outbound(false)
                .build(),
        );

        let log_group = LogGroup::new(&scope, "Logs", {
            let mut p = LogGroupProps::builder()
                .retention(props.log_retention)
                .encryption(LogGroupEncryption::Key(key.clone()))
                .build();
            p.log_group_name = props.log_group_name.clone().map(Value::from);
            p
        });
        let delivery = |log_type: &str| {
            Value::from(rg::LogDeliveryConfigurationRequest::new(
                rg::DestinationDetails::new()
                    .cloud_watch_logs_details(rg::CloudWatchLogsDestinationDetails::new(log_group.name())),
                "cloudwatch-logs",
                "json",
                log_type,
            ))
        };

        let mut group = elasticache::ReplicationGroup::new(format!("Cache {}", scope.path()))
            .engine(props.engine.engine())
            .engine_version(props.engine.version())
            .cache_node_type(props.node_type.clone())
            .cache_subnet_group_name(subnet_group.ref_())
            .security_group_ids(vec![security_group.id()])
            .port(i64::from(props.port))
            .multi_az_enabled(multi_az)
            .automatic_failover_enabled(multi_az || props.cluster_mode != ClusterMode::Disabled)
            .at_rest_encryption_enabled(true)
            .kms_key_id(key.arn())
            .transit_encryption_enabled(props.tls)
            .auto_minor_version_upgrade(true)
            .snapshot_retention_limit(i64::from(props.snapshot_retention_days.min(35)))
            .log_delivery_configurations(vec![delivery("slow-log"), delivery("engine-log")]);
        group = match props.cluster_mode {
            ClusterMode::Disabled => group.num_cache_clusters(i64::from(nodes)),
            ClusterMode::Enabled { .. } => group
                .cluster_mode("enabled")
                .num_node_groups(i64::from(shards))
                .replicas_per_node_group(i64::from(nodes - 1)),
        };
        if let Some(id) = &props.replication_group_id {
            group = group.replication_group_id(id.clone());
        }
        let token = props.tls.then(|| {
            Secret::new(
                &scope,
                "AuthToken",
                SecretProps::builder()
                    .description(format!("AUTH token of cache {}", scope.path()))
                    .encryption_key(key.clone())
                    .value(SecretValue::Generated(
                        GeneratedSecret::builder()
                            .length(32)
                            .exclude_punctuation(true)
                            .secret_string_template(json!({ "username": "default" }))
                            .generate_string_key("password")
                            .build(),
                    ))
                    .build(),
            )
        });
        if let Some(t) = &token {
            group = group.auth_token(t.field_reference("password"));
        }
        let handle = scope.add("Resource", group);
        handle.apply_removal_policy(props.removal_policy);
        if !props.tls {
            for rule in ["elasticache.tls", "elasticache.auth"] {
                handle.acknowledge(
                    rule,
                    "TLS in transit turned off explicitly (ReplicationGroupProps::tls = false); no AUTH token",
                );
            }
        }

        let (host, port_attr) = match props.cluster_mode {
            ClusterMode::Disabled => (handle.attr_primary_end_point_address(), handle.attr_primary_end_point_port()),
            ClusterMode::Enabled { .. } => {
                (handle.attr_configuration_end_point_address(), handle.attr_configuration_end_point_port())
            }
        };
        let url_value = match &token {
            Some(t) => Value::sub_with(
                "rediss://:{{resolve:secretsmanager:${Token}:SecretString:password}}@${Host}:${Port}",
                [("Token", t.arn()), ("Host", host), ("Port", port_attr)],
            ),
            None => Value::sub_with("redis://${Host}:${Port}", [("Host", host), ("Port", port_attr)]),
        };
        let url = Secret::new(
            &scope,
            "ConnectionUrl",
            SecretProps::builder()
                .description(format!("REDIS_URL (rediss://...) of cache {}", scope.path()))
                .encryption_key(key.clone())
                .value(SecretValue::Derived(url_value))
                // Derived data: nothing is lost when it goes.
                .removal_policy(DeletionPolicy::Delete)
                .build(),
        );

        ReplicationGroup {
            handle,
            security_group,
            token,
            url,
            log_group,
            key,
            port: props.port,
            shards,
            nodes_per_shard: nodes,
            cluster_mode: props.cluster_mode != ClusterMode::Disabled,
        }
    }

    /// The replication group id (`Ref`).
    pub fn replication_group_id(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The primary endpoint address (cluster mode disabled).
    pub fn primary_endpoint_address(&self) -> Value<String> {
        self.handle.attr_primary_end_point_address()
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The secret holding the AUTH token (`password` field), when TLS is on.
    pub fn auth_token_secret(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// The secret holding `rediss://:<token>@<host>:<port>`, ready to inject
    /// as `REDIS_URL`.
    pub fn connection_url_secret(&self) -> &Secret {
        &self.url
    }

    /// The log group receiving the slow log and the engine log.
    pub fn log_group(&self) -> &LogGroup {
        &self.log_group
    }

    /// The KMS key encrypting the data, the secrets and the logs.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The security group of the nodes.
    pub fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }

    /// The underlying `AWS::ElastiCache::ReplicationGroup` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Allow `grantee` to read the connection URL secret (and its key
    /// through Secrets Manager).
    pub fn grant_read_connection_url(&self, grantee: &dyn Grantable) {
        self.url.grant_read(grantee);
    }

    /// The member cluster ids, one per node: `<group>-001`, `<group>-002`, ...
    /// or, in cluster mode, `<group>-0001-001`, ... per shard.
    pub fn member_ids(&self) -> Vec<Value<String>> {
        let group = self.replication_group_id();
        let mut ids = Vec::new();
        for shard in 1..=self.shards {
            for node in 1..=self.nodes_per_shard {
                let suffix = if self.cluster_mode { format!("{shard:04}-{node:03}") } else { format!("{node:03}") };
                ids.push(Value::sub_with(format!("${{Group}}-{suffix}"), [("Group", group.clone())]));
            }
        }
        ids
    }

    /// One metric of namespace `AWS/ElastiCache` per node
    /// (dimension `CacheClusterId` = the member id), average over 5 minutes.
    pub fn metric_per_node(&self, name: &str) -> Vec<Metric> {
        self.member_ids()
            .into_iter()
            .map(|id| Metric::new("AWS/ElastiCache", name).dimension("CacheClusterId", id))
            .collect()
    }

    /// `CPUUtilization` of each node's host (average, percent).
    pub fn metric_cpu_utilization(&self) -> Vec<Metric> {
        self.metric_per_node("CPUUtilization").into_iter().map(|m| m.unit(Unit::Percent)).collect()
    }

    /// `EngineCPUUtilization`: the Redis/Valkey engine thread of each node
    /// (average, percent; the better signal on nodes with 4 vCPUs or more).
    pub fn metric_engine_cpu_utilization(&self) -> Vec<Metric> {
        self.metric_per_node("EngineCPUUtilization").into_iter().map(|m| m.unit(Unit::Percent)).collect()
    }

    /// `DatabaseMemoryUsagePercentage` of each node (average, percent).
    pub fn metric_memory_usage_percentage(&self) -> Vec<Metric> {
        self.metric_per_node("DatabaseMemoryUsagePercentage").into_iter().map(|m| m.unit(Unit::Percent)).collect()
    }

    /// `Evictions` of each node (sum, count).
    pub fn metric_evictions(&self) -> Vec<Metric> {
        self.metric_per_node("Evictions").into_iter().map(|m| m.statistic(Statistic::Sum).unit(Unit::Count)).collect()
    }

    /// `CurrConnections` of each node (average, count).
    pub fn metric_current_connections(&self) -> Vec<Metric> {
        self.metric_per_node("CurrConnections").into_iter().map(|m| m.unit(Unit::Count)).collect()
    }

    /// One alarm per node on `metrics` (one of the `metric_*` helpers), with
    /// construct ids `<id>Node1`, `<id>Node2`, ... under `scope`. An explicit
    /// alarm name gets the node's suffix (`-001`, ...).
    pub fn alarm_on_every_node(&self, scope: &Scope, id: &str, metrics: Vec<Metric>, props: AlarmProps) -> Vec<Alarm> {
        metrics
            .iter()
            .enumerate()
            .map(|(i, metric)| {
                let mut p = props.clone();
                p.alarm_name = props.alarm_name.as_ref().map(|n| format!("{n}-{:03}", i + 1));
                p.description = props.description.as_ref().map(|d| format!("{d} (node {})", i + 1));
                metric.create_alarm(scope, &format!("{id}Node{}", i + 1), p)
            })
            .collect()
    }
}

impl HasConnections for ReplicationGroup {
    /// The nodes' security group with default port [`ReplicationGroup::port`].
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], Some(Port::tcp(self.port)))
    }
}

fn validate(scope: &Scope, p: &ReplicationGroupProps) {
    let parts: Vec<&str> = p.node_type.split('.').collect();
    let family_ok = parts.len() == 3
        && parts.first() == Some(&"cache")
        && parts.get(1).is_some_and(|f| CACHE_NODE_FAMILIES.contains(f))
        && parts.get(2).is_some_and(|s| !s.is_empty());
    if !family_ok {
        scope.error(
            "CacheNodeType",
            format!(
                "node type {:?} is invalid: use cache.<family>.<size> (e.g. cache.t4g.small) with a family of {}",
                p.node_type,
                CACHE_NODE_FAMILIES.join(", ")
            ),
        );
    }
    if !(1..=6).contains(&p.nodes_per_shard) {
        scope.error(
            "NumCacheClusters",
            format!(
                "{} nodes per shard is out of range: use 1 to 6 (a primary and up to 5 replicas)",
                p.nodes_per_shard
            ),
        );
    }
    if p.multi_az == Some(true) && p.nodes_per_shard < 2 {
        scope.error(
            "MultiAZEnabled",
            format!(
                "Multi-AZ with automatic failover needs at least 2 nodes per shard (a replica to fail over to); \
                 nodes_per_shard is {}",
                p.nodes_per_shard
            ),
        );
    }
    if let ClusterMode::Enabled { shards } = p.cluster_mode {
        if !(1..=500).contains(&shards) {
            scope.error("NumNodeGroups", format!("{shards} shards is out of range: use 1 to 500"));
        }
        if p.nodes_per_shard < 2 || p.multi_az == Some(false) {
            scope.error(
                "AutomaticFailoverEnabled",
                "cluster mode needs automatic failover: use at least 2 nodes per shard and keep multi_az on",
            );
        }
    }
    if p.snapshot_retention_days > 35 {
        scope.error(
            "SnapshotRetentionLimit",
            format!("snapshot retention of {} days is out of range: use 0 to 35 days", p.snapshot_retention_days),
        );
    }
    if let Some(id) = &p.replication_group_id {
        let ok = (1..=40).contains(&id.len())
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.ends_with('-')
            && !id.contains("--");
        if !ok {
            scope.error(
                "ReplicationGroupId",
                format!(
                    "replication group id {id:?} is invalid: 1-40 lowercase letters, digits and single hyphens, \
                     starting with a letter and not ending with a hyphen"
                ),
            );
        }
    }
    if p.port == 0 {
        scope.error("Port", "port must be 1 to 65535");
    }
}
