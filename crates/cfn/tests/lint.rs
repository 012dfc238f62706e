//! Every generated service: a template built only from L1 types (required
//! properties through `new`, nested property types, intrinsics, typed
//! `Fn::GetAtt` accessors) synthesizes and passes cfn-lint 1.58.0 with zero
//! errors and zero warnings. All templates go to cfn-lint in one call.
//!
//! Each service's stack is compiled only when its feature is on; run with
//! `cargo test -p stackcraft-cfn --features full --test lint`.
#![allow(missing_docs)]

#[allow(unused_imports)]
use serde_json::json;
#[allow(unused_imports)]
use stackcraft_core::{App, Value};

#[allow(unused_imports)]
use stackcraft_cfn::Tag;

#[allow(dead_code)]
fn policy(service: &str, action: &str, resource: Value<String>) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": action,
            "Resource": resource,
        }],
    })
}

#[allow(dead_code)]
fn assume_role(service: &str) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })
}

/// A VPC with two private subnets in the stack (for services that need one).
#[cfg(feature = "ec2")]
fn network(scope: &stackcraft_core::Scope) -> (stackcraft_cfn::ec2::VpcRef, Vec<Value<String>>) {
    use stackcraft_cfn::ec2;
    let vpc =
        scope.add("Vpc", ec2::Vpc::new().cidr_block("10.0.0.0/16").enable_dns_hostnames(true).enable_dns_support(true));
    let subnets = (0..2)
        .map(|i| {
            scope
                .add(
                    &format!("Private{i}"),
                    ec2::Subnet::new(vpc.ref_())
                        .cidr_block(Value::select(i, Value::cidr(vpc.attr_cidr_block(), 4, 8)))
                        .availability_zone(Value::select(i, Value::get_azs(""))),
                )
                .ref_()
        })
        .collect();
    (vpc, subnets)
}

#[cfg(feature = "ec2")]
fn ec2(app: &App) {
    use stackcraft_cfn::ec2::{self, security_group};
    let stack = app.stack("Ec2");
    let vpc = stack.add(
        "Vpc",
        ec2::Vpc::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_hostnames(true)
            .enable_dns_support(true)
            .tags(vec![Tag::new("Name", Value::sub("${AWS::StackName}-vpc"))]),
    );
    let public = stack.add(
        "Public",
        ec2::Subnet::new(vpc.ref_())
            .cidr_block("10.0.0.0/24")
            .availability_zone(Value::select(0, Value::get_azs("")))
            .map_public_ip_on_launch(false),
    );
    let private = stack.add(
        "Private",
        ec2::Subnet::new(vpc.ref_())
            .cidr_block("10.0.1.0/24")
            .availability_zone(Value::select(1, Value::get_azs(Value::region()))),
    );
    let igw = stack.add("Igw", ec2::InternetGateway::new());
    let attach = stack.add("IgwAttachment", ec2::VpcGatewayAttachment::new(vpc.ref_()).internet_gateway_id(igw.ref_()));
    let eip = stack.add("NatEip", ec2::Eip::new().domain("vpc"));
    eip.add_depends_on(&attach);
    let nat = stack.add("Nat", ec2::NatGateway::new().allocation_id(eip.attr_allocation_id()).subnet_id(public.ref_()));
    let public_rt = stack.add("PublicRoutes", ec2::RouteTable::new(vpc.ref_()));
    let default_route = stack.add(
        "PublicDefault",
        ec2::Route::new(public_rt.ref_()).destination_cidr_block("0.0.0.0/0").gateway_id(igw.ref_()),
    );
    default_route.add_depends_on(&attach);
    stack.add(
        "PublicAssoc",
        ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
            route_table_id: public_rt.ref_(),
            subnet_id: public.ref_(),
        }),
    );
    let private_rt = stack.add("PrivateRoutes", ec2::RouteTable::new(vpc.ref_()));
    stack.add(
        "PrivateDefault",
        ec2::Route::new(private_rt.ref_()).destination_cidr_block("0.0.0.0/0").nat_gateway_id(nat.ref_()),
    );
    stack.add(
        "PrivateAssoc",
        ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
            route_table_id: private_rt.ref_(),
            subnet_id: private.ref_(),
        }),
    );
    let sg = stack.add(
        "AppSg",
        ec2::SecurityGroup::new("App tasks")
            .vpc_id(vpc.ref_())
            .security_group_ingress(vec![security_group::Ingress::new("tcp")
                .cidr_ip(vpc.attr_cidr_block())
                .from_port(8000)
                .to_port(8000)
                .description("HTTP from the VPC")])
            .security_group_egress(vec![security_group::Egress::new("tcp")
                .cidr_ip("0.0.0.0/0")
                .from_port(443)
                .to_port(443)
                .description("HTTPS out")]),
    );
    let db_sg = stack.add("DbSg", ec2::SecurityGroup::new("Database").vpc_id(sg.attr_vpc_id()));
    stack.add(
        "DbIngress",
        ec2::SecurityGroupIngress::new("tcp")
            .group_id(db_sg.attr_group_id())
            .source_security_group_id(sg.attr_group_id())
            .from_port(5432)
            .to_port(5432)
            .description("Postgres from the app"),
    );
    stack.add(
        "DbEgress",
        ec2::SecurityGroupEgress::new(ec2::SecurityGroupEgressRequired {
            group_id: db_sg.attr_group_id(),
            ip_protocol: "-1".into(),
        })
        .cidr_ip("127.0.0.1/32")
        .description("No egress"),
    );
    stack.add(
        "S3Endpoint",
        ec2::VpcEndpoint::new(vpc.ref_())
            .service_name(Value::sub("com.amazonaws.${AWS::Region}.s3"))
            .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Gateway)
            .route_table_ids(vec![private_rt.ref_(), public_rt.ref_()]),
    );
    let log_group = stack.add_raw(
        "FlowLogGroup",
        stackcraft_core::RawResource::new("AWS::Logs::LogGroup", json!({"RetentionInDays": 365})),
    );
    let role = stack.add_raw(
        "FlowLogRole",
        stackcraft_core::RawResource::new(
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": assume_role("vpc-flow-logs.amazonaws.com")}),
        ),
    );
    stack.add(
        "FlowLog",
        ec2::FlowLog::new(ec2::FlowLogRequired {
            resource_id: vpc.ref_(),
            resource_type: ec2::flow_log::ResourceType::Vpc.into(),
        })
        .traffic_type(ec2::flow_log::TrafficType::All)
        .log_destination_type(ec2::flow_log::LogDestinationType::CloudWatchLogs)
        .log_group_name(log_group.ref_())
        .deliver_logs_permission_arn(role.get_att::<String>("Arn"))
        .max_aggregation_interval(60),
    );
}

