//! Load balancer behaviour: rule priorities, clashes and name rules reported
//! as synth errors with their messages, internal load balancers, metrics,
//! and security-group rules across stacks without cycles.

use stackcraft_alb::*;
use stackcraft_core::{App, Assembly, Scope};
use stackcraft_vpc::{
    Connections, HasConnections, NatGateways, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, Vpc,
    VpcProps,
};

fn new_vpc(scope: &Scope) -> Vpc {
    Vpc::new(scope, "Vpc", VpcProps::builder().nat_gateways(NatGateways::Single).build())
}

fn tg(scope: &Scope, id: &str, vpc: &Vpc) -> TargetGroup {
    TargetGroup::new(scope, id, TargetGroupProps::builder().vpc(vpc.clone()).port(8000).build())
}

fn errors(app: &App) -> Vec<String> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

fn assert_has(errors: &[String], needle: &str) {
    assert!(errors.iter().any(|e| e.contains(needle)), "expected {needle:?} in {errors:#?}");
}

fn resources(a: &Assembly, stack: usize, ty: &str) -> Vec<serde_json::Value> {
    a.stacks[stack].template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == ty).cloned().collect()
}

#[test]
fn priorities_are_assigned_in_order_and_explicit_ones_respected() {
    let app = App::new("p");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let l = alb.add_http_listener("Http", ListenerAction::fixed_response(404, "text/plain", "no"));
    let a = tg(&s, "A", &vpc);
    let b = tg(&s, "B", &vpc);
    l.add_target_group("A", vec![ListenerCondition::path_patterns(["/a/*"])], &a);
    l.add_rule(
        "Pinned",
        ListenerRuleProps::builder()
            .priority(5)
            .conditions(vec![ListenerCondition::host_headers(["b.example.com"])])
            .action(ListenerAction::forward(&b))
            .build(),
    );
    l.add_target_group("B", vec![ListenerCondition::path_patterns(["/b/*"])], &b);
    let asm = app.synth().unwrap();
    let mut prios: Vec<i64> = resources(&asm, 0, "AWS::ElasticLoadBalancingV2::ListenerRule")
        .iter()
        .map(|r| r["Properties"]["Priority"].as_i64().unwrap())
        .collect();
    prios.sort();
    assert_eq!(prios, [5, 10, 20]);
    assert_eq!(b.dependables().len(), 2);
    // An HTTP listener that does not redirect is flagged (warning only).
    assert!(resources(&asm, 0, "AWS::ElasticLoadBalancingV2::Listener").len() == 1);
}

#[test]
fn clashes_and_bad_rules_are_errors() {
    let app = App::new("p");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let l = alb.add_http_listener("Http", ListenerAction::redirect_to_https());
    let a = tg(&s, "A", &vpc);
    l.add_target_group("Api", vec![ListenerCondition::path_patterns(["/api/*"])], &a);
    l.add_rule(
        "Clash",
        ListenerRuleProps::builder()
            .priority(10)
            .conditions(vec![ListenerCondition::path_patterns(["/other"])])
            .action(ListenerAction::forward(&a))
            .build(),
    );
    l.add_target_group("Same", vec![ListenerCondition::path_patterns(["/api/*"])], &a);
    l.add_target_group("Empty", vec![], &a);
    l.add_target_group(
        "TooMany",
        vec![
            ListenerCondition::path_patterns(["/1", "/2", "/3"]),
            ListenerCondition::host_headers(["a.com", "b.com", "c.com"]),
        ],
        &a,
    );
    l.add_rule(
        "BadResponse",
        ListenerRuleProps::builder()
            .conditions(vec![ListenerCondition::path_patterns(["/x"])])
            .action(ListenerAction::fixed_response(302, "text/xml", "x"))
            .build(),
    );
    alb.add_http_listener("Again", ListenerAction::redirect_to_https());
    alb.add_listener("NoCert", ListenerProps::builder().default_action(ListenerAction::forward(&a)).build());
    let e = errors(&app);
    assert_has(&e, "priority 10 is already used by rule 'Web/Alb/Http/Api' on this listener");
    assert_has(
        &e,
        "error: Web/Alb/Http/Same [Conditions]: rule 'Web/Alb/Http/Same' (priority 20) can never match: rule 'Web/Alb/Http/Api' (priority 10) matches every request it does",
    );
    assert_has(&e, "a rule needs at least one condition");
    assert_has(&e, "at most 5 condition values in total, this one has 6");
    assert_has(&e, "fixed-response status 302 is not allowed");
    assert_has(&e, "content type 'text/xml' is not allowed");
    assert_has(&e, "already has a listener on port 80");
    assert_has(&e, "an HTTPS listener needs at least one certificate ARN");
}

