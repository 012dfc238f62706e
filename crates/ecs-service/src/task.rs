//! Fargate task definitions, containers, secrets, health checks and logging.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use stackcraft_cfn::ecs::{self, task_definition as td};
use stackcraft_core::{list_mut, ResourceHandle, Scope, Value};
use stackcraft_iam::{Condition, Grantable, PolicyStatement, Role, RoleProps, SecretSource, ServicePrincipal};
use stackcraft_observability::{LogGroup, LogGroupProps};
use typed_builder::TypedBuilder;

use crate::image::ContainerImage;
use crate::size::FargateSize;

/// The CPU architecture tasks run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CpuArchitecture {
    /// x86-64 (default).
    #[default]
    X86_64,
    /// 64-bit ARM (Graviton; about 20% cheaper).
    Arm64,
}

impl CpuArchitecture {
    fn l1(self) -> td::CpuArchitecture {
        match self {
            CpuArchitecture::X86_64 => td::CpuArchitecture::X86_64,
            CpuArchitecture::Arm64 => td::CpuArchitecture::Arm64,
        }
    }
}

/// Settings of a [`FargateTaskDefinition`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct FargateTaskDefinitionProps {
    /// CPU and memory (required; only valid Fargate pairs exist, see
    /// [`FargateSize`]).
    pub size: FargateSize,
    /// The task family name (1–255 of `[A-Za-z0-9_-]`). Default: generated.
    #[builder(default, setter(strip_option, into))]
    pub family: Option<String>,
    /// CPU architecture (default x86-64).
    #[builder(default)]
    pub cpu_architecture: CpuArchitecture,
    /// Ephemeral storage in GiB (21–200; default: Fargate's 20 GiB).
    #[builder(default, setter(strip_option))]
    pub ephemeral_storage_gib: Option<u32>,
    /// An existing execution role (e.g. one made in a bootstrap stack,
    /// trusting `ecs-tasks.amazonaws.com`). Default: a new role. The
    /// permissions the task definition needs (image pulls, logs, secrets)
    /// are granted through an `AWS::IAM::Policy` attached to it, created
    /// under this task definition (`ExecutionRolePolicy`), so a role from
    /// another stack is not changed by this one.
    #[builder(default, setter(strip_option))]
    pub execution_role: Option<Role>,
    /// An existing task role (the application's permissions). Default: a
    /// new role. Grants go to an attached `AWS::IAM::Policy`
    /// (`TaskRolePolicy`), as for [`Self::execution_role`].
    #[builder(default, setter(strip_option))]
    pub task_role: Option<Role>,
}

/// Transport protocol of a port mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// A container port (on Fargate the host port always equals it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    port: u16,
    protocol: PortProtocol,
    name: Option<String>,
}

impl PortMapping {
    /// A TCP port.
    pub fn tcp(port: u16) -> Self {
        PortMapping { port, protocol: PortProtocol::Tcp, name: None }
    }

    /// A UDP port.
    pub fn udp(port: u16) -> Self {
        PortMapping { port, protocol: PortProtocol::Udp, name: None }
    }

    /// Name the mapping (used by Service Connect).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The protocol.
    pub fn protocol(&self) -> PortProtocol {
        self.protocol
    }

    fn to_l1(&self) -> td::PortMapping {
        let mut m = td::PortMapping::new().container_port(self.port).protocol(match self.protocol {
            PortProtocol::Tcp => td::Protocol::Tcp,
            PortProtocol::Udp => td::Protocol::Udp,
        });
        if let Some(n) = &self.name {
            m = m.name(n);
        }
        m
    }
}

#[derive(Clone)]
enum SecretKind {
    SecretsManager { source: Rc<dyn SecretSource>, json_key: Option<String> },
    Ssm { name: String, kms_key_arn: Option<Value<String>> },
}

/// A value injected into a container's environment from Secrets Manager or
/// SSM Parameter Store at task start (never written into the template). The
/// task's execution role is granted read access to exactly these secrets.
#[derive(Clone)]
pub struct ContainerSecret {
    kind: SecretKind,
}

impl fmt::Debug for ContainerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SecretKind::SecretsManager { source, json_key } => {
                f.debug_struct("SecretsManager").field("arn", &source.secret_arn()).field("json_key", json_key).finish()
            }
            SecretKind::Ssm { name, .. } => f.debug_struct("Ssm").field("name", name).finish(),
        }
    }
}

