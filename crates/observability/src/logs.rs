//! CloudWatch Logs log groups ([`LogGroup`]) with a typed retention
//! ([`RetentionDays`]) and KMS encryption by default.

use stackcraft_cfn::logs;
use stackcraft_core::{DeletionPolicy, ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement};
use typed_builder::TypedBuilder;

use crate::kms::{Key, KeyProps};

/// How long CloudWatch Logs keeps log events: exactly the values the
/// `RetentionInDays` property accepts, plus [`RetentionDays::Infinite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RetentionDays {
    /// 1 day.
    OneDay,
    /// 3 days.
    ThreeDays,
    /// 5 days.
    FiveDays,
    /// 7 days.
    OneWeek,
    /// 14 days.
    TwoWeeks,
    /// 30 days.
    OneMonth,
    /// 60 days.
    TwoMonths,
    /// 90 days.
    ThreeMonths,
    /// 120 days.
    FourMonths,
    /// 150 days.
    FiveMonths,
    /// 180 days.
    SixMonths,
    /// 365 days.
    OneYear,
    /// 400 days.
    ThirteenMonths,
    /// 545 days.
    EighteenMonths,
    /// 731 days.
    TwoYears,
    /// 1096 days.
    ThreeYears,
    /// 1827 days.
    FiveYears,
    /// 2192 days.
    SixYears,
    /// 2557 days.
    SevenYears,
    /// 2922 days.
    EightYears,
    /// 3288 days.
    NineYears,
    /// 3653 days.
    TenYears,
    /// Never expire (no `RetentionInDays`).
    Infinite,
}

impl RetentionDays {
    /// Every value, shortest first.
    pub const ALL: [RetentionDays; 23] = [
        RetentionDays::OneDay,
        RetentionDays::ThreeDays,
        RetentionDays::FiveDays,
        RetentionDays::OneWeek,
        RetentionDays::TwoWeeks,
        RetentionDays::OneMonth,
        RetentionDays::TwoMonths,
        RetentionDays::ThreeMonths,
        RetentionDays::FourMonths,
        RetentionDays::FiveMonths,
        RetentionDays::SixMonths,
        RetentionDays::OneYear,
        RetentionDays::ThirteenMonths,
        RetentionDays::EighteenMonths,
        RetentionDays::TwoYears,
        RetentionDays::ThreeYears,
        RetentionDays::FiveYears,
        RetentionDays::SixYears,
        RetentionDays::SevenYears,
        RetentionDays::EightYears,
        RetentionDays::NineYears,
        RetentionDays::TenYears,
        RetentionDays::Infinite,
    ];

    /// The number of days, or `None` for [`RetentionDays::Infinite`].
    pub fn days(self) -> Option<u32> {
        Some(match self {
            RetentionDays::OneDay => 1,
            RetentionDays::ThreeDays => 3,
            RetentionDays::FiveDays => 5,
            RetentionDays::OneWeek => 7,
            RetentionDays::TwoWeeks => 14,
            RetentionDays::OneMonth => 30,
            RetentionDays::TwoMonths => 60,
            RetentionDays::ThreeMonths => 90,
            RetentionDays::FourMonths => 120,
            RetentionDays::FiveMonths => 150,
            RetentionDays::SixMonths => 180,
            RetentionDays::OneYear => 365,
            RetentionDays::ThirteenMonths => 400,
            RetentionDays::EighteenMonths => 545,
            RetentionDays::TwoYears => 731,
            RetentionDays::ThreeYears => 1096,
            RetentionDays::FiveYears => 1827,
            RetentionDays::SixYears => 2192,
            RetentionDays::SevenYears => 2557,
            RetentionDays::EightYears => 2922,
            RetentionDays::NineYears => 3288,
            RetentionDays::TenYears => 3653,
            RetentionDays::Infinite => return None,
        })
    }

    /// The value for a number of days, if CloudWatch Logs allows it
    /// (for configuration files: `RetentionDays::from_days(cfg.log_days)`).
    pub fn from_days(days: u32) -> Option<RetentionDays> {
        RetentionDays::ALL.into_iter().find(|r| r.days() == Some(days))
    }

