//! The shipped, dated price table (USD, on-demand, Linux, no free tier).
//!
//! Per price, [`SOURCES`] records the page it was checked against and the
//! date it was read; the prices not in it are marked [`UNVERIFIED`] (see
//! [`source`]). The figures were typed from the AWS public price pages
//! below, NOT fetched at run time — re-check them before relying on a
//! figure, and update the date when you do:
//! - Fargate: aws.amazon.com/fargate/pricing (Linux/x86 per vCPU-hour and
//!   GB-hour; Spot: a typical 70% discount, the live Spot price varies)
//! - NAT gateway, public IPv4: aws.amazon.com/vpc/pricing
//! - Application Load Balancer: aws.amazon.com/elasticloadbalancing/pricing
//! - RDS for PostgreSQL: aws.amazon.com/rds/postgresql/pricing (Single-AZ
//!   hourly; Multi-AZ is twice the instance and storage price; gp3 per GB-month)
//! - ElastiCache: aws.amazon.com/elasticache/pricing (on-demand node-hours)
//! - DynamoDB: aws.amazon.com/dynamodb/pricing (on-demand after the
//!   November 2024 reduction; provisioned capacity per hour; storage)
//! - MSK Serverless: aws.amazon.com/msk/pricing
//! - CloudFront: aws.amazon.com/cloudfront/pricing (first 10 TB tier)
//! - S3 Standard: aws.amazon.com/s3/pricing (first 50 TB tier)
//! - CloudWatch: aws.amazon.com/cloudwatch/pricing (standard alarms,
//!   dashboards, log ingestion and storage)
//! - KMS, Secrets Manager, Route 53: their pricing pages (per key, per
//!   secret, per hosted zone per month)
//!
//! Free tiers are ignored (an estimate for a steady account).

/// The date the table's figures were transcribed (and the checked ones read).
pub const PRICES_AS_OF: &str = "2026-11-24";

/// Prices of one region.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RegionPrices {
    /// Region code.
    pub region: &'static str,
    /// Fargate per vCPU-hour.
    pub fargate_vcpu_hour: f64,
    /// Fargate per GB-hour.
    pub fargate_gb_hour: f64,
    /// Fargate Spot discount (fraction off on-demand).
    pub fargate_spot_discount: f64,
    /// NAT gateway per hour.
    pub nat_hour: f64,
    /// NAT gateway per GB processed.
    pub nat_gb: f64,
    /// Application Load Balancer per hour.
    pub alb_hour: f64,
    /// ALB per LCU-hour.
    pub alb_lcu_hour: f64,
    /// Public IPv4 address per hour.
    pub public_ipv4_hour: f64,
    /// RDS PostgreSQL Single-AZ per hour, by instance class.
    pub rds_instance_hour: &'static [(&'static str, f64)],
    /// RDS gp3 storage per GB-month (Single-AZ).
    pub rds_gp3_gb_month: f64,
    /// RDS backup storage beyond the free amount, per GB-month.
    pub rds_backup_gb_month: f64,
    /// ElastiCache per node-hour, by node type.
    pub elasticache_node_hour: &'static [(&'static str, f64)],
    /// DynamoDB on-demand per million write request units.
    pub dynamodb_write_million: f64,
    /// DynamoDB on-demand per million read request units.
    pub dynamodb_read_million: f64,
    /// DynamoDB provisioned per WCU-hour.
    pub dynamodb_wcu_hour: f64,
    /// DynamoDB provisioned per RCU-hour.
    pub dynamodb_rcu_hour: f64,
    /// DynamoDB storage per GB-month.
    pub dynamodb_gb_month: f64,
    /// MSK Serverless per cluster-hour.
    pub msk_serverless_cluster_hour: f64,
    /// MSK Serverless per partition-hour.
    pub msk_serverless_partition_hour: f64,
    /// MSK Serverless storage per GB-month.
    pub msk_serverless_gb_month: f64,
    /// CloudFront data transfer out per GB.
    pub cloudfront_gb: f64,
    /// CloudFront per 10,000 HTTPS requests.
    pub cloudfront_10k_requests: f64,
    /// S3 Standard per GB-month.
    pub s3_gb_month: f64,
    /// CloudWatch standard alarm per month.
    pub alarm_month: f64,
    /// CloudWatch dashboard per month.
    pub dashboard_month: f64,
    /// CloudWatch Logs ingestion per GB.
    pub logs_ingest_gb: f64,
    /// CloudWatch Logs storage per GB-month.
    pub logs_storage_gb_month: f64,
    /// KMS customer-managed key per month.
    pub kms_key_month: f64,
    /// Secrets Manager secret per month.
    pub secret_month: f64,
    /// Route 53 hosted zone per month.
    pub hosted_zone_month: f64,
}

