//! Builder misuse that must not compile: a missing required property, a
//! value of the wrong type, a nested struct of the wrong type, a GetAtt
//! attribute used at the wrong type.
#![allow(missing_docs)]

#[cfg(all(feature = "ec2", feature = "ecs"))]
#[test]
fn builder_misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
