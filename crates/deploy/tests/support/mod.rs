//! Test support of the deploy crate: [`mocked`] AWS clients (aws-smithy-mocks)
//! for the library tests, and the harness for the deploy wire tests: the asynchronous CloudFormation double
//! (`tests/double/cfn_double.py`, moto 5.2.5 patched to behave like the
//! service: IN_PROGRESS phases, per-resource events, rollback, DELETE_SKIPPED,
//! termination protection, concurrent writers, imports) on a free loopback
//! port, hand-written cloud assemblies, and a runner for the real
//! `stackcraft-deploy` binary against the double.
//!
//! The double runs on the python of moto's venv,
//! `$STACKCRAFT_TOOLS/moto/bin/python` (default `<workspace>/.tools`).
//! Without it the tests fail with a clear message, unless
//! `STACKCRAFT_SKIP_EXTERNAL=1` (then they say why and pass).
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
pub use stackcraft_testing::moto::{pos, Run};

/// Mocked AWS clients (aws-smithy-mocks) for the tests that drive the library.
pub mod mocked;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The CloudFormation double on 127.0.0.1 (through the shared moto harness,
/// `stackcraft_testing::moto`), killed when dropped.
pub struct Double {
    emulator: stackcraft_testing::moto::Emulator,
    pub port: u16,
}

impl Double {
    /// Start the double (operations take `delay_ms`), or `None` when moto is
    /// missing and skipping is allowed.
    pub fn start(delay_ms: u64) -> Option<Double> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/double/cfn_double.py");
        let delay = delay_ms.to_string();
        let emulator = stackcraft_testing::moto::Emulator::python_script(&script, &[("DOUBLE_DELAY_MS", &delay)])?;
        let port = emulator.port;
        Some(Double { emulator, port })
    }

    pub fn endpoint(&self) -> String {
        self.emulator.endpoint()
    }

    /// Configure faults: `hang` = actions that never answer (empty: none).
    pub fn hang(&self, actions: &[&str]) {
        self.call("DoubleConfig", &[("Hang", &actions.join(","))]);
    }

    /// Call CloudFormation action `action` on the double directly (to tamper
    /// with a stack as someone else would); returns the response body.
    pub fn call(&self, action: &str, params: &[(&str, &str)]) -> String {
        use std::io::{Read, Write};
        let mut body = format!("Action={action}&Version=2010-05-15");
        for (k, v) in params {
            body.push_str(&format!("&{k}={v}"));
        }
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cloudformation/aws4_request, \
             SignedHeaders=host, Signature=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        assert!(out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200"), "{out}");
        out
    }
}

/// The stackcraft-deploy command against endpoint `endpoint`.
pub fn command(endpoint: &str, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut cmd =
        stackcraft_testing::moto::aws_command_at(endpoint, env!("CARGO_BIN_EXE_stackcraft-deploy"), "us-east-1");
    cmd.args(args);
    for (k, v) in envs {
        if v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    cmd
}

/// Run the stackcraft-deploy binary against `double`.
pub fn deploy<S: AsRef<str>>(double: &Double, args: &[S], envs: &[(&str, &str)]) -> Run {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    run_at(&double.endpoint(), &args, envs)
}

/// Run the stackcraft-deploy binary against any endpoint.
pub fn run_at(endpoint: &str, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut cmd = command(endpoint, args, envs);
    stackcraft_testing::moto::run(&mut cmd, &format!("stackcraft-deploy {} {envs:?}", args.join(" ")))
}

/// Start the binary, wait until its output contains `when`, send it SIGINT
/// (Ctrl-C), and collect the rest. Also returns the seconds from SIGINT to exit.
pub fn interrupt_when(endpoint: &str, args: &[&str], envs: &[(&str, &str)], when: &str) -> (Run, f64) {
    use std::io::BufRead;
    let mut cmd = command(endpoint, args, envs);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start stackcraft-deploy");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    for pipe in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !text.contains(when) {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(l) => {
                text.push_str(&l);
                text.push('\n');
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
        assert!(Instant::now() < deadline, "never saw {when:?}:\n{text}");
    }
    let sent = Instant::now();
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    let secs = sent.elapsed().as_secs_f64();
    for l in rx.iter() {
        text.push_str(&l);
        text.push('\n');
    }
    println!("$ stackcraft-deploy {} (SIGINT after {when:?}, exited {secs:.1}s later)\n{text}", args.join(" "));
    (Run { ok: code == Some(0), code, out: text }, secs)
}

/// One stack of a hand-written assembly.
pub struct Stack {
    pub id: &'static str,
    pub template: Json,
    pub dependencies: Vec<&'static str>,
    pub region: Option<&'static str>,
    pub shared: bool,
    pub protected: bool,
}

impl Stack {
    pub fn new(id: &'static str, template: Json) -> Stack {
        Stack { id, template, dependencies: vec![], region: None, shared: false, protected: false }
    }
    pub fn after(mut self, dep: &'static str) -> Stack {
        self.dependencies.push(dep);
        self
    }
}

/// Write an assembly of app `app`, environment `env`, into `dir` (replacing
/// what is there). Stack names are `app-env-Id` (shared: `app-Id`).
pub fn write_assembly(dir: &Path, app: &str, env: &str, stacks: &[Stack]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut artifacts = serde_json::Map::new();
    let mut meta = Vec::new();
    for s in stacks {
        let name = if s.shared { format!("{app}-{}", s.id) } else { format!("{app}-{env}-{}", s.id) };
        let file = format!("{}.template.json", s.id);
        std::fs::write(dir.join(&file), serde_json::to_string_pretty(&s.template).unwrap()).unwrap();
        artifacts.insert(
            s.id.to_string(),
            json!({
                "type": "aws:cloudformation:stack",
                "environment": format!("aws://unknown-account/{}", s.region.unwrap_or("unknown-region")),
                "properties": {"templateFile": file, "stackName": name, "terminationProtection": s.protected},
                "dependencies": s.dependencies,
                "displayName": s.id,
            }),
        );
        let mut m = json!({"id": s.id, "stackName": name, "templateFile": file, "dependencies": s.dependencies});
        if s.shared {
            m["shared"] = json!(true);
        }
        meta.push(m);
    }
    std::fs::write(dir.join("manifest.json"), json!({"version": "36.0.0", "artifacts": artifacts}).to_string())
        .unwrap();
    let production = stacks.iter().any(|s| s.protected);
    std::fs::write(
        dir.join("stackcraft.json"),
        json!({"schemaVersion": "1.0.0", "app": app, "environment": env, "production": production, "stacks": meta})
            .to_string(),
    )
    .unwrap();
}

/// A queue, exporting its ARN as `export` (None: no export).
pub fn producer(export: Option<&str>) -> Json {
    let mut t = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}});
    if let Some(name) = export {
        t["Outputs"] = json!({"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Export": {"Name": name}}});
    }
    t
}

/// A topic whose display name imports `import` (None: a literal).
pub fn consumer(import: Option<&str>) -> Json {
    let name = match import {
        Some(i) => json!({"Fn::ImportValue": i}),
        None => json!("literal"),
    };
    json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": name}}}})
}
