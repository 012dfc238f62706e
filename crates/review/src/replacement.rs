//! Replacement rules: which property changes replace a resource.
//!
//! [`Rules`] is what the diff engine asks. Two sources implement it: the
//! table the generator emits from the provider schemas (`createOnlyProperties` /
//! `conditionalCreateOnlyProperties`) for every type of the L1 layer, read
//! through the dependency-free `stackcraft-replacement` crate ([`Schemas`],
//! feature `app`), and the create-only properties the assembly
//! carries in `stackcraft.json` (a `BTreeMap` of type → top-level property
//! names), which is what the online diff in `stackcraft-deploy` has.

use std::collections::BTreeMap;

use crate::diff::Replacement as Verdict;

/// Create-only and conditional create-only property paths of a type.
#[derive(Debug, Clone, Copy)]
pub struct Replacement {
    /// Properties whose change replaces the resource.
    pub create_only: &'static [&'static str],
    /// Properties whose change may replace the resource.
    pub conditional: &'static [&'static str],
}

/// The replacement metadata of `type_name`, if the L1 layer has the type.
#[cfg(feature = "app")]
pub fn lookup(type_name: &str) -> Option<Replacement> {
    stackcraft_replacement::replacement(type_name)
        .map(|(create_only, conditional)| Replacement { create_only, conditional })
}

/// The replacement verdict of a property change.
pub trait Rules: Sync {
    /// The verdict of changing the property at `path` (dotted, without
    /// `Properties.`) of a resource of type `type_name`.
    fn verdict(&self, type_name: &str, path: &str) -> Verdict;
}

/// The provider schemas' create-only table of the L1 layer.
#[cfg(feature = "app")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Schemas;

#[cfg(feature = "app")]
impl Rules for Schemas {
    fn verdict(&self, type_name: &str, path: &str) -> Verdict {
        match lookup(type_name) {
            Some(i) if i.create_only.iter().any(|c| covers(c, path)) => Verdict::Always,
            Some(i) if i.conditional.iter().any(|c| covers(c, path)) => Verdict::Conditional,
            _ => Verdict::None,
        }
    }
}

/// Create-only property paths by type (`stackcraft.json`'s
/// `createOnlyProperties`); no conditional ones.
impl Rules for BTreeMap<String, Vec<String>> {
    fn verdict(&self, type_name: &str, path: &str) -> Verdict {
        match self.get(type_name) {
            Some(ps) if ps.iter().any(|c| covers(c, path)) => Verdict::Always,
            _ => Verdict::None,
        }
    }
}

/// Whether a change at `path` touches the schema path `schema` (`*` matches
/// any list item; lists are compared whole, so a prefix match counts).
pub fn covers(schema: &str, path: &str) -> bool {
    let s: Vec<&str> = schema.split('.').collect();
    let p: Vec<&str> = path.split('.').collect();
    s.iter().zip(p.iter()).all(|(a, b)| *a == "*" || a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembly_create_only_map_is_a_rule_source() {
        let m = BTreeMap::from([("AWS::RDS::DBInstance".to_owned(), vec!["DBInstanceIdentifier".to_owned()])]);
        assert_eq!(m.verdict("AWS::RDS::DBInstance", "DBInstanceIdentifier"), Verdict::Always);
        assert_eq!(m.verdict("AWS::RDS::DBInstance", "AllocatedStorage"), Verdict::None);
        assert_eq!(m.verdict("AWS::S3::Bucket", "BucketName"), Verdict::None);
    }
}
