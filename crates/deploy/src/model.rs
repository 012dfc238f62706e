//! A typed model of what CloudFormation reports: stack and resource statuses,
//! stack events, change sets, failures. Independent of the SDK's own types so
//! that the rules ("is this terminal?", "is this blocked?", "what failed?")
//! live in one place and are unit-tested.

use std::fmt;

macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A status this version does not know.
            Other(String),
        }

        impl $name {
            /// Parse the API string (unknown strings become `Other`).
            pub fn parse(s: &str) -> Self {
                match s {
                    $($s => $name::$v,)*
                    other => $name::Other(other.to_string()),
                }
            }

            /// The API string.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$v => $s,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum! {
    /// The status of a stack.
    StackStatus {
        /// `CREATE_IN_PROGRESS`
        CreateInProgress = "CREATE_IN_PROGRESS",
        /// `CREATE_FAILED`
        CreateFailed = "CREATE_FAILED",
        /// `CREATE_COMPLETE`
        CreateComplete = "CREATE_COMPLETE",
        /// `ROLLBACK_IN_PROGRESS` (a failed create is being undone)
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        /// `ROLLBACK_FAILED`
        RollbackFailed = "ROLLBACK_FAILED",
        /// `ROLLBACK_COMPLETE` (a failed create was undone; the stack must be deleted)
        RollbackComplete = "ROLLBACK_COMPLETE",
        /// `DELETE_IN_PROGRESS`
        DeleteInProgress = "DELETE_IN_PROGRESS",
        /// `DELETE_FAILED`
        DeleteFailed = "DELETE_FAILED",
        /// `DELETE_COMPLETE`
        DeleteComplete = "DELETE_COMPLETE",
        /// `UPDATE_IN_PROGRESS`
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        /// `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`
        UpdateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        /// `UPDATE_COMPLETE`
        UpdateComplete = "UPDATE_COMPLETE",
        /// `UPDATE_FAILED`
        UpdateFailed = "UPDATE_FAILED",
        /// `UPDATE_ROLLBACK_IN_PROGRESS`
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        /// `UPDATE_ROLLBACK_FAILED` (needs continue-update-rollback)
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        /// `UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`
        UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        /// `UPDATE_ROLLBACK_COMPLETE` (a failed update was undone; updatable again)
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
        /// `REVIEW_IN_PROGRESS` (created by a change set that was never executed)
        ReviewInProgress = "REVIEW_IN_PROGRESS",
        /// `IMPORT_IN_PROGRESS`
        ImportInProgress = "IMPORT_IN_PROGRESS",
        /// `IMPORT_COMPLETE`
        ImportComplete = "IMPORT_COMPLETE",
        /// `IMPORT_ROLLBACK_IN_PROGRESS`
        ImportRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS",
        /// `IMPORT_ROLLBACK_FAILED`
        ImportRollbackFailed = "IMPORT_ROLLBACK_FAILED",
        /// `IMPORT_ROLLBACK_COMPLETE`
        ImportRollbackComplete = "IMPORT_ROLLBACK_COMPLETE",
    }
}

status_enum! {
    /// The status of one resource in a stack event.
    ResourceStatus {
        /// `CREATE_IN_PROGRESS`
        CreateInProgress = "CREATE_IN_PROGRESS",
        /// `CREATE_FAILED`
        CreateFailed = "CREATE_FAILED",
        /// `CREATE_COMPLETE`
        CreateComplete = "CREATE_COMPLETE",
        /// `DELETE_IN_PROGRESS`
        DeleteInProgress = "DELETE_IN_PROGRESS",
        /// `DELETE_FAILED`
        DeleteFailed = "DELETE_FAILED",
        /// `DELETE_COMPLETE`
        DeleteComplete = "DELETE_COMPLETE",
        /// `DELETE_SKIPPED` (retained)
        DeleteSkipped = "DELETE_SKIPPED",
        /// `UPDATE_IN_PROGRESS`
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        /// `UPDATE_FAILED`
        UpdateFailed = "UPDATE_FAILED",
        /// `UPDATE_COMPLETE`
        UpdateComplete = "UPDATE_COMPLETE",
        /// `IMPORT_FAILED`
        ImportFailed = "IMPORT_FAILED",
        /// `IMPORT_COMPLETE`
        ImportComplete = "IMPORT_COMPLETE",
        /// `IMPORT_IN_PROGRESS`
        ImportInProgress = "IMPORT_IN_PROGRESS",
        /// `ROLLBACK_IN_PROGRESS`
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        /// `ROLLBACK_FAILED`
        RollbackFailed = "ROLLBACK_FAILED",
        /// `ROLLBACK_COMPLETE`
        RollbackComplete = "ROLLBACK_COMPLETE",
        /// `UPDATE_ROLLBACK_IN_PROGRESS`
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        /// `UPDATE_ROLLBACK_FAILED`
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        /// `UPDATE_ROLLBACK_COMPLETE`
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
    }
}