    /// The allowed day counts, comma-separated (for error messages).
    pub fn allowed_values() -> String {
        RetentionDays::ALL.iter().filter_map(|r| r.days()).map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// A config file holds a retention as its number of days (`30`), or
/// `"infinite"` for [`RetentionDays::Infinite`].
impl serde::Serialize for RetentionDays {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.days() {
            Some(days) => serializer.serialize_u32(days),
            None => serializer.serialize_str("infinite"),
        }
    }
}

/// Loading a config rejects a day count CloudWatch Logs does not allow,
/// naming the allowed ones.
impl<'de> serde::Deserialize<'de> for RetentionDays {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Days(u64),
            Word(String),
        }
        let invalid = |shown: String| {
            serde::de::Error::custom(format!(
                "{shown} is not a CloudWatch Logs retention; allowed: {} (days) or \"infinite\"",
                RetentionDays::allowed_values()
            ))
        };
        match Raw::deserialize(deserializer)? {
            Raw::Days(days) => {
                u32::try_from(days).ok().and_then(RetentionDays::from_days).ok_or_else(|| invalid(days.to_string()))
            }
            Raw::Word(word) if word == "infinite" => Ok(RetentionDays::Infinite),
            Raw::Word(word) => Err(invalid(format!("{word:?}"))),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for RetentionDays {
    fn schema_name() -> String {
        "RetentionDays".to_owned()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let days: Vec<u32> = RetentionDays::ALL.iter().filter_map(|r| r.days()).collect();
        serde_json::from_value(serde_json::json!({
            "description": "Log retention in days, or \"infinite\".",
            "oneOf": [{ "type": "integer", "enum": days }, { "type": "string", "enum": ["infinite"] }]
        }))
        .unwrap_or(schemars::schema::Schema::Bool(true))
    }
}

/// How a log group is encrypted at rest.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum LogGroupEncryption {
    /// The stack's shared key when one is set ([`Key::share_in_stack`]), else
    /// a new customer-managed key dedicated to this log group (default).
    #[default]
    StackKey,
    /// A new customer-managed KMS key dedicated to this log group, even when
    /// the stack has a shared key.
    NewKey,
    /// An existing key (shared by several log groups); its policy gets the
    /// CloudWatch Logs statement.
    Key(Key),
    /// CloudWatch Logs' own encryption with AWS-owned keys (no KMS cost). The
    /// log group then carries a checkov skip of CKV_AWS_158 stating this.
    AwsOwned,
}

/// Settings of a [`LogGroup`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct LogGroupProps {
    /// Explicit log group name. Default: generated by CloudFormation
    /// (recommended: lets the group be replaced).
    #[builder(default, setter(strip_option, into))]
    pub log_group_name: Option<Value<String>>,
    /// Retention. Default [`RetentionDays::OneYear`] (the minimum checkov's
    /// CKV_AWS_338 asks for, where it applies). [`RetentionDays::Infinite`]
    /// carries a checkov skip of CKV_AWS_66 (which wants a retention set).
    #[builder(default = RetentionDays::OneYear)]
    pub retention: RetentionDays,
    /// Encryption. Default: the stack's shared key, else a new KMS key for
    /// this group ([`LogGroupEncryption::StackKey`]).
    #[builder(default)]
    pub encryption: LogGroupEncryption,
    /// What happens to the log group when it leaves the stack. Default
    /// [`DeletionPolicy::Retain`] (logs are evidence).
    #[builder(default = DeletionPolicy::Retain)]
    pub removal_policy: DeletionPolicy,
}

impl Default for LogGroupProps {
    fn default() -> Self {
        LogGroupProps::builder().build()
    }
}

/// A CloudWatch Logs log group (`AWS::Logs::LogGroup`).
#[derive(Debug, Clone)]
pub struct LogGroup {
    handle: ResourceHandle,
    key: Option<Key>,
}