impl ContainerSecret {
    /// The whole secret value (e.g. `stackcraft_data::Secret`, or
    /// [`stackcraft_iam::ExistingSecret`]).
    pub fn from_secrets_manager<S: SecretSource + Clone + 'static>(secret: &S) -> Self {
        ContainerSecret { kind: SecretKind::SecretsManager { source: Rc::new(secret.clone()), json_key: None } }
    }

    /// One key of a JSON secret (e.g. `"password"` of an RDS secret).
    pub fn from_secrets_manager_json_key<S: SecretSource + Clone + 'static>(
        secret: &S,
        json_key: impl Into<String>,
    ) -> Self {
        ContainerSecret {
            kind: SecretKind::SecretsManager { source: Rc::new(secret.clone()), json_key: Some(json_key.into()) },
        }
    }

    /// An SSM parameter of the stack's account and region, by name
    /// (`/pyshop/prod/token` or `token`). For a `SecureString` encrypted
    /// with a customer managed key, add [`ContainerSecret::with_kms_key`].
    pub fn from_ssm_parameter(name: impl Into<String>) -> Self {
        ContainerSecret { kind: SecretKind::Ssm { name: name.into(), kms_key_arn: None } }
    }

    /// The customer managed KMS key of an SSM `SecureString` parameter (the
    /// execution role gets `kms:Decrypt` on it).
    pub fn with_kms_key(mut self, key_arn: impl Into<Value<String>>) -> Self {
        if let SecretKind::Ssm { kms_key_arn, .. } = &mut self.kind {
            *kms_key_arn = Some(key_arn.into());
        }
        self
    }

    fn ssm_arn(name: &str) -> Value<String> {
        Value::arn("ssm", Value::region(), Value::account_id(), format!("parameter/{}", name.trim_start_matches('/')))
    }

    /// The `ValueFrom` of the container definition.
    pub fn value_from(&self) -> Value<String> {
        match &self.kind {
            SecretKind::SecretsManager { source, json_key } => match json_key {
                None => source.secret_arn(),
                Some(k) => Value::join_raw("", [source.secret_arn(), Value::from(format!(":{k}::"))]),
            },
            SecretKind::Ssm { name, .. } => Self::ssm_arn(name),
        }
    }

    fn problem(&self) -> Option<String> {
        match &self.kind {
            SecretKind::SecretsManager { json_key: Some(k), .. } if k.is_empty() || k.contains(':') => {
                Some(format!("JSON key {k:?} must be non-empty and must not contain ':'"))
            }
            SecretKind::Ssm { name, .. }
                if name.trim_start_matches('/').is_empty()
                    || !name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c)) =>
            {
                Some(format!("SSM parameter name {name:?}: use [A-Za-z0-9_.-/]"))
            }
            _ => None,
        }
    }

    /// Grant `grantee` (the execution role) read access.
    fn grant_read(&self, grantee: &dyn Grantable) {
        match &self.kind {
            SecretKind::SecretsManager { source, .. } => source.grant_read(grantee),
            SecretKind::Ssm { name, kms_key_arn } => {
                let role = grantee.grant_principal();
                role.add_to_policy(PolicyStatement::allow().action("ssm:GetParameters").resource(Self::ssm_arn(name)));
                if let Some(k) = kms_key_arn {
                    role.add_to_policy(PolicyStatement::allow().action("kms:Decrypt").resource(k.clone()));
                }
            }
        }
    }
}

/// A container health check (`HEALTHCHECK` run by the ECS agent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    command: Vec<String>,
    interval_secs: u32,
    timeout_secs: u32,
    retries: u32,
    start_period_secs: u32,
}

impl HealthCheck {
    /// A shell command (`CMD-SHELL`), healthy on exit code 0, e.g.
    /// `HealthCheck::shell("curl -f http://localhost:8000/healthz || exit 1")`.
    /// Defaults: every 30 s, 5 s timeout, 3 retries, no start period.
    pub fn shell(command: impl Into<String>) -> Self {
        Self::exec(["CMD-SHELL".to_owned(), command.into()])
    }

    /// A command run without a shell: `["CMD", "/bin/check", "--fast"]`
    /// style; the `CMD` is added when missing.
    pub fn exec<S: Into<String>>(args: impl IntoIterator<Item = S>) -> Self {
        let mut command: Vec<String> = args.into_iter().map(Into::into).collect();
        if !matches!(command.first().map(String::as_str), Some("CMD" | "CMD-SHELL")) {
            command.insert(0, "CMD".to_owned());
        }
        HealthCheck { command, interval_secs: 30, timeout_secs: 5, retries: 3, start_period_secs: 0 }
    }

    /// Seconds between checks (5–300).
    pub fn interval_secs(mut self, s: u32) -> Self {
        self.interval_secs = s;
        self
    }

