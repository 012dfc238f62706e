//! The moto emulator (pinned `moto[server]` 5.2.5) for deploy tests: one
//! harness for `xtask/tests` and `crates/deploy/tests`.
//!
//! [`Emulator::moto`] starts `$STACKCRAFT_TOOLS/moto/bin/moto_server` on a
//! free loopback port with the test-only fixes of `crates/testing/moto/`
//! (loaded through Python's `sitecustomize` hook, only in that process; see
//! `crates/testing/EMULATOR.md`). [`Emulator::python_script`] runs another
//! moto-based server (e.g. the deploy crate's CloudFormation double) on the
//! same venv's python. Without moto the tests fail with a clear message,
//! unless `STACKCRAFT_SKIP_EXTERNAL=1` (then they say why and pass).
//!
//! ```no_run
//! use stackcraft_testing::moto::Emulator;
//! let Some(moto) = Emulator::moto() else { return };
//! let mut cmd = moto.aws_command("/path/to/stackcraft-deploy", "us-east-1");
//! let run = stackcraft_testing::moto::run(&mut cmd, "stackcraft-deploy deploy dev");
//! assert!(run.ok, "{}", run.out);
//! ```

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The directory whose `sitecustomize.py` patches moto for our harness.
pub fn patches_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("moto")
}

/// A moto-based server on 127.0.0.1, killed when dropped.
pub struct Emulator {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

impl Emulator {
    /// Start `moto_server` with the harness's moto fixes, or `None` when moto
    /// is missing and skipping is allowed.
    pub fn moto() -> Option<Emulator> {
        let bin = crate::tool("moto/bin/moto_server")?;
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).env("PYTHONPATH", patches_dir());
        Some(Emulator::spawn(cmd, port, "moto_server"))
    }

    /// Run `script` (a moto-based server taking `-H HOST -p PORT`) on the
    /// python of moto's venv with extra environment `envs`, or `None` when
    /// moto is missing and skipping is allowed.
    pub fn python_script(script: &Path, envs: &[(&str, &str)]) -> Option<Emulator> {
        let python = crate::tool("moto/bin/python")?;
        let port = free_port();
        let mut cmd = Command::new(python);
        cmd.arg(script).args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Some(Emulator::spawn(cmd, port, &script.display().to_string()))
    }

    fn spawn(mut cmd: Command, port: u16, what: &str) -> Emulator {
        // STACKCRAFT_MOTO_LOG=FILE keeps the server's log (tracebacks of
        // what it failed to model) for debugging; otherwise it is dropped.
        let log = std::env::var_os("STACKCRAFT_MOTO_LOG")
            .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok());
        let (out, err) = match log.and_then(|f| Some((f.try_clone().ok()?, f))) {
            Some((a, b)) => (Stdio::from(a), Stdio::from(b)),
            None => (Stdio::null(), Stdio::null()),
        };
        let child = cmd.stdout(out).stderr(err).spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let emulator = Emulator { child, port };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "{what} did not start on {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        emulator
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A command for `bin` pointed at this emulator (see [`aws_command_at`]).
    pub fn aws_command(&self, bin: impl AsRef<std::ffi::OsStr>, region: &str) -> Command {
        aws_command_at(&self.endpoint(), bin, region)
    }

    /// One raw HTTP/1.1 request to the emulator (moto checks no signature,
    /// but routes by the credential scope's service and region): returns the
    /// status code and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        service: &str,
        region: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap_or_else(|e| panic!("connect to moto: {e}"));
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: AWS4-HMAC-SHA256 \
             Credential=testing/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x\r\n",
            self.port
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).unwrap_or_else(|e| panic!("write to moto: {e}"));
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        let status = out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// A JSON-protocol call (`X-Amz-Target: {target}`), e.g.
    /// `json_call("dynamodb", "eu-central-1", "DynamoDB_20120810.ListTables", "{}")`.
    pub fn json_call(&self, service: &str, region: &str, target: &str, body: &str) -> String {
        let headers = [("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-1.0")];
        let (status, body) = self.request("POST", "/", service, region, &headers, body);
        assert_eq!(status, 200, "{target}: {body}");
        body
    }

    /// Create a public Route53 hosted zone `name`; returns its id (without
    /// the `/hostedzone/` prefix).
    pub fn create_hosted_zone(&self, name: &str) -> String {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateHostedZoneRequest \
             xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Name>{name}</Name>\
             <CallerReference>stackcraft-{name}</CallerReference></CreateHostedZoneRequest>"
        );
        let headers = [("Content-Type", "text/xml")];
        let (status, resp) = self.request("POST", "/2013-04-01/hostedzone", "route53", "us-east-1", &headers, &body);
        assert_eq!(status, 201, "CreateHostedZone: {resp}");
        resp.split("<Id>/hostedzone/")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or_else(|| panic!("no zone id in {resp}"))
            .to_string()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command for `bin` pointed at `endpoint`: test credentials, `region`,
/// fast polling, plain output, no profile, no standard input.
pub fn aws_command_at(endpoint: &str, bin: impl AsRef<std::ffi::OsStr>, region: &str) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", region)
        .env("STACKCRAFT_POLL_MS", "20")
        .env("STACKCRAFT_PLAIN_OUTPUT", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::null());
    cmd
}

/// What a command printed and how it ended.
pub struct Run {
    /// Exit status 0.
    pub ok: bool,
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output followed by standard error.
    pub out: String,
}

/// Run `cmd` to the end, print `$ {label}`, its output and wall time (shown
/// with `--nocapture`), and return what it printed.
pub fn run(cmd: &mut Command, label: &str) -> Run {
    let start = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {label}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("$ {label} ({:.1}s)\n{text}", start.elapsed().as_secs_f64());
    Run { ok: out.status.success(), code: out.status.code(), out: text }
}

/// Byte position of `needle` in `haystack`; panics with the haystack when absent.
pub fn pos(haystack: &str, needle: &str) -> usize {
    haystack.find(needle).unwrap_or_else(|| panic!("{needle:?} not in output:\n{haystack}"))
}
