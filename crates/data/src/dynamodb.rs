//! DynamoDB tables ([`Table`]): typed keys, on-demand or provisioned billing
//! with target-tracking capacity autoscaling, global and local secondary
//! indexes, TTL, streams, point-in-time recovery and a customer-managed key
//! by default, deletion protection and `Retain` in production, exact-action
//! grants and metrics with throttle alarms.

use std::collections::BTreeMap;

use stackcraft_cfn::applicationautoscaling as aas;
use stackcraft_cfn::dynamodb;
use stackcraft_cfn::dynamodb::table as t;
use stackcraft_core::{DeletionPolicy, ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement};
use stackcraft_observability::{Alarm, AlarmOptions, Metric, Statistic, TreatMissingData};
use stackcraft_security::{Key, KeyProps};
use typed_builder::TypedBuilder;

/// The scalar type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// `S`
    String,
    /// `N`
    Number,
    /// `B`
    Binary,
}

impl AttributeType {
    /// The CloudFormation spelling (`S`, `N`, `B`).
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }

    fn l1(self) -> t::AttributeType {
        match self {
            AttributeType::String => t::AttributeType::S,
            AttributeType::Number => t::AttributeType::N,
            AttributeType::Binary => t::AttributeType::B,
        }
    }
}

/// A key attribute: name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name (1–255 characters).
    pub name: String,
    /// Its type.
    pub attribute_type: AttributeType,
}

impl Attribute {
    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), attribute_type: AttributeType::String }
    }
    /// A number attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), attribute_type: AttributeType::Number }
    }
    /// A binary attribute.
    pub fn binary(name: impl Into<String>) -> Self {
        Attribute { name: name.into(), attribute_type: AttributeType::Binary }
    }
}

/// Read or write capacity of a provisioned table.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Capacity {
    /// A fixed number of capacity units.
    Fixed(u32),
    /// Target-tracking autoscaling between `min` and `max` units (the table
    /// starts at `min`), keeping utilization near the target percentage.
    Autoscaled {
        /// Lower bound (at least 1).
        min: u32,
        /// Upper bound (at least `min`).
        max: u32,
        /// Target utilization in percent (20–90, default 70).
        target_utilization_percent: f64,
    },
}

impl Capacity {
    /// A fixed number of units.
    pub fn fixed(units: u32) -> Self {
        Capacity::Fixed(units)
    }

    /// Autoscaling between `min` and `max` units at 70 % target utilization.
    pub fn autoscaled(min: u32, max: u32) -> Self {
        Capacity::Autoscaled { min, max, target_utilization_percent: 70.0 }
    }

    /// Change the target utilization of an autoscaled capacity.
    pub fn target_utilization(self, percent: f64) -> Self {
        match self {
            Capacity::Autoscaled { min, max, .. } => {
                Capacity::Autoscaled { min, max, target_utilization_percent: percent }
            }
            fixed => fixed,
        }
    }

    fn initial(self) -> u32 {
        match self {
            Capacity::Fixed(n) => n,
            Capacity::Autoscaled { min, .. } => min,
        }
    }
}

/// How a table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Billing {
    /// Pay per request (`PAY_PER_REQUEST`, default): no capacity planning.
    #[default]
    OnDemand,
    /// Provisioned read and write capacity (`PROVISIONED`), fixed or
    /// autoscaled; global secondary indexes get the same capacity.
    Provisioned {
        /// Read capacity units.
        read: Capacity,
        /// Write capacity units.
        write: Capacity,
    },
}

impl Billing {
    /// Provisioned read and write capacity, each autoscaled between `min`
    /// and `max` units at 70 % target utilization.
    pub fn autoscaled(min: u32, max: u32) -> Self {
        Billing::Provisioned { read: Capacity::autoscaled(min, max), write: Capacity::autoscaled(min, max) }
    }
}

/// Which attributes an index copies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Projection {
    /// Every attribute (default).
    #[default]
    All,
    /// Only the table and index keys.
    KeysOnly,
    /// The keys and these attributes.
    Include(Vec<String>),
}