    /// Seconds before a check counts as failed (2–120).
    pub fn timeout_secs(mut self, s: u32) -> Self {
        self.timeout_secs = s;
        self
    }

    /// Consecutive failures before the container is unhealthy (1–10).
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// Grace period after start during which failures do not count (0–300).
    pub fn start_period_secs(mut self, s: u32) -> Self {
        self.start_period_secs = s;
        self
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut range = |what: &str, v: u32, lo: u32, hi: u32| {
            if !(lo..=hi).contains(&v) {
                out.push(format!("health check {what} {v} out of range: allowed {lo} to {hi}"));
            }
        };
        range("interval", self.interval_secs, 5, 300);
        range("timeout", self.timeout_secs, 2, 120);
        range("retries", self.retries, 1, 10);
        range("start period", self.start_period_secs, 0, 300);
        if self.timeout_secs >= self.interval_secs {
            out.push("health check timeout must be shorter than its interval".to_owned());
        }
        if self.command.len() < 2 || self.command[1..].iter().all(|s| s.trim().is_empty()) {
            out.push("health check command is empty".to_owned());
        }
        out
    }

    fn to_l1(&self) -> td::HealthCheck {
        td::HealthCheck::new()
            .command(self.command.clone())
            .interval(self.interval_secs)
            .timeout(self.timeout_secs)
            .retries(self.retries)
            .start_period(self.start_period_secs)
    }
}

/// Where a container's stdout/stderr go.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Logging {
    /// The `awslogs` driver to a new log group for this container (default:
    /// one-year retention, KMS-encrypted, `Retain`).
    NewLogGroup(LogGroupProps),
    /// The `awslogs` driver to an existing log group.
    AwsLogs {
        /// The log group.
        log_group: LogGroup,
        /// Stream prefix (`<prefix>/<container>/<task id>`).
        stream_prefix: String,
    },
    /// No log driver (output is lost).
    None,
}

impl Default for Logging {
    fn default() -> Self {
        Logging::NewLogGroup(LogGroupProps::default())
    }
}

/// Settings of a container added with [`FargateTaskDefinition::add_container`].
///
/// Secure defaults: read-only root file system (writable scratch paths via
/// [`ContainerProps::writable_paths`]), never privileged, logs to a
/// retained, encrypted log group, secrets only through
/// [`ContainerProps::secrets`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct ContainerProps {
    /// The container name (1–255 of `[A-Za-z0-9_-]`, unique in the task).
    #[builder(setter(into))]
    pub name: String,
    /// The image.
    pub image: ContainerImage,
    /// The task stops when an essential container stops (default `true`).
    #[builder(default = true)]
    pub essential: bool,
    /// CPU units reserved for the container.
    #[builder(default, setter(strip_option))]
    pub cpu: Option<u32>,
    /// Hard memory limit in MiB.
    #[builder(default, setter(strip_option))]
    pub memory_limit_mib: Option<u32>,
    /// Soft memory reservation in MiB.
    #[builder(default, setter(strip_option))]
    pub memory_reservation_mib: Option<u32>,
    /// Ports the container listens on.
    #[builder(default)]
    pub port_mappings: Vec<PortMapping>,
    /// Plain environment variables (no secrets: use `secrets`).
    #[builder(default)]
    pub environment: BTreeMap<String, Value<String>>,
    /// Environment variables filled from Secrets Manager / SSM at start.
    #[builder(default)]
    pub secrets: BTreeMap<String, ContainerSecret>,
    /// Health check.
    #[builder(default, setter(strip_option))]
    pub health_check: Option<HealthCheck>,
    /// Logging (default: `awslogs` to a new log group).
    #[builder(default)]
    pub logging: Logging,
    /// Mount the root file system read-only (default `true`, checkov
    /// CKV_AWS_43). Turning it off records a checkov skip naming this field.
    #[builder(default = true)]
    pub readonly_root_filesystem: bool,
    /// Paths that stay writable with a read-only root (task-local scratch
    /// volumes), e.g. `vec!["/tmp".into()]`.
    #[builder(default)]
    pub writable_paths: Vec<String>,
    /// The user (and group) to run as, e.g. `"1000:1000"` (default: the
    /// image's `USER`). A non-root user is recommended.
    #[builder(default, setter(strip_option, into))]
    pub user: Option<String>,
    /// Override the image's `CMD`.
    #[builder(default)]
    pub command: Vec<String>,
    /// Override the image's `ENTRYPOINT`.
    #[builder(default)]
    pub entry_point: Vec<String>,
    /// Working directory.
    #[builder(default, setter(strip_option, into))]
    pub working_directory: Option<String>,
    /// Seconds between SIGTERM and SIGKILL (2–120; Fargate default 30).
    #[builder(default, setter(strip_option))]
    pub stop_timeout_secs: Option<u32>,
    /// Run an init process as PID 1 that reaps zombies and forwards signals
    /// (default `true`; recommended for ECS Exec).
    #[builder(default = true)]
    pub init_process: bool,
    /// Docker labels.
    #[builder(default)]
    pub docker_labels: BTreeMap<String, String>,
}