/// The regions in the table.
pub const REGIONS: &[RegionPrices] = &[
    RegionPrices {
        region: "us-east-1",
        fargate_vcpu_hour: 0.04048,
        fargate_gb_hour: 0.004445,
        fargate_spot_discount: 0.70,
        nat_hour: 0.045,
        nat_gb: 0.045,
        alb_hour: 0.0225,
        alb_lcu_hour: 0.008,
        public_ipv4_hour: 0.005,
        rds_instance_hour: &[
            ("db.t4g.micro", 0.016),
            ("db.t4g.small", 0.032),
            ("db.t4g.medium", 0.065),
            ("db.t4g.large", 0.129),
            ("db.t3.micro", 0.018),
            ("db.t3.small", 0.036),
            ("db.t3.medium", 0.072),
            ("db.t3.large", 0.145),
            ("db.m6g.large", 0.159),
            ("db.m5.large", 0.178),
            ("db.r6g.large", 0.225),
        ],
        rds_gp3_gb_month: 0.115,
        rds_backup_gb_month: 0.095,
        elasticache_node_hour: &[
            ("cache.t4g.micro", 0.016),
            ("cache.t4g.small", 0.032),
            ("cache.t4g.medium", 0.065),
            ("cache.t3.micro", 0.017),
            ("cache.t3.small", 0.034),
            ("cache.t3.medium", 0.068),
            ("cache.m6g.large", 0.149),
            ("cache.r6g.large", 0.206),
        ],
        dynamodb_write_million: 0.625,
        dynamodb_read_million: 0.125,
        dynamodb_wcu_hour: 0.00065,
        dynamodb_rcu_hour: 0.00013,
        dynamodb_gb_month: 0.25,
        msk_serverless_cluster_hour: 0.75,
        msk_serverless_partition_hour: 0.0015,
        msk_serverless_gb_month: 0.10,
        cloudfront_gb: 0.085,
        cloudfront_10k_requests: 0.01,
        s3_gb_month: 0.023,
        alarm_month: 0.10,
        dashboard_month: 3.00,
        logs_ingest_gb: 0.50,
        logs_storage_gb_month: 0.03,
        kms_key_month: 1.00,
        secret_month: 0.40,
        hosted_zone_month: 0.50,
    },
    RegionPrices {
        region: "eu-central-1",
        fargate_vcpu_hour: 0.04656,
        fargate_gb_hour: 0.00511,
        fargate_spot_discount: 0.70,
        nat_hour: 0.052,
        nat_gb: 0.052,
        alb_hour: 0.027,
        alb_lcu_hour: 0.008,
        public_ipv4_hour: 0.005,
        rds_instance_hour: &[
            ("db.t4g.micro", 0.019),
            ("db.t4g.small", 0.038),
            ("db.t4g.medium", 0.076),
            ("db.t4g.large", 0.152),
            ("db.t3.micro", 0.021),
            ("db.t3.small", 0.041),
            ("db.t3.medium", 0.082),
            ("db.t3.large", 0.164),
            ("db.m6g.large", 0.184),
            ("db.m5.large", 0.206),
            ("db.r6g.large", 0.264),
        ],
        rds_gp3_gb_month: 0.137,
        rds_backup_gb_month: 0.095,
        elasticache_node_hour: &[
            ("cache.t4g.micro", 0.018),
            ("cache.t4g.small", 0.036),
            ("cache.t4g.medium", 0.073),
            ("cache.t3.micro", 0.019),
            ("cache.t3.small", 0.038),
            ("cache.t3.medium", 0.076),
            ("cache.m6g.large", 0.170),
            ("cache.r6g.large", 0.236),
        ],
        dynamodb_write_million: 0.7625,
        dynamodb_read_million: 0.1525,
        dynamodb_wcu_hour: 0.000793,
        dynamodb_rcu_hour: 0.0001586,
        dynamodb_gb_month: 0.306,
        msk_serverless_cluster_hour: 0.85,
        msk_serverless_partition_hour: 0.0017,
        msk_serverless_gb_month: 0.11,
        cloudfront_gb: 0.085,
        cloudfront_10k_requests: 0.012,
        s3_gb_month: 0.0245,
        alarm_month: 0.10,
        dashboard_month: 3.00,
        logs_ingest_gb: 0.63,
        logs_storage_gb_month: 0.0324,
        kms_key_month: 1.00,
        secret_month: 0.40,
        hosted_zone_month: 0.50,
    },
    RegionPrices {
        region: "ap-northeast-2",
        fargate_vcpu_hour: 0.04656,
        fargate_gb_hour: 0.00511,
        fargate_spot_discount: 0.70,
        nat_hour: 0.059,
        nat_gb: 0.059,
        alb_hour: 0.0225,
        alb_lcu_hour: 0.008,
        public_ipv4_hour: 0.005,
        rds_instance_hour: &[
            ("db.t4g.micro", 0.023),
            ("db.t4g.small", 0.046),
            ("db.t4g.medium", 0.092),
            ("db.t4g.large", 0.184),
            ("db.t3.micro", 0.026),
            ("db.t3.small", 0.052),
            ("db.t3.medium", 0.104),
            ("db.t3.large", 0.208),
            ("db.m6g.large", 0.196),
            ("db.m5.large", 0.220),
            ("db.r6g.large", 0.280),
        ],
        rds_gp3_gb_month: 0.131,
        rds_backup_gb_month: 0.095,
        elasticache_node_hour: &[
            ("cache.t4g.micro", 0.020),
            ("cache.t4g.small", 0.040),
            ("cache.t4g.medium", 0.080),
            ("cache.t3.micro", 0.021),
            ("cache.t3.small", 0.042),
            ("cache.t3.medium", 0.084),
            ("cache.m6g.large", 0.183),
            ("cache.r6g.large", 0.253),
        ],
        dynamodb_write_million: 0.7125,
        dynamodb_read_million: 0.1425,
        dynamodb_wcu_hour: 0.0007424,
        dynamodb_rcu_hour: 0.0001484,
        dynamodb_gb_month: 0.285,
        msk_serverless_cluster_hour: 0.80,
        msk_serverless_partition_hour: 0.0016,
        msk_serverless_gb_month: 0.11,
        cloudfront_gb: 0.120,
        cloudfront_10k_requests: 0.012,
        s3_gb_month: 0.025,
        alarm_month: 0.10,
        dashboard_month: 3.00,
        logs_ingest_gb: 0.76,
        logs_storage_gb_month: 0.0314,
        kms_key_month: 1.00,
        secret_month: 0.40,
        hosted_zone_month: 0.50,
    },
];

