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
//! # Role-based access control
//!
//! With [`CacheAuth::UserGroup`] there is no AUTH token: each [`CacheUser`]
//! becomes an `AWS::ElastiCache::User` in an `AWS::ElastiCache::UserGroup`
//! of the group's engine, next to the `default` user every group must have,
//! created `off -@all` (no access). Password users get a generated password
//! (passed as a dynamic reference) and their own URL secret,
//! `rediss://USER:{{resolve:...}}@host:port`; IAM users (Redis OSS 7.0+ or
//! Valkey) sign a token at connect time and need
//! [`CacheUserHandle::grant_connect`] (`elasticache:Connect` on the group and
//! the user, exact ARNs). User and group ids are unique per account and
//! region: they start with the explicit replication group id, else
//! `<app>-<environment>-<path>`.
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
use stackcraft_iam::{Grantable, PolicyStatement, SecretSource};
use stackcraft_observability::{
    Alarm, AlarmOptions, Key, LogGroup, LogGroupEncryption, LogGroupProps, Metric, RetentionDays, Statistic, Unit,
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

    fn user_engine(self) -> elasticache::user::Engine {
        match self {
            CacheEngine::Redis6_2 | CacheEngine::Redis7_0 | CacheEngine::Redis7_1 => elasticache::user::Engine::Redis,
            CacheEngine::Valkey7_2 | CacheEngine::Valkey8_0 | CacheEngine::Valkey8_1 => {
                elasticache::user::Engine::Valkey
            }
        }
    }

    fn user_group_engine(self) -> elasticache::user_group::Engine {
        match self {
            CacheEngine::Redis6_2 | CacheEngine::Redis7_0 | CacheEngine::Redis7_1 => {
                elasticache::user_group::Engine::Redis
            }
            CacheEngine::Valkey7_2 | CacheEngine::Valkey8_0 | CacheEngine::Valkey8_1 => {
                elasticache::user_group::Engine::Valkey
            }
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
    /// How clients authenticate: an AUTH token (default) or an RBAC user
    /// group ([`CacheAuth::UserGroup`]). Both need [`tls`](Self::tls).
    #[builder(default)]
    pub auth: CacheAuth,
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
    users: Vec<CacheUserHandle>,
    user_group: Option<elasticache::UserGroupRef>,
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
        validate_auth(&scope, &props);
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
        let subnet_group = scope.add(
            "SubnetGroup",
            elasticache::SubnetGroup::new(elasticache::SubnetGroupRequired {
                description: format!("Subnets of cache {}", scope.path()).into(),
                subnet_ids: subnets.into(),
            }),
        );
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::builder()
                .vpc(props.vpc.clone())
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
            Value::from(rg::LogDeliveryConfigurationRequest::new(rg::LogDeliveryConfigurationRequestRequired {
                destination_details: rg::DestinationDetails::new()
                    .cloud_watch_logs_details(rg::CloudWatchLogsDestinationDetails::new(log_group.name()))
                    .into(),
                destination_type: "cloudwatch-logs".into(),
                log_format: "json".into(),
                log_type: log_type.into(),
            }))
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
        let rbac_users = match &props.auth {
            CacheAuth::UserGroup(users) => Some(users.clone()),
            CacheAuth::Token => None,
        };
        let mut user_group = None;
        // (user, its user name, its password secret)
        let mut created: Vec<(CacheUser, Scope, String, elasticache::UserRef, Option<Secret>)> = Vec::new();
        if let Some(users) = &rbac_users {
            let prefix = rbac_id_prefix(&scope, props.replication_group_id.as_deref());
            // AWS requires a user named `default` in every group: this one is
            // off, with no password that could be used and no access.
            let default_user = scope.add(
                "DefaultUser",
                elasticache::User::new(elasticache::UserRequired {
                    engine: props.engine.user_engine().into(),
                    user_id: format!("{prefix}-default").into(),
                    user_name: "default".into(),
                })
                .access_string(AccessString::disabled().as_str())
                .authentication_mode(elasticache::user::AuthenticationMode::new("no-password-required")),
            );
            let mut ids = vec![default_user.ref_()];
            for u in users {
                if created.iter().any(|(c, ..)| c.name == u.name) {
                    continue; // reported by validate_auth
                }
                let user_scope = scope.scope(&format!("User-{}", u.name));
                let user_id = format!("{prefix}-{}", u.name);
                let (user_name, mode, password) = match u.authentication {
                    UserAuthentication::Password => {
                        let secret = Secret::new(
                            &user_scope,
                            "Password",
                            SecretProps::builder()
                                .description(format!("Password of user {} of cache {}", u.name, scope.path()))
                                .encryption_key(key.clone())
                                .value(SecretValue::Generated(
                                    GeneratedSecret::builder()
                                        .length(32)
                                        .exclude_punctuation(true)
                                        .secret_string_template(json!({ "username": u.name }))
                                        .generate_string_key("password")
                                        .build(),
                                ))
                                .build(),
                        );
                        let mode = elasticache::user::AuthenticationMode::new("password")
                            .passwords(vec![secret.field_reference("password")]);
                        (u.name.clone(), mode, Some(secret))
                    }
                    // IAM users: user id and user name must be the same.
                    UserAuthentication::Iam => {
                        (user_id.clone(), elasticache::user::AuthenticationMode::new("iam"), None)
                    }
                };
                let user = user_scope.add(
                    "Resource",
                    elasticache::User::new(elasticache::UserRequired {
                        engine: props.engine.user_engine().into(),
                        user_id: user_id.into(),
                        user_name: user_name.clone().into(),
                    })
                    .access_string(u.access.as_str())
                    .authentication_mode(mode),
                );
                ids.push(user.ref_());
                created.push((u.clone(), user_scope, user_name, user, password));
            }
            let ug = scope.add(
                "UserGroup",
                elasticache::UserGroup::new(elasticache::UserGroupRequired {
                    engine: props.engine.user_group_engine().into(),
                    user_group_id: prefix.into(),
                    user_ids: ids.into(),
                }),
            );
            group = group.user_group_ids(vec![ug.ref_()]);
            user_group = Some(ug);
        }
        let token = (props.tls && rbac_users.is_none()).then(|| {
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
        if rbac_users.is_some() {
            // checkov's CKV_AWS_31 knows only AUTH tokens; the policy rule
            // itself accepts user groups.
            handle.acknowledge(
                "elasticache.auth",
                "clients authenticate as RBAC users of the replication group's user group (UserGroupIds) \
                 instead of an AUTH token",
            );
        }
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
                [("Token", t.arn()), ("Host", host.clone()), ("Port", port_attr.clone())],
            ),
            None => Value::sub_with("redis://${Host}:${Port}", [("Host", host.clone()), ("Port", port_attr.clone())]),
        };
        let group_arn = Value::sub_with(
            "arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:replicationgroup:${Group}",
            [("Group", handle.ref_())],
        );
        let users: Vec<CacheUserHandle> = created
            .into_iter()
            .map(|(u, user_scope, user_name, user, password)| {
                let value = match &password {
                    Some(p) => Value::sub_with(
                        format!("rediss://{user_name}:{{{{resolve:secretsmanager:${{Password}}:SecretString:password}}}}@${{Host}}:${{Port}}"),
                        [("Password", p.arn()), ("Host", host.clone()), ("Port", port_attr.clone())],
                    ),
                    None => Value::sub_with(
                        format!("rediss://{user_name}@${{Host}}:${{Port}}"),
                        [("Host", host.clone()), ("Port", port_attr.clone())],
                    ),
                };
                let url = Secret::new(
                    &user_scope,
                    "ConnectionUrl",
                    SecretProps::builder()
                        .description(format!("REDIS_URL of user {} of cache {}", u.name, scope.path()))
                        .encryption_key(key.clone())
                        .value(SecretValue::Derived(value))
                        .removal_policy(DeletionPolicy::Delete)
                        .build(),
                );
                CacheUserHandle {
                    name: u.name,
                    user_name,
                    handle: user,
                    authentication: u.authentication,
                    password,
                    url,
                    group_arn: group_arn.clone(),
                }
            })
            .collect();
        let url = match users.first() {
            Some(u) => u.url.clone(),
            None => Secret::new(
                &scope,
                "ConnectionUrl",
                SecretProps::builder()
                    .description(format!("REDIS_URL (rediss://...) of cache {}", scope.path()))
                    .encryption_key(key.clone())
                    .value(SecretValue::Derived(url_value))
                    // Derived data: nothing is lost when it goes.
                    .removal_policy(DeletionPolicy::Delete)
                    .build(),
            ),
        };

        ReplicationGroup {
            handle,
            security_group,
            token,
            url,
            users,
            user_group,
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
    /// as `REDIS_URL`. With a user group: the first user's URL (see
    /// [`ReplicationGroup::user`] for the others).
    pub fn connection_url_secret(&self) -> &Secret {
        &self.url
    }

    /// The RBAC users, in the order given ([`CacheAuth::UserGroup`]).
    pub fn users(&self) -> &[CacheUserHandle] {
        &self.users
    }

    /// The RBAC user called `name` ([`CacheUser::name`]).
    pub fn user(&self, name: &str) -> Option<&CacheUserHandle> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The `AWS::ElastiCache::UserGroup`, with RBAC.
    pub fn user_group(&self) -> Option<&ResourceHandle> {
        self.user_group.as_deref()
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
    pub fn alarm_on_every_node(
        &self,
        scope: &Scope,
        id: &str,
        metrics: Vec<Metric>,
        props: AlarmOptions,
    ) -> Vec<Alarm> {
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

/// How clients authenticate to a [`ReplicationGroup`] (TLS in transit is
/// required for both).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CacheAuth {
    /// One AUTH token generated into a secret (default).
    #[default]
    Token,
    /// Role-based access control: an `AWS::ElastiCache::UserGroup` of these
    /// users plus a disabled `default` user (AWS requires a user named
    /// `default` in every group; this one is `off` with no access).
    UserGroup(Vec<CacheUser>),
}

/// How a [`CacheUser`] proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserAuthentication {
    /// A password that Secrets Manager generates into a secret, passed to
    /// ElastiCache by dynamic reference (never in the template).
    Password,
    /// IAM authentication: the client signs a short-lived token with its
    /// role, which needs `elasticache:Connect` ([`CacheUserHandle::grant_connect`]).
    /// Redis OSS 7.0 or later, or Valkey.
    Iam,
}

/// A Redis ACL access string, e.g. `on ~app:* +@all -@dangerous`, checked at
/// synth: each word is `on`/`off`, a key pattern (`~p`, `%R~p`, `%W~p`,
/// `%RW~p`, `allkeys`, `resetkeys`), a channel pattern (`&p`, `allchannels`,
/// `resetchannels`), or a command rule (`+cmd`, `-cmd`, `+cmd|sub`,
/// `+@category`, `-@category`, `allcommands`, `nocommands`); exactly one of
/// `on`/`off`. Passwords never go into an access string (`>`, `<`, `#`, `!`,
/// `nopass`, `resetpass`, `reset` are rejected): they come from the user's
/// [`UserAuthentication`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessString(String);

/// The ACL categories an access string may name (`+@name` / `-@name`).
pub const ACL_CATEGORIES: [&str; 22] = [
    "admin",
    "all",
    "bitmap",
    "blocking",
    "connection",
    "dangerous",
    "fast",
    "geo",
    "hash",
    "hyperloglog",
    "keyspace",
    "list",
    "pubsub",
    "read",
    "scripting",
    "set",
    "slow",
    "sortedset",
    "stream",
    "string",
    "transaction",
    "write",
];

impl AccessString {
    /// An access string as written (validated at synth).
    pub fn new(access: impl Into<String>) -> AccessString {
        AccessString(access.into())
    }

    /// Every key, channel and command: `on ~* &* +@all`.
    pub fn full_access() -> AccessString {
        AccessString::new("on ~* &* +@all")
    }

    /// Read-only commands on every key: `on ~* -@all +@read`.
    pub fn read_only() -> AccessString {
        AccessString::new("on ~* -@all +@read")
    }

    /// A disabled user with no access: `off -@all` (the `default` user of a
    /// user group).
    pub fn disabled() -> AccessString {
        AccessString::new("off -@all")
    }

    /// The access string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is wrong with the access string (empty when it is valid).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let words: Vec<&str> = self.0.split_whitespace().collect();
        if words.is_empty() {
            return vec!["is empty: use e.g. \"on ~* +@all\"".to_string()];
        }
        let switches = words.iter().filter(|w| matches!(**w, "on" | "off")).count();
        if switches != 1 {
            problems.push(format!("must contain exactly one of `on` or `off` (found {switches})"));
        }
        for w in &words {
            let bad = |why: &str| format!("word {w:?} {why}");
            match *w {
                "on" | "off" | "allkeys" | "resetkeys" | "allchannels" | "resetchannels" | "allcommands"
                | "nocommands" => {}
                "nopass" | "resetpass" | "reset" => problems.push(bad(
                    "manages passwords: passwords come from the user's authentication, not the access string",
                )),
                _ => {
                    let first = w.chars().next().unwrap_or(' ');
                    let rest = w.get(1..).unwrap_or("");
                    if matches!(first, '>' | '<' | '#' | '!') {
                        problems.push(bad(
                            "manages passwords: passwords come from the user's authentication, not the access string",
                        ));
                    } else if let Some(p) = ["%RW~", "%R~", "%W~", "~"].iter().find_map(|prefix| w.strip_prefix(prefix))
                    {
                        if p.is_empty() {
                            problems.push(bad("has an empty key pattern"));
                        }
                    } else if first == '&' {
                        if rest.is_empty() {
                            problems.push(bad("has an empty channel pattern"));
                        }
                    } else if first == '+' || first == '-' {
                        if let Some(category) = rest.strip_prefix('@') {
                            if !ACL_CATEGORIES.contains(&category) {
                                problems.push(bad(&format!(
                                    "names an unknown ACL category: use one of {}",
                                    ACL_CATEGORIES.join(", ")
                                )));
                            }
                        } else {
                            let ok = !rest.is_empty()
                                && rest.starts_with(|c: char| c.is_ascii_alphabetic())
                                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '|' || c == '-' || c == '_');
                            if !ok {
                                problems
                                    .push(bad("is not a command rule: use +command, -command or +command|subcommand"));
                            }
                        }
                    } else {
                        problems.push(bad(
                            "is not an ACL rule: use on/off, ~keypattern, %R~/%W~/%RW~keypattern, &channel, \
                             +command, -command, +@category, -@category, allkeys, allchannels, allcommands, \
                             nocommands, resetkeys, resetchannels",
                        ));
                    }
                }
            }
        }
        problems
    }
}

/// A user of an RBAC [`CacheAuth::UserGroup`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheUser {
    /// The name clients log in with (1-32 lowercase letters, digits and
    /// hyphens, starting with a letter; not `default`, which the group keeps
    /// disabled). IAM users are created as `<group id>-<name>` because their
    /// user id and name must be the same and ids are unique per region.
    pub name: String,
    /// What the user may do.
    pub access: AccessString,
    /// How the user authenticates.
    pub authentication: UserAuthentication,
}

impl CacheUser {
    /// A user authenticating with a generated password.
    pub fn password(name: impl Into<String>, access: AccessString) -> CacheUser {
        CacheUser { name: name.into(), access, authentication: UserAuthentication::Password }
    }

    /// A user authenticating with IAM (`elasticache:Connect`).
    pub fn iam(name: impl Into<String>, access: AccessString) -> CacheUser {
        CacheUser { name: name.into(), access, authentication: UserAuthentication::Iam }
    }
}

/// A user created for an RBAC [`ReplicationGroup`]: its
/// `AWS::ElastiCache::User`, and for password users the password secret and
/// a `rediss://USER:PASSWORD@host:port` URL secret.
#[derive(Debug, Clone)]
pub struct CacheUserHandle {
    name: String,
    user_name: String,
    handle: elasticache::UserRef,
    authentication: UserAuthentication,
    password: Option<Secret>,
    url: Secret,
    group_arn: Value<String>,
}

impl CacheUserHandle {
    /// The name given in [`CacheUser::name`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user name clients log in with (`<group id>-<name>` for IAM users).
    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    /// The user ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Value<String> {
        self.handle.attr_arn()
    }

    /// How the user authenticates.
    pub fn authentication(&self) -> UserAuthentication {
        self.authentication
    }

    /// The secret holding the password (`username`, `password`), for
    /// password users.
    pub fn password_secret(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// The secret holding `rediss://USER:PASSWORD@host:port` (password
    /// users) or `rediss://USER@host:port` (IAM users, which sign a token at
    /// connect time), ready to inject as `REDIS_URL`.
    pub fn connection_url_secret(&self) -> &Secret {
        &self.url
    }

    /// Allow `grantee` to read the connection URL secret.
    pub fn grant_read_connection_url(&self, grantee: &dyn Grantable) {
        self.url.grant_read(grantee);
    }

    /// Allow `grantee` to connect as this user with IAM authentication:
    /// `elasticache:Connect` on the replication group and on this user
    /// (exact ARNs, nothing else).
    pub fn grant_connect(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow().action("elasticache:Connect").resources([self.group_arn.clone(), self.arn()]),
        );
    }

    /// The underlying `AWS::ElastiCache::User` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

/// The prefix of the user and user-group ids of an RBAC group: its explicit
/// replication group id, else `<app>-<environment>-<construct path>` in
/// lowercase letters, digits and single hyphens (at most 28 characters; a
/// longer one keeps 21 and gets a hash of the whole).
fn rbac_id_prefix(scope: &Scope, explicit: Option<&str>) -> String {
    if let Some(id) = explicit {
        return id.chars().take(28).collect::<String>().trim_end_matches('-').to_string();
    }
    let app = scope.app();
    let env = app.environment().map(|e| e.name).unwrap_or_default();
    let raw = format!("{}-{}-{}", app.name(), env, scope.path()).to_ascii_lowercase();
    let mut id = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' };
        if c == '-' && (id.is_empty() || id.ends_with('-')) {
            continue;
        }
        id.push(c);
    }
    let mut id = id.trim_end_matches('-').to_string();
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert_str(0, "c-");
    }
    if id.len() > 28 {
        // FNV-1a, stable across platforms and releases.
        let hash = raw.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        let head: String = id.chars().take(21).collect();
        id = format!("{}-{:06x}", head.trim_end_matches('-'), hash & 0xff_ffff);
    }
    id
}

