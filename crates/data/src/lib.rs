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
#![forbid(unsafe_code)]

pub mod postgres;
mod secret;

pub use postgres::{DatabaseInstance, DatabaseInstanceProps, MonitoringInterval, PostgresVersion};
pub use secret::{GeneratedSecret, Secret, SecretProps, SecretValue};
