//! CloudWatch metrics ([`Metric`]): a value object that building blocks hand
//! out (`db.metric_cpu_utilization()`) and that alarms and dashboards are
//! built from.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{json, Value as Json};
use stackcraft_cfn::cloudwatch;
use stackcraft_core::{Scope, ToCfn, Value};

use crate::alarm::{Alarm, AlarmOptions, AlarmProps};

/// How the data points of a period are aggregated.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Statistic {
    /// Mean of the data points.
    Average,
    /// Sum of the data points.
    Sum,
    /// Smallest data point.
    Minimum,
    /// Largest data point.
    Maximum,
    /// Number of data points.
    SampleCount,
    /// A percentile, `0 < p < 100` (e.g. `Percentile(99.0)` renders `p99`).
    /// Written as `ExtendedStatistic` in alarms.
    Percentile(f64),
}

impl Statistic {
    /// The 50th percentile (median).
    pub const P50: Statistic = Statistic::Percentile(50.0);
    /// The 90th percentile.
    pub const P90: Statistic = Statistic::Percentile(90.0);
    /// The 95th percentile.
    pub const P95: Statistic = Statistic::Percentile(95.0);
    /// The 99th percentile.
    pub const P99: Statistic = Statistic::Percentile(99.0);

    /// Whether this statistic is valid (percentiles strictly between 0 and 100).
    pub fn is_valid(&self) -> bool {
        match self {
            Statistic::Percentile(p) => p.is_finite() && *p > 0.0 && *p < 100.0,
            _ => true,
        }
    }

    /// Whether CloudWatch calls this an extended statistic (percentiles).
    pub fn is_extended(&self) -> bool {
        matches!(self, Statistic::Percentile(_))
    }

    /// The alarm's L1 `Statistic`; `None` for a percentile (an `ExtendedStatistic`).
    pub(crate) fn l1(self) -> Option<cloudwatch::alarm::Statistic> {
        use cloudwatch::alarm::Statistic as S;
        match self {
            Statistic::Average => Some(S::Average),
            Statistic::Sum => Some(S::Sum),
            Statistic::Minimum => Some(S::Minimum),
            Statistic::Maximum => Some(S::Maximum),
            Statistic::SampleCount => Some(S::SampleCount),
            Statistic::Percentile(_) => None,
        }
    }
}