#[test]
fn names_and_health_checks_are_validated() {
    let app = App::new("n");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    ApplicationLoadBalancer::new(
        &s,
        "Alb",
        ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).name("pyshop-api-production-load-balancer").build(),
    );
    TargetGroup::new(
        &s,
        "Tg",
        TargetGroupProps::builder()
            .vpc(vpc.clone())
            .port(8000)
            .name("pyshop_api")
            .health_check(HealthCheck::builder().path("/healthz").healthy_http_codes("600").timeout_secs(40).build())
            .deregistration_delay_secs(4000)
            .build(),
    );
    let e = errors(&app);
    assert_has(&e, "load balancer name \"pyshop-api-production-load-balancer\" has 35 characters; allowed are 1 to 32");
    assert_has(&e, "target group name \"pyshop_api\" contains '_'");
    assert_has(&e, "healthy HTTP codes '600' must be codes from 200 to 499");
    assert_has(&e, "timeout 40 s is not allowed; use 2 to 120 and less than the interval (30 s)");
    assert_has(&e, "deregistration delay 4000 s is not allowed; use 0 to 3600");

    // A valid explicit name is written.
    let app = App::new("n2");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    ApplicationLoadBalancer::new(
        &s,
        "Alb",
        ApplicationLoadBalancerProps::builder().vpc(vpc).name("pyshop-api").build(),
    );
    let a = app.synth().unwrap();
    assert_eq!(resources(&a, 0, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0]["Properties"]["Name"], "pyshop-api");
}

#[test]
fn certificates_and_records_check_their_zone() {
    let app = App::new("c");
    let s = app.stack("Web");
    let zone = HostedZone::from_attributes("Z0123456789", "example.com");
    Certificate::new(
        &s,
        "Cert",
        CertificateProps::builder()
            .domain_name("api.example.org")
            .subject_alternative_names(vec!["bad_name.example.com".into()])
            .validation_zone(zone)
            .build(),
    );
    let e = errors(&app);
    assert_has(&e, "'api.example.org' is not in the validation zone 'example.com'");
    assert_has(&e, "invalid label 'bad_name'");
}

#[test]
fn internal_load_balancer_uses_private_subnets_and_vpc_clients() {
    let app = App::new("i");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(
        &s,
        "Alb",
        ApplicationLoadBalancerProps::builder()
            .vpc(vpc.clone())
            .internet_facing(false)
            .deletion_protection(true)
            .build(),
    );
    alb.add_http_listener("Http", ListenerAction::fixed_response(200, "text/plain", "ok"));
    let a = app.synth().unwrap();
    let lb = &resources(&a, 0, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0];
    assert_eq!(lb["Properties"]["Scheme"], "internal");
    assert!(lb.get("DependsOn").is_none());
    let subnets = lb["Properties"]["Subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 2);
    assert!(subnets.iter().all(|s| s["Ref"].as_str().unwrap().starts_with("VpcPrivateSubnet")));
    assert!(lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Key"] == "deletion_protection.enabled" && a["Value"] == "true"));
    let ingress = resources(&a, 0, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0]["Properties"]["CidrIp"], "10.0.0.0/16");
}

#[test]
fn internet_facing_needs_public_subnets() {
    let app = App::new("x");
    let s = app.stack("Web");
    let vpc = Vpc::new(
        &s,
        "Vpc",
        VpcProps::builder()
            .subnets(vec![SubnetConfiguration::isolated("Data")])
            .nat_gateways(NatGateways::None)
            .build(),
    );
    ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc).build());
    let e = errors(&app);
    assert_has(&e, "needs subnets in at least 2 availability zones; the VPC has 0 Public subnet(s)");
}

