//! Misuse that must not compile: the required settings of a shared-ALB
//! service are enforced by the typed builder.

#[test]
fn misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