impl LogGroup {
    /// Add a log group with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: LogGroupProps) -> LogGroup {
        let scope = scope.scope(id);
        let key = match props.encryption {
            LogGroupEncryption::NewKey => Some(Key::new(
                &scope,
                "Key",
                KeyProps::builder()
                    .description(format!("Encrypts log group {}", scope.path()))
                    .removal_policy(props.removal_policy)
                    .build(),
            )),
            LogGroupEncryption::StackKey => {
                Some(Key::for_resource(&scope, None, &format!("log group {}", scope.path()), props.removal_policy))
            }
            LogGroupEncryption::Key(k) => Some(k),
            LogGroupEncryption::AwsOwned => None,
        };
        if let Some(k) = &key {
            k.allow_cloudwatch_logs();
        }
        if let Some(Value::Lit(name)) = &props.log_group_name {
            if let Err(m) = stackcraft_core::validate::names::aws::LOG_GROUP_NAME.check(name) {
                scope.error("LogGroupName", m);
            }
        }
        let mut group = logs::LogGroup::new();
        if let Some(n) = &props.log_group_name {
            group = group.log_group_name(n.clone());
        }
        if let Some(d) = props.retention.days() {
            group = group.retention_in_days(i64::from(d));
        }
        if let Some(k) = &key {
            group = group.kms_key_id(k.arn());
        }
        let handle: ResourceHandle = (*scope.add("Resource", group)).clone();
        handle.apply_removal_policy(props.removal_policy);
        if props.retention.days().is_none() {
            handle.acknowledge("logs.retention", "retention is deliberately infinite (RetentionDays::Infinite)");
        }
        if key.is_none() {
            handle.acknowledge(
                "logs.kms",
                "encrypted at rest by CloudWatch Logs with AWS-owned keys (LogGroupEncryption::AwsOwned chosen explicitly)",
            );
        }
        LogGroup { handle, key }
    }

    /// The log group name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The log group ARN (`Fn::GetAtt Arn`, ends in `:*`, so it also covers
    /// the group's log streams in IAM statements).
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// Allow `grantee` to create log streams in the group and write events to
    /// them (`logs:CreateLogStream`, `logs:PutLogEvents` on [`LogGroup::arn`],
    /// which covers the group's streams). Encryption needs no grant: CloudWatch
    /// Logs itself uses the key.
    pub fn grant_write(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow().actions(["logs:CreateLogStream", "logs:PutLogEvents"]).resource(self.arn()),
        );
    }

    /// Allow `grantee` to read the group's events (`logs:DescribeLogStreams`,
    /// `logs:FilterLogEvents`, `logs:GetLogEvents` on [`LogGroup::arn`]).
    pub fn grant_read(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents"])
                .resource(self.arn()),
        );
    }

    /// The KMS key encrypting the group, if any.
    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_values_are_exactly_the_allowed_ones() {
        let days: Vec<u32> = RetentionDays::ALL.iter().filter_map(|r| r.days()).collect();
        assert_eq!(
            days,
            [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
        );
        assert_eq!(RetentionDays::from_days(400), Some(RetentionDays::ThirteenMonths));
        assert_eq!(RetentionDays::from_days(2), None);
        assert_eq!(RetentionDays::Infinite.days(), None);
        assert!(RetentionDays::allowed_values().starts_with("1, 3, 5, 7"));
    }

    #[test]
    fn a_shared_key_is_the_stack_default() {
        use crate::{Key, KeyProps};
        use stackcraft_core::App;
        let app = App::new("t");
        let stack = app.stack("S");
        let other = app.stack("Other");
        let key = Key::new(&stack, "Shared", KeyProps::default());
        key.share_in_stack();
        assert_eq!(Key::stack_default(&stack.scope("Deep")).map(|k| k.handle().clone()), Some(key.handle().clone()));
        assert!(Key::stack_default(&other).is_none());
        LogGroup::new(&stack, "A", LogGroupProps::default());
        LogGroup::new(&stack, "B", LogGroupProps::default());
        LogGroup::new(&stack, "C", LogGroupProps::builder().encryption(LogGroupEncryption::NewKey).build());
        LogGroup::new(&other, "D", LogGroupProps::default());
        let a = app.synth().unwrap();
        let count = |i: usize| {
            a.stacks[i].template["Resources"]
                .as_object()
                .unwrap()
                .values()
                .filter(|r| r["Type"] == "AWS::KMS::Key")
                .count()
        };
        // The shared key and C's own key; the other stack makes its own.
        assert_eq!((count(0), count(1)), (2, 1));
    }
}

#[cfg(test)]
mod serde_tests {
    use super::RetentionDays;

    #[test]
    fn a_config_holds_days_or_infinite_and_rejects_other_counts() {
        assert_eq!(serde_json::from_str::<RetentionDays>("30").unwrap(), RetentionDays::OneMonth);
        assert_eq!(serde_json::from_str::<RetentionDays>("\"infinite\"").unwrap(), RetentionDays::Infinite);
        assert_eq!(serde_json::to_string(&RetentionDays::OneWeek).unwrap(), "7");
        assert_eq!(serde_json::to_string(&RetentionDays::Infinite).unwrap(), "\"infinite\"");
        let e = serde_json::from_str::<RetentionDays>("31").unwrap_err().to_string();
        assert!(e.starts_with("31 is not a CloudWatch Logs retention; allowed: 1, 3, 5, 7, 14, 30,"), "{e}");
        assert!(serde_json::from_str::<RetentionDays>("\"forever\"")
            .unwrap_err()
            .to_string()
            .starts_with("\"forever\" is not"));
    }
}
