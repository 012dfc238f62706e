//! An order-events stack with every messaging block: synthesized,
//! snapshotted, and validated with cfn-lint (0 findings) and checkov
//! (0 failed checks).

use stackcraft_core::App;
use stackcraft_iam::{Role, RoleProps, ServicePrincipal};
use stackcraft_messaging::*;
use stackcraft_observability::AlarmOptions;

fn sample() -> serde_json::Value {
    let app = App::new("shop");
    let stack = app.stack("Messaging");
    let role = Role::new(
        &stack,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );

    let bus = EventBus::new(
        &stack,
        "Bus",
        EventBusProps::builder().description("Shop domain events").archive_retention_days(30).build(),
    );
    bus.grant_put_events(&role);
    let audit_bus = EventBus::new(&stack, "AuditBus", EventBusProps::builder().event_bus_name("shop-audit").build());

    let dlq = Queue::new(&stack, "OrdersDlq", QueueProps::builder().retention_period_secs(1_209_600).build());
    let orders = Queue::new(
        &stack,
        "Orders",
        QueueProps::builder()
            .visibility_timeout_secs(120)
            .receive_wait_time_secs(20)
            .dead_letter_queue(DeadLetterQueue::new(&dlq, 5))
            .build(),
    );
    orders.grant_consume_messages(&role);
    orders.grant_send_messages(&role);
    dlq.grant_purge(&role);

    let topic = Topic::new(
        &stack,
        "Notifications",
        TopicProps::builder().display_name("Shop").emails(vec!["ops@example.com".to_string()]).build(),
    );
    topic.grant_publish(&role);
    let fanout = Queue::new(&stack, "Fanout", QueueProps::default());
    topic.add_sqs_subscription(&fanout, SqsSubscriptionProps::builder().raw_message_delivery(true).build());

    let rule = Rule::new(
        &stack,
        "OnCheckout",
        RuleProps::builder()
            .event_bus(bus)
            .description("Checked-out carts become orders")
            .event_pattern(
                EventPattern::new()
                    .source(["shop.cart"])
                    .detail_type(["CartCheckedOut"])
                    .detail("currency", Matcher::any_of(["EUR", "USD"])),
            )
            .build(),
    );
    rule.add_target(RuleTarget::queue(&orders).dead_letter_queue(&dlq).max_retry_attempts(10).max_event_age_secs(3600))
        .add_target(RuleTarget::topic(&topic))
        .add_target(RuleTarget::event_bus(&audit_bus));

    orders.dead_letter_alarm("DeadLetters").expect("has a DLQ").notify(&topic);
    orders
        .metric_approximate_age_of_oldest_message()
        .create_alarm(&stack, "OldestMessage", AlarmOptions::builder().threshold(600.0).evaluation_periods(5).build())
        .notify(&topic);
    app.synth().unwrap_or_else(|e| panic!("{e}")).stacks[0].template.clone()
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(sample());
}

#[test]
fn deterministic() {
    assert_eq!(sample().to_string(), sample().to_string());
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("Messaging", &sample());
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("Messaging", &sample());
}
