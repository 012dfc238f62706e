//! Monthly cost estimate of an assembly from the shipped price table
//! ([`crate::prices`]) and stated, overridable usage assumptions.

use serde_json::{json, Value as Json};

use crate::prices::{self, RegionPrices};
use crate::{resources, Snapshot};

/// Usage assumptions (every figure per month). Override any of them with a
/// JSON file of the same keys (`cost --assumptions FILE`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Assumptions {
    /// Hours a month (always-on resources).
    pub hours_per_month: f64,
    /// GB processed per NAT gateway.
    pub nat_gb: f64,
    /// Average LCUs per load balancer.
    pub alb_lcu: f64,
    /// GB ingested per log group.
    pub log_gb_ingested: f64,
    /// GB stored per log group.
    pub log_gb_stored: f64,
    /// GB stored per S3 bucket.
    pub s3_gb: f64,
    /// RDS backup storage beyond the free amount (GB).
    pub rds_backup_extra_gb: f64,
    /// Millions of writes per on-demand DynamoDB table.
    pub dynamodb_write_millions: f64,
    /// Millions of reads per on-demand DynamoDB table.
    pub dynamodb_read_millions: f64,
    /// GB stored per DynamoDB table.
    pub dynamodb_gb: f64,
    /// Partitions per MSK Serverless cluster.
    pub msk_partitions: f64,
    /// GB stored per MSK Serverless cluster.
    pub msk_gb: f64,
    /// GB served per CloudFront distribution.
    pub cloudfront_gb: f64,
    /// Millions of requests per CloudFront distribution.
    pub cloudfront_requests_millions: f64,
    /// Tasks per service when the template says nothing (no DesiredCount, no scaling minimum).
    pub default_tasks: f64,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions {
            hours_per_month: 730.0,
            nat_gb: 10.0,
            alb_lcu: 1.0,
            log_gb_ingested: 1.0,
            log_gb_stored: 1.0,
            s3_gb: 10.0,
            rds_backup_extra_gb: 0.0,
            dynamodb_write_millions: 1.0,
            dynamodb_read_millions: 5.0,
            dynamodb_gb: 1.0,
            msk_partitions: 10.0,
            msk_gb: 10.0,
            cloudfront_gb: 50.0,
            cloudfront_requests_millions: 1.0,
            default_tasks: 1.0,
        }
    }
}

macro_rules! fields {
    ($m:ident) => {
        $m!(
            hours_per_month,
            nat_gb,
            alb_lcu,
            log_gb_ingested,
            log_gb_stored,
            s3_gb,
            rds_backup_extra_gb,
            dynamodb_write_millions,
            dynamodb_read_millions,
            dynamodb_gb,
            msk_partitions,
            msk_gb,
            cloudfront_gb,
            cloudfront_requests_millions,
            default_tasks
        )
    };
}

impl Assumptions {
    /// As JSON (the override file's format).
    pub fn to_json(&self) -> Json {
        macro_rules! obj { ($($f:ident),*) => { json!({ $(stringify!($f): self.$f),* }) } }
        fields!(obj)
    }

    /// Apply overrides from a JSON object; unknown keys and non-numbers are
    /// errors naming the key and the allowed keys.
    pub fn apply_json(&mut self, text: &str) -> Result<(), AssumptionError> {
        let v: Json = serde_json::from_str(text).map_err(AssumptionError::NotJson)?;
        let obj = v.as_object().ok_or(AssumptionError::NotAnObject)?;
        for (k, val) in obj {
            let n = val.as_f64().filter(|n| n.is_finite() && *n >= 0.0);
            macro_rules! set {
                ($($f:ident),*) => {
                    match k.as_str() {
                        $(stringify!($f) => match n {
                            Some(n) => self.$f = n,
                            None => return Err(AssumptionError::NotANumber { key: k.clone(), value: val.clone() }),
                        },)*
                        _ => return Err(AssumptionError::Unknown { key: k.clone(), allowed: vec![$(stringify!($f)),*] }),
                    }
                };
            }
            fields!(set);
        }
        Ok(())
    }
}

/// Why an assumptions override file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssumptionError {
    /// The file is not JSON.
    #[error("not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The document is not an object.
    #[error("expected a JSON object of assumption names to numbers")]
    NotAnObject,
    /// A value that is not a finite non-negative number.
    #[error("{key}: expected a non-negative number, got {value}")]
    NotANumber {
        /// The assumption.
        key: String,
        /// The value given.
        value: Json,
    },
    /// A key that names no assumption.
    #[error("unknown assumption {key:?}; allowed: {}", allowed.join(", "))]
    Unknown {
        /// The key given.
        key: String,
        /// The assumptions there are.
        allowed: Vec<&'static str>,
    },
}

