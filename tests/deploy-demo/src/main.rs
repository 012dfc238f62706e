//! deploy-demo: a small but realistic app built only from resource types the
//! moto emulator models (VPC, subnets, security groups, internal ALB, target
//! group, listener, ECS cluster / task definition / service, DynamoDB, SQS,
//! SNS, S3, log group, IAM role), used by the deploy tests.
//!
//! Two stacks: `Messaging` (topic + queue) and `Service` (network, load
//! balancer, Fargate service, table, bucket). Knobs, read from the
//! environment at synth time so tests can drive updates:
//!
//! - `DEMO_VARIANT=changed`: the queue's visibility timeout and the log
//!   retention change (an in-place update).
//! - `DEMO_VARIANT=large`: template metadata pads the `Service` template
//!   beyond the 51,200-byte inline limit (deploy goes through S3).
//! - `DEMO_LINKED=1`: the service reads the queue URL from `Messaging`
//!   (a cross-stack reference: export + `Fn::ImportValue`, and `Messaging`
//!   deploys first).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
// Only stackcraft-core: the demo stays buildable while building-block crates change.
use stackcraft_core::{
    App, DeletionPolicy, Environment, Environments, Output, RawResource, ResourceHandle, TagFormat, Value,
};

/// What differs between environments.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Config {
    /// CIDR block of the VPC.
    vpc_cidr: String,
    /// CIDR blocks of the two private subnets (inside `vpc_cidr`).
    subnet_cidrs: [String; 2],
    /// Number of tasks of the service.
    desired_count: u32,
    /// Days to keep container logs.
    log_retention_days: u32,
}

fn raw(ty: &str, props: serde_json::Value) -> RawResource {
    RawResource::new(ty, props)
}