#[derive(Debug)]
struct ContainerInfo {
    name: String,
    ports: Vec<PortMapping>,
    essential: bool,
    log_group: Option<LogGroup>,
    env_names: Vec<String>,
    secret_names: Vec<String>,
    readonly_root: bool,
    writable_paths: Vec<String>,
    has_health_check: bool,
    depends_on: Vec<String>,
}

/// When a container may start relative to another container of its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DependencyCondition {
    /// The other container has started.
    Start,
    /// The other container has run to completion (any exit code); it must
    /// not be essential.
    Complete,
    /// The other container has exited with code 0 (e.g. a migration); it
    /// must not be essential.
    Success,
    /// The other container's health check passes; it needs a health check.
    Healthy,
}

impl DependencyCondition {
    fn l1(self) -> td::Condition {
        match self {
            DependencyCondition::Start => td::Condition::Start,
            DependencyCondition::Complete => td::Condition::Complete,
            DependencyCondition::Success => td::Condition::Success,
            DependencyCondition::Healthy => td::Condition::Healthy,
        }
    }
}

/// Paths the ECS Exec agent writes to: mounted as scratch volumes in
/// read-only-root containers of a service with ECS Exec (the agent crashes
/// otherwise; see aws/containers-roadmap#1359).
const EXEC_AGENT_PATHS: [&str; 3] = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"];

/// A scratch volume per container and path (containers never share one).
fn scratch_volume_name(container: &str, path: &str) -> String {
    format!(
        "{container}-scratch{}",
        path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>()
    )
}

/// ECS's limit of containers per task definition.
pub const MAX_CONTAINERS_PER_TASK: usize = 10;

#[derive(Debug)]
struct TdState {
    containers: Vec<ContainerInfo>,
    volumes: Vec<String>,
    cpu_reserved: u32,
    memory_reserved: u32,
}

/// A Fargate task definition (`AWS::ECS::TaskDefinition`, `awsvpc`
/// networking) with its execution role (image pulls, logs, secrets:
/// exactly what its containers use) and task role (the application's own
/// permissions: empty until granted).
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_ecs_service::*;
///
/// let app = App::new("demo");
/// let stack = app.stack("Api");
/// let td = FargateTaskDefinition::new(&stack, "Task", FargateTaskDefinitionProps::builder()
///     .size(FargateSize::CPU_512_MEM_1024).build());
/// let web = td.add_container(ContainerProps::builder()
///     .name("web")
///     .image(ContainerImage::from_registry("nginx:1.27"))
///     .port_mappings(vec![PortMapping::tcp(8080)])
///     .writable_paths(vec!["/tmp".into()])
///     .build());
/// web.add_environment("ENVIRONMENT", "dev");
/// assert_eq!(td.container_names(), ["web"]);
/// app.synth().unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct FargateTaskDefinition {
    scope: Scope,
    handle: ResourceHandle,
    size: FargateSize,
    execution_role: Role,
    task_role: Role,
    state: Rc<RefCell<TdState>>,
}

