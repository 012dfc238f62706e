//! Builder misuse that must not compile: required properties are enforced by
//! the typed builders.

#[test]
fn builder_misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