fn build(app: &App, env: &Environment<Config>) {
    // The built-in security rules run at synth (the `stackcraft` facade installs them itself).
    stackcraft_policy::install_default(app);
    // The demo exercises deploy against the moto emulator, not security; these
    // built-in findings are accepted for it (each with its reason).
    for (rule, reason) in [
        ("sqs.cmk", "demo: AWS-managed SQS encryption is enough for an emulator test queue"),
        ("sqs.tls-only", "demo: the test queue is only reached by the tests over the emulator"),
        ("sqs.dlq", "demo: the test queue has no consumer, so no poison messages"),
        ("sns.cmk", "demo: AWS-managed SNS encryption is enough for an emulator test topic"),
        ("sns.tls-only", "demo: the test topic is only reached by the tests over the emulator"),
        ("s3.tls-only", "demo: the test bucket holds no data and is deleted by the tests"),
        ("vpc.flow-logs", "demo: a short-lived test VPC on the emulator carries no traffic to investigate"),
        ("vpc.default-sg-restricted", "demo: nothing in the test VPC uses its default security group"),
    ] {
        app.acknowledge(rule, reason);
    }
    let variant = std::env::var("DEMO_VARIANT").unwrap_or_default();
    let linked = std::env::var("DEMO_LINKED").is_ok_and(|v| v == "1");
    let changed = variant == "changed";
    app.add_tag("app", "deploy-demo");
    app.add_tag("environment", &env.name);

    // Messaging: a topic delivering to a queue.
    let messaging = app.stack("Messaging");
    let queue = messaging.add_raw(
        "Queue",
        raw(
            "AWS::SQS::Queue",
            json!({
                "VisibilityTimeout": if changed { 60 } else { 30 },
                "MessageRetentionPeriod": 345_600,
                "KmsMasterKeyId": "alias/aws/sqs",
            }),
        )
        .taggable(TagFormat::List),
    );
    queue.apply_removal_policy(DeletionPolicy::Delete);
    let topic = messaging.add_raw(
        "Topic",
        raw("AWS::SNS::Topic", json!({ "KmsMasterKeyId": "alias/aws/sns" })).taggable(TagFormat::List),
    );
    messaging.add_output(Output::new("TopicArn", topic.ref_()).description("ARN of the topic"));
    messaging.add_output(Output::new("QueueUrl", queue.ref_()).description("URL of the queue"));

    // Service: network, internal load balancer, Fargate service, data.
    let service = app.stack("Service");
    let vpc = service.add_raw(
        "Vpc",
        raw(
            "AWS::EC2::VPC",
            json!({ "CidrBlock": env.config.vpc_cidr, "EnableDnsHostnames": true, "EnableDnsSupport": true }),
        )
        .taggable(TagFormat::List),
    );
    let subnets: Vec<ResourceHandle> = (0..2)
        .map(|i| {
            service.add_raw(
                &format!("PrivateSubnet{}", i + 1),
                raw(
                    "AWS::EC2::Subnet",
                    json!({
                        "VpcId": vpc.ref_(),
                        "CidrBlock": env.config.subnet_cidrs[i].clone(),
                        "AvailabilityZone": Value::<String>::select(i, Value::get_azs("")),
                        "MapPublicIpOnLaunch": false,
                    }),
                )
                .taggable(TagFormat::List),
            )
        })
        .collect();
    let subnet_refs: Vec<Value<String>> = subnets.iter().map(|s| s.ref_()).collect();

    let alb_sg = service.add_raw(
        "LoadBalancerSecurityGroup",
        raw(
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": "Internal load balancer: HTTP from inside the VPC",
                "VpcId": vpc.ref_(),
                "SecurityGroupIngress": [{
                    "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                    "CidrIp": env.config.vpc_cidr, "Description": "HTTP from the VPC"
                }],
                "SecurityGroupEgress": [{
                    "IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8000,
                    "CidrIp": env.config.vpc_cidr, "Description": "To the tasks"
                }],
            }),
        )
        .taggable(TagFormat::List),
    );
    let task_sg = service.add_raw(
        "TaskSecurityGroup",
        raw(
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": "Tasks: port 8000 from the load balancer",
                "VpcId": vpc.ref_(),
                "SecurityGroupIngress": [{
                    "IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8000,
                    "SourceSecurityGroupId": alb_sg.get_att::<String>("GroupId"),
                    "Description": "From the load balancer"
                }],
                "SecurityGroupEgress": [{
                    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                    "CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS APIs"
                }],
            }),
        )
        .taggable(TagFormat::List),
    );

    let alb = service.add_raw(
        "LoadBalancer",
        raw(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({
                "Type": "application",
                "Scheme": "internal",
                "Subnets": subnet_refs,
                "SecurityGroups": [alb_sg.get_att::<String>("GroupId")],
                "LoadBalancerAttributes": [
                    { "Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true" },
                    { "Key": "deletion_protection.enabled", "Value": "false" }
                ],
            }),
        )
        .taggable(TagFormat::List),
    );
    alb.acknowledge("alb.access-logs", "demo: no access-log bucket for an internal test load balancer");
    alb.acknowledge("alb.deletion-protection", "demo: deleted by the tests, so no deletion protection");
    let tg = service.add_raw(
        "TargetGroup",
        raw(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            json!({
                "TargetType": "ip",
                "Protocol": "HTTP",
                "Port": 8000,
                "VpcId": vpc.ref_(),
                "HealthCheckPath": "/health",
            }),
        )
        .taggable(TagFormat::List),
    );
    let listener = service.add_raw(
        "Listener",
        raw(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({
                "LoadBalancerArn": alb.ref_(),
                "Protocol": "HTTP",
                "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg.ref_() }],
            }),
        ),
    );
    listener.acknowledge("alb.https-only", "demo: internal load balancer without a certificate");
    listener.acknowledge("alb.tls-policy", "demo: internal load balancer without a certificate");

    let cluster = service.add_raw(
        "Cluster",
        raw("AWS::ECS::Cluster", json!({ "ClusterSettings": [{ "Name": "containerInsights", "Value": "enabled" }] }))
            .taggable(TagFormat::List),
    );
    let logs = service.add_raw(
        "Logs",
        raw(
            "AWS::Logs::LogGroup",
            json!({ "RetentionInDays": if changed { 14 } else { env.config.log_retention_days } }),
        )
        .taggable(TagFormat::List),
    );
    logs.apply_removal_policy(DeletionPolicy::Delete);
    logs.acknowledge("logs.kms", "demo: AWS-managed encryption of log data is enough here");
    let exec_role = service.add_raw(
        "ExecutionRole",
        raw(
            "AWS::IAM::Role",
            json!({
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": "ecs-tasks.amazonaws.com" },
                        "Action": "sts:AssumeRole"
                    }]
                },
                "ManagedPolicyArns": [Value::<String>::sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
                )],
            }),
        )
        .taggable(TagFormat::List),
    );
    let table = service.add_raw(
        "Table",
        raw(
            "AWS::DynamoDB::Table",
            json!({
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
                "SSESpecification": { "SSEEnabled": true },
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true },
            }),
        )
        .taggable(TagFormat::List),
    );
    // The tests destroy what they deploy: nothing is retained.
    table.apply_removal_policy(DeletionPolicy::Delete);
    table.acknowledge("dynamodb.cmk", "demo: AWS-owned key is enough for a test table");
    let bucket = service.add_raw(
        "Bucket",
        raw(
            "AWS::S3::Bucket",
            json!({
                "BucketEncryption": { "ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" }
                }]},
                "VersioningConfiguration": { "Status": "Enabled" },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": true, "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true, "RestrictPublicBuckets": true
                },
            }),
        )
        .taggable(TagFormat::List),
    );
    bucket.apply_removal_policy(DeletionPolicy::Delete);
    bucket.acknowledge("s3.access-logs", "demo: no access logging for a test bucket");

    let mut environment = vec![
        json!({ "Name": "TABLE_NAME", "Value": table.ref_() }),
        json!({ "Name": "BUCKET_NAME", "Value": bucket.ref_() }),
    ];
    if linked {
        environment.push(json!({ "Name": "QUEUE_URL", "Value": queue.ref_() }));
    }
    let task = service.add_raw(
        "TaskDefinition",
        raw(
            "AWS::ECS::TaskDefinition",
            json!({
                "RequiresCompatibilities": ["FARGATE"],
                "NetworkMode": "awsvpc",
                "Cpu": "256",
                "Memory": "512",
                "ExecutionRoleArn": exec_role.get_att::<String>("Arn"),
                "ContainerDefinitions": [{
                    "Name": "web",
                    "Image": "public.ecr.aws/docker/library/python:3.12-slim",
                    "Essential": true,
                    "ReadonlyRootFilesystem": true,
                    "PortMappings": [{ "ContainerPort": 8000, "Protocol": "tcp" }],
                    "Environment": environment,
                    "LogConfiguration": {
                        "LogDriver": "awslogs",
                        "Options": {
                            "awslogs-group": logs.ref_(),
                            "awslogs-region": Value::<String>::region(),
                            "awslogs-stream-prefix": "web"
                        }
                    }
                }],
            }),
        )
        .taggable(TagFormat::List),
    );
    let svc = service.add_raw(
        "Service",
        raw(
            "AWS::ECS::Service",
            json!({
                "Cluster": cluster.ref_(),
                "TaskDefinition": task.ref_(),
                "LaunchType": "FARGATE",
                "DesiredCount": env.config.desired_count,
                "NetworkConfiguration": { "AwsvpcConfiguration": {
                    "AssignPublicIp": "DISABLED",
                    "SecurityGroups": [task_sg.get_att::<String>("GroupId")],
                    "Subnets": subnets.iter().map(|s| s.ref_()).collect::<Vec<_>>(),
                }},
                "LoadBalancers": [{ "ContainerName": "web", "ContainerPort": 8000, "TargetGroupArn": tg.ref_() }],
            }),
        )
        .taggable(TagFormat::List),
    );
    svc.add_depends_on(&listener);

    service.add_output(
        Output::new("LoadBalancerDns", alb.get_att::<String>("DNSName"))
            .description("DNS name of the internal load balancer"),
    );
    service.add_output(Output::new("TableName", table.ref_()).description("DynamoDB table"));
    service.add_output(Output::new("BucketName", bucket.ref_()).description("S3 bucket"));

    if variant == "large" {
        // Documentation-sized metadata: pushes the template past 51,200 bytes.
        let notes: Vec<String> =
            (0..600).map(|i| format!("note {i:04}: {}", "stackcraft deploy-demo padding ".repeat(3))).collect();
        service.add_metadata("DemoNotes", json!(notes));
    }
}

fn main() -> std::process::ExitCode {
    let cfg = |cidr: &str, count: u32, days: u32| Config {
        vpc_cidr: format!("{cidr}.0.0/16"),
        subnet_cidrs: [format!("{cidr}.0.0/24"), format!("{cidr}.1.0/24")],
        desired_count: count,
        log_retention_days: days,
    };
    let envs = Environments::new()
        .env("dev", cfg("10.20", 1, 7))
        .env("staging", cfg("10.30", 1, 30))
        .production("prod", cfg("10.40", 2, 365));
    stackcraft_core::cli::run("deploy-demo", envs, build)
}
