//! Builder misuse that must not compile: a missing required property (as
//! an argument or as a field of `<Type>Required`), required properties
//! passed positionally, a value of the wrong type, a string or an unknown
//! variant where an enum is required, a nested struct of the wrong type, a
//! struct literal of a `#[non_exhaustive]` props struct, a GetAtt attribute
//! used at the wrong type.
#![allow(missing_docs)]

// Only with every service (`--features full`, which `cargo test --workspace`
// enables through the facade): rustc's "other types implement `From`" hint
// in the expected `.stderr` lists, and path-qualifies, differently with
// other feature sets, so the files are blessed in this one configuration
// (`TRYBUILD=overwrite cargo test -p stackcraft-cfn --features full --test compile_fail`).
#[cfg(feature = "full")]
#[test]
fn builder_misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
