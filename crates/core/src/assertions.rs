//! Assertions on synthesized templates, for users' tests (like CDK's
//! `Template.fromStack`): find resources, count them, and match properties
//! against a partial JSON pattern.
//!
//! ```
//! use serde_json::json;
//! use stackcraft_core::{assertions::Template, App, RawResource};
//!
//! let app = App::new("demo");
//! let stack = app.stack("Main");
//! stack.add_raw("Queue", RawResource::new("AWS::SQS::Queue", json!({"VisibilityTimeout": 30, "SqsManagedSseEnabled": true})));
//! let assembly = app.synth().unwrap();
//! let t = Template::from_stack(&assembly, "Main");
//! t.resource_count_is("AWS::SQS::Queue", 1);
//! t.has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 30}));
//! ```
//!
//! Matching rules: an expected object matches an actual object that has at
//! least the expected keys, each matching; an expected array matches an actual
//! array in which every expected element matches some actual element (in any
//! order); scalars match by equality. [`ABSENT`] as an expected value asserts
//! that the key is missing; [`ANY`] matches any value that is present.

use serde_json::Value as Json;

use crate::synth::Assembly;

/// An expected value meaning "this key must not be present".
pub const ABSENT: &str = "<<absent>>";

/// An expected value meaning "present, with any value".
pub const ANY: &str = "<<any>>";

/// A synthesized template under test.
#[derive(Debug, Clone)]
pub struct Template {
    json: Json,
    name: String,
}

/// Does `actual` match the partial pattern `expected`?
pub fn matches(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::String(e), _) if e == ANY => true,
        (Json::Object(e), Json::Object(a)) => e.iter().all(|(k, ev)| {
            if ev.as_str() == Some(ABSENT) {
                !a.contains_key(k)
            } else {
                a.get(k).is_some_and(|av| matches(ev, av))
            }
        }),
        (Json::Array(e), Json::Array(a)) => e.iter().all(|ev| a.iter().any(|av| matches(ev, av))),
        (e, a) => e == a,
    }
}

impl Template {
    /// The template of stack `id` (panics with the known ids when missing).
    pub fn from_stack(assembly: &Assembly, id: &str) -> Self {
        match assembly.stack(id) {
            Some(s) => Template { json: s.template.clone(), name: id.to_owned() },
            None => {
                let known: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
                panic!("no stack {id:?} in the assembly; stacks: {}", known.join(", "))
            }
        }
    }

    /// A template from JSON (e.g. read from a `.template.json` file).
    pub fn from_json(json: Json) -> Self {
        Template { json, name: "template".into() }
    }

    /// The whole template.
    pub fn to_json(&self) -> &Json {
        &self.json
    }

    /// `(logical id, resource)` of every resource of `type_name` whose
    /// properties match `props` (use `json!({})` for all).
    pub fn find_resources(&self, type_name: &str, props: &Json) -> Vec<(String, Json)> {
        self.json
            .get("Resources")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, r)| r["Type"] == type_name)
            .filter(|(_, r)| matches(props, r.get("Properties").unwrap_or(&Json::Object(Default::default()))))
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect()
    }

    /// Resources of `type_name` (whole resource JSON) matching `pattern`
    /// against the whole resource (Type, Properties, DeletionPolicy, ...).
    pub fn find_resources_matching(&self, type_name: &str, pattern: &Json) -> Vec<(String, Json)> {
        self.find_resources(type_name, &Json::Object(Default::default()))
            .into_iter()
            .filter(|(_, r)| matches(pattern, r))
            .collect()
    }

    /// Assert there are exactly `count` resources of `type_name`.
    pub fn resource_count_is(&self, type_name: &str, count: usize) {
        let n = self.find_resources(type_name, &Json::Object(Default::default())).len();
        assert_eq!(n, count, "{}: expected {count} resources of type {type_name}, found {n}", self.name);
    }

    /// Assert some resource of `type_name` has properties matching `props`.
    pub fn has_resource_properties(&self, type_name: &str, props: Json) {
        if self.find_resources(type_name, &props).is_empty() {
            panic!("{}", self.miss(type_name, "properties", &props));
        }
    }

    /// Assert some resource of `type_name` matches `pattern` as a whole
    /// (e.g. `{"DeletionPolicy": "Snapshot", "Properties": {...}}`).
    pub fn has_resource(&self, type_name: &str, pattern: Json) {
        if self.find_resources_matching(type_name, &pattern).is_empty() {
            panic!("{}", self.miss(type_name, "resource", &pattern));
        }
    }

    /// Assert every resource of `type_name` matches `pattern` as a whole.
    pub fn all_resources(&self, type_name: &str, pattern: Json) {
        for (id, r) in self.find_resources(type_name, &Json::Object(Default::default())) {
            assert!(
                matches(&pattern, &r),
                "{}: resource {id} ({type_name}) does not match {pattern:#}\nactual: {r:#}",
                self.name
            );
        }
    }

    /// Assert an output called `name` exists and matches `pattern`.
    pub fn has_output(&self, name: &str, pattern: Json) {
        let o = self.json.pointer(&format!("/Outputs/{name}"));
        assert!(
            o.is_some_and(|o| matches(&pattern, o)),
            "{}: no output {name} matching {pattern:#}; outputs: {:#}",
            self.name,
            self.json.get("Outputs").unwrap_or(&Json::Null)
        );
    }

    /// Assert a parameter called `name` exists and matches `pattern`.
    pub fn has_parameter(&self, name: &str, pattern: Json) {
        let p = self.json.pointer(&format!("/Parameters/{name}"));
        assert!(p.is_some_and(|p| matches(&pattern, p)), "{}: no parameter {name} matching {pattern:#}", self.name);
    }

    fn miss(&self, type_name: &str, what: &str, pattern: &Json) -> String {
        let found = self.find_resources(type_name, &Json::Object(Default::default()));
        let mut msg = format!(
            "{}: no {type_name} {what} match {pattern:#}\n{} resource(s) of that type:",
            self.name,
            found.len()
        );
        for (id, r) in found.iter().take(5) {
            msg.push_str(&format!("\n  {id}: {}", r.get("Properties").unwrap_or(&Json::Null)));
        }
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_matching() {
        let actual = json!({"A": 1, "B": {"C": [1, 2, {"D": "x", "E": 2}]}});
        assert!(matches(&json!({"A": 1}), &actual));
        assert!(matches(&json!({"B": {"C": [{"D": "x"}, 2]}}), &actual));
        assert!(!matches(&json!({"B": {"C": [3]}}), &actual));
        assert!(matches(&json!({"Z": ABSENT}), &actual));
        assert!(!matches(&json!({"A": ABSENT}), &actual));
        assert!(!matches(&json!({"A": "1"}), &actual));
        assert!(matches(&json!({"B": ANY}), &actual));
        assert!(!matches(&json!({"Q": ANY}), &actual));
    }
}