/// One priced resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Stack id.
    pub stack: String,
    /// Construct path.
    pub path: String,
    /// CloudFormation type.
    pub type_name: String,
    /// USD a month.
    pub monthly: f64,
    /// How it was computed.
    pub detail: String,
}

/// A resource the table has no price for (never counted as zero).
#[derive(Debug, Clone, PartialEq)]
pub struct NotEstimated {
    /// Stack id.
    pub stack: String,
    /// Construct path.
    pub path: String,
    /// CloudFormation type.
    pub type_name: String,
    /// Why.
    pub reason: String,
}

/// The estimate of an assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Priced resources (charged ones only; free types are omitted).
    pub lines: Vec<Line>,
    /// Resources without a price.
    pub not_estimated: Vec<NotEstimated>,
    /// The assumptions used.
    pub assumptions: Assumptions,
    /// Region of the prices used per stack (stack id, region).
    pub regions: Vec<(String, String)>,
}

/// Types that cost nothing by themselves (their usage is billed elsewhere).
pub const FREE_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::FlowLog",
    "AWS::EC2::VPCEndpoint",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::ECS::Cluster",
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::ElastiCache::ParameterGroup",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::KMS::Alias",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "AWS::CertificateManager::Certificate",
    "AWS::Logs::MetricFilter",
    "AWS::Logs::SubscriptionFilter",
    "AWS::Events::Rule",
    "AWS::Budgets::Budget",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::ECR::Repository",
];

