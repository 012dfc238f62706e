//! Fail fast on ECS (CDK issues 30728 and 1498: a deploy hangs for hours
//! while its tasks crash). While a stack with `AWS::ECS::Service` resources
//! is being updated, [`follow`] reads each service's deployments (rollout
//! state, failed tasks), its service events and the stopped tasks' reasons
//! (`stoppedReason`, container exit codes, `CannotPullContainerError`,
//! health checks) and prints each once, as it happens. When the deployment
//! circuit breaker trips or [`FailFast::max_failed_tasks`] tasks of the new
//! deployment have failed, it says so and, when [`FailFast::cancel`] is on,
//! cancels the update (`CancelUpdateStack`): CloudFormation rolls back.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use aws_sdk_ecs::types::DesiredStatus;

/// Where the lines go (the run's [`crate::ui::Ui`]; a collector in tests).
pub type Say<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// The fail-fast policy of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailFast {
    /// Cancel the update when a service's deployment fails (`--fail-fast`;
    /// default on for non-production environments).
    pub cancel: bool,
    /// How many failed tasks of a new deployment make it failed.
    pub max_failed_tasks: u32,
}

impl Default for FailFast {
    fn default() -> Self {
        FailFast { cancel: true, max_failed_tasks: 3 }
    }
}

/// One ECS service of a stack: its cluster and name (from the physical id,
/// `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    /// The service's logical id in the template.
    pub logical_id: String,
    /// The cluster name or ARN.
    pub cluster: String,
    /// The service ARN (or name).
    pub service: String,
}

impl ServiceRef {
    /// A service from its stack resource's physical id; `None` for an id
    /// that is not a service ARN of the long format (cluster unknown).
    pub fn from_physical_id(logical_id: &str, physical_id: &str) -> Option<ServiceRef> {
        let rest = physical_id.split_once(":service/")?.1;
        let (cluster, _name) = rest.split_once('/')?;
        Some(ServiceRef { logical_id: logical_id.into(), cluster: cluster.into(), service: physical_id.into() })
    }
}

/// What following the services found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The new deployments failed: which service and why (one line).
    Failed {
        /// The service's logical id.
        service: String,
        /// Why it is considered failed.
        reason: String,
        /// Whether the update was cancelled (CancelUpdateStack accepted).
        cancelled: bool,
    },
    /// Every service's new deployment completed.
    Completed,
}

/// The state [`follow`] keeps between polls: what was printed already.
#[derive(Debug, Default)]
pub struct Observer {
    seen_events: HashSet<String>,
    seen_tasks: HashSet<String>,
    /// The deployment in progress when following started, by service: its
    /// events and tasks are the ones reported.
    baseline: BTreeMap<String, HashSet<String>>,
}

/// Why one poll thinks a service's deployment failed.
fn failure(rollout: Option<&str>, rollout_reason: Option<&str>, failed_tasks: i32, limit: u32) -> Option<String> {
    if rollout == Some("FAILED") {
        return Some(format!(
            "the deployment circuit breaker stopped the rollout{}",
            rollout_reason.map(|r| format!(": {r}")).unwrap_or_default()
        ));
    }
    let failed = u32::try_from(failed_tasks).unwrap_or(0);
    (limit > 0 && failed >= limit)
        .then(|| format!("{failed} task(s) of the new deployment failed to start or stay healthy"))
}

impl Observer {
    /// One poll of `services`: print what is new; the verdict once there is one.
    pub async fn poll(
        &mut self,
        ecs: &aws_sdk_ecs::Client,
        stack: &str,
        services: &[ServiceRef],
        policy: FailFast,
        say: Say<'_>,
    ) -> Option<(String, String)> {
        let mut all_completed = !services.is_empty();
        let mut failed = None;
        for s in services {
            let Ok(out) = ecs.describe_services().cluster(&s.cluster).services(&s.service).send().await else {
                all_completed = false;
                continue;
            };
            let Some(svc) = out.services().first() else {
                all_completed = false;
                continue;
            };
            let old = self.baseline.entry(s.logical_id.clone()).or_insert_with(|| {
                // Deployments other than the primary one existed before.
                svc.deployments()
                    .iter()
                    .filter(|d| d.status() != Some("PRIMARY"))
                    .filter_map(|d| d.id().map(str::to_string))
                    .collect()
            });
            let old = old.clone();
            let Some(primary) = svc.deployments().iter().find(|d| d.status() == Some("PRIMARY")) else {
                all_completed = false;
                continue;
            };
            let rollout = primary.rollout_state().map(|r| r.as_str().to_string());
            if rollout.as_deref() != Some("COMPLETED") {
                all_completed = false;
            }
            // Service events, oldest first, each once.
            let mut events: Vec<_> = svc.events().iter().collect();
            events.reverse();
            for e in events {
                let Some(id) = e.id() else { continue };
                if self.seen_events.insert(id.to_string()) {
                    if let Some(m) = e.message() {
                        say(&format!("{stack}: {}: {m}", s.logical_id));
                    }
                }
            }
            // Stopped tasks of the new deployment, each once.
            let deployment = primary.id().unwrap_or_default().to_string();
            if let Ok(list) = ecs
                .list_tasks()
                .cluster(&s.cluster)
                .service_name(&s.service)
                .desired_status(DesiredStatus::Stopped)
                .send()
                .await
            {
                let new: Vec<String> =
                    list.task_arns().iter().filter(|a| !self.seen_tasks.contains(*a)).cloned().collect();
                if !new.is_empty() {
                    if let Ok(tasks) = ecs.describe_tasks().cluster(&s.cluster).set_tasks(Some(new)).send().await {
                        for t in tasks.tasks() {
                            let arn = t.task_arn().unwrap_or_default().to_string();
                            self.seen_tasks.insert(arn.clone());
                            let by = t.started_by().unwrap_or_default();
                            if old.contains(by) || (!deployment.is_empty() && !by.is_empty() && by != deployment) {
                                continue;
                            }
                            say(&format!("{stack}: {}: {}", s.logical_id, describe_stopped_task(t)));
                        }
                    }
                }
            }
            if failed.is_none() {
                if let Some(reason) = failure(
                    rollout.as_deref(),
                    primary.rollout_state_reason(),
                    primary.failed_tasks(),
                    policy.max_failed_tasks,
                ) {
                    failed = Some((s.logical_id.clone(), reason));
                }
            }
        }
        if failed.is_none() && all_completed {
            return Some((String::new(), String::new()));
        }
        failed
    }
}

