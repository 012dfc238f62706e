//! Shared harness for emulator deploy tests: a moto server on a free loopback
//! port and a runner for the real xtask binary against it.
//!
//! moto is found at `$STACKCRAFT_TOOLS/moto/bin/moto_server` (default
//! `<workspace>/.tools`). Without it the tests fail with a clear message,
//! unless `STACKCRAFT_SKIP_EXTERNAL=1` (then they say why and pass).
#![allow(dead_code, unreachable_pub)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A moto server on 127.0.0.1, killed when dropped.
pub struct Moto {
    child: Child,
    /// The loopback port moto listens on.
    pub port: u16,
}

impl Moto {
    /// Start moto, or `None` when it is missing and skipping is allowed.
    pub fn start() -> Option<Moto> {
        let tools =
            std::env::var_os("STACKCRAFT_TOOLS").map(PathBuf::from).unwrap_or_else(|| workspace_root().join(".tools"));
        let bin = tools.join("moto/bin/moto_server");
        if !bin.is_file() {
            let msg = format!(
                "moto server not found at {} (install moto[server]==5.2.5 there, or set \
                 STACKCRAFT_TOOLS; STACKCRAFT_SKIP_EXTERNAL=1 skips this test)",
                bin.display()
            );
            if std::env::var("STACKCRAFT_SKIP_EXTERNAL").as_deref() == Ok("1") {
                eprintln!("skipping: {msg}");
                return None;
            }
            panic!("{msg}");
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = Moto { child, port };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start on {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub out: String,
}

/// Run the xtask binary against `moto` with extra environment variables.
pub fn xtask<S: AsRef<str>>(moto: &Moto, args: &[S], envs: &[(&str, &str)]) -> Run {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(&args)
        .current_dir(workspace_root())
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("STACKCRAFT_POLL_MS", "20")
        .env("STACKCRAFT_PLAIN_OUTPUT", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("DEMO_VARIANT")
        .env_remove("DEMO_LINKED")
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run xtask");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("$ xtask {} {envs:?}\n{text}", args.join(" "));
    Run { ok: out.status.success(), code: out.status.code(), out: text }
}

pub fn pos(haystack: &str, needle: &str) -> usize {
    haystack.find(needle).unwrap_or_else(|| panic!("{needle:?} not in output:\n{haystack}"))
}
