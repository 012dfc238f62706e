//! What a deployer (a CI role running `cargo xtask deploy`) needs.

use stackcraft_core::Value;

use crate::statement::PolicyStatement;

/// The CloudFormation actions `cargo xtask deploy|diff|destroy` call, on the
/// app's stacks only.
pub const DEPLOY_CLOUDFORMATION_ACTIONS: [&str; 10] = [
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:UpdateStack",
    "cloudformation:UpdateTerminationProtection",
];

/// The least-privilege statements for `cargo xtask deploy` on the stacks
/// whose names match `stack_patterns` (e.g. `order-tracking-dev-*`; stacks
/// are named `<app>-<environment>-<Stack>` unless renamed):
///
/// - CloudFormation: [`DEPLOY_CLOUDFORMATION_ACTIONS`] on
///   `arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/<pattern>/*`
///   (change-set actions are authorized on the stack);
/// - the assets bucket `stackcraft-assets-<account>-<region>` that deploy
///   creates on first use for templates over 51,200 bytes: `s3:ListBucket`
///   (HeadBucket), `s3:CreateBucket`, `s3:PutBucketPublicAccessBlock`,
///   `s3:PutBucketVersioning`, `s3:PutEncryptionConfiguration` on the bucket,
///   `s3:PutObject`/`s3:GetObject` on `templates/*` (CloudFormation reads the
///   template with the caller's credentials).
///
/// `sts:GetCallerIdentity` needs no permission. Deploy calls CloudFormation
/// with the deployer's own credentials, so the deployer also needs the
/// permissions to create, update and delete the resources in its stacks,
/// and `iam:PassRole` for every role a resource is given — grant those
/// narrowly: `Role::grant_pass_role(&deployer, ServicePrincipal::new("ecs-tasks.amazonaws.com"))`
/// for the ECS execution and task roles.
///
/// Every pattern must be a stack name with at most `*` wildcards and at
/// least one literal character; a bad pattern is a [`StackPatternError`].
pub fn deploy_statements<S: AsRef<str>>(stack_patterns: &[S]) -> Result<Vec<PolicyStatement>, StackPatternError> {
    let stacks = stack_statement(PolicyStatement::allow().actions(DEPLOY_CLOUDFORMATION_ACTIONS), stack_patterns)?;
    let bucket = Value::sub("arn:${AWS::Partition}:s3:::stackcraft-assets-${AWS::AccountId}-${AWS::Region}");
    let templates =
        Value::sub("arn:${AWS::Partition}:s3:::stackcraft-assets-${AWS::AccountId}-${AWS::Region}/templates/*");
    Ok(vec![
        stacks,
        PolicyStatement::allow()
            .actions([
                "s3:CreateBucket",
                "s3:ListBucket",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
            ])
            .resource(bucket),
        PolicyStatement::allow().actions(["s3:GetObject", "s3:PutObject"]).resource(templates),
    ])
}

/// The CloudFormation actions `cargo xtask deploy ENV` calls on a
/// [shared stack](stackcraft_core::App::shared_stack) it does not deploy:
/// it reads the stack's outputs and compares its deployed template.
pub const READ_CLOUDFORMATION_ACTIONS: [&str; 2] = ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"];

/// Read-only access to the stacks matching `stack_patterns`
/// ([`READ_CLOUDFORMATION_ACTIONS`]): what a deployer of an environment
/// needs on the shared stacks its stacks import from (e.g.
/// `order-tracking-Bootstrap`), without being able to change them. Patterns
/// are checked as in [`deploy_statements`].
pub fn read_statements<S: AsRef<str>>(stack_patterns: &[S]) -> Result<Vec<PolicyStatement>, StackPatternError> {
    Ok(vec![stack_statement(PolicyStatement::allow().actions(READ_CLOUDFORMATION_ACTIONS), stack_patterns)?])
}

/// Why [`deploy_statements`] or [`read_statements`] refused the stack patterns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StackPatternError {
    /// No pattern was given.
    #[error("name at least one stack pattern, e.g. \"order-tracking-dev-*\"")]
    Empty,
    /// A pattern that is not a stack name with optional `*` wildcards.
    #[error(
        "stack pattern {0:?} must be a stack name (letter first, then A-Z a-z 0-9 -) with optional '*' \
         wildcards, e.g. \"order-tracking-dev-*\""
    )]
    Invalid(String),
}

/// `statement` on the stacks matching `stack_patterns`, each checked.
fn stack_statement<S: AsRef<str>>(
    mut statement: PolicyStatement,
    stack_patterns: &[S],
) -> Result<PolicyStatement, StackPatternError> {
    if stack_patterns.is_empty() {
        return Err(StackPatternError::Empty);
    }
    for p in stack_patterns {
        let p = p.as_ref();
        let literal = p.chars().filter(|c| *c != '*').count();
        let ok = literal > 0
            && p.len() <= 128
            && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*');
        if !ok {
            return Err(StackPatternError::Invalid(p.to_owned()));
        }
        statement = statement.resource(Value::arn(
            "cloudformation",
            Value::region(),
            Value::account_id(),
            format!("stack/{p}/*"),
        ));
    }
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::ToCfn;

    #[test]
    fn statements_are_scoped_to_the_stacks_and_bucket() {
        let st = deploy_statements(&["order-tracking-dev-*"]).expect("ok");
        assert_eq!(st.len(), 3);
        assert!(st.iter().all(|s| s.problems().is_empty()));
        let stacks = st[0].to_json().to_string();
        assert!(stacks.contains("stack/order-tracking-dev-*/*") && !stacks.contains("arn:aws:"), "{stacks}");
        let bucket = st[1].resource_list()[0].to_cfn().to_string();
        assert!(bucket.contains("stackcraft-assets-${AWS::AccountId}-${AWS::Region}"), "{bucket}");
    }

    #[test]
    fn bad_patterns() {
        assert_eq!(
            deploy_statements(&["*"]).expect_err("wildcard only").to_string(),
            "stack pattern \"*\" must be a stack name (letter first, then A-Z a-z 0-9 -) with optional '*' \
             wildcards, e.g. \"order-tracking-dev-*\""
        );
        assert!(deploy_statements::<&str>(&[]).is_err());
        assert_eq!(deploy_statements(&["app/x"]).unwrap_err(), StackPatternError::Invalid("app/x".into()));
        assert!(read_statements(&["*"]).is_err() && read_statements::<&str>(&[]).is_err());
    }

    #[test]
    fn read_statements_only_describe_and_get_the_template() {
        let st = read_statements(&["order-tracking-Bootstrap"]).expect("ok");
        assert_eq!(st.len(), 1);
        assert!(st[0].problems().is_empty());
        let text = st[0].to_json().to_string();
        assert!(text.contains("stack/order-tracking-Bootstrap/*"), "{text}");
        assert!(text.contains("cloudformation:DescribeStacks") && text.contains("cloudformation:GetTemplate"));
        assert!(!text.contains("Update") && !text.contains("Delete") && !text.contains("Create"), "{text}");
    }
}