/// Where a settled stack status leaves the last operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation is still running.
    InProgress,
    /// It succeeded.
    Success,
    /// It failed (possibly rolled back).
    Failure,
}

/// A stack state that no create/update can start from, with the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked {
    /// A first create failed and was rolled back (`ROLLBACK_COMPLETE`,
    /// `ROLLBACK_FAILED`, `CREATE_FAILED`): the stack must be deleted and
    /// created again.
    FailedCreate,
    /// An update failed and its rollback failed too: run
    /// continue-update-rollback (skipping resources that cannot roll back).
    UpdateRollbackFailed,
    /// A delete failed: fix the cause and delete again (or retain resources).
    DeleteFailed,
    /// A resource import failed to roll back.
    ImportRollbackFailed,
}

impl StackStatus {
    /// Whether an operation is running (`*_IN_PROGRESS`, except
    /// `REVIEW_IN_PROGRESS`, which is a settled state waiting for a change set).
    pub fn is_in_progress(&self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS") && *self != StackStatus::ReviewInProgress
    }

    /// The outcome of the last operation this status reports.
    pub fn outcome(&self) -> Outcome {
        use StackStatus::*;
        if self.is_in_progress() {
            return Outcome::InProgress;
        }
        match self {
            CreateComplete | UpdateComplete | DeleteComplete | ImportComplete | ReviewInProgress => Outcome::Success,
            _ => Outcome::Failure,
        }
    }

    /// Whether the stack is stuck in a state that needs a manual step first.
    pub fn blocked(&self) -> Option<Blocked> {
        use StackStatus::*;
        match self {
            RollbackComplete | RollbackFailed | CreateFailed => Some(Blocked::FailedCreate),
            UpdateRollbackFailed => Some(Blocked::UpdateRollbackFailed),
            DeleteFailed => Some(Blocked::DeleteFailed),
            ImportRollbackFailed => Some(Blocked::ImportRollbackFailed),
            _ => None,
        }
    }

    /// Whether a new change set must be of type CREATE (the stack exists only
    /// as a placeholder created by an earlier, unexecuted change set).
    pub fn needs_create_change_set(&self) -> bool {
        *self == StackStatus::ReviewInProgress
    }
}

impl Blocked {
    /// What to do, for stack `stack` (with the AWS CLI commands spelled out).
    pub fn next_step(self, stack: &str) -> String {
        match self {
            Blocked::FailedCreate => format!(
                "its first create failed and was rolled back, so it cannot be updated. \
                 Delete it and deploy again: rerun deploy interactively (it offers to delete \
                 and recreate) or with --yes, or run `aws cloudformation delete-stack \
                 --stack-name {stack}`"
            ),
            Blocked::UpdateRollbackFailed => format!(
                "an update failed and so did its rollback. Fix the cause shown in the events, \
                 then run `aws cloudformation continue-update-rollback --stack-name {stack}` \
                 (add `--resources-to-skip LogicalId ...` for resources that cannot roll back) \
                 and deploy again"
            ),
            Blocked::DeleteFailed => format!(
                "a delete failed. Fix the cause shown in the events and run destroy again, or \
                 `aws cloudformation delete-stack --stack-name {stack} --retain-resources \
                 LogicalId ...` to keep what cannot be deleted"
            ),
            Blocked::ImportRollbackFailed => format!(
                "a resource import failed to roll back. Fix the cause, then run \
                 `aws cloudformation continue-update-rollback --stack-name {stack}`"
            ),
        }
    }
}