#[test]
fn metrics_have_the_cloudwatch_dimensions() {
    let app = App::new("m");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let t = tg(&s, "Api", &vpc);
    alb.add_http_listener("Http", ListenerAction::forward(&t));
    let m = alb.metric_http_code_elb(HttpCodeElb::Elb5xx);
    assert_eq!(m.namespace(), "AWS/ApplicationELB");
    assert_eq!(m.name(), "HTTPCode_ELB_5XX_Count");
    assert_eq!(m.statistic_name(), "Sum");
    assert_eq!(m.get_period_secs(), 60);
    assert!(m.dimensions().contains_key("LoadBalancer"));
    assert_eq!(alb.metric_http_code_target(HttpCodeTarget::Target5xx).name(), "HTTPCode_Target_5XX_Count");
    assert_eq!(alb.metric_target_response_time().statistic_name(), "Average");
    assert_eq!(alb.metric_request_count().name(), "RequestCount");
    let u = t.metric_unhealthy_host_count();
    assert_eq!(u.name(), "UnHealthyHostCount");
    assert_eq!(u.dimensions().keys().collect::<Vec<_>>(), ["LoadBalancer", "TargetGroup"]);
    assert_eq!(t.metric_healthy_host_count().name(), "HealthyHostCount");
    assert_eq!(t.metric_request_count_per_target().name(), "RequestCountPerTarget");
    let alarm = u.create_alarm(
        &s,
        "Unhealthy",
        stackcraft_observability::AlarmOptions::builder().threshold(1.0).evaluation_periods(2).build(),
    );
    let _ = alarm;
    app.synth().unwrap();
}

#[test]
fn cross_stack_connections_do_not_cycle() {
    let app = App::new("x");
    let net = app.stack("Network");
    let vpc = new_vpc(&net);
    let alb =
        ApplicationLoadBalancer::new(&net, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let t = tg(&net, "Api", &vpc);
    alb.add_http_listener("Http", ListenerAction::forward(&t));

    let svc = app.stack("Service");
    let sg =
        SecurityGroup::new(&svc, "TaskSg", SecurityGroupProps::builder().vpc(vpc.clone()).description("tasks").build());
    let tasks = Connections::new(vec![sg], Some(Port::tcp(8000)));
    tasks.allow_default_port_from(&alb);
    let a = app.synth().expect("no cycle");
    let svc_idx = a.stacks.iter().position(|s| s.id == "Service").unwrap();
    assert_eq!(a.stacks[svc_idx].dependencies, ["Network"]);
    // Both halves of the rule live in the service stack.
    assert_eq!(resources(&a, svc_idx, "AWS::EC2::SecurityGroupIngress").len(), 1);
    let egress = resources(&a, svc_idx, "AWS::EC2::SecurityGroupEgress");
    assert_eq!(egress.len(), 1);
    assert_eq!(egress[0]["Properties"]["FromPort"], 8000);
    assert!(egress[0]["Properties"]["Description"].as_str().unwrap().contains("default port (tcp 8000)"));
    let _ = alb.connections();
    stackcraft_testing::assert_cfn_lint_clean(&a);
}

#[test]
fn deletion_protection_follows_the_environment() {
    for (production, expected) in [(true, "true"), (false, "false")] {
        let app = App::new("env");
        app.set_environment(if production { "prod" } else { "dev" }, production);
        let s = app.stack("Web");
        let vpc = new_vpc(&s);
        ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc).build());
        let a = app.synth().unwrap();
        let lb = &resources(&a, 0, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0];
        let attrs = lb["Properties"]["LoadBalancerAttributes"].as_array().unwrap();
        assert!(attrs.iter().any(|a| a["Key"] == "deletion_protection.enabled" && a["Value"] == expected));
        assert!(attrs
            .iter()
            .any(|a| a["Key"] == "routing.http.drop_invalid_header_fields.enabled" && a["Value"] == "true"));
    }
}