impl Projection {
    fn l1(&self) -> t::Projection {
        match self {
            Projection::All => {
                t::Projection::new().projection_type(stackcraft_cfn::dynamodb::table::ProjectionType::All)
            }
            Projection::KeysOnly => {
                t::Projection::new().projection_type(stackcraft_cfn::dynamodb::table::ProjectionType::KeysOnly)
            }
            Projection::Include(a) => t::Projection::new()
                .projection_type(stackcraft_cfn::dynamodb::table::ProjectionType::Include)
                .non_key_attributes(a.iter().map(|s| Value::from(s.as_str())).collect::<Vec<_>>()),
        }
    }
}

/// A global secondary index.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct GlobalSecondaryIndex {
    /// Index name (3–255 characters of `[A-Za-z0-9_.-]`).
    #[builder(setter(into))]
    pub index_name: String,
    /// The index partition key.
    pub partition_key: Attribute,
    /// The index sort key.
    #[builder(default, setter(strip_option))]
    pub sort_key: Option<Attribute>,
    /// Projected attributes (default all).
    #[builder(default)]
    pub projection: Projection,
}

/// A local secondary index (same partition key as the table, another sort
/// key; only on tables with a sort key).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct LocalSecondaryIndex {
    /// Index name (3–255 characters of `[A-Za-z0-9_.-]`).
    #[builder(setter(into))]
    pub index_name: String,
    /// The index sort key.
    pub sort_key: Attribute,
    /// Projected attributes (default all).
    #[builder(default)]
    pub projection: Projection,
}

/// What a DynamoDB stream record contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamViewType {
    /// Only the key attributes.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

impl StreamViewType {
    /// The CloudFormation spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamViewType::KeysOnly => "KEYS_ONLY",
            StreamViewType::NewImage => "NEW_IMAGE",
            StreamViewType::OldImage => "OLD_IMAGE",
            StreamViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    fn l1(self) -> t::StreamViewType {
        match self {
            StreamViewType::KeysOnly => t::StreamViewType::KeysOnly,
            StreamViewType::NewImage => t::StreamViewType::NewImage,
            StreamViewType::OldImage => t::StreamViewType::OldImage,
            StreamViewType::NewAndOldImages => t::StreamViewType::NewAndOldImages,
        }
    }
}

/// How the table is encrypted at rest.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum TableEncryption {
    /// A new customer-managed key (default, checkov CKV_AWS_119).
    #[default]
    NewKey,
    /// An existing customer-managed key.
    Key(Key),
}

/// Point-in-time recovery (continuous backups for 35 days).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PointInTimeRecovery {
    /// On (default, checkov CKV_AWS_28).
    #[default]
    Enabled,
    /// Off, as an acknowledged decision: the reason is written into the
    /// template (checkov skip of CKV_AWS_28).
    Disabled {
        /// Why the table needs no point-in-time recovery.
        reason: String,
    },
}

impl PointInTimeRecovery {
    /// Off, with the reason.
    pub fn disabled(reason: impl Into<String>) -> Self {
        PointInTimeRecovery::Disabled { reason: reason.into() }
    }
}

/// Settings of a [`Table`]. Only `partition_key` is required.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct TableProps {
    /// The partition (hash) key.
    pub partition_key: Attribute,
    /// The sort (range) key.
    #[builder(default, setter(strip_option))]
    pub sort_key: Option<Attribute>,
    /// Explicit table name (3–255 characters of `[A-Za-z0-9_.-]`). Default:
    /// generated by CloudFormation.
    #[builder(default, setter(strip_option, into))]
    pub table_name: Option<String>,
    /// Billing. Default on demand.
    #[builder(default)]
    pub billing: Billing,
    /// Global secondary indexes (at most 20).
    #[builder(default)]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    /// Local secondary indexes (at most 5; the table needs a sort key).
    #[builder(default)]
    pub local_secondary_indexes: Vec<LocalSecondaryIndex>,
    /// The attribute holding each item's expiry time (epoch seconds).
    #[builder(default, setter(strip_option, into))]
    pub time_to_live_attribute: Option<String>,
    /// A DynamoDB stream of item changes.
    #[builder(default, setter(strip_option))]
    pub stream: Option<StreamViewType>,
    /// Point-in-time recovery. Default on.
    #[builder(default)]
    pub point_in_time_recovery: PointInTimeRecovery,
    /// Encryption at rest. Default: a new customer-managed key.
    #[builder(default)]
    pub encryption: TableEncryption,
    /// Deletion protection. Default: on in production environments.
    #[builder(default, setter(strip_option))]
    pub deletion_protection: Option<bool>,
    /// What happens to the table (and its new key) when it leaves the stack.
    /// Default: [`DeletionPolicy::Retain`] in production environments (and
    /// when no environment is set), [`DeletionPolicy::Delete`] in the others.
    #[builder(default, setter(strip_option))]
    pub removal_policy: Option<DeletionPolicy>,
}

