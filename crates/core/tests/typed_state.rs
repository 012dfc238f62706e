//! Typed state in the graph: resources keep their typed properties until
//! synth renders them once; building blocks mutate them with
//! `ResourceHandle::edit`, and `Value::lazy` renders a block's own state.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Value as Json};
use stackcraft_core::{list_mut, App, RawResource, Resource, ResourceHandle, TagFormat, ToCfn, Value};

/// A tiny L1-shaped resource type, as the generated layer writes them.
#[derive(Debug, Clone, PartialEq)]
struct Topic {
    name: Option<Value<String>>,
    subscribers: Option<Value<Vec<Value<String>>>>,
}

impl ToCfn for Topic {
    fn to_cfn(&self) -> Json {
        let mut m = serde_json::Map::new();
        if let Some(n) = &self.name {
            m.insert("TopicName".into(), n.to_cfn());
        }
        if let Some(s) = &self.subscribers {
            m.insert("Subscribers".into(), s.to_cfn());
        }
        Json::Object(m)
    }
}

impl Resource for Topic {
    const TYPE_NAME: &'static str = "Test::Topic";
    const TAGS: TagFormat = TagFormat::None;
    type Handle = ResourceHandle;
}

fn props(app: &App, stack: &str, id: &str) -> Json {
    app.synth().unwrap().stack(stack).unwrap().template["Resources"][id]["Properties"].clone()
}

#[test]
fn edits_mutate_the_stored_typed_value_rendered_once_at_synth() {
    let app = App::new("t");
    let s = app.stack("Main");
    let h = s.add("Topic", Topic { name: Some("orders".into()), subscribers: None });
    assert!(h.edit(|t: &mut Topic| list_mut(&mut t.subscribers).unwrap().push("a".into())));
    assert!(h.edit(|t: &mut Topic| list_mut(&mut t.subscribers).unwrap().push("b".into())));
    assert_eq!(props(&app, "Main", "Topic"), json!({"TopicName": "orders", "Subscribers": ["a", "b"]}));
    // Synth does not consume the state: a second synth gives the same, and later edits show.
    assert!(h.edit(|t: &mut Topic| t.name = None));
    assert_eq!(props(&app, "Main", "Topic"), json!({"Subscribers": ["a", "b"]}));
}

#[test]
fn editing_as_the_wrong_type_is_an_error_not_a_panic() {
    let app = App::new("t");
    let s = app.stack("Main");
    let raw = s.add_raw("Raw", RawResource::new("Test::Topic", json!({})));
    assert!(!raw.edit(|t: &mut Topic| t.name = Some("x".into())));
    let err = app.synth().unwrap_err().to_string();
    assert!(
        err.contains("error: Main/Raw [properties]: cannot edit the properties as Test::Topic: the resource was not added as that type"),
        "{err}"
    );
}

#[test]
fn the_graph_is_free_while_edits_and_lazy_values_run() {
    let app = App::new("t");
    let s = app.stack("Main");
    let h = s.add("Topic", Topic { name: None, subscribers: None });
    let s2 = s.clone();
    // An edit that uses the graph (adds a resource, reads paths) must not panic.
    h.edit(|t: &mut Topic| {
        let other = s2.add("Other", Topic { name: Some(s2.path().into()), subscribers: None });
        t.name = Some(other.ref_());
    });
    // Nor a JSON edit (the user's escape hatch), run at synth.
    let h2 = h.clone();
    h.edit_properties(move |p| p["Path"] = json!(h2.path()));
    let p = props(&app, "Main", "Topic");
    assert_eq!(p, json!({"TopicName": {"Ref": "Other"}, "Path": "Main/Topic"}));
}

#[test]
fn lazy_values_render_the_latest_state_and_resolve_references() {
    let app = App::new("t");
    let producer = app.stack("Producer");
    let consumer = app.stack("Consumer");
    let subscribers: Rc<RefCell<Vec<Value<String>>>> = Rc::default();
    consumer.add(
        "Topic",
        Topic {
            name: None,
            subscribers: Some(Value::lazy({
                let subscribers = subscribers.clone();
                move || subscribers.borrow().clone()
            })),
        },
    );
    let q = producer.add("Queue", Topic { name: None, subscribers: None });
    subscribers.borrow_mut().push("static".into());
    subscribers.borrow_mut().push(q.get_att("Arn"));
    let a = app.synth().unwrap();
    let p = &a.stack("Consumer").unwrap().template["Resources"]["Topic"]["Properties"];
    assert_eq!(p["Subscribers"][0], "static");
    assert!(p["Subscribers"][1]["Fn::ImportValue"].as_str().unwrap().starts_with("t-Producer:ExportsOutput"), "{p}");
    assert_eq!(a.stack("Consumer").unwrap().dependencies, ["Producer"]);
}

#[test]
fn json_edits_apply_in_order_before_overrides() {
    let app = App::new("t");
    let s = app.stack("Main");
    let h = s.add("Topic", Topic { name: Some("a".into()), subscribers: None });
    h.edit_properties(|p| p["TopicName"] = json!("b"));
    h.edit_properties(|p| p["TopicName"] = json!(format!("{}c", p["TopicName"].as_str().unwrap_or_default())));
    assert_eq!(props(&app, "Main", "Topic"), json!({"TopicName": "bc"}));
    h.add_property_override("TopicName", "d");
    assert_eq!(props(&app, "Main", "Topic"), json!({"TopicName": "d"}));
}
