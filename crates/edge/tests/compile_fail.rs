//! Misuse that must not compile: a distribution needs a default behaviour,
//! and plain-HTTP viewers (`allow-all`) cannot be expressed.

#[test]
fn misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