fn validate_auth(scope: &Scope, p: &ReplicationGroupProps) {
    let CacheAuth::UserGroup(users) = &p.auth else { return };
    if !p.tls {
        scope.error(
            "UserGroupIds",
            "role-based access control (a user group) needs TLS in transit: keep ReplicationGroupProps::tls on",
        );
    }
    // Redis OSS RBAC needs engine 6.0 or later: every CacheEngine is (6.2+).
    if users.is_empty() {
        scope.error("UserGroupIds", "a user group needs at least one user besides the disabled `default` user");
    }
    if users.len() > 99 {
        scope.error(
            "UserGroupIds",
            format!("{} users is too many: a user group holds at most 100 users, `default` included", users.len()),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for u in users {
        let name = u.name.as_str();
        let name_ok = (1..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.ends_with('-')
            && !name.contains("--");
        if !name_ok {
            scope.error(
                "UserName",
                format!(
                    "user name {name:?} is invalid: 1-32 lowercase letters, digits and single hyphens, \
                     starting with a letter and not ending with a hyphen"
                ),
            );
        }
        if name == "default" {
            scope.error(
                "UserName",
                "user name \"default\" is reserved: the group's `default` user is created disabled; name your users",
            );
        }
        if seen.contains(&name) {
            scope.error("UserName", format!("user name {name:?} is used twice"));
        }
        seen.push(name);
        for problem in u.access.problems() {
            scope.error("AccessString", format!("access string {:?} of user {name:?}: {problem}", u.access.as_str()));
        }
        if u.authentication == UserAuthentication::Iam && p.engine == CacheEngine::Redis6_2 {
            scope.error(
                "AuthenticationMode",
                format!(
                    "IAM authentication of user {name:?} needs Redis OSS 7.0 or later, or Valkey; the engine is \
                     redis 6.2"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::App;

    #[test]
    fn preset_access_strings_are_valid() {
        for a in [AccessString::full_access(), AccessString::read_only(), AccessString::disabled()] {
            assert!(a.problems().is_empty(), "{a:?}: {:?}", a.problems());
        }
        let ok = AccessString::new("on %R~cache:* %RW~app:* &events:* -@all +@read +get +client|setname -flushall");
        assert!(ok.problems().is_empty(), "{:?}", ok.problems());
    }

    #[test]
    fn odd_access_strings_are_reported_never_panic() {
        for s in ["", "   ", "é", "on é", "on +", "on -@", "on %", "on &", "on ~", "on #", "on <", "on 🦀 +@all"] {
            let problems = AccessString::new(s).problems();
            assert!(!problems.is_empty(), "{s:?} must be rejected");
        }
        assert_eq!(AccessString::new(" ").problems(), ["is empty: use e.g. \"on ~* +@all\""]);
    }

    #[test]
    fn rbac_id_prefix_is_short_lowercase_and_stable() {
        let app = App::new("Shop");
        let stack = app.stack("Data");
        let scope = stack.scope("Session_Cache");
        assert_eq!(rbac_id_prefix(&scope, None), "shop-data-session-cache");
        assert_eq!(rbac_id_prefix(&scope, Some("orders")), "orders");
        let long_prefix = || {
            let app = App::new("9lives");
            let stack = app.stack("AVeryLongStackNameIndeed");
            rbac_id_prefix(&stack.scope("AndAVeryLongCacheId"), None)
        };
        let long = long_prefix();
        assert_eq!(long, long_prefix(), "stable");
        assert!(long.len() <= 28 && long.starts_with("c-9lives-"), "{long}");
    }
}
