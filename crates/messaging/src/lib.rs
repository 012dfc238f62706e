//! Messaging building blocks: SQS queues, SNS topics, EventBridge buses and
//! rules, and MSK Serverless clusters, with least-privilege grants and metrics.
//!
//! - [`Queue`]: SQS with a customer-managed key EventBridge and SNS can use
//!   (not `alias/aws/sqs`), a TLS-only queue policy, a [`DeadLetterQueue`]
//!   with `max_receive_count`, validated retention / visibility / delay /
//!   wait times, `grant_send_messages` / `grant_consume_messages` /
//!   `grant_purge`, metrics and [`Queue::dead_letter_alarm`].
//! - [`Topic`]: SNS with a customer-managed key, a policy denying publishing
//!   without TLS, e-mail and SQS subscriptions (queue policy and key
//!   statements written for you, raw delivery), `grant_publish`; alarms
//!   notify it (`alarm.notify(&topic)`, through
//!   [`stackcraft_observability::AlarmAction`]).
//! - [`EventBus`] (customer-managed key, optional archive,
//!   `grant_put_events`) and [`Rule`] with a typed [`EventPattern`] and
//!   [`RuleTarget`]s (queue, topic, another bus; dead-letter queue and retry
//!   policy) that write the resource policies and key statements they need.
//!
//! Key policies name the AWS service and `aws:SourceAccount` rather than the
//! rule or topic ARN: a key policy naming a resource that references the key
//! (through its queue) would be a dependency cycle. The queue and topic
//! policies name the exact source ARN.
#![forbid(unsafe_code)]

mod events;
mod msk;
mod queue;
mod topic;

pub use events::{EventBus, EventBusProps, EventPattern, Matcher, Rule, RuleProps, RuleTarget};
pub use msk::{ServerlessKafkaCluster, ServerlessKafkaClusterProps, MSK_IAM_PORT};
pub use queue::{DeadLetterQueue, Queue, QueueEncryption, QueueProps};
pub use topic::{SqsSubscriptionProps, Topic, TopicProps};
