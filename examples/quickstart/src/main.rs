//! The smallest stackcraft app, written with core and the generated L1 layer
//! only: a queue in one stack, a topic that delivers to it in another (the
//! cross-stack reference becomes an export and an import), a raw resource as
//! the escape hatch, configured per environment.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use stackcraft_cfn::{sns, sqs};
use stackcraft_core::{App, DeletionPolicy, Environment, Environments, Output, RawResource, TagFormat};

/// What differs between environments.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Config {
    /// How long a message stays hidden after a receive, in seconds.
    visibility_timeout: u32,
    /// Days to keep messages (1 to 14).
    retention_days: u32,
}

fn build(app: &App, env: &Environment<Config>) {
    // The built-in security rules run at synth (the `stackcraft` facade installs them itself).
    stackcraft_policy::install_default(app);
    app.add_tag("app", "quickstart");
    app.add_tag("environment", &env.name);
    let storage = app.stack("Storage");
    let queue = storage.add(
        "Queue",
        sqs::Queue::new()
            .visibility_timeout(env.config.visibility_timeout)
            .message_retention_period(env.config.retention_days * 86_400)
            .kms_master_key_id("alias/aws/sqs"),
    );
    queue.apply_removal_policy(DeletionPolicy::Delete);
    // The built-in rules ask for more than this minimal L1 example shows;
    // each exception is acknowledged with its reason (see the README).
    queue.acknowledge("sqs.cmk", "the minimal example uses the AWS-managed SQS key instead of a KMS key of its own");
    queue.acknowledge("sqs.tls-only", "the minimal example's only queue policy is the SNS delivery grant");
    queue.acknowledge("sqs.dlq", "the example queue has no consumer; messages expire after the retention period");

    let events = app.stack("Events");
    let topic = events.add(
        "Topic",
        sns::Topic::new().kms_master_key_id("alias/aws/sns").subscription(vec![sns::topic::Subscription::new(
            sns::topic::SubscriptionRequired { endpoint: queue.attr_arn(), protocol: "sqs".into() },
        )]),
    );
    topic.acknowledge("sns.cmk", "the minimal example uses the AWS-managed SNS key instead of a KMS key of its own");
    topic.acknowledge("sns.tls-only", "the minimal example has no topic policy; only the account's principals publish");
    // Any type, as JSON: the escape hatch for what the typed layers don't cover.
    events.add_raw(
        "QueuePolicy",
        RawResource::new(
            "AWS::SQS::QueuePolicy",
            json!({
                "Queues": [queue.attr_queue_url()],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": queue.attr_arn(),
                        "Condition": {"ArnEquals": {"aws:SourceArn": topic.ref_()}},
                    }],
                },
            }),
        )
        .taggable(TagFormat::None),
    );
    events.add_output(Output::new("TopicArn", topic.ref_()).description("ARN of the topic"));
}

fn main() -> std::process::ExitCode {
    let envs = Environments::new()
        .env("dev", Config { visibility_timeout: 30, retention_days: 1 })
        .env("staging", Config { visibility_timeout: 30, retention_days: 4 })
        .production("prod", Config { visibility_timeout: 60, retention_days: 14 });
    stackcraft_core::cli::run_with("quickstart", envs, build, &[&stackcraft_review::Review])
}
