//! stackcraft-data: stateful building blocks.
//!
//! - [`DatabaseInstance`]: RDS for PostgreSQL in private/isolated subnets, gp3
//!   storage encrypted with KMS, backups, deletion protection and
//!   `DeletionPolicy: Snapshot`, IAM authentication, Performance Insights,
//!   enhanced monitoring, log exports, its own security group
//!   ([`connections()`](stackcraft_vpc::HasConnections::connections) on port
//!   5432), generated credentials in Secrets Manager and a `DATABASE_URL`
//!   secret ([module `postgres`](postgres) explains how no password ever
//!   reaches the template), and metrics for alarms and dashboards.
//! - [`Secret`]: a KMS-encrypted Secrets Manager secret, generated or derived
//!   from dynamic references; implements [`stackcraft_iam::SecretSource`].
//! - [`ReplicationGroup`] ([module `cache`](cache)): ElastiCache for Redis OSS
//!   / Valkey, Multi-AZ with automatic failover, TLS with a generated AUTH
//!   token and a `REDIS_URL` secret, KMS at rest, slow/engine logs, snapshots,
//!   per-node metrics and alarms.
//! - [`Bucket`]: an S3 bucket with public access blocked, ACLs disabled,
//!   encryption (SSE-S3 or SSE-KMS), versioning, lifecycle rules, a TLS-only
//!   bucket policy and read/write grants.
//! - [`Table`]: a DynamoDB table with typed keys, on-demand or provisioned
//!   billing with target-tracking autoscaling, GSIs/LSIs, TTL, streams,
//!   point-in-time recovery and a customer-managed key by default, deletion
//!   protection and `Retain` in production, exact-action grants (index ARNs
//!   included), metrics and throttle alarms.
#![forbid(unsafe_code)]

mod bucket;
pub mod cache;
mod dynamodb;
pub mod postgres;
mod secret;

pub use bucket::{
    Bucket, BucketEncryption, BucketProps, CorsRule, HttpMethod, LifecycleRule, LogBucketProps, ObjectOwnership,
    StorageClass, Transition, ELB_LEGACY_LOG_ACCOUNTS,
};
pub use cache::{
    AccessString, CacheAuth, CacheEngine, CacheUser, CacheUserHandle, ClusterMode, ReplicationGroup,
    ReplicationGroupProps, UserAuthentication, ACL_CATEGORIES, CACHE_NODE_FAMILIES,
};
pub use dynamodb::{
    Attribute, AttributeType, Billing, Capacity, GlobalSecondaryIndex, LocalSecondaryIndex, PointInTimeRecovery,
    Projection, StreamViewType, Table, TableEncryption, TableProps,
};
pub use postgres::{DatabaseInstance, DatabaseInstanceProps, MasterPassword, MonitoringInterval, PostgresVersion};
pub use secret::{GeneratedSecret, Secret, SecretProps, SecretValue};