/// A DynamoDB table (`AWS::DynamoDB::Table`), its key (`AWS::KMS::Key`,
/// unless one is given) and, for autoscaled capacity, one
/// `AWS::ApplicationAutoScaling::ScalableTarget` + `ScalingPolicy` per
/// scaled dimension of the table and of each global secondary index.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_data::*;
///
/// let app = App::new("demo");
/// let stack = app.stack("Data");
/// let table = Table::new(&stack, "Carts", TableProps::builder()
///     .partition_key(Attribute::string("cartId"))
///     .billing(Billing::Provisioned { read: Capacity::autoscaled(5, 50), write: Capacity::autoscaled(5, 50) })
///     .time_to_live_attribute("expiresAt")
///     .build());
/// table.throttle_alarms();
/// app.synth().unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    scope: Scope,
    handle: ResourceHandle,
    key: Key,
    index_names: Vec<String>,
    has_stream: bool,
}

fn name_problem(what: &str, n: &str) -> Option<String> {
    let ok = (3..=255).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    (!ok).then(|| format!("{what} {n:?} is invalid: use 3-255 characters of [A-Za-z0-9_.-]"))
}

fn check_capacity(scope: &Scope, property: &str, c: Capacity) {
    match c {
        Capacity::Fixed(0) => scope.error(property, "capacity must be at least 1 unit"),
        Capacity::Fixed(_) => {}
        Capacity::Autoscaled { min, max, target_utilization_percent } => {
            if min == 0 {
                scope.error(property, "autoscaling min must be at least 1 unit");
            }
            if min > max {
                scope.error(property, format!("autoscaling min ({min}) is greater than max ({max})"));
            }
            if !(20.0..=90.0).contains(&target_utilization_percent) {
                scope.error(
                    property,
                    format!("target utilization of {target_utilization_percent} % is out of range; DynamoDB autoscaling allows 20 to 90"),
                );
            }
        }
    }
}

impl Table {
    /// Add a table with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: TableProps) -> Table {
        let scope = scope.scope(id);
        let production = scope.app().environment().map(|e| e.production);
        let removal = props.removal_policy.unwrap_or(if production == Some(false) {
            DeletionPolicy::Delete
        } else {
            DeletionPolicy::Retain
        });
        let key = match props.encryption {
            TableEncryption::NewKey => Key::new(
                &scope,
                "Key",
                KeyProps::builder()
                    .description(format!("Encrypts table {}", scope.path()))
                    .removal_policy(removal)
                    .build(),
            ),
            TableEncryption::Key(k) => k,
        };

        // Attribute definitions: every key attribute once, with one type.
        let mut attributes: BTreeMap<String, AttributeType> = BTreeMap::new();
        let mut define = |a: &Attribute| {
            if a.name.is_empty() || a.name.len() > 255 {
                scope.error("AttributeDefinitions", format!("attribute name {:?} must be 1-255 characters", a.name));
            }
            match attributes.get(&a.name) {
                Some(t) if *t != a.attribute_type => scope.error(
                    "AttributeDefinitions",
                    format!("attribute {:?} is used as both {} and {}", a.name, t.as_str(), a.attribute_type.as_str()),
                ),
                _ => {
                    attributes.insert(a.name.clone(), a.attribute_type);
                }
            }
        };
        define(&props.partition_key);
        let mut key_schema = vec![t::KeySchema::new(t::KeySchemaRequired {
            attribute_name: props.partition_key.name.clone().into(),
            key_type: "HASH".into(),
        })];
        if let Some(s) = &props.sort_key {
            define(s);
            key_schema.push(t::KeySchema::new(t::KeySchemaRequired {
                attribute_name: s.name.clone().into(),
                key_type: "RANGE".into(),
            }));
        }

