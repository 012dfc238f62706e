//! The create-only and conditional create-only properties of every
//! CloudFormation type the L1 layer generates, by type name, with no
//! dependencies: for tools that must not link the L1 layer (deploy).
//!
//! This is not a copy: the module *is* the generated file
//! `crates/cfn/src/replacement.rs` (`cargo xtask codegen` writes it from the
//! provider schemas; `stackcraft_cfn::replacement` is the same file), compiled
//! here on its own.

#[path = "../../cfn/src/replacement.rs"]
mod generated;

pub use generated::{replacement, REPLACEMENT};

/// How a changed property affects its resource, per the provider schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A create-only property: the resource is replaced.
    Replaces,
    /// A conditional create-only property: the resource may be replaced.
    MayReplace,
}

/// The create-only properties of `type_name` (dotted paths, `*` for any list
/// item) with their effect: create-only first, then conditional. Empty for a
/// type the L1 layer does not have.
pub fn create_only(type_name: &str) -> Vec<(&'static str, Effect)> {
    match replacement(type_name) {
        Some((always, conditional)) => always
            .iter()
            .map(|p| (*p, Effect::Replaces))
            .chain(conditional.iter().map(|p| (*p, Effect::MayReplace)))
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamodb_key_schema_may_replace_the_table() {
        let t = create_only("AWS::DynamoDB::Table");
        assert!(t.contains(&("TableName", Effect::Replaces)));
        assert!(t.contains(&("KeySchema", Effect::MayReplace)));
        assert!(create_only("AWS::Nope::Nope").is_empty());
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(REPLACEMENT.windows(2).all(|w| w.first().map(|a| a.0) < w.get(1).map(|b| b.0)));
    }
}
