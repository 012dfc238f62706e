//! Cross-property rules the provider schemas cannot express, for the
//! resource types the seed systems use (after what cfn-lint's E3xxx rules
//! check for them). Each rule judges only literal values: a property given
//! as an intrinsic function is skipped.

use stackcraft_core::serde_json::Value as Json;
use stackcraft_core::Finding;

/// Run the rules of `type_name` (none for most types).
pub(crate) fn check(type_name: &str, p: &Json, out: &mut Vec<Finding>) {
    let _ = (p, &out);
    match type_name {
        #[cfg(feature = "elasticache")]
        "AWS::ElastiCache::ReplicationGroup" => elasticache_replication_group(p, out),
        #[cfg(feature = "dynamodb")]
        "AWS::DynamoDB::Table" => dynamodb_table(p, out),
        #[cfg(feature = "applicationautoscaling")]
        "AWS::ApplicationAutoScaling::ScalableTarget" => scalable_target(p, out),
        #[cfg(feature = "ecs")]
        "AWS::ECS::TaskDefinition" => ecs_task_definition(p, out),
        #[cfg(feature = "sqs")]
        "AWS::SQS::Queue" => sqs_queue(p, out),
        #[cfg(feature = "elasticloadbalancingv2")]
        "AWS::ElasticLoadBalancingV2::TargetGroup" => target_group(p, out),
        _ => {}
    }
}

/// A literal (non-intrinsic) property value.
#[allow(dead_code)]
fn lit<'a>(p: &'a Json, key: &str) -> Option<&'a Json> {
    p.get(key).filter(|v| !crate::schema::is_intrinsic(v))
}