        let mut l1 = dynamodb::Table::new(key_schema).sse_specification(
            t::SseSpecification::new(true)
                .sse_type(stackcraft_cfn::dynamodb::table::SseType::Kms)
                .kms_master_key_id(key.arn()),
        );
        let throughput = match props.billing {
            Billing::OnDemand => {
                l1 = l1.billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::PayPerRequest);
                None
            }
            Billing::Provisioned { read, write } => {
                check_capacity(&scope, "ProvisionedThroughput.ReadCapacityUnits", read);
                check_capacity(&scope, "ProvisionedThroughput.WriteCapacityUnits", write);
                let tp = t::ProvisionedThroughput::new(t::ProvisionedThroughputRequired {
                    read_capacity_units: i64::from(read.initial().max(1)).into(),
                    write_capacity_units: i64::from(write.initial().max(1)).into(),
                });
                l1 = l1
                    .billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::Provisioned)
                    .provisioned_throughput(tp.clone());
                Some(tp)
            }
        };

        let mut index_names: Vec<String> = Vec::new();
        let mut add_index_name = |n: &str| {
            if let Some(p) = name_problem("index name", n) {
                scope.error("IndexName", p);
            }
            if index_names.iter().any(|x| x == n) {
                scope.error("IndexName", format!("index name {n:?} is used twice"));
            }
            index_names.push(n.to_owned());
        };
        if props.global_secondary_indexes.len() > 20 {
            scope.error("GlobalSecondaryIndexes", "a table has at most 20 global secondary indexes");
        }
        let mut gsis = Vec::new();
        for g in &props.global_secondary_indexes {
            add_index_name(&g.index_name);
            define(&g.partition_key);
            let mut ks = vec![t::GlobalSecondaryIndexKeySchema::new(t::GlobalSecondaryIndexKeySchemaRequired {
                attribute_name: g.partition_key.name.clone().into(),
                key_type: "HASH".into(),
            })];
            if let Some(s) = &g.sort_key {
                define(s);
                ks.push(t::GlobalSecondaryIndexKeySchema::new(t::GlobalSecondaryIndexKeySchemaRequired {
                    attribute_name: s.name.clone().into(),
                    key_type: "RANGE".into(),
                }));
            }
            let mut gsi = t::GlobalSecondaryIndex::new(t::GlobalSecondaryIndexRequired {
                index_name: g.index_name.clone().into(),
                key_schema: ks.into(),
                projection: g.projection.l1().into(),
            });
            if let Some(tp) = &throughput {
                gsi = gsi.provisioned_throughput(tp.clone());
            }
            gsis.push(gsi);
        }
        if !gsis.is_empty() {
            l1 = l1.global_secondary_indexes(gsis);
        }
        if props.local_secondary_indexes.len() > 5 {
            scope.error("LocalSecondaryIndexes", "a table has at most 5 local secondary indexes");
        }
        if !props.local_secondary_indexes.is_empty() && props.sort_key.is_none() {
            scope.error("LocalSecondaryIndexes", "local secondary indexes need a table with a sort key");
        }
        let mut lsis = Vec::new();
        for l in &props.local_secondary_indexes {
            add_index_name(&l.index_name);
            define(&l.sort_key);
            let ks = vec![
                t::LocalSecondaryIndexKeySchema::new(t::LocalSecondaryIndexKeySchemaRequired {
                    attribute_name: props.partition_key.name.clone().into(),
                    key_type: "HASH".into(),
                }),
                t::LocalSecondaryIndexKeySchema::new(t::LocalSecondaryIndexKeySchemaRequired {
                    attribute_name: l.sort_key.name.clone().into(),
                    key_type: "RANGE".into(),
                }),
            ];
            lsis.push(t::LocalSecondaryIndex::new(t::LocalSecondaryIndexRequired {
                index_name: l.index_name.clone().into(),
                key_schema: ks.into(),
                projection: l.projection.l1().into(),
            }));
        }
        if !lsis.is_empty() {
            l1 = l1.local_secondary_indexes(lsis);
        }
        l1 = l1.attribute_definitions(
            attributes
                .iter()
                .map(|(n, ty)| {
                    t::AttributeDefinition::new(t::AttributeDefinitionRequired {
                        attribute_name: n.clone().into(),
                        attribute_type: ty.l1().into(),
                    })
                })
                .collect::<Vec<_>>(),
        );

        if let Some(n) = &props.table_name {
            if let Some(p) = name_problem("table name", n) {
                scope.error("TableName", p);
            }
            l1 = l1.table_name(n.clone());
        }
        if let Some(a) = &props.time_to_live_attribute {
            if a.is_empty() || a.len() > 255 {
                scope.error("TimeToLiveSpecification.AttributeName", "the TTL attribute name must be 1-255 characters");
            }
            l1 = l1.time_to_live_specification(t::TimeToLiveSpecification::new(true).attribute_name(a.clone()));
        }
        if let Some(s) = props.stream {
            l1 = l1.stream_specification(t::StreamSpecification::new(s.l1()));
        }
        let pitr = matches!(props.point_in_time_recovery, PointInTimeRecovery::Enabled);
        l1 = l1.point_in_time_recovery_specification(
            t::PointInTimeRecoverySpecification::new().point_in_time_recovery_enabled(pitr),
        );
        if let PointInTimeRecovery::Disabled { reason } = &props.point_in_time_recovery {
            if reason.trim().is_empty() {
                scope.error("PointInTimeRecoverySpecification", "turning point-in-time recovery off needs a reason");
            }
        }
        let deletion_protection = props.deletion_protection.unwrap_or(production == Some(true));
        l1 = l1.deletion_protection_enabled(deletion_protection);

        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        handle.apply_removal_policy(removal);
        if let PointInTimeRecovery::Disabled { reason } = &props.point_in_time_recovery {
            handle.acknowledge("dynamodb.pitr", reason);
        }

        let table = Table { scope, handle, key, index_names, has_stream: props.stream.is_some() };
        if let Billing::Provisioned { read, write } = props.billing {
            table.autoscale(None, read, write);
            for g in &props.global_secondary_indexes {
                table.autoscale(Some(&g.index_name), read, write);
            }
        }
        table
    }

    /// Target tracking for the table (`index` `None`) or one of its global
    /// secondary indexes.
    fn autoscale(&self, index: Option<&str>, read: Capacity, write: Capacity) {
        let role_arn = Value::arn(
            "iam",
            "",
            Value::account_id(),
            "role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        );
        let (prefix, scope_id) = match index {
            None => (vec![Value::from("table"), self.handle.ref_()], "Scaling".to_owned()),
            Some(i) => (
                vec![Value::from("table"), self.handle.ref_(), Value::from("index"), Value::from(i)],
                format!("Scaling-{i}"),
            ),
        };
        use aas::scalable_target::ScalableDimension as D;
        use aas::scaling_policy::PredefinedMetricType as M;
        let (read_dimension, write_dimension) = match index {
            None => (D::DynamodbTableReadCapacityUnits, D::DynamodbTableWriteCapacityUnits),
            Some(_) => (D::DynamodbIndexReadCapacityUnits, D::DynamodbIndexWriteCapacityUnits),
        };
        for (dimension, capacity, scalable_dimension, metric) in [
            ("Read", read, read_dimension, M::DynamoDBReadCapacityUtilization),
            ("Write", write, write_dimension, M::DynamoDBWriteCapacityUtilization),
        ] {
            let Capacity::Autoscaled { min, max, target_utilization_percent } = capacity else { continue };
            let scope = self.scope.scope(&format!("{scope_id}{dimension}"));
            let target = aas::ScalableTarget::new(aas::ScalableTargetRequired {
                max_capacity: max.max(1).into(),
                min_capacity: min.clamp(1, max.max(1)).into(),
                resource_id: Value::join_raw("/", prefix.clone()),
                scalable_dimension: scalable_dimension.into(),
                service_namespace: aas::scalable_target::ServiceNamespace::Dynamodb.into(),
            })
            .role_arn(role_arn.clone());
            let target: ResourceHandle = (*scope.add("Target", target)).clone();
            let name = Value::join_raw("-", [Value::stack_name(), Value::from(sanitize(&scope.path()))]);
            let policy = aas::ScalingPolicy::new(aas::ScalingPolicyRequired {
                policy_name: name,
                policy_type: aas::scaling_policy::PolicyType::TargetTrackingScaling.into(),
            })
            .scaling_target_id(target.ref_())
            .target_tracking_scaling_policy_configuration(
                aas::scaling_policy::TargetTrackingScalingPolicyConfiguration::new(
                    target_utilization_percent.clamp(20.0, 90.0),
                )
                .predefined_metric_specification(aas::scaling_policy::PredefinedMetricSpecification::new(metric)),
            );
            scope.add("Policy", policy);
        }
    }

    /// The table name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The table ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The stream ARN (only with [`TableProps::stream`]).
    pub fn stream_arn(&self) -> Value<String> {
        self.handle.get_att("StreamArn")
    }

    /// The ARN of index `name` (`<table ARN>/index/<name>`).
    pub fn index_arn(&self, name: &str) -> Value<String> {
        Value::sub_with(format!("${{Arn}}/index/{name}"), [("Arn", self.arn())])
    }

    /// The key encrypting the table.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The underlying `AWS::DynamoDB::Table` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    fn table_and_indexes(&self) -> Vec<Value<String>> {
        let mut out = vec![self.arn()];
        out.extend(self.index_names.iter().map(|n| self.index_arn(n)));
        out
    }

    /// Allow `grantee` to read items: `dynamodb:BatchGetItem`,
    /// `ConditionCheckItem`, `DescribeTable`, `GetItem`, `Query`, `Scan` on
    /// the table and each of its indexes (by exact ARN), and `kms:Decrypt`.
    pub fn grant_read_data(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "dynamodb:BatchGetItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                ])
                .resources(self.table_and_indexes()),
        );
        self.key.grant_decrypt(grantee);
    }

    /// Allow `grantee` to write items: `dynamodb:BatchWriteItem`,
    /// `ConditionCheckItem`, `DeleteItem`, `DescribeTable`, `PutItem`,
    /// `UpdateItem` on the table (indexes are not written directly), and
    /// encryption with the key.
    pub fn grant_write_data(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "dynamodb:BatchWriteItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ])
                .resource(self.arn()),
        );
        self.key.grant_encrypt_decrypt(grantee);
    }

    /// [`Table::grant_read_data`] and [`Table::grant_write_data`].
    pub fn grant_read_write_data(&self, grantee: &dyn Grantable) {
        self.grant_read_data(grantee);
        self.grant_write_data(grantee);
    }

    /// Allow `grantee` to read the table's stream (`dynamodb:DescribeStream`,
    /// `GetRecords`, `GetShardIterator` on the stream ARN, and
    /// `kms:Decrypt`). Without a stream this records an error.
    pub fn grant_stream_read(&self, grantee: &dyn Grantable) {
        if !self.has_stream {
            self.scope.error("StreamSpecification", "grant_stream_read needs a stream (TableProps::stream)");
            return;
        }
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
                .resource(self.stream_arn()),
        );
        self.key.grant_decrypt(grantee);
    }

    /// A metric of this table (`AWS/DynamoDB`, dimension `TableName`).
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/DynamoDB", name).dimension("TableName", self.name())
    }

    /// `ConsumedReadCapacityUnits` (sum per 5 minutes).
    pub fn metric_consumed_read_capacity_units(&self) -> Metric {
        self.metric("ConsumedReadCapacityUnits").statistic(Statistic::Sum)
    }

    /// `ConsumedWriteCapacityUnits` (sum per 5 minutes).
    pub fn metric_consumed_write_capacity_units(&self) -> Metric {
        self.metric("ConsumedWriteCapacityUnits").statistic(Statistic::Sum)
    }

    /// `ReadThrottleEvents` (sum per 5 minutes).
    pub fn metric_read_throttle_events(&self) -> Metric {
        self.metric("ReadThrottleEvents").statistic(Statistic::Sum)
    }

    /// `WriteThrottleEvents` (sum per 5 minutes).
    pub fn metric_write_throttle_events(&self) -> Metric {
        self.metric("WriteThrottleEvents").statistic(Statistic::Sum)
    }

    /// `SuccessfulRequestLatency` of one operation (e.g. `GetItem`), average.
    pub fn metric_successful_request_latency(&self, operation: &str) -> Metric {
        self.metric("SuccessfulRequestLatency").dimension("Operation", operation)
    }

    /// Two alarms below the table, `ReadThrottles` and `WriteThrottles`,
    /// firing when any request is throttled in a 5-minute period (missing
    /// data not breaching). Notify them with `alarm.notify(&topic)`.
    pub fn throttle_alarms(&self) -> Vec<Alarm> {
        [
            ("ReadThrottles", self.metric_read_throttle_events(), "reads"),
            ("WriteThrottles", self.metric_write_throttle_events(), "writes"),
        ]
        .into_iter()
        .map(|(id, metric, what)| {
            let props = AlarmOptions::builder()
                .threshold(1.0)
                .evaluation_periods(1)
                .treat_missing_data(TreatMissingData::NotBreaching)
                .description(format!("Throttled {what} on table {}", self.scope.path()))
                .build();
            metric.create_alarm(&self.scope, id, props)
        })
        .collect()
    }
}

