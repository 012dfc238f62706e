//! Builder misuse that must not compile.

#[test]
fn builder_misuse_does_not_compile() {
    if std::env::var("STACKCRAFT_SKIP_TRYBUILD").as_deref() == Ok("1") {
        eprintln!("skipping trybuild tests: STACKCRAFT_SKIP_TRYBUILD=1");
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
