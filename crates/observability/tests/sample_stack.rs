//! A small monitoring stack: synthesized, snapshotted, and validated with
//! cfn-lint (0 findings) and checkov (0 failed checks).

use stackcraft_core::{App, Value};
use stackcraft_iam::{Role, RoleProps, ServicePrincipal};
use stackcraft_messaging::{Topic, TopicProps};
use stackcraft_observability::*;

fn sample() -> serde_json::Value {
    let app = App::new("pyshop");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Monitoring");
    let shared = Key::new(
        &stack,
        "SharedKey",
        KeyProps::builder().alias("pyshop/observability").description("Shared key").build(),
    );
    let topic = Topic::new(
        &stack,
        "Alarms",
        TopicProps::builder()
            .display_name("PyShop alarms")
            .emails(vec!["ops@example.com".to_string()])
            .encryption_key(shared.clone())
            .build(),
    );
    let logs = LogGroup::new(&stack, "AppLogs", LogGroupProps::default());
    LogGroup::new(
        &stack,
        "AuditLogs",
        LogGroupProps::builder()
            .retention(RetentionDays::TenYears)
            .encryption(LogGroupEncryption::Key(shared.clone()))
            .log_group_name("/pyshop/audit")
            .build(),
    );
    let role = Role::new(
        &stack,
        "Writer",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );
    logs.grant_write(&role);
    topic.grant_publish(&role);

    let cpu = Metric::new("AWS/RDS", "CPUUtilization")
        .dimension("DBInstanceIdentifier", Value::sub("${AWS::StackName}-db"))
        .period_secs(60)
        .unit(Unit::Percent);
    let latency = Metric::new("AWS/ApplicationELB", "TargetResponseTime")
        .dimension("LoadBalancer", "app/pyshop/0123456789abcdef")
        .statistic(Statistic::P99)
        .period_secs(60)
        .label("p99 latency");
    let cpu_alarm = cpu.create_alarm(
        &stack,
        "DbCpuHigh",
        AlarmOptions::builder()
            .threshold(80.0)
            .evaluation_periods(3)
            .datapoints_to_alarm(2)
            .treat_missing_data(TreatMissingData::NotBreaching)
            .description("Database CPU above 80%")
            .build(),
    );
    cpu_alarm.notify(&topic);
    latency
        .create_alarm(
            &stack,
            "LatencyHigh",
            AlarmOptions::builder()
                .threshold(1.5)
                .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                .build(),
        )
        .notify_on_alarm_only(&topic);
    Dashboard::new(&stack, "Dashboard", DashboardProps::builder().dashboard_name("pyshop-dev").build())
        .add_widget(TextWidget::new("# PyShop API"))
        .add_row([
            GraphWidget::new("Database CPU")
                .left(cpu.clone())
                .left_min(0.0)
                .horizontal_annotation(80.0, "alarm")
                .into(),
            GraphWidget::new("Latency").right(latency.clone()).into(),
        ])
        .add_widget(SingleValueWidget::new("CPU now").metric(cpu).sparkline(true))
        .add_widget(AlarmStatusWidget::new("Alarms").alarm(&cpu_alarm).width(18));
    Budget::new(
        &stack,
        "MonthlyBudget",
        BudgetProps::builder().monthly_limit_usd(100.0).emails(vec!["billing@example.com".to_string()]).build(),
    );
    let asm = app.synth().expect("synth");
    asm.stacks[0].template.clone()
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(sample());
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("Monitoring", &sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("Monitoring", &sample());
}
