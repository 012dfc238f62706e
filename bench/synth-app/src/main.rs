//! A generated app of about N resources (stacks of at most 500), synthesized
//! and written like a user's app. Run by `cargo xtask bench`; prints one JSON
//! line with the in-process synth time and the peak RSS read from
//! `/proc/self/status` (VmHWM).

use std::time::Instant;

use serde_json::json;
use stackcraft::prelude::*;

/// Resources per generated stack.
const PER_STACK: usize = 500;

fn build(app: &App, resources: usize) {
    let stacks = resources.div_ceil(PER_STACK);
    let mut left = resources;
    for s in 0..stacks {
        let stack = app.stack(&format!("Stack{s}"));
        let n = left.min(PER_STACK);
        left -= n;
        // Services of 5 resources each: a queue, a dead-letter queue, a topic,
        // a subscription and a log group, wired with Ref/GetAtt.
        for i in 0..n.div_ceil(5) {
            let svc = stack.scope(&format!("Service{i}"));
            let remaining = n - i * 5;
            let dlq = svc.add_raw("Dlq", RawResource::new("AWS::SQS::Queue", json!({"SqsManagedSseEnabled": true})));
            if remaining > 1 {
                svc.add_raw(
                    "Queue",
                    RawResource::new(
                        "AWS::SQS::Queue",
                        json!({
                            "SqsManagedSseEnabled": true,
                            "RedrivePolicy": {"deadLetterTargetArn": dlq.get_att::<String>("Arn"), "maxReceiveCount": 5},
                        }),
                    ),
                );
            }
            if remaining > 2 {
                let topic = svc
                    .add_raw("Topic", RawResource::new("AWS::SNS::Topic", json!({"KmsMasterKeyId": "alias/aws/sns"})));
                if remaining > 3 {
                    svc.add_raw(
                        "Subscription",
                        RawResource::new(
                            "AWS::SNS::Subscription",
                            json!({"TopicArn": topic.ref_(), "Protocol": "sqs", "Endpoint": dlq.get_att::<String>("Arn")}),
                        ),
                    );
                }
            }
            if remaining > 4 {
                svc.add_raw(
                    "Logs",
                    RawResource::new("AWS::Logs::LogGroup", json!({"RetentionInDays": 30, "LogGroupName": Value::sub(format!("/bench/${{AWS::StackName}}/svc{i}"))})),
                );
            }
        }
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let resources: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let out = args.next().unwrap_or_else(|| "cdk.out".into());
    let start = Instant::now();
    let app = App::new("bench");
    app.set_environment("bench", false);
    build(&app, resources);
    let built = start.elapsed();
    let assembly = match app.synth() {
        Ok(a) => a,
        Err(e) => {
            eprint!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let synthesized = start.elapsed();
    if let Err(e) = assembly.write(std::path::Path::new(&out)) {
        eprintln!("cannot write {out}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let total = start.elapsed();
    let count: usize = assembly.stacks.iter().map(|s| s.template["Resources"].as_object().map_or(0, |r| r.len())).sum();
    println!(
        "{}",
        json!({
            "resources": count,
            "stacks": assembly.stacks.len(),
            "build_ms": built.as_secs_f64() * 1e3,
            "synth_ms": (synthesized - built).as_secs_f64() * 1e3,
            "write_ms": (total - synthesized).as_secs_f64() * 1e3,
            "peak_rss_kib": peak_rss_kib(),
        })
    );
    std::process::ExitCode::SUCCESS
}