impl fmt::Display for Statistic {
    /// The CloudWatch spelling: `Average`, `p99`, `p99.9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Average => f.write_str("Average"),
            Statistic::Sum => f.write_str("Sum"),
            Statistic::Minimum => f.write_str("Minimum"),
            Statistic::Maximum => f.write_str("Maximum"),
            Statistic::SampleCount => f.write_str("SampleCount"),
            Statistic::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

macro_rules! units {
    ($($(#[$doc:meta])* $v:ident => $s:literal as $l1:ident,)*) => {
        /// The unit of a metric's data points (CloudWatch's `StandardUnit`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Unit {
            $($(#[$doc])* $v,)*
        }
        impl Unit {
            /// The CloudWatch spelling, e.g. `Bytes/Second`.
            pub fn as_str(self) -> &'static str {
                match self { $(Unit::$v => $s,)* }
            }
            /// The alarm's L1 unit.
            pub(crate) fn l1(self) -> cloudwatch::alarm::Unit {
                match self { $(Unit::$v => cloudwatch::alarm::Unit::$l1,)* }
            }
            #[cfg(test)]
            const ALL: &[Unit] = &[$(Unit::$v,)*];
        }
    };
}

units! {
    /// Seconds.
    Seconds => "Seconds" as Seconds,
    /// Microseconds.
    Microseconds => "Microseconds" as Microseconds,
    /// Milliseconds.
    Milliseconds => "Milliseconds" as Milliseconds,
    /// Bytes.
    Bytes => "Bytes" as Bytes,
    /// Kilobytes.
    Kilobytes => "Kilobytes" as Kilobytes,
    /// Megabytes.
    Megabytes => "Megabytes" as Megabytes,
    /// Gigabytes.
    Gigabytes => "Gigabytes" as Gigabytes,
    /// Terabytes.
    Terabytes => "Terabytes" as Terabytes,
    /// Bits.
    Bits => "Bits" as Bits,
    /// Kilobits.
    Kilobits => "Kilobits" as Kilobits,
    /// Megabits.
    Megabits => "Megabits" as Megabits,
    /// Gigabits.
    Gigabits => "Gigabits" as Gigabits,
    /// Terabits.
    Terabits => "Terabits" as Terabits,
    /// Percent.
    Percent => "Percent" as Percent,
    /// Count.
    Count => "Count" as Count,
    /// Bytes per second.
    BytesPerSecond => "Bytes/Second" as BytesSecond,
    /// Kilobytes per second.
    KilobytesPerSecond => "Kilobytes/Second" as KilobytesSecond,
    /// Megabytes per second.
    MegabytesPerSecond => "Megabytes/Second" as MegabytesSecond,
    /// Gigabytes per second.
    GigabytesPerSecond => "Gigabytes/Second" as GigabytesSecond,
    /// Terabytes per second.
    TerabytesPerSecond => "Terabytes/Second" as TerabytesSecond,
    /// Bits per second.
    BitsPerSecond => "Bits/Second" as BitsSecond,
    /// Kilobits per second.
    KilobitsPerSecond => "Kilobits/Second" as KilobitsSecond,
    /// Megabits per second.
    MegabitsPerSecond => "Megabits/Second" as MegabitsSecond,
    /// Gigabits per second.
    GigabitsPerSecond => "Gigabits/Second" as GigabitsSecond,
    /// Terabits per second.
    TerabitsPerSecond => "Terabits/Second" as TerabitsSecond,
    /// Count per second.
    CountPerSecond => "Count/Second" as CountSecond,
    /// No unit.
    None => "None" as None,
}

/// A CloudWatch metric: namespace, name, dimensions, statistic, period and
/// (optionally) unit, label and region.
///
/// ```
/// use stackcraft_observability::{Metric, Statistic};
/// let m = Metric::new("AWS/ApplicationELB", "TargetResponseTime")
///     .dimension("LoadBalancer", "app/my-alb/123")
///     .statistic(Statistic::P99)
///     .period_secs(60);
/// assert_eq!(m.statistic_name(), "p99");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, Value<String>>,
    statistic: Statistic,
    period_secs: u32,
    unit: Option<Unit>,
    label: Option<String>,
    region: Option<Value<String>>,
}

impl Metric {
    /// A metric with statistic `Average` over 5-minute periods.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Metric {
        Metric {
            namespace: namespace.into(),
            name: name.into(),
            dimensions: BTreeMap::new(),
            statistic: Statistic::Average,
            period_secs: 300,
            unit: None,
            label: None,
            region: None,
        }
    }

    /// Add (or replace) a dimension; the value may be any intrinsic
    /// (e.g. a load balancer's `LoadBalancerFullName` attribute).
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<Value<String>>) -> Metric {
        self.dimensions.insert(name.into(), value.into());
        self
    }

    /// The statistic (default `Average`).
    pub fn statistic(mut self, statistic: Statistic) -> Metric {
        self.statistic = statistic;
        self
    }

    /// The period in seconds (default 300). Alarms accept 10, 20, 30 or a
    /// multiple of 60; anything else is reported as an error where used.
    pub fn period_secs(mut self, secs: u32) -> Metric {
        self.period_secs = secs;
        self
    }

    /// The unit (alarms then only consider data points in this unit).
    pub fn unit(mut self, unit: Unit) -> Metric {
        self.unit = Some(unit);
        self
    }

    /// The label shown in dashboards.
    pub fn label(mut self, label: impl Into<String>) -> Metric {
        self.label = Some(label.into());
        self
    }

    /// The region of the metric for dashboards (default: the stack's region).
    pub fn region(mut self, region: impl Into<Value<String>>) -> Metric {
        self.region = Some(region.into());
        self
    }

    /// The namespace, e.g. `AWS/RDS`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The metric name, e.g. `CPUUtilization`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The dimensions, by name.
    pub fn dimensions(&self) -> &BTreeMap<String, Value<String>> {
        &self.dimensions
    }

    /// The statistic.
    pub fn get_statistic(&self) -> Statistic {
        self.statistic
    }

    /// The statistic in CloudWatch spelling (`Average`, `p99`).
    pub fn statistic_name(&self) -> String {
        self.statistic.to_string()
    }