fn num(v: Option<&Json>) -> Option<f64> {
    match v? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn money(x: f64) -> String {
    format!("${x:.2}")
}

fn unit(x: f64) -> String {
    format!("${x}")
}

/// Estimate `snap` with prices of each stack's region (else `default_region`).
pub fn estimate(snap: &Snapshot, default_region: &str, a: &Assumptions) -> Estimate {
    let mut lines = Vec::new();
    let mut not_estimated = Vec::new();
    let mut regions = Vec::new();
    let h = a.hours_per_month;
    for st in &snap.stacks {
        let region = st.region.clone().unwrap_or_else(|| default_region.to_owned());
        regions.push((st.id.clone(), region.clone()));
        let res = resources(&st.template);
        let Some(p) = prices::region(&region) else {
            for (lid, r) in &res {
                let t = r.get("Type").and_then(Json::as_str).unwrap_or("").to_owned();
                not_estimated.push(NotEstimated {
                    stack: st.id.clone(),
                    path: snap.path(&st.id, lid),
                    reason: format!("no prices for region {region} (table: us-east-1, eu-central-1, ap-northeast-2)"),
                    type_name: t,
                });
            }
            continue;
        };
        for (lid, r) in &res {
            let t = r.get("Type").and_then(Json::as_str).unwrap_or("");
            let props = r.get("Properties").cloned().unwrap_or(json!({}));
            let priced = price(t, lid, &props, &res, p, a, h);
            let path = snap.path(&st.id, lid);
            match priced {
                Priced::Cost(monthly, detail) => {
                    lines.push(Line { stack: st.id.clone(), path, type_name: t.to_owned(), monthly, detail })
                }
                Priced::Free => {}
                Priced::Unknown(reason) => {
                    not_estimated.push(NotEstimated { stack: st.id.clone(), path, type_name: t.to_owned(), reason })
                }
            }
        }
    }
    Estimate { lines, not_estimated, assumptions: a.clone(), regions }
}

enum Priced {
    Cost(f64, String),
    Free,
    Unknown(String),
}

fn price(
    t: &str,
    lid: &str,
    props: &Json,
    res: &serde_json::Map<String, Json>,
    p: &RegionPrices,
    a: &Assumptions,
    h: f64,
) -> Priced {
    use Priced::{Cost, Unknown};
    match t {
        "AWS::ECS::Service" => {
            let task = props
                .get("TaskDefinition")
                .and_then(|v| v.get("Ref"))
                .and_then(Json::as_str)
                .and_then(|id| res.get(id))
                .and_then(|r| r.get("Properties"));
            let (Some(cpu), Some(mem)) =
                (num(task.and_then(|t| t.get("Cpu"))), num(task.and_then(|t| t.get("Memory"))))
            else {
                return Unknown("task definition CPU/memory not found in the stack".into());
            };
            let (vcpu, gb) = (cpu / 1024.0, mem / 1024.0);
            let tasks = num(props.get("DesiredCount")).or_else(|| scaling_min(lid, res)).unwrap_or(a.default_tasks);
            let spot_share = spot_share(props);
            let hourly = vcpu * p.fargate_vcpu_hour + gb * p.fargate_gb_hour;
            let factor = 1.0 - spot_share * p.fargate_spot_discount;
            let monthly = tasks * hourly * h * factor;
            let spot = if spot_share > 0.0 { format!(", {:.0}% on Spot", spot_share * 100.0) } else { String::new() };
            Cost(monthly, format!("{tasks} task(s) x {vcpu} vCPU / {gb} GB x {h} h{spot}"))
        }
        "AWS::EC2::NatGateway" => Cost(
            h * p.nat_hour + a.nat_gb * p.nat_gb,
            format!("{h} h x {} + {} GB x {}", unit(p.nat_hour), a.nat_gb, unit(p.nat_gb)),
        ),
        "AWS::EC2::EIP" => Cost(h * p.public_ipv4_hour, format!("public IPv4: {h} h x ${}", p.public_ipv4_hour)),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let public = props.get("Scheme").and_then(Json::as_str) == Some("internet-facing");
            let azs = props
                .get("Subnets")
                .and_then(Json::as_array)
                .map(Vec::len)
                .or_else(|| props.get("SubnetMappings").and_then(Json::as_array).map(Vec::len))
                .unwrap_or(2);
            let ips = if public { azs as f64 } else { 0.0 };
            let monthly = h * (p.alb_hour + a.alb_lcu * p.alb_lcu_hour + ips * p.public_ipv4_hour);
            Cost(
                monthly,
                format!(
                    "{h} h x ({} + {} LCU x {} + {ips} public IPv4)",
                    unit(p.alb_hour),
                    a.alb_lcu,
                    unit(p.alb_lcu_hour)
                ),
            )
        }
        "AWS::RDS::DBInstance" => {
            let class = props.get("DBInstanceClass").and_then(Json::as_str).unwrap_or("");
            let Some(hour) = prices::lookup(p.rds_instance_hour, class) else {
                return Unknown(format!("no price for instance class {class:?}"));
            };
            let multi = props.get("MultiAZ").and_then(Json::as_bool).unwrap_or(false);
            let az = if multi { 2.0 } else { 1.0 };
            let gb = num(props.get("AllocatedStorage")).unwrap_or(20.0);
            let monthly = az * (hour * h + gb * p.rds_gp3_gb_month) + a.rds_backup_extra_gb * p.rds_backup_gb_month;
            Cost(monthly, format!("{class}{} {h} h + {gb} GB gp3", if multi { " Multi-AZ" } else { "" }))
        }
        "AWS::ElastiCache::CacheCluster" | "AWS::ElastiCache::ReplicationGroup" => {
            let node = props.get("CacheNodeType").and_then(Json::as_str).unwrap_or("");
            let Some(hour) = prices::lookup(p.elasticache_node_hour, node) else {
                return Unknown(format!("no price for node type {node:?}"));
            };
            let nodes = num(props.get("NumCacheNodes"))
                .or_else(|| num(props.get("NumCacheClusters")))
                .or_else(|| {
                    let groups = num(props.get("NumNodeGroups"))?;
                    Some(groups * (1.0 + num(props.get("ReplicasPerNodeGroup")).unwrap_or(0.0)))
                })
                .unwrap_or(1.0);
            Cost(nodes * hour * h, format!("{nodes} x {node} x {h} h"))
        }
        "AWS::DynamoDB::Table" => {
            let storage = a.dynamodb_gb * p.dynamodb_gb_month;
            if props.get("BillingMode").and_then(Json::as_str) == Some("PAY_PER_REQUEST") {
                let m = a.dynamodb_write_millions * p.dynamodb_write_million
                    + a.dynamodb_read_millions * p.dynamodb_read_million
                    + storage;
                Cost(
                    m,
                    format!(
                        "on-demand: {}M writes, {}M reads, {} GB",
                        a.dynamodb_write_millions, a.dynamodb_read_millions, a.dynamodb_gb
                    ),
                )
            } else {
                let pt = props.get("ProvisionedThroughput");
                let rcu = num(pt.and_then(|x| x.get("ReadCapacityUnits"))).unwrap_or(5.0);
                let wcu = num(pt.and_then(|x| x.get("WriteCapacityUnits"))).unwrap_or(5.0);
                let m = h * (rcu * p.dynamodb_rcu_hour + wcu * p.dynamodb_wcu_hour) + storage;
                Cost(m, format!("provisioned {rcu} RCU / {wcu} WCU, {} GB", a.dynamodb_gb))
            }
        }
        "AWS::MSK::ServerlessCluster" => Cost(
            h * (p.msk_serverless_cluster_hour + a.msk_partitions * p.msk_serverless_partition_hour)
                + a.msk_gb * p.msk_serverless_gb_month,
            format!("{h} h, {} partitions, {} GB", a.msk_partitions, a.msk_gb),
        ),
        "AWS::CloudFront::Distribution" => Cost(
            a.cloudfront_gb * p.cloudfront_gb + a.cloudfront_requests_millions * 100.0 * p.cloudfront_10k_requests,
            format!("{} GB out, {}M requests", a.cloudfront_gb, a.cloudfront_requests_millions),
        ),
        "AWS::S3::Bucket" => Cost(a.s3_gb * p.s3_gb_month, format!("{} GB Standard", a.s3_gb)),
        "AWS::CloudWatch::Alarm" => Cost(p.alarm_month, "standard alarm".into()),
        "AWS::CloudWatch::Dashboard" => Cost(p.dashboard_month, "dashboard".into()),
        "AWS::Logs::LogGroup" => Cost(
            a.log_gb_ingested * p.logs_ingest_gb + a.log_gb_stored * p.logs_storage_gb_month,
            format!("{} GB ingested, {} GB stored", a.log_gb_ingested, a.log_gb_stored),
        ),
        "AWS::KMS::Key" => Cost(p.kms_key_month, "customer-managed key".into()),
        "AWS::SecretsManager::Secret" => Cost(p.secret_month, "secret".into()),
        "AWS::Route53::HostedZone" => Cost(p.hosted_zone_month, "hosted zone".into()),
        t if FREE_TYPES.contains(&t) => Priced::Free,
        _ => Unknown("no price in the table (usage-based or not covered)".into()),
    }
}

