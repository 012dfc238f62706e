//! Provider schemas reduced to what synth-time validation checks: the JSON
//! Schema keywords (and cfn-lint's extension keywords) that constrain values,
//! without descriptions, handlers, permissions and other documentation.

use serde_json::{Map, Value as Json};

/// Keywords whose value is a schema.
const SCHEMA_VALUED: &[&str] = &["items", "not", "if", "then", "else", "additionalProperties", "propertyNames"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["oneOf", "anyOf", "allOf", "prefixItems"];
/// Keywords whose value is a map of name → schema.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "definitions"];
/// Keywords kept as they are (constraints on the value).
const PLAIN: &[&str] = &[
    "type",
    "$ref",
    "required",
    "enum",
    "enumCaseInsensitive",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentExcluded",
    "requiredXor",
    "uniqueKeys",
];

/// The validation-relevant part of a resource schema: `properties`,
/// `definitions` and the root's constraints.
pub(crate) fn resource(schema: &Json) -> Json {
    let mut root = node(schema);
    // The root's documentation-only keys are gone; keep it an object schema.
    if let Json::Object(m) = &mut root {
        m.entry("type").or_insert_with(|| Json::String("object".into()));
    }
    root
}

fn node(n: &Json) -> Json {
    let Json::Object(m) = n else {
        return n.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let k = k.as_str();
        if PLAIN.contains(&k) {
            out.insert(k.to_owned(), v.clone());
        } else if SCHEMA_VALUED.contains(&k) {
            out.insert(k.to_owned(), if v.is_object() { node(v) } else { v.clone() });
        } else if SCHEMA_LISTS.contains(&k) {
            if let Json::Array(a) = v {
                out.insert(k.to_owned(), Json::Array(a.iter().map(node).collect()));
            }
        } else if SCHEMA_MAPS.contains(&k) {
            if let Json::Object(props) = v {
                out.insert(k.to_owned(), Json::Object(props.iter().map(|(n, s)| (n.clone(), node(s))).collect()));
            }
        } else if k == "dependencies" {
            // List values: dependentRequired; schema values: schemas.
            if let Json::Object(deps) = v {
                let d: Map<String, Json> =
                    deps.iter().map(|(n, s)| (n.clone(), if s.is_object() { node(s) } else { s.clone() })).collect();
                out.insert(k.to_owned(), Json::Object(d));
            }
        }
    }
    Json::Object(out)
}

/// Sort object keys at every level (deterministic text whatever map type
/// serde_json was built with).
pub(crate) fn to_sorted_string(v: &Json) -> String {
    let mut s = String::new();
    write_sorted(v, &mut s);
    s
}

fn write_sorted(v: &Json, s: &mut String) {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            s.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&Json::String((*k).clone()).to_string());
                s.push(':');
                write_sorted(&m[*k], s);
            }
            s.push('}');
        }
        Json::Array(a) => {
            s.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                write_sorted(x, s);
            }
            s.push(']');
        }
        other => s.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_constraints_drops_documentation() {
        let s = json!({
            "typeName": "AWS::T::T", "description": "d", "handlers": {"create": {}},
            "additionalProperties": false,
            "properties": {"A": {"type": "string", "description": "x", "enum": ["a"], "insertionOrder": false}},
            "definitions": {"D": {"type": "object", "properties": {"B": {"$ref": "#/definitions/D"}}}},
            "required": ["A"], "oneOf": [{"required": ["A"]}]
        });
        assert_eq!(
            to_sorted_string(&resource(&s)),
            r##"{"additionalProperties":false,"definitions":{"D":{"properties":{"B":{"$ref":"#/definitions/D"}},"type":"object"}},"oneOf":[{"required":["A"]}],"properties":{"A":{"enum":["a"],"type":"string"}},"required":["A"],"type":"object"}"##
        );
    }
}