#[cfg(all(feature = "ecs", feature = "ec2", feature = "iam", feature = "logs"))]
fn ecs(app: &App) {
    use stackcraft_cfn::ecs::{self, cluster, service, task_definition as td};
    use stackcraft_cfn::{ec2, iam, logs};
    let stack = app.stack("Ecs");
    let (vpc, subnets) = network(&stack);
    let sg = stack.add("TaskSg", ec2::SecurityGroup::new("Tasks").vpc_id(vpc.ref_()));
    let cluster = stack.add(
        "Cluster",
        ecs::Cluster::new()
            .cluster_settings(vec![cluster::ClusterSettings::new().name("containerInsights").value("enabled")]),
    );
    let logs = stack.add("Logs", logs::LogGroup::new().retention_in_days(30));
    let exec_role = stack.add(
        "ExecRole",
        iam::Role::new(assume_role("ecs-tasks.amazonaws.com")).managed_policy_arns(vec![Value::sub(
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        )]),
    );
    let task = stack.add(
        "Task",
        ecs::TaskDefinition::new()
            .family("api")
            .cpu("256")
            .memory("512")
            .network_mode(td::NetworkMode::Awsvpc)
            .requires_compatibilities(vec![td::RequiresCompatibilities::Fargate])
            .execution_role_arn(exec_role.attr_arn())
            .container_definitions(vec![td::ContainerDefinition::new(td::ContainerDefinitionRequired {
                image: "public.ecr.aws/nginx/nginx:1.27".into(),
                name: "web".into(),
            })
            .essential(true)
            .port_mappings(vec![td::PortMapping::new().container_port(8000).protocol(td::Protocol::Tcp)])
            .environment(vec![td::KeyValuePair::new().name("STAGE").value("dev")])
            .log_configuration(td::LogConfiguration::new("awslogs").options(std::collections::BTreeMap::from([
                ("awslogs-group", logs.ref_()),
                ("awslogs-region", Value::region()),
                ("awslogs-stream-prefix", Value::from("web")),
            ])))]),
    );
    stack.add(
        "Service",
        ecs::Service::new()
            .cluster(cluster.ref_())
            .task_definition(task.ref_())
            .launch_type(stackcraft_cfn::ecs::service::LaunchType::Fargate)
            .desired_count(1)
            .network_configuration(
                service::NetworkConfiguration::new().awsvpc_configuration(
                    service::AwsVpcConfiguration::new()
                        .assign_public_ip(stackcraft_cfn::ecs::service::AssignPublicIp::Disabled)
                        .subnets(subnets)
                        .security_groups(vec![sg.attr_group_id()]),
                ),
            ),
    );
}

