//! Where alarms send notifications: the [`AlarmAction`] trait, implemented
//! by `stackcraft_messaging::Topic`, the one SNS topic building block
//! (KMS-encrypted, TLS-only, e-mail and SQS subscriptions): as in the CDK,
//! where alarms take `SnsAction(topic)` with the one `sns.Topic`.
//!
//! `stackcraft-messaging` depends on this crate (for metrics and alarms), so
//! the alarm side names its targets through a trait rather than a type.

use stackcraft_core::Value;

/// Something an [`crate::Alarm`] can notify: an SNS topic.
pub trait AlarmAction {
    /// The ARN written into `AlarmActions` / `OKActions`.
    fn alarm_action_arn(&self) -> Value<String>;
    /// Grant CloudWatch alarms what notifying needs (topic policy, key
    /// policy). Called on every `notify`; must be idempotent.
    fn bind_alarm_action(&self) {}
}

/// A plausible e-mail address (one `@`, a dotted domain, no spaces): the
/// check every e-mail subscription uses.
pub fn is_email(email: &str) -> bool {
    stackcraft_core::validate::names::email(email).is_ok()
}