impl FargateTaskDefinition {
    /// Add a task definition with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: FargateTaskDefinitionProps) -> Self {
        let scope = scope.scope(id);
        let principal = ServicePrincipal::new("ecs-tasks.amazonaws.com");
        // Confused-deputy guard: only ECS acting for this account (and
        // region) may assume the roles.
        let trust = vec![
            Condition::source_account_is_this_account(),
            Condition::new("ArnLike", "aws:SourceArn", Value::arn("ecs", Value::region(), Value::account_id(), "*")),
        ];
        let execution_role = match &props.execution_role {
            Some(r) => r.attached_policy_in(&scope, "ExecutionRolePolicy"),
            None => Role::new(
                &scope,
                "ExecutionRole",
                RoleProps::builder()
                    .assumed_by(principal.clone())
                    .trust_conditions(trust.clone())
                    .description(
                        "ECS task execution role: pulls images, writes logs, reads the secrets of its containers",
                    )
                    .build(),
            ),
        };
        let task_role = match &props.task_role {
            Some(r) => r.attached_policy_in(&scope, "TaskRolePolicy"),
            None => Role::new(
                &scope,
                "TaskRole",
                RoleProps::builder()
                    .assumed_by(principal)
                    .trust_conditions(trust)
                    .description("ECS task role: the application's own permissions")
                    .build(),
            ),
        };
        let mut l1 = ecs::TaskDefinition::new()
            .requires_compatibilities([td::RequiresCompatibilities::Fargate])
            .network_mode(td::NetworkMode::Awsvpc)
            .cpu(props.size.cpu().to_string())
            .memory(props.size.memory_mib().to_string())
            .execution_role_arn(execution_role.arn())
            .task_role_arn(task_role.arn())
            .runtime_platform(
                td::RuntimePlatform::new()
                    .cpu_architecture(props.cpu_architecture.l1())
                    .operating_system_family(td::OperatingSystemFamily::Linux),
            )
            .container_definitions(Vec::<td::ContainerDefinition>::new());
        if let Some(f) = &props.family {
            if let Err(e) = crate::names::TASK_FAMILY.check(f) {
                scope.error("Family", e);
            }
            l1 = l1.family(f);
        }
        if let Some(g) = props.ephemeral_storage_gib {
            if !(21..=200).contains(&g) {
                scope.error(
                    "EphemeralStorage",
                    format!("{g} GiB of ephemeral storage: allowed 21 to 200 (omit for the default 20)"),
                );
            }
            l1 = l1.ephemeral_storage(td::EphemeralStorage::new().size_in_gi_b(g));
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        FargateTaskDefinition {
            scope,
            handle,
            size: props.size,
            execution_role,
            task_role,
            state: Rc::new(RefCell::new(TdState {
                containers: Vec::new(),
                volumes: Vec::new(),
                cpu_reserved: 0,
                memory_reserved: 0,
            })),
        }
    }