#[cfg(all(feature = "elasticloadbalancingv2", feature = "ec2"))]
fn elasticloadbalancingv2(app: &App) {
    use stackcraft_cfn::ec2;
    use stackcraft_cfn::elasticloadbalancingv2::{self as elb, listener, target_group};
    let stack = app.stack("Elb");
    let (vpc, subnets) = network(&stack);
    let sg = stack.add("LbSg", ec2::SecurityGroup::new("Load balancer").vpc_id(vpc.ref_()));
    let lb = stack.add(
        "Lb",
        elb::LoadBalancer::new()
            .scheme(elb::load_balancer::Scheme::Internal)
            .type_(elb::load_balancer::Type::Application)
            .subnets(subnets)
            .security_groups(vec![sg.attr_group_id()]),
    );
    let tg = stack.add(
        "Targets",
        elb::TargetGroup::new()
            .vpc_id(vpc.ref_())
            .port(8000)
            .protocol(target_group::Protocol::Http)
            .target_type(target_group::TargetType::Ip)
            .health_check_path("/health")
            .matcher(target_group::Matcher::new().http_code("200-299")),
    );
    stack.add(
        "Listener",
        elb::Listener::new(elb::ListenerRequired {
            default_actions: vec![listener::Action::new(listener::Type::Forward).target_group_arn(tg.ref_())].into(),
            load_balancer_arn: lb.ref_(),
        })
        .port(80)
        .protocol(listener::Protocol::Http),
    );
    stack.add_output(stackcraft_core::Output::new("LbDns", lb.attr_dns_name()));
}

#[cfg(all(feature = "rds", feature = "ec2"))]
fn rds(app: &App) {
    use stackcraft_cfn::rds;
    let stack = app.stack("Rds");
    let (_vpc, subnets) = network(&stack);
    let group = stack.add(
        "Subnets",
        rds::DbSubnetGroup::new(rds::DbSubnetGroupRequired {
            db_subnet_group_description: "Database subnets".into(),
            subnet_ids: subnets.into(),
        }),
    );
    let db = stack.add(
        "Db",
        rds::DbInstance::new()
            .engine("postgres")
            .engine_version("16.10")
            .db_instance_class("db.t4g.micro")
            .allocated_storage("20")
            .storage_encrypted(true)
            .master_username("app")
            .manage_master_user_password(true)
            .db_subnet_group_name(group.ref_())
            .backup_retention_period(7)
            .deletion_protection(true)
            .enable_iam_database_authentication(true)
            .copy_tags_to_snapshot(true)
            .publicly_accessible(false),
    );
    db.apply_removal_policy(stackcraft_core::DeletionPolicy::Snapshot);
    stack.add_output(stackcraft_core::Output::new("DbHost", db.attr_endpoint_address()));
    stack.add_output(stackcraft_core::Output::new("DbSecret", db.attr_master_user_secret_secret_arn()));
}

#[cfg(feature = "dynamodb")]
fn dynamodb(app: &App) {
    use stackcraft_cfn::dynamodb::{self, table};
    let stack = app.stack("Dynamo");
    let t = stack.add(
        "Table",
        dynamodb::Table::new(vec![
            table::KeySchema::new(table::KeySchemaRequired { attribute_name: "pk".into(), key_type: "HASH".into() }),
            table::KeySchema::new(table::KeySchemaRequired { attribute_name: "sk".into(), key_type: "RANGE".into() }),
        ])
        .attribute_definitions(vec![
            table::AttributeDefinition::new(table::AttributeDefinitionRequired {
                attribute_name: "pk".into(),
                attribute_type: table::AttributeType::S.into(),
            }),
            table::AttributeDefinition::new(table::AttributeDefinitionRequired {
                attribute_name: "sk".into(),
                attribute_type: table::AttributeType::S.into(),
            }),
        ])
        .billing_mode(stackcraft_cfn::dynamodb::table::BillingMode::PayPerRequest)
        .sse_specification(table::SseSpecification::new(true))
        .point_in_time_recovery_specification(
            table::PointInTimeRecoverySpecification::new().point_in_time_recovery_enabled(true),
        )
        .deletion_protection_enabled(true),
    );
    t.apply_removal_policy(stackcraft_core::DeletionPolicy::Retain);
    stack.add_output(stackcraft_core::Output::new("TableArn", t.attr_arn()));
}

#[cfg(all(feature = "elasticache", feature = "ec2"))]
fn elasticache(app: &App) {
    use stackcraft_cfn::elasticache;
    let stack = app.stack("Cache");
    let (_vpc, subnets) = network(&stack);
    let group = stack.add(
        "Subnets",
        elasticache::SubnetGroup::new(elasticache::SubnetGroupRequired {
            description: "Cache subnets".into(),
            subnet_ids: subnets.into(),
        }),
    );
    let rg = stack.add(
        "Redis",
        elasticache::ReplicationGroup::new("Sessions")
            .engine("redis")
            .cache_node_type("cache.t4g.micro")
            .num_cache_clusters(2)
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .at_rest_encryption_enabled(true)
            .transit_encryption_enabled(true)
            .cache_subnet_group_name(group.ref_()),
    );
    stack.add_output(stackcraft_core::Output::new("RedisHost", rg.attr_primary_end_point_address()));
}

