//! Acknowledgements: `scope.acknowledge(rule, reason)` silences warnings and
//! validator findings below the scope, with metadata and an assembly record.

use serde_json::json;
use stackcraft_core::{App, Diagnostic, RawResource, Severity, ValidationInput, Validator};

fn partition_warning_app() -> App {
    let app = App::new("t");
    let stack = app.stack("Main");
    let team = stack.scope("Team");
    for (scope, id) in [(&team, "Role"), (&*stack, "Other")] {
        scope.add_raw(
            id,
            RawResource::new(
                "AWS::IAM::Role",
                json!({"ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "AssumeRolePolicyDocument": {}}),
            ),
        );
    }
    app
}

#[test]
fn a_warning_names_its_rule() {
    let a = partition_warning_app().synth().unwrap();
    let w: Vec<String> = a.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 2);
    assert!(w[0].ends_with("(rule core.hard-coded-partition)"), "{w:?}");
    assert!(a.acknowledgements.is_empty() && a.acknowledged.is_empty());
}

#[test]
fn acknowledging_silences_below_the_scope_only_and_records_it() {
    let app = partition_warning_app();
    let team = app.stacks()[0].child("Team").unwrap();
    team.acknowledge("core.hard-coded-partition", "this team deploys to the aws partition only");
    let a = app.synth().unwrap();
    assert_eq!(a.warnings.len(), 1);
    assert_eq!(a.warnings[0].path, "Main/Other");
    assert_eq!(a.acknowledged.len(), 1);
    assert_eq!(a.acknowledged[0].diagnostic.path, "Main/Team/Role");
    assert_eq!(a.acknowledged[0].acknowledgement.path, "Main/Team");
    let resources = a.stacks[0].template["Resources"].as_object().unwrap();
    let (_, role) = resources.iter().find(|(k, _)| k.starts_with("TeamRole")).unwrap();
    assert_eq!(
        role["Metadata"]["stackcraft"],
        json!({"acknowledgements": [{"rule": "core.hard-coded-partition", "reason": "this team deploys to the aws partition only", "path": "Main/Team"}]})
    );
    let (_, other) = resources.iter().find(|(k, _)| k.starts_with("Other")).unwrap();
    assert!(other.get("Metadata").is_none());
    let report = a.acknowledgements_report();
    assert_eq!(report["silenced"][0]["path"], "Main/Team/Role");
    assert_eq!(
        stackcraft_core::cli::acknowledgements_summary(&a),
        "acknowledged: 1\n  core.hard-coded-partition: this team deploys to the aws partition only @ Main/Team (1 silenced)\n"
    );
}

#[test]
fn app_and_resource_acknowledgements() {
    let app = partition_warning_app();
    app.acknowledge("core.hard-coded-partition", "the whole app targets the aws partition");
    assert!(app.synth().unwrap().warnings.is_empty());
    let app = App::new("t");
    let r = app.stack("S").add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    r.acknowledge("some.rule", "a reason that is long enough");
    let a = app.synth().unwrap();
    assert_eq!(a.acknowledgements[0].path, "S/Q");
}

#[test]
fn a_short_reason_or_a_bad_rule_id_is_an_error() {
    let app = App::new("t");
    let s = app.stack("S");
    s.add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    s.acknowledge("core.hard-coded-partition", " ok ");
    s.scope("X").acknowledge("has space", "a reason that is long enough");
    let e = app.synth().unwrap_err();
    let msgs: Vec<String> = e.errors().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "error: S [acknowledge]: the reason for acknowledging \"core.hard-coded-partition\" at S must say why (at least 10 characters), got \"ok\"",
            "error: S/X [acknowledge]: rule id \"has space\" is not valid: use 1 to 64 ASCII letters, digits, '.', '-', '_' or ':' (the id printed with the warning or finding)",
        ]
    );
}

struct NoQueues;

impl Validator for NoQueues {
    fn name(&self) -> &str {
        "no-queues"
    }
    fn validate(&self, input: &mut ValidationInput<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for s in input.stacks.iter() {
            for (lid, r) in s.template["Resources"].as_object().into_iter().flatten() {
                if r["Type"] == "AWS::SQS::Queue" {
                    out.push(
                        Diagnostic::error(&input.path_of(&s.id, lid), "Type", "no queues here")
                            .with_rule("test.no-queue"),
                    );
                }
            }
        }
        input.reports.insert("test-report.json".into(), json!({"checked": input.stacks.len()}));
        out
    }
}

fn queue_app() -> App {
    let app = App::new("t");
    app.stack("S").scope("Jobs").add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    app.add_validator(Box::new(NoQueues));
    app.add_validator(Box::new(NoQueues));
    app
}

#[test]
fn validator_findings_fail_synth_unless_acknowledged() {
    let app = queue_app();
    assert_eq!(app.validators(), ["no-queues"]);
    let e = app.synth().unwrap_err();
    assert_eq!(
        e.errors().map(ToString::to_string).collect::<Vec<_>>(),
        ["error: S/Jobs/Q [Type]: no queues here (rule test.no-queue)"]
    );

    let app = queue_app();
    app.stacks()[0].acknowledge("test.no-queue", "the jobs queue is the point of this stack");
    let a = app.synth().unwrap();
    assert_eq!(a.acknowledged.len(), 1);
    assert_eq!(a.reports["test-report.json"], json!({"checked": 1}));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    a.write(&out).unwrap();
    assert!(out.join("test-report.json").exists());
    let acks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("acknowledgements.json")).unwrap()).unwrap();
    assert_eq!(acks["acknowledgements"][0]["reason"], "the jobs queue is the point of this stack");
}

#[test]
fn audit_mode_ignores_acknowledgements_and_reports_findings_as_warnings() {
    let app = queue_app();
    app.stacks()[0].acknowledge("test.no-queue", "the jobs queue is the point of this stack");
    app.set_audit(true);
    let a = app.synth().unwrap();
    assert!(a.acknowledgements.is_empty());
    assert_eq!(a.warnings.len(), 1);
    assert_eq!(a.warnings[0].severity, Severity::Warning);
    let q = &a.stacks[0].template["Resources"].as_object().unwrap().values().next().unwrap().clone();
    assert!(q.get("Metadata").is_none(), "no acknowledgement metadata in audit mode");
}

#[test]
fn bad_input_errors_are_not_downgraded_by_audit() {
    let app = App::new("t");
    app.stack("S").scope("A").error("Prop", "bad value");
    app.set_audit(true);
    assert!(app.synth().is_err());
}

#[test]
fn warnings_without_an_own_rule_id_get_one_from_their_property() {
    let app = App::new("t");
    let s = app.stack("S");
    s.add_raw("Q", RawResource::new("AWS::SQS::Queue", json!({})));
    let widget = s.scope("Widget");
    widget.warning("Dashboard Body", "empty");
    let a = app.synth().unwrap();
    assert_eq!(a.warnings[0].rule.as_deref(), Some("warning.Dashboard-Body"));
    widget.acknowledge("warning.Dashboard-Body", "the widget is filled in by hand later");
    assert!(app.synth().unwrap().warnings.is_empty());
}
