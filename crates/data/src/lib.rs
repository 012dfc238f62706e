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
//! - [`Bucket`]: an S3 bucket with public access blocked, ACLs disabled,
//!   encryption (SSE-S3 or SSE-KMS), versioning, lifecycle rules, a TLS-only
//!   bucket policy and read/write grants.
#![forbid(unsafe_code)]

mod bucket;
pub mod postgres;
mod secret;

pub use bucket::{Bucket, BucketEncryption, BucketProps, ObjectOwnership, ELB_LEGACY_LOG_ACCOUNTS};
pub use postgres::{DatabaseInstance, DatabaseInstanceProps, MonitoringInterval, PostgresVersion};
pub use secret::{GeneratedSecret, Secret, SecretProps, SecretValue};
