//! JSON helpers for rule authors: references, booleans, policy statements.

use stackcraft_core::serde_json::Value as Json;

/// Logical ids referenced by `v` (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`).
pub fn references<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        Json::Object(m) => {
            if m.len() == 1 {
                if let Some(Json::String(t)) = m.get("Ref") {
                    if !t.starts_with("AWS::") {
                        out.push(t);
                    }
                    return;
                }
                if let Some(Json::Array(a)) = m.get("Fn::GetAtt") {
                    if let Some(Json::String(t)) = a.first() {
                        out.push(t);
                    }
                    return;
                }
            }
            for x in m.values() {
                references(x, out);
            }
        }
        Json::Array(a) => {
            for x in a {
                references(x, out);
            }
        }
        _ => {}
    }
}

/// Whether `v` refers to the resource `logical_id` (anywhere inside it).
pub fn refers_to(v: &Json, logical_id: &str) -> bool {
    let mut t = Vec::new();
    references(v, &mut t);
    t.contains(&logical_id)
}

/// A CloudFormation boolean: `true` or `"true"` (any case).
pub fn truthy(v: Option<&Json>) -> bool {
    match v {
        Some(Json::Bool(b)) => *b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A CloudFormation boolean that is explicitly false.
pub fn falsy(v: Option<&Json>) -> bool {
    match v {
        Some(Json::Bool(b)) => !*b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// A number given as a JSON number or a numeric string.
pub fn number(v: Option<&Json>) -> Option<f64> {
    match v? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A value that may be one item or a list, as a list.
pub fn list(v: Option<&Json>) -> Vec<&Json> {
    match v {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(Json::Null) | None => Vec::new(),
        Some(x) => vec![x],
    }
}

/// The statements of a policy document.
pub fn statements(doc: Option<&Json>) -> Vec<&Json> {
    list(doc.and_then(|d| d.get("Statement")))
}

/// The policy documents of an IAM resource: inline `Policies` of roles,
/// users and groups, and `PolicyDocument` of policies.
pub fn iam_documents(props: &Json) -> Vec<&Json> {
    let mut docs: Vec<&Json> = Vec::new();
    if let Some(d) = props.get("PolicyDocument") {
        docs.push(d);
    }
    for p in list(props.get("Policies")) {
        if let Some(d) = p.get("PolicyDocument") {
            docs.push(d);
        }
    }
    docs
}

/// Whether a statement allows.
pub fn allows(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// Whether a policy statement is a `Deny` of requests without TLS
/// (`aws:SecureTransport` = false).
pub fn denies_insecure_transport(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Deny")
        && statement
            .get("Condition")
            .and_then(|c| c.get("Bool"))
            .and_then(|b| b.get("aws:SecureTransport"))
            .is_some_and(|v| falsy(Some(v)))
}

/// Whether `v` is the literal string `s`.
pub fn is_str(v: &Json, s: &str) -> bool {
    v.as_str() == Some(s)
}

/// Whether `rule` looks like a checkov check id (`CKV_AWS_1`, `CKV2_AWS_1`).
pub fn is_checkov_id(rule: &str) -> bool {
    let rest = rule.strip_prefix("CKV_").or_else(|| rule.strip_prefix("CKV2_"));
    rest.is_some_and(|r| {
        r.contains('_') && r.rsplit('_').next().is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Whether `rule` looks like a cfn-lint rule id (`E3012`, `W3005`, `I3011`).
pub fn is_cfn_lint_id(rule: &str) -> bool {
    let mut c = rule.chars();
    matches!(c.next(), Some('E' | 'W' | 'I')) && rule.len() == 5 && c.all(|d| d.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::serde_json::json;

    #[test]
    fn finds_references() {
        let v = json!({"A": {"Ref": "X"}, "B": [{"Fn::GetAtt": ["Y", "Arn"]}], "C": {"Ref": "AWS::Region"}});
        let mut out = Vec::new();
        references(&v, &mut out);
        assert_eq!(out, ["X", "Y"]);
    }

    #[test]
    fn tool_ids() {
        assert!(is_checkov_id("CKV_AWS_18"));
        assert!(is_checkov_id("CKV2_AWS_69"));
        assert!(!is_checkov_id("CKV_AWS_"));
        assert!(is_cfn_lint_id("W3005"));
        assert!(!is_cfn_lint_id("s3.tls"));
    }
}
