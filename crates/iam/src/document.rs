//! Policy documents: an ordered, merged set of statements.

use serde_json::Value as Json;

use crate::statement::PolicyStatement;

/// An IAM policy document (`{"Version": "2012-10-17", "Statement": [...]}`).
///
/// Statements added with [`PolicyDocument::add_statement`] are deduplicated
/// and merged, so granting the same thing twice (or the same actions on two
/// resources) keeps the document small and its rendering deterministic:
///
/// - an identical statement is dropped;
/// - a statement that differs from an earlier one only in its actions has its
///   actions merged into it;
/// - a statement that differs from an earlier one only in its resources has
///   its resources merged into it.
///
/// Statement order is the order of first appearance; actions and resources
/// are sorted.
///
/// ```
/// use stackcraft_iam::{PolicyDocument, PolicyStatement};
///
/// let mut doc = PolicyDocument::new();
/// doc.add_statement(PolicyStatement::allow().action("sqs:SendMessage").resource("arn:q1"));
/// doc.add_statement(PolicyStatement::allow().action("sqs:SendMessage").resource("arn:q2"));
/// doc.add_statement(PolicyStatement::allow().action("sqs:SendMessage").resource("arn:q1"));
/// assert_eq!(doc.statements().len(), 1);
/// assert_eq!(doc.to_json()["Statement"][0]["Resource"], serde_json::json!(["arn:q1", "arn:q2"]));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDocument {
    statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// A document with the given statements (merged as by `add_statement`).
    pub fn from_statements(statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        let mut d = Self::new();
        for s in statements {
            d.add_statement(s);
        }
        d
    }

    /// Add a statement, merging it into an existing one where possible.
    /// Returns `false` when the document already granted everything it grants.
    pub fn add_statement(&mut self, statement: PolicyStatement) -> bool {
        if self.statements.contains(&statement) {
            return false;
        }
        if let Some(s) = self.statements.iter_mut().find(|s| s.same_except_actions(&statement)) {
            let before = s.actions.len();
            s.absorb_actions(&statement);
            return s.actions.len() != before;
        }
        if !statement.resources.is_empty() {
            if let Some(s) =
                self.statements.iter_mut().find(|s| !s.resources.is_empty() && s.same_except_resources(&statement))
            {
                let before = s.resources.len();
                s.absorb_resources(&statement);
                return s.resources.len() != before;
            }
        }
        self.statements.push(statement);
        true
    }

    /// The statements, after merging.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// Whether the document has no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Problems of every statement (see [`PolicyStatement::problems`]).
    pub fn problems(&self) -> Vec<String> {
        self.statements.iter().flat_map(|s| s.problems()).collect()
    }

    /// The document's CloudFormation JSON (tokens unresolved).
    pub fn to_json(&self) -> Json {
        // Built directly: `json!` would copy the statements through serde.
        policy_document(self.statements.iter().map(PolicyStatement::to_json).collect())
    }
}

/// `{"Version": "2012-10-17", "Statement": statements}` (in that order, as
/// `json!` built it), the statements moved in.
pub(crate) fn policy_document(statements: Vec<Json>) -> Json {
    let mut m = serde_json::Map::new();
    m.insert("Version".into(), Json::String("2012-10-17".into()));
    m.insert("Statement".into(), Json::Array(statements));
    Json::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use stackcraft_core::Value;

    #[test]
    fn merge_actions_with_same_resources() {
        let mut d = PolicyDocument::new();
        assert!(d.add_statement(PolicyStatement::allow().action("s3:GetObject").resource("arn:b/*")));
        assert!(d.add_statement(PolicyStatement::allow().action("s3:PutObject").resource("arn:b/*")));
        assert!(!d.add_statement(PolicyStatement::allow().action("s3:GetObject").resource("arn:b/*")));
        assert_eq!(d.statements().len(), 1);
        assert_eq!(d.to_json()["Statement"][0]["Action"], json!(["s3:GetObject", "s3:PutObject"]));
    }

    #[test]
    fn conditions_and_effects_keep_statements_apart() {
        let mut d = PolicyDocument::new();
        d.add_statement(PolicyStatement::allow().action("s3:GetObject").resource("arn:b/*"));
        d.add_statement(PolicyStatement::deny().action("s3:GetObject").resource("arn:b/*"));
        d.add_statement(PolicyStatement::allow().action("s3:GetObject").resource("arn:b/*").condition(
            "Bool",
            "aws:SecureTransport",
            "true",
        ));
        assert_eq!(d.statements().len(), 3);
    }

    #[test]
    fn intrinsic_resources_merge_deterministically() {
        let a = Value::arn("sqs", Value::region(), Value::account_id(), "a");
        let b = Value::arn("sqs", Value::region(), Value::account_id(), "b");
        let st = |r: &Value<String>| PolicyStatement::allow().action("sqs:SendMessage").resource(r.clone());
        let d1 = PolicyDocument::from_statements([st(&a), st(&b)]);
        let d2 = PolicyDocument::from_statements([st(&b), st(&a)]);
        assert_eq!(d1.to_json(), d2.to_json());
        assert_eq!(d1.statements().len(), 1);
    }

    #[test]
    fn json_shape() {
        let d = PolicyDocument::from_statements([PolicyStatement::allow()
            .sid("Read")
            .actions(["logs:PutLogEvents", "logs:CreateLogStream"])
            .resource("arn:lg")]);
        assert_eq!(
            d.to_json(),
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "Read", "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:lg"
            }]})
        );
    }
}