impl ResourceStatus {
    /// Whether this status reports a failure.
    pub fn is_failed(&self) -> bool {
        self.as_str().ends_with("_FAILED")
    }

    /// Whether this status ends work on the resource (complete or skipped).
    pub fn is_done(&self) -> bool {
        self.as_str().ends_with("_COMPLETE") || *self == ResourceStatus::DeleteSkipped
    }
}

/// One stack event.
#[derive(Debug, Clone, PartialEq)]
pub struct StackEvent {
    /// The event id (unique per stack).
    pub event_id: String,
    /// The logical id of the resource (the stack name for stack-level events).
    pub logical_id: String,
    /// The physical id, when known.
    pub physical_id: Option<String>,
    /// The resource type (`AWS::CloudFormation::Stack` for the stack itself).
    pub resource_type: String,
    /// When it happened (RFC 3339), when known.
    pub timestamp: Option<String>,
    /// The resource status.
    pub status: ResourceStatus,
    /// The reason, mostly present on failures.
    pub reason: Option<String>,
}

impl StackEvent {
    /// Whether the event is about the stack itself rather than a resource.
    pub fn is_stack_event(&self, stack_name: &str) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack" && self.logical_id == stack_name
    }

    /// The stack status this event reports, for stack-level events.
    pub fn stack_status(&self, stack_name: &str) -> Option<StackStatus> {
        self.is_stack_event(stack_name).then(|| StackStatus::parse(self.status.as_str()))
    }
}

/// A resource that failed, with CloudFormation's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceFailure {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// The failure status.
    pub status: ResourceStatus,
    /// The reason CloudFormation gave.
    pub reason: String,
}

impl fmt::Display for ResourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) {}: {}", self.logical_id, self.resource_type, self.status, self.reason)
    }
}

/// The resources that failed among `events`, in the order they happened;
/// "Resource creation cancelled" follow-ups are kept but listed after the
/// root causes.
pub fn failures(events: &[StackEvent], stack_name: &str) -> Vec<ResourceFailure> {
    let mut root = Vec::new();
    let mut cancelled = Vec::new();
    for e in events.iter().filter(|e| e.status.is_failed() && !e.is_stack_event(stack_name)) {
        let reason = e.reason.clone().unwrap_or_else(|| "(no reason given)".into());
        let f = ResourceFailure {
            logical_id: e.logical_id.clone(),
            resource_type: e.resource_type.clone(),
            status: e.status.clone(),
            reason,
        };
        if f.reason.contains("cancelled") {
            cancelled.push(f);
        } else {
            root.push(f);
        }
    }
    root.extend(cancelled);
    root
}

/// What a change does to a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeAction {
    /// A new resource.
    Add,
    /// An existing resource changes (maybe by replacement).
    Modify,
    /// The resource is deleted.
    Remove,
    /// The resource is imported.
    Import,
    /// Determined only at execution (nested stacks, macros).
    Dynamic,
    /// An action this version does not know.
    Other(String),
}

/// Whether a modification replaces the resource (new physical id, data loss
/// for stateful resources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// Replaced.
    True,
    /// Updated in place.
    False,
    /// Replaced depending on values only known at execution.
    Conditional,
}

/// One property-level detail of a modification.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// `Properties`, `Metadata`, `Tags`, ... (the attribute changed).
    pub attribute: String,
    /// The property name (for `Properties`), e.g. `VisibilityTimeout`.
    pub name: Option<String>,
    /// `Never`, `Conditionally` or `Always`.
    pub requires_recreation: Option<String>,
    /// What caused it: `DirectModification`, `ResourceReference`, ...
    pub change_source: Option<String>,
    /// The entity that caused it (e.g. the referenced resource).
    pub causing_entity: Option<String>,
    /// The value before, when CloudFormation returns it.
    pub before: Option<String>,
    /// The value after, when CloudFormation returns it.
    pub after: Option<String>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    /// Add, modify, remove, ...
    pub action: ChangeAction,
    /// Logical id.
    pub logical_id: String,
    /// Physical id (for existing resources).
    pub physical_id: Option<String>,
    /// Resource type.
    pub resource_type: String,
    /// For modifications: whether it replaces the resource.
    pub replacement: Option<Replacement>,
    /// Property-level detail.
    pub details: Vec<PropertyChange>,
}