    /// Add a container; returns a handle for further settings.
    pub fn add_container(&self, props: ContainerProps) -> Container {
        let cscope = self.scope.scope(&props.name);
        let name = props.name.clone();
        if self.state.borrow().containers.len() == MAX_CONTAINERS_PER_TASK {
            cscope.error(
                "ContainerDefinitions",
                format!("a task definition has at most {MAX_CONTAINERS_PER_TASK} containers"),
            );
        }
        if let Err(e) = crate::names::CONTAINER_NAME.check(&name) {
            cscope.error("Name", e);
        }
        if self.state.borrow().containers.iter().any(|c| c.name == name) {
            cscope.error("Name", format!("the task definition already has a container named {name:?}"));
        }
        for p in props.image.problems() {
            cscope.error("Image", p);
        }
        for w in props.image.warnings() {
            cscope.warn("ecs.mutable-image-tag", "Image", w);
        }
        props.image.grant_pull(&self.execution_role);

        let mut c = td::ContainerDefinition::new(td::ContainerDefinitionRequired {
            image: props.image.image_uri(),
            name: (&name).into(),
        })
        .essential(props.essential)
        .readonly_root_filesystem(props.readonly_root_filesystem)
        .privileged(false);
        {
            let mut st = self.state.borrow_mut();
            if let Some(cpu) = props.cpu {
                c = c.cpu(cpu);
                st.cpu_reserved = st.cpu_reserved.saturating_add(cpu);
                if st.cpu_reserved > self.size.cpu() {
                    cscope.error(
                        "Cpu",
                        format!(
                            "containers reserve {} CPU units, more than the task's {}",
                            st.cpu_reserved,
                            self.size.cpu()
                        ),
                    );
                }
            }
            let mem = props.memory_limit_mib.or(props.memory_reservation_mib);
            if let Some(m) = props.memory_limit_mib {
                c = c.memory(m);
            }
            if let Some(m) = props.memory_reservation_mib {
                c = c.memory_reservation(m);
                if props.memory_limit_mib.is_some_and(|l| l < m) {
                    cscope.error("MemoryReservation", "the memory reservation exceeds the memory limit");
                }
            }
            if let Some(m) = mem {
                st.memory_reserved = st.memory_reserved.saturating_add(m);
                if st.memory_reserved > self.size.memory_mib() {
                    cscope.error(
                        "Memory",
                        format!(
                            "containers reserve {} MiB, more than the task's {} MiB",
                            st.memory_reserved,
                            self.size.memory_mib()
                        ),
                    );
                }
            }
        }
        let mut seen = Vec::new();
        for pm in &props.port_mappings {
            if pm.port == 0 {
                cscope.error("PortMappings", "port 0 is not a valid container port");
            }
            if seen.contains(&(pm.port, pm.protocol)) {
                cscope.error("PortMappings", format!("port {} is mapped twice", pm.port));
            }
            seen.push((pm.port, pm.protocol));
        }
        if !props.port_mappings.is_empty() {
            c = c.port_mappings(props.port_mappings.iter().map(PortMapping::to_l1).collect::<Vec<_>>());
        }
        if let Some(hc) = &props.health_check {
            for p in hc.problems() {
                cscope.error("HealthCheck", p);
            }
            c = c.health_check(hc.to_l1());
        }
        if let Some(u) = &props.user {
            if u == "root" || u == "0" || u.starts_with("0:") || u.starts_with("root:") {
                cscope.warn(
                    "ecs.root-user",
                    "User",
                    format!("user {u:?} runs the container as root; prefer a non-root user"),
                );
            }
            c = c.user(u);
        }
        if !props.command.is_empty() {
            c = c.command(props.command.clone());
        }
        if !props.entry_point.is_empty() {
            c = c.entry_point(props.entry_point.clone());
        }
        if let Some(w) = &props.working_directory {
            c = c.working_directory(w);
        }
        if let Some(s) = props.stop_timeout_secs {
            if !(2..=120).contains(&s) {
                cscope.error("StopTimeout", format!("stop timeout {s} s: allowed 2 to 120 on Fargate"));
            }
            c = c.stop_timeout(s);
        }
        if props.init_process {
            c = c.linux_parameters(td::LinuxParameters::new().init_process_enabled(true));
        }
        if !props.docker_labels.is_empty() {
            c = c.docker_labels(props.docker_labels.clone());
        }
        let log_group = match props.logging {
            Logging::NewLogGroup(lp) => {
                let lg = LogGroup::new(&cscope, "LogGroup", lp);
                Some((lg, name.clone()))
            }
            Logging::AwsLogs { log_group, stream_prefix } => Some((log_group, stream_prefix)),
            Logging::None => None,
        };
        if let Some((lg, prefix)) = &log_group {
            let options: BTreeMap<String, Value<String>> = BTreeMap::from([
                ("awslogs-group".to_owned(), lg.name()),
                ("awslogs-region".to_owned(), Value::region()),
                ("awslogs-stream-prefix".to_owned(), Value::from(prefix)),
            ]);
            c = c.log_configuration(td::LogConfiguration::new("awslogs").options(options));
            self.execution_role.add_to_policy(
                PolicyStatement::allow().actions(["logs:CreateLogStream", "logs:PutLogEvents"]).resource(lg.arn()),
            );
        }
        let mut mounts = Vec::new();
        for path in &props.writable_paths {
            if !path.starts_with('/') || path == "/" {
                cscope.error("MountPoints", format!("writable path {path:?} must be absolute and not '/'"));
            }
            let vol = scratch_volume_name(&name, path);
            self.add_volume(&vol);
            mounts.push(td::MountPoint::new().source_volume(vol).container_path(path).read_only(false));
        }
        if !mounts.is_empty() {
            c = c.mount_points(mounts);
        }
        if !props.readonly_root_filesystem {
            self.handle.acknowledge(
                "ecs.read-only-root",
                &format!("container {name}: writable root file system chosen explicitly in ContainerProps::readonly_root_filesystem"),
            );
        }
        let index = {
            let mut st = self.state.borrow_mut();
            st.containers.push(ContainerInfo {
                name: name.clone(),
                ports: props.port_mappings.clone(),
                essential: props.essential,
                log_group: log_group.map(|(lg, _)| lg),
                env_names: Vec::new(),
                secret_names: Vec::new(),
                readonly_root: props.readonly_root_filesystem,
                writable_paths: props.writable_paths.clone(),
                has_health_check: props.health_check.is_some(),
                depends_on: Vec::new(),
            });
            st.containers.len() - 1
        };
        self.handle.edit(|t: &mut ecs::TaskDefinition| {
            if let Some(defs) = list_mut(&mut t.container_definitions) {
                defs.push(c.into());
            }
        });
        let container = Container { td: self.clone(), scope: cscope, name, index };
        for (k, v) in props.environment {
            container.add_environment(&k, v);
        }
        for (k, s) in props.secrets {
            container.add_secret(&k, s);
        }
        container
    }

    /// Add a task-local (ephemeral) volume by name; idempotent.
    pub fn add_volume(&self, name: &str) {
        let mut st = self.state.borrow_mut();
        if st.volumes.iter().any(|v| v == name) {
            return;
        }
        st.volumes.push(name.to_owned());
        drop(st);
        self.handle.edit(|t: &mut ecs::TaskDefinition| {
            if let Some(v) = list_mut(&mut t.volumes) {
                v.push(td::Volume::new().name(name).into());
            }
        });
    }

    /// The task definition ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The task size.
    pub fn size(&self) -> FargateSize {
        self.size
    }

