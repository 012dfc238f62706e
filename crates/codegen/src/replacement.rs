//! Emits `crates/cfn/src/replacement.rs`: a lookup of every generated type's
//! create-only and conditional create-only properties by type-name string
//! (for `stackcraft-review`'s diff, which sees any type in a template).
//! Not feature-gated: it holds strings only.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::ResourceDef;

/// `(type name, create-only, conditional create-only)` of each resource.
pub(crate) type Row = (String, Vec<String>, Vec<String>);

/// The rows of `resources`.
pub(crate) fn rows(resources: &[ResourceDef]) -> Vec<Row> {
    resources.iter().map(|r| (r.type_name.clone(), r.create_only.clone(), r.conditional_create_only.clone())).collect()
}

fn list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("&[{}]", q.join(", "))
}

/// Add `src/replacement.rs` and its `pub mod` line in `src/lib.rs`.
pub(crate) fn emit(files: &mut BTreeMap<PathBuf, String>, mut rows: Vec<Row>) {
    rows.sort();
    let mut s = String::new();
    s.push_str(crate::emit::HEADER);
    s.push_str(
        "\n//! Replacement metadata of every generated type by type name: the\n\
         //! provider schemas' `createOnlyProperties` and\n\
         //! `conditionalCreateOnlyProperties` (dotted paths, `*` for any list item).\n\n\
         /// `(type name, create-only, conditional create-only)`, sorted by type name.\n\
         pub const REPLACEMENT: &[(&str, &[&str], &[&str])] = &[\n",
    );
    for (t, c, cc) in &rows {
        s.push_str(&format!("    ({t:?}, {}, {}),\n", list(c), list(cc)));
    }
    s.push_str(
        "];\n\n\
         /// The create-only and conditional create-only properties of `type_name`,\n\
         /// if the L1 layer generates the type.\n\
         pub fn replacement(type_name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {\n\
         \x20   REPLACEMENT.binary_search_by(|(t, _, _)| (*t).cmp(type_name)).ok().and_then(|i| REPLACEMENT.get(i)).map(|(_, c, cc)| (*c, *cc))\n\
         }\n",
    );
    files.insert(PathBuf::from("src/replacement.rs"), s);
    if let Some(lib) = files.get_mut(&PathBuf::from("src/lib.rs")) {
        lib.push_str("\n/// Create-only properties of every generated type, by type name (always compiled).\npub mod replacement;\n");
    }
}
