//! Validation errors, checkov skips and accumulation behaviour.

use serde_json::{json, Value as Json};
use stackcraft_core::App;
use stackcraft_messaging::{Topic, TopicProps};
use stackcraft_observability::*;

fn resources_of(t: &Json, type_name: &str) -> Vec<Json> {
    t["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == type_name).cloned().collect()
}

#[test]
fn alarm_input_errors_are_reported_together() {
    let app = App::new("t");
    let stack = app.stack("S");
    Metric::new("NS", "M").statistic(Statistic::Percentile(120.0)).period_secs(90).create_alarm(
        &stack,
        "A",
        AlarmOptions::builder().threshold(f64::NAN).evaluation_periods(2).datapoints_to_alarm(3).build(),
    );
    let err = app.synth().unwrap_err().to_string();
    for needle in ["S/A", "between 0 and 100", "multiple of 60", "datapoints to alarm", "finite"] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn percentile_alarms_use_extended_statistic_and_notify_once() {
    let app = App::new("t");
    let stack = app.stack("S");
    let topic = Topic::new(&stack, "T", TopicProps::default());
    let alarm = Metric::new("AWS/ApplicationELB", "TargetResponseTime")
        .statistic(Statistic::P99)
        .period_secs(60)
        .create_alarm(&stack, "Latency", AlarmOptions::builder().threshold(1.0).build());
    alarm.notify(&topic).notify(&topic);
    let t = app.synth().unwrap().stacks[0].template.clone();
    let a = &resources_of(&t, "AWS::CloudWatch::Alarm")[0]["Properties"];
    assert_eq!(a["ExtendedStatistic"], "p99");
    assert!(a.get("Statistic").is_none());
    assert_eq!(a["AlarmActions"].as_array().unwrap().len(), 1);
    assert_eq!(a["OKActions"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_email_is_an_error() {
    let app = App::new("t");
    let stack = app.stack("S");
    Topic::new(&stack, "T", TopicProps::builder().emails(vec!["not-an-address".to_string()]).build());
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("not an e-mail address"), "{err}");
}

#[test]
fn short_or_unencrypted_log_groups_carry_explained_skips() {
    let app = App::new("t");
    let stack = app.stack("S");
    LogGroup::new(
        &stack,
        "Short",
        LogGroupProps::builder().retention(RetentionDays::TwoWeeks).encryption(LogGroupEncryption::AwsOwned).build(),
    );
    LogGroup::new(&stack, "Forever", LogGroupProps::builder().retention(RetentionDays::Infinite).build());
    let t = app.synth().unwrap().stacks[0].template.clone();
    let groups = resources_of(&t, "AWS::Logs::LogGroup");
    let skips = |g: &Json| -> Vec<String> {
        g["Metadata"]["stackcraft"]["acknowledgements"]
            .as_array()
            .map(|a| a.iter().map(|s| s["rule"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let forever = groups.iter().find(|g| g["Properties"].get("RetentionInDays").is_none()).unwrap();
    assert_eq!(skips(forever), ["logs.retention"]);
    assert!(forever["Properties"]["KmsKeyId"].is_object());
    let short = groups.iter().find(|g| g["Properties"]["RetentionInDays"] == json!(14)).unwrap();
    assert_eq!(skips(short), ["logs.kms"]);
    assert!(short["Properties"].get("KmsKeyId").is_none());
    assert_eq!(short["DeletionPolicy"], "Retain");
}

#[test]
fn budget_needs_recipients_and_a_positive_limit() {
    let app = App::new("t");
    let stack = app.stack("S");
    Budget::new(&stack, "B", BudgetProps::builder().monthly_limit_usd(-5.0).emails(Vec::<String>::new()).build());
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("positive amount"), "{err}");
    assert!(err.contains("1 to 10 e-mail addresses"), "{err}");
}

#[test]
fn shared_key_policy_gets_each_service_statement_once() {
    let app = App::new("t");
    let stack = app.stack("S");
    let key = Key::new(&stack, "K", KeyProps::default());
    for id in ["A", "B"] {
        LogGroup::new(&stack, id, LogGroupProps::builder().encryption(LogGroupEncryption::Key(key.clone())).build());
    }
    let topic = Topic::new(&stack, "T", TopicProps::builder().encryption_key(key.clone()).build());
    Metric::new("NS", "M").create_alarm(&stack, "Alarm", AlarmOptions::builder().threshold(1.0).build()).notify(&topic);
    let t = app.synth().unwrap().stacks[0].template.clone();
    let keys = resources_of(&t, "AWS::KMS::Key");
    assert_eq!(keys.len(), 1, "no extra keys when one is shared");
    let sids: Vec<&str> = keys[0]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids, ["EnableIamPolicies", "AllowCloudWatchLogs", "AllowCloudWatchAlarmsToPublishToEncryptedTopics"]);
}

#[test]
fn blocks_work_across_stacks() {
    let app = App::new("t");
    let shared = app.stack("Shared");
    let key = Key::new(&shared, "Key", KeyProps::default());
    let topic = Topic::new(&shared, "Alarms", TopicProps::default());
    let svc = app.stack("Service");
    let logs =
        LogGroup::new(&svc, "Logs", LogGroupProps::builder().encryption(LogGroupEncryption::Key(key.clone())).build());
    let m = Metric::new("AWS/Logs", "IncomingBytes").dimension("LogGroupName", logs.name());
    m.create_alarm(&svc, "Quiet", AlarmOptions::builder().threshold(1.0).build()).notify(&topic);
    Dashboard::new(&svc, "Dash", DashboardProps::default()).add_widget(GraphWidget::new("bytes").left(m));
    let asm = app.synth().unwrap();
    let svc_t = &asm.stack("Service").unwrap().template;
    let text = svc_t.to_string();
    assert!(text.contains("Fn::ImportValue"), "{text}");
    assert_eq!(asm.stack("Service").unwrap().dependencies, ["Shared"]);
    // The shared key got the CloudWatch Logs statement.
    let shared_t = &asm.stack("Shared").unwrap().template;
    assert!(shared_t.to_string().contains("AllowCloudWatchLogs"));
    stackcraft_testing::assert_template_cfn_lint_clean("Shared", shared_t);
    stackcraft_testing::assert_template_cfn_lint_clean("Service", svc_t);
}