/// One line for a stopped task: its short id, why it stopped and each
/// container's exit code or reason (image pull errors, health checks).
pub fn describe_stopped_task(t: &aws_sdk_ecs::types::Task) -> String {
    let arn = t.task_arn().unwrap_or_default();
    let short = arn.rsplit('/').next().unwrap_or(arn);
    let mut line = format!("task {short} stopped: {}", t.stopped_reason().unwrap_or("no reason given"));
    let containers: Vec<String> = t
        .containers()
        .iter()
        .filter_map(|c| {
            let name = c.name().unwrap_or("container");
            match (c.exit_code(), c.reason()) {
                (Some(code), Some(r)) => Some(format!("{name} exited with code {code} ({r})")),
                (Some(code), None) => Some(format!("{name} exited with code {code}")),
                (None, Some(r)) => Some(format!("{name}: {r}")),
                (None, None) => None,
            }
        })
        .collect();
    if !containers.is_empty() {
        line.push_str(&format!("; {}", containers.join("; ")));
    }
    if let Some(h) = t.health_status().filter(|h| h.as_str() == "UNHEALTHY") {
        line.push_str(&format!("; health check: {}", h.as_str()));
    }
    line
}

/// Follow `services` of `stack` every `every` until their new deployments
/// complete or fail; on failure print why and, with `policy.cancel`, cancel
/// the stack update. Runs until it has a verdict: the caller stops it (drops
/// the future) when the stack settles first.
pub async fn follow(
    ecs: &aws_sdk_ecs::Client,
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    services: &[ServiceRef],
    policy: FailFast,
    say: Say<'_>,
    every: Duration,
) -> Verdict {
    let mut observer = Observer::default();
    loop {
        match observer.poll(ecs, stack, services, policy, say).await {
            Some((service, reason)) if !service.is_empty() => {
                say(&format!("{stack}: ECS service {service} is failing: {reason}"));
                let cancelled = if policy.cancel {
                    match cfn.cancel_update_stack().stack_name(stack).send().await {
                        Ok(_) => {
                            say(&format!(
                                "{stack}: fail-fast: cancelled the update (CancelUpdateStack); CloudFormation rolls \
                                 the stack back to its previous state"
                            ));
                            true
                        }
                        Err(e) => {
                            say(&format!(
                                "{stack}: fail-fast: could not cancel the update ({}); CloudFormation keeps waiting for \
                                 the service",
                                crate::aws::aws_err("CancelUpdateStack", stack, e)
                            ));
                            false
                        }
                    }
                } else {
                    say(&format!(
                        "{stack}: not cancelling (fail-fast is off: production, or --no-fail-fast); CloudFormation \
                         keeps waiting for the service until its own timeout. To stop it now: `aws cloudformation \
                         cancel-update-stack --stack-name {stack}`"
                    ));
                    false
                };
                return Verdict::Failed { service, reason, cancelled };
            }
            Some(_) => return Verdict::Completed,
            None => tokio::time::sleep(every).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ref_from_a_long_arn() {
        let s = ServiceRef::from_physical_id("Svc", "arn:aws:ecs:eu-west-1:123456789012:service/shop-dev/web").unwrap();
        assert_eq!(s.cluster, "shop-dev");
        assert!(ServiceRef::from_physical_id("Svc", "web").is_none());
    }

    #[test]
    fn failure_rules() {
        assert!(failure(Some("FAILED"), Some("tasks failed to start"), 0, 3).unwrap().contains("circuit breaker"));
        assert_eq!(failure(Some("IN_PROGRESS"), None, 2, 3), None);
        assert!(failure(Some("IN_PROGRESS"), None, 3, 3).is_some());
        assert_eq!(failure(Some("IN_PROGRESS"), None, -1, 3), None);
        assert_eq!(failure(Some("IN_PROGRESS"), None, 9, 0), None, "0 disables the task count");
    }
}
