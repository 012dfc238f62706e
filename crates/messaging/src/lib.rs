//! Messaging building blocks: SQS queues, SNS topics, EventBridge buses and
//! rules, and MSK Serverless clusters, with least-privilege grants and metrics.
#![forbid(unsafe_code)]

mod msk;
pub use msk::{ServerlessKafkaCluster, ServerlessKafkaClusterProps, MSK_IAM_PORT};