/// Where one price of the table was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceSource {
    /// The [`RegionPrices`] field.
    pub field: &'static str,
    /// The region, or `*` for every region of the table.
    pub region: &'static str,
    /// The page the figure was checked against, or `unverified: ...`.
    pub source: &'static str,
    /// The date the page was read (empty when unverified).
    pub read: &'static str,
}

/// What an unverified price says.
pub const UNVERIFIED: &str = "unverified: no source found offline";

/// The prices checked against a public page (2026-11-24, through the
/// offline page index available to the build: AWS's CloudFront price page,
/// otherwise secondary pages quoting the AWS price pages). Each agreed with
/// the table; nothing had to be corrected. Every other price is [`UNVERIFIED`]: a
/// figure typed from memory of the AWS price pages, to re-check there.
pub const SOURCES: &[PriceSource] = &[
    PriceSource { field: "fargate_vcpu_hour", region: "us-east-1", source: "https://www.vantage.sh/blog/fargate-pricing (Linux/x86 $0.04048 per vCPU-hour)", read: "2026-11-24" },
    PriceSource { field: "fargate_gb_hour", region: "us-east-1", source: "https://www.vantage.sh/blog/fargate-pricing (Linux/x86 $0.004445 per GB-hour)", read: "2026-11-24" },
    PriceSource { field: "fargate_spot_discount", region: "*", source: "https://www.wring.co/blog/aws-fargate-pricing-guide (Fargate Spot: up to 70% off; the live Spot price varies)", read: "2026-11-24" },
    PriceSource { field: "nat_hour", region: "us-east-1", source: "https://basavytix.com/blog/aws-nat-gateway-pricing ($0.045 per NAT gateway-hour)", read: "2026-11-24" },
    PriceSource { field: "nat_gb", region: "us-east-1", source: "https://basavytix.com/blog/aws-nat-gateway-pricing ($0.045 per GB processed)", read: "2026-11-24" },
    PriceSource { field: "public_ipv4_hour", region: "*", source: "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/ ($0.005 per public IPv4 address-hour since 2024-02-01, every region)", read: "2026-11-24" },
    PriceSource { field: "alb_hour", region: "us-east-1", source: "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ ($0.0225 per ALB-hour)", read: "2026-11-24" },
    PriceSource { field: "alb_lcu_hour", region: "us-east-1", source: "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ ($0.008 per LCU-hour)", read: "2026-11-24" },
    PriceSource { field: "dynamodb_write_million", region: "us-east-1", source: "https://airbyte.com/data-engineering-resources/dynamodb-pricing ($0.625 per million WRU after the November 2024 reduction)", read: "2026-11-24" },
    PriceSource { field: "dynamodb_read_million", region: "us-east-1", source: "https://airbyte.com/data-engineering-resources/dynamodb-pricing ($0.125 per million RRU after the November 2024 reduction)", read: "2026-11-24" },
    PriceSource { field: "dynamodb_wcu_hour", region: "us-east-1", source: "https://zeonedge.com/en/blog/dynamodb-cost-optimization-on-demand-provisioned-dax-single-table ($0.00065 per WCU-hour)", read: "2026-11-24" },
    PriceSource { field: "dynamodb_rcu_hour", region: "us-east-1", source: "https://zeonedge.com/en/blog/dynamodb-cost-optimization-on-demand-provisioned-dax-single-table ($0.00013 per RCU-hour)", read: "2026-11-24" },
    PriceSource { field: "cloudfront_gb", region: "us-east-1", source: "https://aws.amazon.com/cloudfront/pricing (first 10 TB, United States: $0.085 per GB)", read: "2026-11-24" },
    PriceSource { field: "cloudfront_gb", region: "eu-central-1", source: "https://aws.amazon.com/cloudfront/pricing (first 10 TB, Europe: $0.085 per GB)", read: "2026-11-24" },
    PriceSource { field: "cloudfront_gb", region: "ap-northeast-2", source: "https://aws.amazon.com/cloudfront/pricing (first 10 TB, South Korea: $0.120 per GB)", read: "2026-11-24" },
    PriceSource { field: "rds_instance_hour:db.t4g.micro", region: "us-east-1", source: "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (PostgreSQL Single-AZ $0.016/h; Multi-AZ twice)", read: "2026-11-24" },
    PriceSource { field: "rds_instance_hour:db.t4g.small", region: "us-east-1", source: "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (PostgreSQL Single-AZ $0.032/h)", read: "2026-11-24" },
    PriceSource { field: "rds_instance_hour:db.t4g.medium", region: "us-east-1", source: "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (PostgreSQL Single-AZ $0.065/h)", read: "2026-11-24" },
    PriceSource { field: "rds_gp3_gb_month", region: "us-east-1", source: "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (gp3 $0.115 per GB-month)", read: "2026-11-24" },
    PriceSource { field: "rds_backup_gb_month", region: "us-east-1", source: "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (backup beyond the DB size ~$0.095 per GB-month)", read: "2026-11-24" },
    PriceSource { field: "elasticache_node_hour:cache.t3.micro", region: "us-east-1", source: "https://dragonflydb.io/finops/elasticache/cache.t3.micro (on-demand $0.017/h)", read: "2026-11-24" },
    PriceSource { field: "s3_gb_month", region: "us-east-1", source: "https://www.cloudhealthtech.com/blog/s3-cost-aws-cloud-storage-costs-explained (S3 Standard $0.023-$0.026 per GB-month by region)", read: "2026-11-24" },
    PriceSource { field: "dashboard_month", region: "*", source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ ($3 per dashboard-month)", read: "2026-11-24" },
    PriceSource { field: "logs_ingest_gb", region: "us-east-1", source: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (Logs ingestion $0.50 per GB)", read: "2026-11-24" },
    PriceSource { field: "kms_key_month", region: "*", source: "https://www.wring.co/blog/aws-kms-pricing-guide (customer managed key $1.00 per month)", read: "2026-11-24" },
    PriceSource { field: "secret_month", region: "*", source: "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms ($0.40 per secret-month)", read: "2026-11-24" },
    PriceSource { field: "hosted_zone_month", region: "*", source: "https://ns1.com/resources/aws-dns ($0.50 per hosted zone-month, first 25)", read: "2026-11-24" },
];

/// Every price field of [`RegionPrices`], in declaration order.
pub const FIELDS: &[&str] = &[
    "fargate_vcpu_hour",
    "fargate_gb_hour",
    "fargate_spot_discount",
    "nat_hour",
    "nat_gb",
    "alb_hour",
    "alb_lcu_hour",
    "public_ipv4_hour",
    "rds_instance_hour",
    "rds_gp3_gb_month",
    "rds_backup_gb_month",
    "elasticache_node_hour",
    "dynamodb_write_million",
    "dynamodb_read_million",
    "dynamodb_wcu_hour",
    "dynamodb_rcu_hour",
    "dynamodb_gb_month",
    "msk_serverless_cluster_hour",
    "msk_serverless_partition_hour",
    "msk_serverless_gb_month",
    "cloudfront_gb",
    "cloudfront_10k_requests",
    "s3_gb_month",
    "alarm_month",
    "dashboard_month",
    "logs_ingest_gb",
    "logs_storage_gb_month",
    "kms_key_month",
    "secret_month",
    "hosted_zone_month",
];

/// Where the price `field` of `region` comes from: the checked page and the
/// date it was read, or [`UNVERIFIED`]. A price of a list (RDS instance
/// classes, ElastiCache node types) is `field:key`, e.g.
/// `rds_instance_hour:db.t4g.micro`.
pub fn source(region: &str, field: &str) -> (&'static str, &'static str) {
    SOURCES
        .iter()
        .find(|s| s.field == field && (s.region == region || s.region == "*"))
        .map_or((UNVERIFIED, ""), |s| (s.source, s.read))
}

/// The prices of `region`, if the table has it.
pub fn region(region: &str) -> Option<&'static RegionPrices> {
    REGIONS.iter().find(|r| r.region == region)
}

/// Look up `key` in a `(name, price)` list.
pub fn lookup(list: &[(&str, f64)], key: &str) -> Option<f64> {
    list.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_names_a_field_and_a_region_of_the_table_and_is_dated() {
        for s in SOURCES {
            let field = s.field.split(':').next().unwrap_or_default();
            assert!(FIELDS.contains(&field), "{s:?}");
            if let (Some((_, key)), Some(r)) = (s.field.split_once(':'), region(s.region)) {
                let list = if field == "rds_instance_hour" { r.rds_instance_hour } else { r.elasticache_node_hour };
                assert!(lookup(list, key).is_some(), "{s:?}");
            }
            assert!(s.region == "*" || region(s.region).is_some(), "{s:?}");
            assert!(s.source.starts_with("https://") && s.read == PRICES_AS_OF, "{s:?}");
        }
        assert_eq!(source("us-east-1", "fargate_vcpu_hour").1, "2026-11-24");
        assert_eq!(source("eu-central-1", "public_ipv4_hour").1, "2026-11-24");
        assert_eq!(source("eu-central-1", "fargate_vcpu_hour"), (UNVERIFIED, ""));
    }

    #[test]
    fn checked_figures_are_the_tables() {
        let us = region("us-east-1")
            .map(|r| (r.fargate_vcpu_hour, r.fargate_gb_hour, r.nat_hour, r.nat_gb, r.alb_hour, r.alb_lcu_hour));
        assert_eq!(us, Some((0.04048, 0.004445, 0.045, 0.045, 0.0225, 0.008)));
        assert!(REGIONS.iter().all(|r| r.public_ipv4_hour == 0.005));
        let cf: Vec<f64> = REGIONS.iter().map(|r| r.cloudfront_gb).collect();
        assert_eq!(cf, [0.085, 0.085, 0.120]);
        let rds = region("us-east-1").map(|r| r.rds_instance_hour).unwrap_or_default();
        assert_eq!(lookup(rds, "db.t4g.micro"), Some(0.016));
    }
}