#[allow(dead_code)]
fn num(p: &Json, key: &str) -> Option<f64> {
    match lit(p, key)? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[allow(dead_code)]
fn boolean(p: &Json, key: &str) -> Option<bool> {
    match lit(p, key)? {
        Json::Bool(b) => Some(*b),
        Json::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Json::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[allow(dead_code)]
fn string<'a>(p: &'a Json, key: &str) -> Option<&'a str> {
    lit(p, key)?.as_str()
}

/// Automatic failover needs a replica (≥ 2 nodes); Multi-AZ needs automatic failover.
#[cfg(feature = "elasticache")]
fn elasticache_replication_group(p: &Json, out: &mut Vec<Finding>) {
    if boolean(p, "AutomaticFailoverEnabled") == Some(true) {
        if let Some(n) = num(p, "NumCacheClusters") {
            if n < 2.0 {
                out.push(Finding::new(
                    "NumCacheClusters",
                    format!("automatic failover needs at least 2 nodes (a primary and a replica); got {n}"),
                ));
            }
        } else if let Some(r) = num(p, "ReplicasPerNodeGroup") {
            if r < 1.0 {
                out.push(Finding::new(
                    "ReplicasPerNodeGroup",
                    "automatic failover needs at least 1 replica per node group; got 0",
                ));
            }
        } else if ["NumCacheClusters", "ReplicasPerNodeGroup", "NodeGroupConfiguration", "PrimaryClusterId"]
            .iter()
            .all(|k| p.get(*k).is_none())
        {
            out.push(Finding::new(
                "AutomaticFailoverEnabled",
                "automatic failover needs at least 2 nodes: set NumCacheClusters >= 2 (it defaults to 1)",
            ));
        }
    }
    let failover = match p.get("AutomaticFailoverEnabled") {
        None => Some(false),
        Some(_) => boolean(p, "AutomaticFailoverEnabled"),
    };
    if boolean(p, "MultiAZEnabled") == Some(true) && failover == Some(false) {
        out.push(Finding::new("MultiAZEnabled", "Multi-AZ needs AutomaticFailoverEnabled: true"));
    }
}

/// Billing mode and throughput agree; every key attribute is declared and
/// every declared attribute is a key.
#[cfg(feature = "dynamodb")]
fn dynamodb_table(p: &Json, out: &mut Vec<Finding>) {
    let mode = match p.get("BillingMode") {
        None => Some("PROVISIONED"),
        Some(_) => string(p, "BillingMode"),
    };
    let gsis: Vec<(usize, &Json)> = lit(p, "GlobalSecondaryIndexes")
        .and_then(Json::as_array)
        .map(|a| a.iter().enumerate().collect())
        .unwrap_or_default();
    match mode {
        Some("PROVISIONED") => {
            if p.get("ProvisionedThroughput").is_none() {
                out.push(Finding::new(
                    "ProvisionedThroughput",
                    "required when BillingMode is PROVISIONED (the default); or set BillingMode: PAY_PER_REQUEST",
                ));
            }
            for (i, g) in &gsis {
                if g.is_object() && g.get("ProvisionedThroughput").is_none() {
                    out.push(Finding::new(
                        format!("GlobalSecondaryIndexes[{i}].ProvisionedThroughput"),
                        "required when BillingMode is PROVISIONED",
                    ));
                }
            }
        }
        Some("PAY_PER_REQUEST") => {
            if p.get("ProvisionedThroughput").is_some() {
                out.push(Finding::new("ProvisionedThroughput", "must not be set when BillingMode is PAY_PER_REQUEST"));
            }
            for (i, g) in &gsis {
                if g.get("ProvisionedThroughput").is_some() {
                    out.push(Finding::new(
                        format!("GlobalSecondaryIndexes[{i}].ProvisionedThroughput"),
                        "must not be set when BillingMode is PAY_PER_REQUEST",
                    ));
                }
            }
        }
        _ => {}
    }
    // Key attributes must be declared, declared attributes must be keys.
    let Some(defs) = lit(p, "AttributeDefinitions").and_then(Json::as_array) else {
        return;
    };
    let mut declared: Vec<&str> = Vec::new();
    for d in defs {
        match d.get("AttributeName") {
            Some(Json::String(n)) => declared.push(n),
            _ => return, // an intrinsic: cannot judge
        }
    }
    let mut schemas: Vec<(String, &Json)> = Vec::new();
    if let Some(k) = lit(p, "KeySchema") {
        schemas.push(("KeySchema".to_owned(), k));
    }
    for list in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        for (i, ix) in lit(p, list).and_then(Json::as_array).into_iter().flatten().enumerate() {
            match ix.get("KeySchema") {
                Some(k) => schemas.push((format!("{list}[{i}].KeySchema"), k)),
                None if ix.is_object() => {}
                None => return,
            }
        }
    }
    let mut used: Vec<&str> = Vec::new();
    for (path, k) in &schemas {
        let Some(items) = k.as_array() else { return };
        for (j, item) in items.iter().enumerate() {
            match item.get("AttributeName") {
                Some(Json::String(n)) => {
                    if !declared.contains(&n.as_str()) {
                        out.push(Finding::new(
                            format!("{path}[{j}].AttributeName"),
                            format!(
                                "{n:?} is not declared in AttributeDefinitions (declared: {})",
                                if declared.is_empty() { "none".to_owned() } else { declared.join(", ") }
                            ),
                        ));
                    }
                    used.push(n);
                }
                _ => return,
            }
        }
    }
    for (i, n) in declared.iter().enumerate() {
        if !used.contains(n) {
            out.push(Finding::new(
                format!("AttributeDefinitions[{i}].AttributeName"),
                format!("{n:?} is declared but is not a key of the table or of an index; declare only key attributes"),
            ));
        }
    }
}

/// MinCapacity ≤ MaxCapacity.
#[cfg(feature = "applicationautoscaling")]
fn scalable_target(p: &Json, out: &mut Vec<Finding>) {
    if let (Some(min), Some(max)) = (num(p, "MinCapacity"), num(p, "MaxCapacity")) {
        if min > max {
            out.push(Finding::new("MinCapacity", format!("{min} is greater than MaxCapacity {max}")));
        }
    }
}

