//! The smallest stackcraft app: a queue in one stack, a topic that delivers
//! to it in another, configured per environment.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use stackcraft::prelude::*;

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
    app.add_tag("app", "quickstart");
    app.add_tag("environment", &env.name);
    let storage = app.stack("Storage");
    let queue = storage.add_raw(
        "Queue",
        RawResource::new(
            "AWS::SQS::Queue",
            json!({
                "VisibilityTimeout": env.config.visibility_timeout,
                "MessageRetentionPeriod": env.config.retention_days * 86_400,
                "SqsManagedSseEnabled": true,
            }),
        )
        .taggable(stackcraft::core::TagFormat::List),
    );
    queue.apply_removal_policy(DeletionPolicy::Delete);

    let events = app.stack("Events");
    let topic = events.add_raw(
        "Topic",
        RawResource::new(
            "AWS::SNS::Topic",
            json!({
                "KmsMasterKeyId": "alias/aws/sns",
                "Subscription": [{ "Protocol": "sqs", "Endpoint": queue.get_att::<String>("Arn") }],
            }),
        )
        .taggable(stackcraft::core::TagFormat::List),
    );
    events.add_output(Output::new("TopicArn", topic.ref_()).description("ARN of the topic"));
}

fn main() -> std::process::ExitCode {
    let envs = Environments::new()
        .env("dev", Config { visibility_timeout: 30, retention_days: 1 })
        .env("staging", Config { visibility_timeout: 30, retention_days: 4 })
        .production("prod", Config { visibility_timeout: 60, retention_days: 14 });
    stackcraft::core::cli::run("quickstart", envs, build)
}
