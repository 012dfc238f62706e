//! The app binary (which installs `stackcraft::SynthAllocator`) writes the
//! same template bytes as the library synthesizes in this test process
//! (the system allocator), for every environment.

use std::process::Command;

#[test]
fn the_binary_writes_what_the_library_synthesizes() {
    let out = std::env::temp_dir().join(format!("order-portal-binary-{}", std::process::id()));
    let envs = order_portal::environments();
    for env in envs.iter() {
        let name = env.name.as_str();
        let dir = out.join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_order-portal"))
            .args(["synth", "-q", "--env", name, "--out"])
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("run the binary: {e}"));
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let a = stackcraft::core::cli::synth_env("order-portal", env, order_portal::build)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for s in &a.stacks {
            let written = std::fs::read_to_string(dir.join(s.template_file()))
                .unwrap_or_else(|e| panic!("{name}/{}: {e}", s.template_file()));
            assert!(written == s.template_text(), "{name}/{}: the binary wrote different bytes", s.template_file());
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