/// A Fargate task's CPU and memory form one of the supported combinations.
#[cfg(feature = "ecs")]
fn ecs_task_definition(p: &Json, out: &mut Vec<Finding>) {
    let fargate = lit(p, "RequiresCompatibilities")
        .and_then(Json::as_array)
        .is_some_and(|a| a.iter().any(|c| c.as_str() == Some("FARGATE")));
    if !fargate {
        return;
    }
    for key in ["Cpu", "Memory"] {
        if p.get(key).is_none() {
            out.push(Finding::new(key, "required for a Fargate task definition (RequiresCompatibilities FARGATE)"));
        }
    }
    fn units(p: &Json, key: &str, suffix: &str) -> Option<u64> {
        let v = lit(p, key)?;
        let s = match v {
            Json::Number(n) => return n.as_u64(),
            Json::String(s) => s.trim(),
            _ => return None,
        };
        if let Some(x) = s.strip_suffix(suffix) {
            let f: f64 = x.trim().parse().ok()?;
            return Some((f * 1024.0) as u64);
        }
        s.parse().ok()
    }
    let (Some(cpu), Some(mem)) = (units(p, "Cpu", "vCPU"), units(p, "Memory", "GB")) else {
        return;
    };
    let allowed: &[(u64, u64, u64, u64)] = &[
        // cpu, min memory, max memory, step
        (256, 512, 2048, 512), // 1536 excluded below
        (512, 1024, 4096, 1024),
        (1024, 2048, 8192, 1024),
        (2048, 4096, 16384, 1024),
        (4096, 8192, 30720, 1024),
        (8192, 16384, 61440, 4096),
        (16384, 32768, 122880, 8192),
    ];
    let ok = allowed.iter().any(|&(c, lo, hi, step)| {
        c == cpu && mem >= lo && mem <= hi && (mem - lo) % step == 0 && !(c == 256 && mem == 1536)
    });
    if !ok {
        let list = match allowed.iter().find(|a| a.0 == cpu) {
            Some(&(_, lo, hi, step)) => format!("for Cpu {cpu}: {lo} to {hi} MiB in steps of {step}"),
            None => "Cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384".to_owned(),
        };
        out.push(Finding::new("Memory", format!("Cpu {cpu} with Memory {mem} is not a valid Fargate size ({list})")));
    }
}

/// FIFO queue names end with `.fifo`; content-based deduplication needs FIFO.
#[cfg(feature = "sqs")]
fn sqs_queue(p: &Json, out: &mut Vec<Finding>) {
    let fifo = match p.get("FifoQueue") {
        None => Some(false),
        Some(_) => boolean(p, "FifoQueue"),
    };
    if let Some(name) = string(p, "QueueName") {
        if fifo == Some(true) && !name.ends_with(".fifo") {
            out.push(Finding::new("QueueName", format!("{name:?}: a FIFO queue's name must end with \".fifo\"")));
        }
        if fifo == Some(false) && name.ends_with(".fifo") {
            out.push(Finding::new(
                "QueueName",
                format!("{name:?} ends with \".fifo\", which only FIFO queues may (set FifoQueue: true)"),
            ));
        }
    }
    if fifo == Some(false) && boolean(p, "ContentBasedDeduplication") == Some(true) {
        out.push(Finding::new(
            "ContentBasedDeduplication",
            "only FIFO queues have content-based deduplication (set FifoQueue: true)",
        ));
    }
}

/// The health check timeout is shorter than its interval.
#[cfg(feature = "elasticloadbalancingv2")]
fn target_group(p: &Json, out: &mut Vec<Finding>) {
    if let (Some(t), Some(i)) = (num(p, "HealthCheckTimeoutSeconds"), num(p, "HealthCheckIntervalSeconds")) {
        if t >= i {
            out.push(Finding::new(
                "HealthCheckTimeoutSeconds",
                format!("{t} must be less than HealthCheckIntervalSeconds ({i})"),
            ));
        }
    }
}