    /// The execution role (used by ECS to start the task).
    pub fn execution_role(&self) -> &Role {
        &self.execution_role
    }

    /// The task role (the application's permissions).
    pub fn task_role(&self) -> &Role {
        &self.task_role
    }

    /// Container names, in the order added.
    pub fn container_names(&self) -> Vec<String> {
        self.state.borrow().containers.iter().map(|c| c.name.clone()).collect()
    }

    /// Whether `container` has a TCP port mapping for `port`.
    pub fn has_port(&self, container: &str, port: u16) -> bool {
        self.state
            .borrow()
            .containers
            .iter()
            .any(|c| c.name == container && c.ports.iter().any(|p| p.port == port && p.protocol == PortProtocol::Tcp))
    }

    /// Whether at least one container is essential.
    pub fn has_essential_container(&self) -> bool {
        self.state.borrow().containers.iter().any(|c| c.essential)
    }

    /// The log group of a container (when it logs to one).
    pub fn log_group(&self, container: &str) -> Option<LogGroup> {
        self.state.borrow().containers.iter().find(|c| c.name == container).and_then(|c| c.log_group.clone())
    }

    /// The construct scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Make the paths the ECS Exec agent writes to writable in every
    /// read-only-root container (called by a service with ECS Exec on).
    pub(crate) fn prepare_for_exec(&self) {
        let todo: Vec<(usize, String, Vec<&str>)> = {
            let mut st = self.state.borrow_mut();
            st.containers
                .iter_mut()
                .enumerate()
                .filter(|(_, c)| c.readonly_root)
                .map(|(i, c)| {
                    let name = c.name.clone();
                    let missing: Vec<&str> =
                        EXEC_AGENT_PATHS.into_iter().filter(|p| !c.writable_paths.iter().any(|w| w == p)).collect();
                    c.writable_paths.extend(missing.iter().map(|p| (*p).to_owned()));
                    (i, name, missing)
                })
                .collect()
        };
        for (index, name, paths) in todo {
            for path in paths {
                let vol = scratch_volume_name(&name, path);
                self.add_volume(&vol);
                let mount = td::MountPoint::new().source_volume(vol).container_path(path).read_only(false);
                self.edit_container(index, |c| {
                    if let Some(a) = list_mut(&mut c.mount_points) {
                        a.push(mount.into());
                    }
                });
            }
        }
    }

    /// Mutate the typed definition of the container at `index`.
    fn edit_container(&self, index: usize, f: impl FnOnce(&mut td::ContainerDefinition)) {
        self.handle.edit(|t: &mut ecs::TaskDefinition| {
            if let Some(Value::Lit(c)) = list_mut(&mut t.container_definitions).and_then(|d| d.get_mut(index)) {
                f(c);
            }
        });
    }
}

impl Grantable for FargateTaskDefinition {
    fn grant_principal(&self) -> Role {
        self.task_role.clone()
    }
}

/// A container of a [`FargateTaskDefinition`].
#[derive(Debug, Clone)]
pub struct Container {
    td: FargateTaskDefinition,
    scope: Scope,
    name: String,
    index: usize,
}

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET_KEY", "PRIVATE_KEY", "API_KEY", "CREDENTIAL"].iter().any(|w| n.contains(w))
}

impl Container {
    /// The container name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Remember `name` as an environment (or secret) variable; returns
    /// whether it is already used by the other kind.
    fn record_name(&self, name: &str, secret: bool) -> bool {
        let mut st = self.td.state.borrow_mut();
        let info = &mut st.containers[self.index];
        let (mine, other) =
            if secret { (&mut info.secret_names, &info.env_names) } else { (&mut info.env_names, &info.secret_names) };
        if !mine.iter().any(|n| n == name) {
            mine.push(name.to_owned());
        }
        other.iter().any(|n| n == name)
    }

    /// Set a plain environment variable (replaces an earlier value).
    pub fn add_environment(&self, name: &str, value: impl Into<Value<String>>) {
        let value = value.into();
        if name.is_empty() {
            self.scope.error("Environment", "environment variable names must be non-empty");
        }
        if self.record_name(name, false) {
            self.scope
                .error("Environment", format!("{name} is also injected as a secret; a variable comes from one place"));
        }
        if looks_secret(name) && value.as_literal().is_some() {
            self.scope.warn("ecs.secrets-not-in-environment", 
                "Environment",
                format!("{name} looks like a secret but is a plain environment variable written into the template; use ContainerSecret"),
            );
        }
        self.td.edit_container(self.index, |c| {
            if let Some(list) = list_mut(&mut c.environment) {
                let pair = td::KeyValuePair::new().name(name).value(value);
                set_named(list, pair, |p| p.name.as_ref().and_then(Value::as_literal));
            }
        });
    }