/// The minimum capacity of the ScalableTarget whose ResourceId names `service`.
fn scaling_min(service: &str, res: &serde_json::Map<String, Json>) -> Option<f64> {
    res.values()
        .filter(|r| r.get("Type").and_then(Json::as_str) == Some("AWS::ApplicationAutoScaling::ScalableTarget"))
        .filter_map(|r| r.get("Properties"))
        .find(|p| p.get("ResourceId").is_some_and(|id| id.to_string().contains(&format!("\"{service}\""))))
        .and_then(|p| num(p.get("MinCapacity")))
}

/// The share of tasks on FARGATE_SPOT by capacity-provider weight.
fn spot_share(props: &Json) -> f64 {
    let Some(list) = props.get("CapacityProviderStrategy").and_then(Json::as_array) else { return 0.0 };
    let (mut spot, mut total) = (0.0, 0.0);
    for s in list {
        let w = num(s.get("Weight")).unwrap_or(0.0);
        total += w;
        if s.get("CapacityProvider").and_then(Json::as_str) == Some("FARGATE_SPOT") {
            spot += w;
        }
    }
    if total > 0.0 {
        spot / total
    } else {
        0.0
    }
}

impl Estimate {
    /// Total USD a month.
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|l| l.monthly).sum()
    }

    /// Per stack totals, in stack order.
    pub fn stack_totals(&self) -> Vec<(String, f64)> {
        self.regions
            .iter()
            .map(|(s, _)| (s.clone(), self.lines.iter().filter(|l| &l.stack == s).map(|l| l.monthly).sum()))
            .collect()
    }

    /// `{"currency", "total_monthly", "prices_as_of", "assumptions", "stacks", "not_estimated"}`.
    pub fn to_json(&self) -> Json {
        let round = |x: f64| (x * 100.0).round() / 100.0;
        json!({
            "currency": "USD",
            "total_monthly": round(self.total()),
            "prices_as_of": prices::PRICES_AS_OF,
            "assumptions": self.assumptions.to_json(),
            "stacks": self.stack_totals().iter().zip(&self.regions).map(|((s, t), (_, region))| json!({
                "id": s, "region": region, "monthly": round(*t),
                "resources": self.lines.iter().filter(|l| &l.stack == s).map(|l| json!({
                    "path": l.path, "type": l.type_name, "monthly": round(l.monthly), "detail": l.detail,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "not_estimated": self.not_estimated.iter().map(|n| json!({
                "stack": n.stack, "path": n.path, "type": n.type_name, "reason": n.reason,
            })).collect::<Vec<_>>(),
        })
    }

    /// The text report.
    pub fn render(&self) -> String {
        let mut out = format!(
            "Estimated monthly cost: {} (USD, on-demand, prices as of {})\n",
            money(self.total()),
            prices::PRICES_AS_OF
        );
        for ((s, t), (_, region)) in self.stack_totals().iter().zip(&self.regions) {
            out.push_str(&format!("\nStack {s} ({region}): {}\n", money(*t)));
            for l in self.lines.iter().filter(|l| &l.stack == s) {
                out.push_str(&format!("  {:>9}  {} [{}]: {}\n", money(l.monthly), l.path, l.type_name, l.detail));
            }
        }
        if !self.not_estimated.is_empty() {
            out.push_str("\nNot estimated (not included in the total):\n");
            for n in &self.not_estimated {
                out.push_str(&format!("  {} [{}]: {}\n", n.path, n.type_name, n.reason));
            }
        }
        out.push_str("\nAssumptions (override with --assumptions FILE):\n");
        if let Some(obj) = self.assumptions.to_json().as_object() {
            for (k, v) in obj {
                out.push_str(&format!("  {k}: {v}\n"));
            }
        }
        out
    }
}