/// A construct path as a policy-name fragment.
fn sanitize(path: &str) -> String {
    path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use stackcraft_core::App;
    use stackcraft_iam::{Role, RoleProps, ServicePrincipal};

    fn table_json(app: &App) -> serde_json::Value {
        let a = app.synth().unwrap_or_else(|e| panic!("{e}"));
        let t = &a.stacks[0].template;
        t["Resources"].as_object().unwrap().values().find(|r| r["Type"] == "AWS::DynamoDB::Table").unwrap().clone()
    }

    #[test]
    fn production_retains_and_protects_dev_deletes() {
        for (prod, policy, protect) in [(true, "Retain", true), (false, "Delete", false)] {
            let app = App::new("t");
            app.set_environment(if prod { "prod" } else { "dev" }, prod);
            let stack = app.stack("S");
            Table::new(&stack, "T", TableProps::builder().partition_key(Attribute::string("id")).build());
            let t = table_json(&app);
            assert_eq!(t["DeletionPolicy"], policy);
            assert_eq!(t["UpdateReplacePolicy"], policy);
            assert_eq!(t["Properties"]["DeletionProtectionEnabled"], protect);
            assert_eq!(t["Properties"]["BillingMode"], "PAY_PER_REQUEST");
            assert_eq!(t["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
            assert_eq!(t["Properties"]["SSESpecification"]["SSEType"], "KMS");
        }
    }

    #[test]
    fn read_grant_names_each_index_and_write_grant_only_the_table() {
        let app = App::new("t");
        let stack = app.stack("S");
        let table = Table::new(
            &stack,
            "T",
            TableProps::builder()
                .partition_key(Attribute::string("pk"))
                .sort_key(Attribute::number("sk"))
                .global_secondary_indexes(vec![GlobalSecondaryIndex::builder()
                    .index_name("byUser")
                    .partition_key(Attribute::string("userId"))
                    .build()])
                .local_secondary_indexes(vec![LocalSecondaryIndex::builder()
                    .index_name("byDate")
                    .sort_key(Attribute::string("date"))
                    .projection(Projection::KeysOnly)
                    .build()])
                .build(),
        );
        let role = Role::new(
            &stack,
            "R",
            RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
        );
        table.grant_read_write_data(&role);
        let doc = role.policy_document().to_json();
        let read =
            doc["Statement"].as_array().unwrap().iter().find(|s| s["Action"][0] == "dynamodb:BatchGetItem").unwrap();
        assert_eq!(read["Resource"].as_array().unwrap().len(), 3, "{read}");
        let s = read["Resource"].to_string();
        assert!(s.contains("/index/byUser") && s.contains("/index/byDate"), "{s}");
        let write =
            doc["Statement"].as_array().unwrap().iter().find(|s| s["Action"][0] == "dynamodb:BatchWriteItem").unwrap();
        assert!(write["Resource"]["Fn::GetAtt"].is_array(), "{write}");
        let t = table_json(&app);
        assert_eq!(t["Properties"]["AttributeDefinitions"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn provisioned_autoscaling_covers_table_and_indexes() {
        let app = App::new("t");
        let stack = app.stack("S");
        Table::new(
            &stack,
            "T",
            TableProps::builder()
                .partition_key(Attribute::string("pk"))
                .billing(Billing::Provisioned { read: Capacity::autoscaled(5, 100), write: Capacity::fixed(5) })
                .global_secondary_indexes(vec![GlobalSecondaryIndex::builder()
                    .index_name("byUser")
                    .partition_key(Attribute::string("userId"))
                    .build()])
                .build(),
        );
        let a = app.synth().unwrap();
        let res = a.stacks[0].template["Resources"].as_object().unwrap().clone();
        let targets: Vec<_> =
            res.values().filter(|r| r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget").collect();
        assert_eq!(targets.len(), 2);
        assert!(targets.iter().any(|t| t["Properties"]["ScalableDimension"] == "dynamodb:index:ReadCapacityUnits"));
        assert_eq!(targets[0]["Properties"]["MinCapacity"], 5);
        assert_eq!(targets[0]["Properties"]["MaxCapacity"], 100);
        let t = res.values().find(|r| r["Type"] == "AWS::DynamoDB::Table").unwrap();
        assert_eq!(t["Properties"]["ProvisionedThroughput"], json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}));
    }

    #[test]
    fn bad_inputs_name_path_property_and_allowed_values() {
        let app = App::new("t");
        let stack = app.stack("S");
        let table = Table::new(
            &stack,
            "T",
            TableProps::builder()
                .partition_key(Attribute::string("pk"))
                .table_name("a")
                .billing(Billing::Provisioned {
                    read: Capacity::autoscaled(10, 5),
                    write: Capacity::autoscaled(1, 5).target_utilization(95.0),
                })
                .local_secondary_indexes(vec![LocalSecondaryIndex::builder()
                    .index_name("byDate")
                    .sort_key(Attribute::number("pk"))
                    .build()])
                .point_in_time_recovery(PointInTimeRecovery::disabled(" "))
                .build(),
        );
        let role = Role::new(
            &stack,
            "R",
            RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
        );
        table.grant_stream_read(&role);
        let err = app.synth().unwrap_err().to_string();
        for needle in [
            "error: S/T [TableName]: table name \"a\" is invalid: use 3-255 characters of [A-Za-z0-9_.-]",
            "error: S/T [ProvisionedThroughput.ReadCapacityUnits]: autoscaling min (10) is greater than max (5)",
            "error: S/T [ProvisionedThroughput.WriteCapacityUnits]: target utilization of 95 % is out of range; DynamoDB autoscaling allows 20 to 90",
            "error: S/T [LocalSecondaryIndexes]: local secondary indexes need a table with a sort key",
            "error: S/T [AttributeDefinitions]: attribute \"pk\" is used as both S and N",
            "error: S/T [PointInTimeRecoverySpecification]: turning point-in-time recovery off needs a reason",
            "error: S/T [StreamSpecification]: grant_stream_read needs a stream (TableProps::stream)",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in\n{err}");
        }
    }
}