impl ResourceChange {
    /// Whether the resource is (or may be) replaced.
    pub fn is_replacement(&self) -> bool {
        matches!(self.replacement, Some(Replacement::True | Replacement::Conditional))
    }
}

/// A change set, as far as deploy needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// The change set ARN.
    pub id: String,
    /// The stack it belongs to.
    pub stack_name: String,
    /// True when the stack does not exist yet (a CREATE change set).
    pub creates_stack: bool,
    /// The changes.
    pub changes: Vec<ResourceChange>,
}

impl ChangeSet {
    /// Count of (added, modified, removed) resources.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |a: ChangeAction| self.changes.iter().filter(|c| c.action == a).count();
        (
            n(ChangeAction::Add) + n(ChangeAction::Import),
            n(ChangeAction::Modify) + n(ChangeAction::Dynamic),
            n(ChangeAction::Remove),
        )
    }
}

/// One stack output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutput {
    /// Output key.
    pub key: String,
    /// Value.
    pub value: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Export name, if exported.
    pub export_name: Option<String>,
}

/// What describe-stacks says about a stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackInfo {
    /// Stack id (ARN); stays valid after deletion, unlike the name.
    pub stack_id: String,
    /// Stack name.
    pub stack_name: String,
    /// Status.
    pub status: StackStatus,
    /// Status reason.
    pub reason: Option<String>,
    /// Whether termination protection is on.
    pub termination_protection: bool,
    /// Outputs.
    pub outputs: Vec<StackOutput>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        for s in ["CREATE_COMPLETE", "UPDATE_ROLLBACK_FAILED", "REVIEW_IN_PROGRESS", "SOMETHING_NEW"] {
            assert_eq!(StackStatus::parse(s).as_str(), s);
        }
        assert_eq!(StackStatus::parse("SOMETHING_NEW"), StackStatus::Other("SOMETHING_NEW".into()));
        assert!(StackStatus::UpdateCompleteCleanupInProgress.is_in_progress());
        assert!(!StackStatus::ReviewInProgress.is_in_progress());
        assert_eq!(StackStatus::UpdateComplete.outcome(), Outcome::Success);
        assert_eq!(StackStatus::UpdateRollbackComplete.outcome(), Outcome::Failure);
        assert_eq!(StackStatus::RollbackInProgress.outcome(), Outcome::InProgress);
        assert_eq!(StackStatus::RollbackComplete.blocked(), Some(Blocked::FailedCreate));
        assert_eq!(StackStatus::UpdateRollbackFailed.blocked(), Some(Blocked::UpdateRollbackFailed));
        assert_eq!(StackStatus::UpdateRollbackComplete.blocked(), None);
        assert!(Blocked::UpdateRollbackFailed.next_step("s").contains("continue-update-rollback --stack-name s"));
        assert!(ResourceStatus::CreateFailed.is_failed());
        assert!(ResourceStatus::DeleteSkipped.is_done());
    }

    #[test]
    fn failures_put_root_causes_first() {
        let ev = |id: &str, st: &str, reason: &str| StackEvent {
            event_id: id.into(),
            logical_id: id.into(),
            physical_id: None,
            resource_type: "AWS::SQS::Queue".into(),
            timestamp: None,
            status: ResourceStatus::parse(st),
            reason: Some(reason.into()),
        };
        let events = vec![
            ev("A", "CREATE_FAILED", "Resource creation cancelled"),
            ev("B", "CREATE_FAILED", "Invalid value for VisibilityTimeout"),
            ev("C", "CREATE_COMPLETE", ""),
        ];
        let f = failures(&events, "stack");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].logical_id, "B");
        assert!(f[0].to_string().contains("Invalid value"));
    }
}
