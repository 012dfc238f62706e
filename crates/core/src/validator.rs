//! Resource validators: checks of a resource's rendered properties that a
//! layer above core provides (the generated provider-schema validators of
//! `stackcraft-cfn`). Core knows no resource type: it calls every installed
//! validator at synth with the type name and the final properties (after
//! tags, overrides and reference resolution) and reports what they find as
//! errors naming the construct path, together with all other errors.

use serde_json::Value as Json;

/// One problem a [`ResourceValidator`] found in a resource's properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The property path, e.g. `LifecycleConfiguration.Rules[1].Status`.
    pub property: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Finding {
    /// A finding at `property`.
    pub fn new(property: impl Into<String>, message: impl Into<String>) -> Self {
        Finding { property: property.into(), message: message.into() }
    }
}

/// A validator of rendered resource properties, installed on an [`App`](crate::App)
/// with [`App::add_resource_validator`](crate::App::add_resource_validator)
/// (the generated L1 types install theirs when one of them is added).
///
/// `validate` receives the resource type name and the `Properties` object
/// (an empty object when there are none) and pushes its findings; it must
/// skip unknown types silently and never judge values it cannot resolve
/// (intrinsic functions, dynamic references).
#[derive(Debug, Clone, Copy)]
pub struct ResourceValidator {
    /// Identifies the validator: installing one with the same name twice keeps one.
    pub name: &'static str,
    /// The check.
    pub validate: fn(type_name: &str, properties: &Json, findings: &mut Vec<Finding>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{App, RawResource};
    use serde_json::json;

    fn no_widgets(type_name: &str, props: &Json, out: &mut Vec<Finding>) {
        if type_name == "Test::Demo::Widget" && props.get("Size").is_some_and(|s| s.as_i64() > Some(3)) {
            out.push(Finding::new("Size", "must be at most 3"));
        }
    }

    const CHECK: ResourceValidator = ResourceValidator { name: "test", validate: no_widgets };

    #[test]
    fn validators_run_at_synth_after_overrides_and_report_the_path() {
        let app = App::new("demo");
        let stack = app.stack("S");
        let scope = stack.scope("Block");
        let w = scope.add_raw("W", RawResource::new("Test::Demo::Widget", json!({"Size": 1})));
        scope.add_raw("Other", RawResource::new("Test::Demo::Other", json!({"Size": 9})));
        assert!(app.synth().is_ok(), "no validator installed: nothing judged");
        app.add_resource_validator(CHECK);
        app.add_resource_validator(CHECK);
        assert!(app.synth().is_ok());
        w.add_property_override("Size", 4);
        let err = app.synth().expect_err("override violates the check");
        let errors: Vec<String> = err.errors().map(ToString::to_string).collect();
        assert_eq!(errors, ["error: S/Block/W [Size]: must be at most 3"]);
    }
}
