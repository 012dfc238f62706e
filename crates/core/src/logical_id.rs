//! Logical IDs derived from construct paths, the way CDK derives them: a
//! readable part plus a short hash of the full path, so a resource's ID depends
//! on its own path only (renaming or adding an unrelated construct never
//! changes it). A resource directly under its stack keeps its plain id.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use crate::graph::{Graph, NodeId, NodeKind};

/// Maximum length of a CloudFormation logical ID.
pub const MAX_LEN: usize = 255;
const HASH_LEN: usize = 8;
/// Path components that are left out of the readable part (as in CDK).
const HIDDEN: [&str; 2] = ["Default", "Resource"];

/// FNV-1a, 64 bit: small, stable across platforms and releases (the one
/// implementation lives in the assembly contract, shared with deploy).
pub(crate) fn stable_hash(data: &str) -> u64 {
    stackcraft_assembly::stable_hash(data.as_bytes())
}

fn alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The logical ID for a path of construct ids below a stack.
pub fn from_path(components: &[&str]) -> String {
    if let [only] = components {
        if !only.is_empty() && only.len() <= MAX_LEN && only.chars().all(|c| c.is_ascii_alphanumeric()) {
            return (*only).to_owned();
        }
    }
    let hash = format!("{:08X}", stable_hash(&components.join("/")) as u32);
    let mut human = String::new();
    let mut last: Option<&str> = None;
    for c in components {
        if HIDDEN.contains(c) || last == Some(*c) {
            continue;
        }
        last = Some(c);
        human.push_str(&alnum(c));
    }
    if human.is_empty() || !human.starts_with(|c: char| c.is_ascii_alphabetic()) {
        human.insert(0, 'R');
    }
    human.truncate(MAX_LEN - HASH_LEN);
    debug_assert_eq!(hash.len(), HASH_LEN);
    human + &hash
}

/// The logical ID of a node: an override, a stack-level element's own id, or
/// derived from its path.
pub(crate) fn for_node(g: &Graph, node: NodeId) -> String {
    let Some(n) = g.nodes.get(node) else { return String::new() };
    match &n.kind {
        NodeKind::Resource(d) if d.logical_id.is_some() => d.logical_id.clone().unwrap_or_default(),
        NodeKind::Resource(_) | NodeKind::Scope => from_path(&g.path_below_stack(node)),
        _ => n.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_ids_are_kept() {
        assert_eq!(from_path(&["Vpc"]), "Vpc");
    }

    #[test]
    fn nested_ids_get_readable_part_and_hash() {
        let id = from_path(&["Network", "Vpc", "PublicSubnet1", "Subnet"]);
        assert!(id.starts_with("NetworkVpcPublicSubnet1Subnet"), "{id}");
        assert_eq!(id.len(), "NetworkVpcPublicSubnet1Subnet".len() + 8);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn default_and_resource_are_hidden_but_hashed() {
        let a = from_path(&["Bucket", "Resource"]);
        let b = from_path(&["Bucket", "Default"]);
        assert!(a.starts_with("Bucket") && b.starts_with("Bucket"));
        assert_ne!(a, b, "the hash covers the full path");
    }

    #[test]
    fn non_alphanumeric_ids_are_cleaned() {
        let id = from_path(&["my-bucket"]);
        assert!(id.starts_with("mybucket") && id.len() == "mybucket".len() + 8, "{id}");
        let id = from_path(&["1st", "x"]);
        assert!(id.starts_with("R1stx"), "{id}");
    }

    #[test]
    fn long_paths_are_truncated_to_255() {
        let long = "A".repeat(300);
        let id = from_path(&[&long, "B"]);
        assert_eq!(id.len(), MAX_LEN);
    }

    #[test]
    fn hash_is_stable() {
        // Pinned: changing the hash function would replace every nested
        // resource of every user on their next deploy.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(from_path(&["Network", "Vpc"]), "NetworkVpc1BD306C1");
    }
}