    /// The period in seconds.
    pub fn get_period_secs(&self) -> u32 {
        self.period_secs
    }

    /// The unit, if set.
    pub fn get_unit(&self) -> Option<Unit> {
        self.unit
    }

    /// Create an alarm on this metric (see [`Alarm::new`]).
    pub fn create_alarm(&self, scope: &Scope, id: &str, props: AlarmOptions) -> Alarm {
        Alarm::new(scope, id, AlarmProps::builder().metric(self.clone()).options(props).build())
    }

    /// Record errors for an invalid statistic or period at `scope`; returns
    /// whether the metric is valid.
    pub(crate) fn validate(&self, scope: &Scope) -> bool {
        let mut ok = true;
        if !self.statistic.is_valid() {
            scope.error(
                "Statistic",
                format!(
                    "percentile statistic {} of metric {}/{} must be strictly between 0 and 100",
                    self.statistic, self.namespace, self.name
                ),
            );
            ok = false;
        }
        let p = self.period_secs;
        if !(p == 10 || p == 20 || p == 30 || (p > 0 && p % 60 == 0)) {
            scope.error(
                "Period",
                format!(
                    "period of {p} s for metric {}/{} is invalid: use 10, 20, 30 or a multiple of 60 seconds",
                    self.namespace, self.name
                ),
            );
            ok = false;
        }
        if self.namespace.is_empty() || self.name.is_empty() {
            scope.error("MetricName", "metric namespace and name must not be empty");
            ok = false;
        }
        if self.dimensions.len() > 30 {
            scope.error(
                "Dimensions",
                format!(
                    "metric {}/{} has {} dimensions; CloudWatch allows at most 30",
                    self.namespace,
                    self.name,
                    self.dimensions.len()
                ),
            );
            ok = false;
        }
        ok
    }

    /// The metric array of a dashboard widget:
    /// `[namespace, name, dim, value, ..., {stat, period, region, label}]`.
    pub(crate) fn dashboard_entry(&self, default_region: &Value<String>) -> Json {
        let mut entry: Vec<Json> = vec![json!(self.namespace), json!(self.name)];
        for (k, v) in &self.dimensions {
            entry.push(json!(k));
            entry.push(v.to_cfn());
        }
        let mut opts = json!({
            "stat": self.statistic.to_string(),
            "period": self.period_secs,
            "region": self.region.as_ref().unwrap_or(default_region).to_cfn(),
        });
        if let Some(l) = &self.label {
            opts["label"] = json!(l);
        }
        entry.push(opts);
        Json::Array(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_maps_to_the_l1_unit_of_the_same_spelling() {
        for u in Unit::ALL {
            assert_eq!(u.l1().as_str(), u.as_str());
        }
        for s in [Statistic::Average, Statistic::Sum, Statistic::Minimum, Statistic::Maximum, Statistic::SampleCount] {
            assert_eq!(s.l1().map(|l| l.as_str().to_owned()), Some(s.to_string()));
        }
        assert_eq!(Statistic::Percentile(99.0).l1(), None);
    }

    #[test]
    fn statistic_spelling() {
        assert_eq!(Statistic::P99.to_string(), "p99");
        assert_eq!(Statistic::Percentile(99.9).to_string(), "p99.9");
        assert_eq!(Statistic::SampleCount.to_string(), "SampleCount");
        assert!(!Statistic::Percentile(100.0).is_valid());
        assert!(!Statistic::Percentile(f64::NAN).is_valid());
        assert!(Statistic::P50.is_extended());
        assert_eq!(Unit::BytesPerSecond.as_str(), "Bytes/Second");
    }

    #[test]
    fn dashboard_entry_renders_dimensions_in_order() {
        let m =
            Metric::new("AWS/RDS", "CPUUtilization").dimension("Z", "z").dimension("A", Value::region()).label("cpu");
        assert_eq!(
            m.dashboard_entry(&Value::from("eu-west-1")),
            json!(["AWS/RDS", "CPUUtilization", "A", {"Ref": "AWS::Region"}, "Z", "z",
                   {"stat": "Average", "period": 300, "region": "eu-west-1", "label": "cpu"}])
        );
    }
}
