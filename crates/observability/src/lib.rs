//! stackcraft-observability: the building blocks that watch a system.
//!
//! - [`Key`] (module [`kms`], re-exported from `stackcraft-security`, its home):
//!   a customer-managed KMS key with rotation on, whose policy grows as services
//!   need it. [`Key::share_in_stack`] makes one key the default of its stack, so
//!   log groups, secrets, buckets and topics share it instead of paying for one
//!   key each.
//! - [`LogGroup`] with a typed [`RetentionDays`] (only the values CloudWatch Logs
//!   accepts), KMS encryption and `Retain` by default.
//! - [`Metric`]: namespace, name, dimensions (any [`Value`](stackcraft_core::Value)),
//!   statistic (incl. percentiles), period, unit. Building blocks hand them out
//!   (`db.metric_cpu_utilization()`), alarms and dashboards are built from them.
//! - [`Alarm`] (`metric.create_alarm(..)`), notifying any [`AlarmAction`]:
//!   `stackcraft_messaging::Topic`, the one SNS topic building block
//!   (KMS-encrypted, TLS-only, e-mail and SQS subscriptions).
//! - [`Dashboard`] of [`GraphWidget`], [`SingleValueWidget`], [`TextWidget`] and
//!   [`AlarmStatusWidget`], region-aware.
//! - [`Budget`]: a monthly cost budget with e-mail alerts.
//!
//! ```
//! use stackcraft_core::App;
//! use stackcraft_messaging::{Topic, TopicProps};
//! use stackcraft_observability::*;
//!
//! let app = App::new("demo");
//! let stack = app.stack("Monitoring");
//! let topic = Topic::new(&stack, "Alarms", TopicProps::builder()
//!     .emails(vec!["ops@example.com".to_string()]).build());
//! let cpu = Metric::new("AWS/RDS", "CPUUtilization")
//!     .dimension("DBInstanceIdentifier", "pyshop")
//!     .period_secs(60);
//! cpu.create_alarm(&stack, "DbCpuHigh", AlarmOptions::builder().threshold(80.0)
//!     .evaluation_periods(3).build())
//!     .notify(&topic);
//! LogGroup::new(&stack, "AppLogs", LogGroupProps::builder()
//!     .retention(RetentionDays::OneYear).build());
//! Dashboard::new(&stack, "Dashboard", DashboardProps::default()).add_widget(GraphWidget::new("DB CPU").left(cpu));
//! app.synth().unwrap();
//! ```
#![forbid(unsafe_code)]

mod alarm;
mod budget;
mod dashboard;
mod logs;
mod metric;
mod topic;

pub use alarm::{Alarm, AlarmOptions, AlarmProps, ComparisonOperator, TreatMissingData};
pub use budget::{Budget, BudgetAlert, BudgetProps};
pub use dashboard::{
    AlarmStatusWidget, Dashboard, DashboardProps, GraphWidget, SingleValueWidget, TextWidget, Widget, GRID_WIDTH,
};
pub use logs::{LogGroup, LogGroupEncryption, LogGroupProps, RetentionDays};
pub use metric::{Metric, Statistic, Unit};
/// KMS keys live in `stackcraft-security`; re-exported for the blocks and apps that name them here.
pub use stackcraft_security::{kms, Key, KeyProps};
pub use topic::{is_email, AlarmAction};