#[cfg(feature = "s3")]
fn s3(app: &App) {
    use stackcraft_cfn::s3::{self, bucket};
    let stack = app.stack("S3");
    let b = stack.add(
        "Bucket",
        s3::Bucket::new()
            .bucket_encryption(bucket::BucketEncryption::new(vec![bucket::ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(bucket::ServerSideEncryptionByDefault::new(
                    bucket::ServerSideEncryptionByDefaultSseAlgorithm::AwsKms,
                ))
                .bucket_key_enabled(true)]))
            .public_access_block_configuration(
                bucket::PublicAccessBlockConfiguration::new()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            )
            .versioning_configuration(bucket::VersioningConfiguration::new(
                bucket::VersioningConfigurationStatus::Enabled,
            )),
    );
    b.apply_removal_policy(stackcraft_core::DeletionPolicy::Retain);
    stack.add(
        "BucketPolicy",
        s3::BucketPolicy::new(s3::BucketPolicyRequired {
            bucket: b.ref_(),
            policy_document: json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecure",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [b.attr_arn(), Value::join("", [b.attr_arn(), Value::from("/*")])],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }],
            })
            .into(),
        }),
    );
}

#[cfg(feature = "logs")]
fn logs(app: &App) {
    use stackcraft_cfn::logs::{self, metric_filter};
    let stack = app.stack("Logs");
    let group = stack.add("Group", logs::LogGroup::new().retention_in_days(90));
    stack.add(
        "Errors",
        logs::MetricFilter::new(logs::MetricFilterRequired {
            filter_pattern: "ERROR".into(),
            log_group_name: group.ref_(),
            metric_transformations: vec![metric_filter::MetricTransformation::new(
                metric_filter::MetricTransformationRequired {
                    metric_name: "Errors".into(),
                    metric_namespace: "App".into(),
                    metric_value: "1".into(),
                },
            )
            .default_value(0.0)]
            .into(),
        }),
    );
    stack.add_output(stackcraft_core::Output::new("GroupArn", group.attr_arn()));
}

#[cfg(feature = "cloudwatch")]
fn cloudwatch(app: &App) {
    use stackcraft_cfn::cloudwatch::{self, alarm};
    let stack = app.stack("Cw");
    let a = stack.add(
        "CpuHigh",
        cloudwatch::Alarm::new()
            .namespace("AWS/ECS")
            .metric_name("CPUUtilization")
            .dimensions(vec![alarm::Dimension::new(alarm::DimensionRequired {
                name: "ClusterName".into(),
                value: Value::sub("${AWS::StackName}"),
            })])
            .statistic(stackcraft_cfn::cloudwatch::alarm::Statistic::Average)
            .period(60)
            .evaluation_periods(3)
            .threshold(80)
            .comparison_operator(stackcraft_cfn::cloudwatch::alarm::ComparisonOperator::GreaterThanThreshold)
            .treat_missing_data(alarm::TreatMissingData::NotBreaching),
    );
    stack.add_output(stackcraft_core::Output::new("AlarmArn", a.attr_arn()));
}

#[cfg(feature = "sns")]
fn sns(app: &App) {
    use stackcraft_cfn::sns;
    let stack = app.stack("Sns");
    let topic = stack.add("Topic", sns::Topic::new().kms_master_key_id("alias/aws/sns").display_name("Alarms"));
    stack.add(
        "Mail",
        sns::Subscription::new(sns::SubscriptionRequired { protocol: "email".into(), topic_arn: topic.ref_() })
            .endpoint("ops@example.com"),
    );
    stack.add_output(stackcraft_core::Output::new("TopicName", topic.attr_topic_name()));
}

#[cfg(feature = "sqs")]
fn sqs(app: &App) {
    use stackcraft_cfn::sqs;
    let stack = app.stack("Sqs");
    let dlq = stack.add("Dlq", sqs::Queue::new().sqs_managed_sse_enabled(true).message_retention_period(1_209_600));
    let q = stack.add(
        "Queue",
        sqs::Queue::new()
            .sqs_managed_sse_enabled(true)
            .visibility_timeout(60)
            .redrive_policy(json!({"deadLetterTargetArn": dlq.attr_arn(), "maxReceiveCount": 5})),
    );
    stack.add(
        "QueuePolicy",
        sqs::QueuePolicy::new(sqs::QueuePolicyRequired {
            policy_document: policy("sns.amazonaws.com", "sqs:SendMessage", q.attr_arn()).into(),
            queues: vec![q.attr_queue_url()].into(),
        }),
    );
}

#[cfg(feature = "events")]
fn events(app: &App) {
    use stackcraft_cfn::events::{self, rule};
    let stack = app.stack("Events");
    let bus = stack.add("Bus", events::EventBus::new("orders"));
    stack.add(
        "Rule",
        events::Rule::new()
            .event_bus_name(bus.ref_())
            .event_pattern(json!({"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}))
            .state(stackcraft_cfn::events::rule::State::Enabled)
            .targets(vec![rule::Target::new(rule::TargetRequired { arn: bus.attr_arn(), id: "Self".into() })
                .retry_policy(rule::RetryPolicy::new().maximum_retry_attempts(3))]),
    );
}

#[cfg(feature = "iam")]
fn iam(app: &App) {
    use stackcraft_cfn::iam::{self, role};
    let stack = app.stack("Iam");
    let r = stack.add(
        "Role",
        iam::Role::new(assume_role("ecs-tasks.amazonaws.com")).max_session_duration(3600).policies(vec![
            role::Policy::new(role::PolicyRequired {
                policy_document: json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": ["s3:GetObject"],
                        "Resource": Value::arn("s3", "", "", "my-bucket/*"),
                    }],
                })
                .into(),
                policy_name: "read".into(),
            }),
        ]),
    );
    stack.add(
        "Managed",
        iam::ManagedPolicy::new(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": Value::arn("logs", Value::region(), Value::account_id(), "log-group:app:*"),
            }],
        }))
        .roles(vec![r.ref_()]),
    );
    stack.add_output(stackcraft_core::Output::new("RoleId", r.attr_role_id()));
}

#[cfg(feature = "ecr")]
fn ecr(app: &App) {
    use stackcraft_cfn::ecr::{self, repository};
    let stack = app.stack("Ecr");
    let repo = stack.add(
        "Repo",
        ecr::Repository::new()
            .image_tag_mutability(stackcraft_cfn::ecr::repository::ImageTagMutability::Immutable)
            .image_scanning_configuration(repository::ImageScanningConfiguration::new().scan_on_push(true))
            .encryption_configuration(repository::EncryptionConfiguration::new(stackcraft_cfn::ecr::repository::EncryptionType::Kms))
            .lifecycle_policy(repository::LifecyclePolicy::new().lifecycle_policy_text(
                json!({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}).to_string(),
            )),
    );
    stack.add_output(stackcraft_core::Output::new("RepoUri", repo.attr_repository_uri()));
}

#[cfg(feature = "secretsmanager")]
fn secretsmanager(app: &App) {
    use stackcraft_cfn::secretsmanager::{self, secret};
    let stack = app.stack("Secrets");
    let s = stack.add(
        "Secret",
        secretsmanager::Secret::new().description("API key").generate_secret_string(
            secret::GenerateSecretString::new()
                .password_length(32)
                .exclude_punctuation(true)
                .secret_string_template(json!({"user": "api"}).to_string())
                .generate_string_key("password"),
        ),
    );
    stack.add_output(stackcraft_core::Output::new("SecretArn", s.attr_id()));
}

#[cfg(all(feature = "applicationautoscaling", feature = "ecs"))]
fn applicationautoscaling(app: &App) {
    use stackcraft_cfn::applicationautoscaling::{self as aas, scaling_policy};
    let stack = app.stack("Scaling");
    let target = stack.add(
        "Target",
        aas::ScalableTarget::new(aas::ScalableTargetRequired {
            max_capacity: 4.into(),
            min_capacity: 1.into(),
            resource_id: Value::sub("service/${AWS::StackName}-cluster/${AWS::StackName}-api"),
            scalable_dimension: aas::scalable_target::ScalableDimension::EcsServiceDesiredCount.into(),
            service_namespace: aas::scalable_target::ServiceNamespace::Ecs.into(),
        }),
    );
    stack.add(
        "Cpu",
        aas::ScalingPolicy::new(aas::ScalingPolicyRequired {
            policy_name: "cpu".into(),
            policy_type: scaling_policy::PolicyType::TargetTrackingScaling.into(),
        })
        .scaling_target_id(target.ref_())
        .target_tracking_scaling_policy_configuration(
            scaling_policy::TargetTrackingScalingPolicyConfiguration::new(60.0)
                .predefined_metric_specification(scaling_policy::PredefinedMetricSpecification::new(
                    scaling_policy::PredefinedMetricType::ECSServiceAverageCPUUtilization,
                ))
                .scale_in_cooldown(60)
                .scale_out_cooldown(60),
        ),
    );
}

#[cfg(all(feature = "servicediscovery", feature = "ec2"))]
fn servicediscovery(app: &App) {
    use stackcraft_cfn::servicediscovery::{self as sd, service};
    let stack = app.stack("Discovery");
    let (vpc, _subnets) = network(&stack);
    let ns = stack.add("Namespace", sd::PrivateDnsNamespace::new("internal.local").vpc(vpc.ref_()));
    stack.add(
        "Api",
        sd::Service::new()
            .name("api")
            .dns_config(
                service::DnsConfig::new(vec![service::DnsRecord::new(service::DnsRecordRequired {
                    ttl: 10.into(),
                    type_: service::DnsRecordType::A.into(),
                })])
                .namespace_id(ns.attr_id())
                .routing_policy(service::RoutingPolicy::Multivalue),
            )
            .health_check_custom_config(service::HealthCheckCustomConfig::new().failure_threshold(1)),
    );
}

#[cfg(feature = "route53")]
fn route53(app: &App) {
    use stackcraft_cfn::route53::{self, hosted_zone};
    let stack = app.stack("Dns");
    let zone = stack.add(
        "Zone",
        route53::HostedZone::new()
            .name("example.com")
            .hosted_zone_config(hosted_zone::HostedZoneConfig::new().comment("Public zone")),
    );
    stack.add(
        "Www",
        route53::RecordSet::new(route53::RecordSetRequired { name: "www.example.com".into(), type_: "CNAME".into() })
            .hosted_zone_id(zone.ref_())
            .ttl("300")
            .resource_records(vec!["example.com"]),
    );
    stack.add_output(stackcraft_core::Output::new(
        "NameServers",
        Value::join(",", [Value::select(0, zone.attr_name_servers())]),
    ));
}

#[cfg(feature = "certificatemanager")]
fn certificatemanager(app: &App) {
    use stackcraft_cfn::certificatemanager::{self as acm, certificate};
    let stack = app.stack("Acm");
    let cert = stack.add(
        "Cert",
        acm::Certificate::new("api.example.com")
            .validation_method("DNS")
            .subject_alternative_names(vec!["www.example.com"])
            .domain_validation_options(vec![certificate::DomainValidationOption::new()
                .domain_name("api.example.com")
                .hosted_zone_id("Z0123456789ABCDEFGHIJ")]),
    );
    stack.add_output(stackcraft_core::Output::new("CertArn", cert.ref_()));
}

#[cfg(all(feature = "cloudfront", feature = "s3"))]
fn cloudfront(app: &App) {
    use stackcraft_cfn::cloudfront::{self, distribution as d, origin_access_control as oac};
    use stackcraft_cfn::s3;
    let stack = app.stack("Cdn");
    let bucket = stack.add("Site", s3::Bucket::new());
    let control = stack.add(
        "Oac",
        cloudfront::OriginAccessControl::new(oac::OriginAccessControlConfig::new(
            oac::OriginAccessControlConfigRequired {
                name: "site".into(),
                origin_access_control_origin_type: "s3".into(),
                signing_behavior: "always".into(),
                signing_protocol: "sigv4".into(),
            },
        )),
    );
    let dist = stack.add(
        "Dist",
        cloudfront::Distribution::new(
            d::DistributionConfig::new(d::DistributionConfigRequired {
                default_cache_behavior: d::DefaultCacheBehavior::new(d::DefaultCacheBehaviorRequired {
                    target_origin_id: "site".into(),
                    viewer_protocol_policy: d::ViewerProtocolPolicy::RedirectToHttps.into(),
                })
                .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
                .compress(true)
                .into(),
                enabled: true.into(),
            })
            .origins(vec![d::Origin::new(d::OriginRequired {
                domain_name: bucket.attr_regional_domain_name(),
                id: "site".into(),
            })
            .origin_access_control_id(control.attr_id())
            .s3_origin_config(d::S3OriginConfig::new().origin_access_identity(""))])
            .default_root_object("index.html")
            .http_version(d::HttpVersion::Http2and3)
            .price_class(d::PriceClass::PriceClass100)
            .viewer_certificate(
                d::ViewerCertificate::new()
                    .cloud_front_default_certificate(true)
                    .minimum_protocol_version(d::MinimumProtocolVersion::TLSv1),
            ),
        ),
    );
    stack.add_output(stackcraft_core::Output::new("Domain", dist.attr_domain_name()));
}

#[cfg(all(feature = "msk", feature = "ec2"))]
fn msk(app: &App) {
    use stackcraft_cfn::msk::{self, cluster};
    let stack = app.stack("Msk");
    let (_vpc, subnets) = network(&stack);
    let c = stack.add(
        "Kafka",
        msk::Cluster::new(msk::ClusterRequired {
            broker_node_group_info: cluster::BrokerNodeGroupInfo::new(cluster::BrokerNodeGroupInfoRequired {
                client_subnets: subnets.into(),
                instance_type: "kafka.t3.small".into(),
            })
            .storage_info(cluster::StorageInfo::new().ebs_storage_info(cluster::EbsStorageInfo::new().volume_size(100)))
            .into(),
            cluster_name: "events".into(),
            kafka_version: "3.6.0".into(),
            number_of_broker_nodes: 2.into(),
        })
        .encryption_info(cluster::EncryptionInfo::new().encryption_in_transit(
            cluster::EncryptionInTransit::new().client_broker(cluster::ClientBroker::Tls).in_cluster(true),
        ))
        .tags(std::collections::BTreeMap::from([("team", "data")])),
    );
    stack.add_output(stackcraft_core::Output::new("KafkaArn", c.attr_arn()));
}

#[cfg(feature = "budgets")]
fn budgets(app: &App) {
    use stackcraft_cfn::budgets::{self, budget};
    let stack = app.stack("Budgets");
    stack.add(
        "Monthly",
        budgets::Budget::new(
            budget::BudgetData::new(budget::BudgetDataRequired {
                budget_type: "COST".into(),
                time_unit: "MONTHLY".into(),
            })
            .budget_limit(budget::Spend::new(budget::SpendRequired { amount: 100.into(), unit: "USD".into() })),
        )
        .notifications_with_subscribers(vec![budget::NotificationWithSubscribers::new(
            budget::NotificationWithSubscribersRequired {
                notification: budget::Notification::new(budget::NotificationRequired {
                    comparison_operator: "GREATER_THAN".into(),
                    notification_type: "ACTUAL".into(),
                    threshold: 80.0.into(),
                })
                .threshold_type("PERCENTAGE")
                .into(),
                subscribers: vec![budget::Subscriber::new(budget::SubscriberRequired {
                    address: "ops@example.com".into(),
                    subscription_type: "EMAIL".into(),
                })]
                .into(),
            },
        )]),
    );
}

#[cfg(feature = "kms")]
fn kms(app: &App) {
    use stackcraft_cfn::kms;
    let stack = app.stack("Kms");
    let key = stack.add(
        "Key",
        kms::Key::new().enable_key_rotation(true).description("Data key").key_policy(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": Value::arn("iam", "", Value::account_id(), "root")},
                "Action": "kms:*",
                "Resource": "*",
            }],
        })),
    );
    key.apply_removal_policy(stackcraft_core::DeletionPolicy::Retain);
    stack.add(
        "Alias",
        kms::Alias::new(kms::AliasRequired { alias_name: "alias/data".into(), target_key_id: key.ref_() }),
    );
    stack.add_output(stackcraft_core::Output::new("KeyArn", key.attr_arn()));
}

#[cfg(feature = "ssm")]
fn ssm(app: &App) {
    use stackcraft_cfn::ssm;
    let stack = app.stack("Ssm");
    let p = stack.add(
        "Param",
        ssm::Parameter::new(ssm::ParameterRequired {
            type_: ssm::parameter::Type::String.into(),
            value: Value::sub("${AWS::StackName}"),
        })
        .name("/app/stack")
        .tags(std::collections::BTreeMap::from([("team", "platform")])),
    );
    stack.add_output(stackcraft_core::Output::new("ParamType", p.attr_type()));
}

#[cfg(feature = "wafv2")]
fn wafv2(app: &App) {
    use stackcraft_cfn::wafv2::{self, web_acl as w};
    let stack = app.stack("Waf");
    let vis = |name: &str| {
        w::VisibilityConfig::new(w::VisibilityConfigRequired {
            cloud_watch_metrics_enabled: true.into(),
            metric_name: name.into(),
            sampled_requests_enabled: true.into(),
        })
    };
    let acl = stack.add(
        "Acl",
        wafv2::WebAcl::new(wafv2::WebAclRequired {
            default_action: w::DefaultAction::new().allow(w::AllowAction::new()).into(),
            scope: w::Scope::Regional.into(),
            visibility_config: vis("acl").into(),
        })
        .rules(vec![
            w::Rule::new(w::RuleRequired {
                name: "common".into(),
                priority: 0.into(),
                statement: w::Statement::new()
                    .managed_rule_group_statement(w::ManagedRuleGroupStatement::new(
                        w::ManagedRuleGroupStatementRequired {
                            name: "AWSManagedRulesCommonRuleSet".into(),
                            vendor_name: "AWS".into(),
                        },
                    ))
                    .into(),
                visibility_config: vis("common").into(),
            })
            .override_action(w::OverrideAction::new().none(json!({}))),
            w::Rule::new(w::RuleRequired {
                name: "rate".into(),
                priority: 1.into(),
                statement: w::Statement::new()
                    .rate_based_statement(
                        w::RateBasedStatement::new(w::RateBasedStatementRequired {
                            aggregate_key_type: w::AggregateKeyType::Ip.into(),
                            limit: 2000.into(),
                        })
                        .scope_down_statement(w::Statement::new().not_statement(
                            w::NotStatement::new(w::Statement::new().geo_match_statement(
                                w::GeoMatchStatement::new().country_codes(vec![w::CountryCodes::Us]),
                            )),
                        )),
                    )
                    .into(),
                visibility_config: vis("rate").into(),
            })
            .action(w::RuleAction::new().block(w::BlockAction::new())),
        ]),
    );
    stack.add_output(stackcraft_core::Output::new("AclArn", acl.attr_arn()));
}

#[test]
fn every_service_template_passes_cfn_lint() {
    let app = App::new("l1-lint");
    // Scope tags reach every taggable resource in the format its type declares
    // (`TagFormat::List` / `Map`), which cfn-lint then validates too.
    app.add_tag("Project", "stackcraft-l1");
    #[allow(unused_mut)]
    let mut services = 0usize;
    #[cfg(feature = "ec2")]
    {
        ec2(&app);
        services += 1;
    }
    #[cfg(all(feature = "ecs", feature = "ec2", feature = "iam", feature = "logs"))]
    {
        ecs(&app);
        services += 1;
    }
    #[cfg(all(feature = "elasticloadbalancingv2", feature = "ec2"))]
    {
        elasticloadbalancingv2(&app);
        services += 1;
    }
    #[cfg(all(feature = "rds", feature = "ec2"))]
    {
        rds(&app);
        services += 1;
    }
    #[cfg(feature = "dynamodb")]
    {
        dynamodb(&app);
        services += 1;
    }
    #[cfg(all(feature = "elasticache", feature = "ec2"))]
    {
        elasticache(&app);
        services += 1;
    }
    #[cfg(feature = "s3")]
    {
        s3(&app);
        services += 1;
    }
    #[cfg(feature = "logs")]
    {
        logs(&app);
        services += 1;
    }
    #[cfg(feature = "cloudwatch")]
    {
        cloudwatch(&app);
        services += 1;
    }
    #[cfg(feature = "sns")]
    {
        sns(&app);
        services += 1;
    }
    #[cfg(feature = "sqs")]
    {
        sqs(&app);
        services += 1;
    }
    #[cfg(feature = "events")]
    {
        events(&app);
        services += 1;
    }
    #[cfg(feature = "iam")]
    {
        iam(&app);
        services += 1;
    }
    #[cfg(feature = "ecr")]
    {
        ecr(&app);
        services += 1;
    }
    #[cfg(feature = "secretsmanager")]
    {
        secretsmanager(&app);
        services += 1;
    }
    #[cfg(all(feature = "applicationautoscaling", feature = "ecs"))]
    {
        applicationautoscaling(&app);
        services += 1;
    }
    #[cfg(all(feature = "servicediscovery", feature = "ec2"))]
    {
        servicediscovery(&app);
        services += 1;
    }
    #[cfg(feature = "route53")]
    {
        route53(&app);
        services += 1;
    }
    #[cfg(feature = "certificatemanager")]
    {
        certificatemanager(&app);
        services += 1;
    }
    #[cfg(all(feature = "cloudfront", feature = "s3"))]
    {
        cloudfront(&app);
        services += 1;
    }
    #[cfg(all(feature = "msk", feature = "ec2"))]
    {
        msk(&app);
        services += 1;
    }
    #[cfg(feature = "budgets")]
    {
        budgets(&app);
        services += 1;
    }
    #[cfg(feature = "kms")]
    {
        kms(&app);
        services += 1;
    }
    #[cfg(feature = "ssm")]
    {
        ssm(&app);
        services += 1;
    }
    #[cfg(feature = "wafv2")]
    {
        wafv2(&app);
        services += 1;
    }

    if services == 0 {
        eprintln!("skipped: no service feature enabled (run with --features full)");
        return;
    }
    let assembly = match app.synth() {
        Ok(a) => a,
        Err(e) => panic!("synth failed: {e}"),
    };
    #[cfg(feature = "full")]
    assert_eq!(assembly.stacks.len(), 25, "one stack per generated service");
    #[allow(unused_variables)]
    let props = |stack: &str, resource: &str| {
        assembly
            .stacks
            .iter()
            .find(|s| s.id == stack)
            .map(|s| s.template["Resources"][resource]["Properties"].clone())
            .unwrap_or_default()
    };
    #[cfg(feature = "ec2")]
    {
        let vpc = props("Ec2", "Vpc");
        let tags = vpc["Tags"].as_array().cloned().unwrap_or_default();
        assert!(tags.contains(&json!({"Key": "Project", "Value": "stackcraft-l1"})), "{vpc}");
        assert!(tags.iter().any(|t| t["Key"] == "Name"), "{vpc}");
        // Required property and a legacy GetAtt (`VpcId` of a security group).
        assert_eq!(props("Ec2", "Public")["VpcId"], json!({"Ref": "Vpc"}));
        assert_eq!(props("Ec2", "DbSg")["VpcId"], json!({"Fn::GetAtt": ["AppSg", "VpcId"]}));
    }
    #[cfg(feature = "ssm")]
    assert_eq!(props("Ssm", "Param")["Tags"], json!({"Project": "stackcraft-l1", "team": "platform"}));
    #[cfg(feature = "rds")]
    assert_eq!(
        props("Rds", "Db")["DBSubnetGroupName"],
        json!({"Ref": "Subnets"}),
        "CloudFormation property names are kept as keys"
    );
    stackcraft_testing::assert_cfn_lint_clean(&assembly);
}