#[test]
fn access_logs_replace_the_skip() {
    let app = App::new("logs");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    ApplicationLoadBalancer::new(
        &s,
        "Alb",
        ApplicationLoadBalancerProps::builder()
            .vpc(vpc)
            .access_logs(AccessLogs::new("pyshop-alb-logs", "web/"))
            .build(),
    );
    let a = app.synth().unwrap();
    let lb = &resources(&a, 0, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0];
    let attrs = lb["Properties"]["LoadBalancerAttributes"].as_array().unwrap();
    assert!(attrs.iter().any(|a| a["Key"] == "access_logs.s3.bucket" && a["Value"] == "pyshop-alb-logs"));
    assert!(attrs.iter().any(|a| a["Key"] == "access_logs.s3.prefix" && a["Value"] == "web"));
    assert!(lb.get("Metadata").is_none(), "no checkov skip when access logs are on");
}

#[test]
fn restricted_egress_gets_explicit_rules() {
    let app = App::new("sg");
    let s = app.stack("Net");
    let vpc = new_vpc(&s);
    let a = SecurityGroup::new(
        &s,
        "A",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("a").allow_all_outbound(false).build(),
    );
    let b = SecurityGroup::new(
        &s,
        "B",
        SecurityGroupProps::builder().vpc(vpc.clone()).description("b").allow_all_outbound(false).build(),
    );
    a.connections().allow_to(&b, Port::tcp(6379), "cache");
    a.connections().allow_to(&b, Port::tcp(6379), "cache"); // deduplicated
    let asm = app.synth().unwrap();
    let egress = resources(&asm, 0, "AWS::EC2::SecurityGroupEgress");
    let ingress: Vec<_> = resources(&asm, 0, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .filter(|r| r["Properties"]["FromPort"] == 6379)
        .collect();
    assert_eq!((egress.len(), ingress.len()), (1, 1));
    assert_eq!(egress[0]["Properties"]["Description"], "cache");
    stackcraft_testing::assert_cfn_lint_clean(&asm);
}

#[test]
fn two_load_balancers_to_one_service() {
    let app = App::new("two");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let public =
        ApplicationLoadBalancer::new(&s, "Public", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let internal = ApplicationLoadBalancer::new(
        &s,
        "Internal",
        ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).internet_facing(false).build(),
    );
    let sg =
        SecurityGroup::new(&s, "Tasks", SecurityGroupProps::builder().vpc(vpc.clone()).description("tasks").build());
    let tasks = Connections::new(vec![sg], Some(Port::tcp(8000)));
    tasks.allow_default_port_from(&public);
    tasks.allow_default_port_from(&internal);
    let a = app.synth().expect("no construct id clash");
    assert_eq!(resources(&a, 0, "AWS::EC2::SecurityGroupEgress").len(), 2);
}

#[test]
fn alarm_helpers_match_the_usual_thresholds() {
    let app = App::new("m");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let t = tg(&s, "Api", &vpc);
    alb.add_http_listener("Http", ListenerAction::forward(&t));
    t.alarm_no_healthy_hosts(&s, "NoHealthy");
    alb.alarm_target_5xx(&s, "Target5xx", 10.0);
    alb.alarm_elb_5xx(&s, "Elb5xx", 10.0);
    let a = app.synth().unwrap();
    let alarms = resources(&a, 0, "AWS::CloudWatch::Alarm");
    let by_metric = |name: &str| {
        alarms.iter().find(|r| r["Properties"]["MetricName"] == name).unwrap_or_else(|| panic!("{name}"))["Properties"]
            .clone()
    };
    let h = by_metric("HealthyHostCount");
    assert_eq!(
        (&h["Statistic"], &h["ComparisonOperator"], &h["Threshold"], &h["TreatMissingData"]),
        (&"Minimum".into(), &"LessThanThreshold".into(), &1.0.into(), &"breaching".into())
    );
    assert_eq!(h["Dimensions"].as_array().map(Vec::len), Some(2));
    for name in ["HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"] {
        let p = by_metric(name);
        assert_eq!(
            (&p["Statistic"], &p["Period"], &p["ComparisonOperator"], &p["Threshold"], &p["EvaluationPeriods"]),
            (&"Sum".into(), &300.into(), &"GreaterThanThreshold".into(), &10.0.into(), &1.into())
        );
    }
}

/// Seed 001: a catch-all `/api/*` rule added first shadows the specific
/// routes behind it: an error naming both rules. Partly overlapping rules
/// are a warning; specific-before-general passes silently.
#[test]
fn shadowed_routes_are_errors_and_overlaps_warnings() {
    let app = App::new("p");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let l = alb.add_http_listener("Http", ListenerAction::redirect_to_https());
    let a = tg(&s, "A", &vpc);
    l.add_target_group("Gateway", vec![ListenerCondition::path_patterns(["/api/*"])], &a);
    l.add_target_group("Orders", vec![ListenerCondition::path_patterns(["/api/orders*"])], &a);
    // explicit priority above an existing rule: the earlier rule is the shadowed one
    l.add_rule(
        "Everything",
        ListenerRuleProps::builder()
            .priority(5)
            .conditions(vec![ListenerCondition::path_patterns(["*"])])
            .action(ListenerAction::forward(&a))
            .build(),
    );
    let e = errors(&app);
    assert_has(
        &e,
        "error: Web/Alb/Http/Orders [Conditions]: rule 'Web/Alb/Http/Orders' (priority 20) can never match: rule 'Web/Alb/Http/Gateway' (priority 10) matches every request it does; give the more specific rule the lower priority number or narrow the other rule's conditions",
    );
    assert_has(
        &e,
        "error: Web/Alb/Http/Everything [Conditions]: rule 'Web/Alb/Http/Gateway' (priority 10) can never match: rule 'Web/Alb/Http/Everything' (priority 5) matches every request it does",
    );

    let app = App::new("p");
    let s = app.stack("Web");
    let vpc = new_vpc(&s);
    let alb = ApplicationLoadBalancer::new(&s, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
    let l = alb.add_http_listener("Http", ListenerAction::redirect_to_https());
    let a = tg(&s, "A", &vpc);
    l.add_target_group("Orders", vec![ListenerCondition::path_patterns(["/api/orders*"])], &a);
    l.add_target_group("Gateway", vec![ListenerCondition::path_patterns(["/api/*"])], &a);
    l.add_target_group("Admin", vec![ListenerCondition::host_headers(["admin.example.com"])], &a);
    let asm = app.synth().expect("specific before general is fine");
    let warnings: Vec<String> = asm.warnings.iter().map(ToString::to_string).collect();
    assert_has(
        &warnings,
        "warning: Web/Alb/Http/Admin [Conditions]: rule 'Web/Alb/Http/Orders' (priority 10) and rule 'Web/Alb/Http/Admin' (priority 30) overlap: requests matching both go to 'Web/Alb/Http/Orders'",
    );
    assert!(!warnings
        .iter()
        .any(|w| w.contains("'Web/Alb/Http/Orders' (priority 10) and rule 'Web/Alb/Http/Gateway'")));
}