    /// Inject a secret as environment variable `name`, and grant the task's
    /// execution role read access to exactly that secret.
    pub fn add_secret(&self, name: &str, secret: ContainerSecret) {
        if name.is_empty() {
            self.scope.error("Secrets", "secret environment variable names must be non-empty");
        }
        if let Some(p) = secret.problem() {
            self.scope.error("Secrets", p);
        }
        if self.record_name(name, true) {
            self.scope.error(
                "Secrets",
                format!("{name} is also a plain environment variable; a variable comes from one place"),
            );
        }
        secret.grant_read(&self.td.execution_role);
        self.td.edit_container(self.index, |c| {
            if let Some(list) = list_mut(&mut c.secrets) {
                set_named(
                    list,
                    td::Secret::new(td::SecretRequired { name: name.into(), value_from: secret.value_from() }),
                    |s| s.name.as_literal(),
                );
            }
        });
    }

    /// Start this container only once `other` (of the same task) meets
    /// `condition`, e.g. the API after a migration container succeeded.
    pub fn add_container_dependency(&self, other: &Container, condition: DependencyCondition) {
        let problem = {
            let mut st = self.td.state.borrow_mut();
            let target = st.containers.get(other.index).filter(|c| c.name == other.name);
            let problem = match target {
                _ if !Rc::ptr_eq(&self.td.state, &other.td.state) => {
                    Some(format!("container {:?} belongs to another task definition", other.name))
                }
                _ if other.index == self.index => Some("a container cannot depend on itself".to_owned()),
                Some(t)
                    if t.essential
                        && matches!(condition, DependencyCondition::Complete | DependencyCondition::Success) =>
                {
                    Some(format!(
                        "{:?} is essential: COMPLETE and SUCCESS conditions need a non-essential container",
                        t.name
                    ))
                }
                Some(t) if condition == DependencyCondition::Healthy && !t.has_health_check => {
                    Some(format!("{:?} has no health check: HEALTHY needs one", t.name))
                }
                Some(t) if depends_transitively(&st.containers, &t.name, &self.name) => {
                    Some(format!("{:?} already depends on {:?}: dependencies must not form a cycle", t.name, self.name))
                }
                _ => None,
            };
            if problem.is_none() {
                st.containers[self.index].depends_on.push(other.name.clone());
            }
            problem
        };
        if let Some(p) = problem {
            self.scope.error("DependsOn", p);
            return;
        }
        let dep = td::ContainerDependency::new().container_name(&other.name).condition(condition.l1());
        self.td.edit_container(self.index, |c| {
            if let Some(a) = list_mut(&mut c.depends_on) {
                a.push(dep.into());
            }
        });
    }

    /// Add a port mapping.
    pub fn add_port_mapping(&self, mapping: PortMapping) {
        let dup = {
            let mut st = self.td.state.borrow_mut();
            let info = &mut st.containers[self.index];
            let dup = info.ports.iter().any(|p| p.port == mapping.port && p.protocol == mapping.protocol);
            if !dup {
                info.ports.push(mapping.clone());
            }
            dup
        };
        if dup {
            return;
        }
        let j = mapping.to_l1();
        self.td.edit_container(self.index, |c| {
            if let Some(a) = list_mut(&mut c.port_mappings) {
                a.push(j.into());
            }
        });
    }

    /// The container's log group (when it logs to one).
    pub fn log_group(&self) -> Option<LogGroup> {
        self.td.log_group(&self.name)
    }
}

/// Whether container `from` depends on `target`, directly or through others.
fn depends_transitively(containers: &[ContainerInfo], from: &str, target: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen: Vec<String> = Vec::new();
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        if seen.contains(&n) {
            continue;
        }
        if let Some(c) = containers.iter().find(|c| c.name == n) {
            stack.extend(c.depends_on.iter().cloned());
        }
        seen.push(n);
    }
    false
}

/// Put `item` into a list of named entries (environment variables,
/// secrets), replacing an entry of the same name and keeping the list sorted
/// by name.
fn set_named<T: stackcraft_core::Literal>(items: &mut Vec<Value<T>>, item: T, name: impl Fn(&T) -> Option<&str>) {
    let key = |v: &Value<T>| match v {
        Value::Lit(t) => name(t).map(str::to_owned),
        _ => None,
    };
    let new = name(&item).map(str::to_owned);
    items.retain(|e| key(e) != new);
    items.push(Value::Lit(item));
    items.sort_by_key(key);
}
