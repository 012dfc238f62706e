//! Container images (public registries or ECR) and ECR repositories.

use serde_json::json;
use stackcraft_cfn::ecr;
use stackcraft_core::{DeletionPolicy, ResourceHandle, Scope, Value};
use stackcraft_iam::{Grantable, PolicyStatement};
use typed_builder::TypedBuilder;

/// A tag or a digest of an image in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageReference {
    /// A tag, e.g. `v1.4.2` (1–128 characters of `[A-Za-z0-9_.-]`, not
    /// starting with `.` or `-`).
    Tag(String),
    /// A content digest, `sha256:<64 hex digits>` (what a deploy pipeline
    /// should pin).
    Digest(String),
}

impl ImageReference {
    /// A tag.
    pub fn tag(tag: impl Into<String>) -> Self {
        ImageReference::Tag(tag.into())
    }

    /// A digest (`sha256:...`).
    pub fn digest(digest: impl Into<String>) -> Self {
        ImageReference::Digest(digest.into())
    }

    /// `:tag` or `@sha256:...`, the suffix of the image URI.
    pub fn uri_suffix(&self) -> String {
        match self {
            ImageReference::Tag(t) => format!(":{t}"),
            ImageReference::Digest(d) => format!("@{d}"),
        }
    }

    /// A problem with the reference's syntax, if any.
    pub fn problem(&self) -> Option<String> {
        match self {
            ImageReference::Tag(t) => {
                let ok = !t.is_empty()
                    && t.len() <= 128
                    && !t.starts_with(['.', '-'])
                    && t.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
                (!ok).then(|| {
                    format!(
                        "image tag {t:?} is invalid: 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'"
                    )
                })
            }
            ImageReference::Digest(d) => {
                let ok = d.strip_prefix("sha256:").is_some_and(|h| {
                    h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
                });
                (!ok).then(|| format!("image digest {d:?} is invalid: expected sha256: and 64 lowercase hex digits"))
            }
        }
    }
}

/// `"v1"` is a tag, `"sha256:…"` a digest.
impl From<&str> for ImageReference {
    fn from(s: &str) -> Self {
        if s.starts_with("sha256:") {
            ImageReference::Digest(s.to_owned())
        } else {
            ImageReference::Tag(s.to_owned())
        }
    }
}

impl From<String> for ImageReference {
    fn from(s: String) -> Self {
        ImageReference::from(s.as_str())
    }
}

/// An ECR repository an image comes from: a [`Repository`] of this app or an
/// existing repository of the deploying account and region, by name.
#[derive(Debug, Clone)]
pub enum EcrRepositoryRef {
    /// A repository managed by this app.
    Managed(Repository),
    /// An existing repository in the stack's account and region.
    Named(String),
}

impl From<&Repository> for EcrRepositoryRef {
    fn from(r: &Repository) -> Self {
        EcrRepositoryRef::Managed(r.clone())
    }
}

impl From<&str> for EcrRepositoryRef {
    fn from(name: &str) -> Self {
        EcrRepositoryRef::Named(name.to_owned())
    }
}

impl From<String> for EcrRepositoryRef {
    fn from(name: String) -> Self {
        EcrRepositoryRef::Named(name)
    }
}

impl From<&String> for EcrRepositoryRef {
    fn from(name: &String) -> Self {
        EcrRepositoryRef::Named(name.clone())
    }
}

impl EcrRepositoryRef {
    fn arn(&self) -> Value<String> {
        match self {
            EcrRepositoryRef::Managed(r) => r.arn(),
            EcrRepositoryRef::Named(n) => {
                Value::arn("ecr", Value::region(), Value::account_id(), format!("repository/{n}"))
            }
        }
    }

    fn uri(&self) -> Value<String> {
        match self {
            EcrRepositoryRef::Managed(r) => r.repository_uri(),
            EcrRepositoryRef::Named(n) => {
                Value::sub(format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{n}"))
            }
        }
    }
}

/// Where a container's image comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ContainerImage {
    /// A public registry image such as `nginx:1.27` or
    /// `public.ecr.aws/docker/library/python:3.12-slim`.
    Registry(String),
    /// An image in an ECR repository; the task's execution role is granted
    /// pull access to exactly this repository.
    Ecr {
        /// The repository.
        repository: EcrRepositoryRef,
        /// Tag or digest.
        reference: ImageReference,
    },
}

impl ContainerImage {
    /// An image from a public registry, e.g. `"nginx:1.27"`.
    pub fn from_registry(image: impl Into<String>) -> Self {
        ContainerImage::Registry(image.into())
    }

    /// An image from an ECR repository (a [`Repository`] or an existing
    /// repository name in the stack's account and region) by tag or digest:
    /// `ContainerImage::from_ecr(&repo, "v1.2.0")`,
    /// `ContainerImage::from_ecr("pyshop-api", "sha256:…")`.
    pub fn from_ecr(repository: impl Into<EcrRepositoryRef>, reference: impl Into<ImageReference>) -> Self {
        ContainerImage::Ecr { repository: repository.into(), reference: reference.into() }
    }

    /// The `Image` value of the container definition.
    pub fn image_uri(&self) -> Value<String> {
        match self {
            ContainerImage::Registry(s) => Value::from(s.as_str()),
            ContainerImage::Ecr { repository, reference } => {
                Value::join_raw("", [repository.uri(), Value::from(reference.uri_suffix())])
            }
        }
    }

    /// Problems with the image reference (recorded at the container).
    pub(crate) fn problems(&self) -> Vec<String> {
        match self {
            ContainerImage::Registry(s) => {
                if s.is_empty() || s.len() > 255 || s.chars().any(char::is_whitespace) {
                    vec![format!("image {s:?} is invalid: 1-255 characters without whitespace")]
                } else {
                    Vec::new()
                }
            }
            ContainerImage::Ecr { reference, repository } => {
                let mut out: Vec<String> = reference.problem().into_iter().collect();
                if let EcrRepositoryRef::Named(n) = repository {
                    if n.contains(".dkr.ecr.") || n.contains(".amazonaws.com") {
                        out.push(format!(
                            "ECR repository {n:?} is a repository URI; give the repository name (the part after the last '.amazonaws.com/')"
                        ));
                        return out;
                    }
                    if let Err(m) = stackcraft_core::validate::names::aws::ECR_REPOSITORY_NAME.check(n) {
                        out.push(format!("{m} (a name, not a URI)"));
                    }
                }
                out
            }
        }
    }

    /// Advice that does not make the template invalid (recorded as
    /// warnings): a mutable `latest` tag or no tag at all.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let mutable = match self {
            ContainerImage::Registry(s) => {
                let last = s.rsplit('/').next().unwrap_or(s);
                !last.contains('@') && (!last.contains(':') || last.ends_with(":latest"))
            }
            // A moving tag in a repository whose mutable tags are an
            // acknowledged decision is not worth a warning.
            ContainerImage::Ecr { repository: EcrRepositoryRef::Managed(r), .. } if r.has_mutable_tags() => false,
            ContainerImage::Ecr { reference, .. } => *reference == ImageReference::Tag("latest".to_owned()),
        };
        if mutable {
            vec!["the image is referenced by a moving tag (latest or none): pin a version tag or a digest so deployments are reproducible".to_owned()]
        } else {
            Vec::new()
        }
    }

    /// Grant `grantee` (the execution role) what pulling the image needs.
    pub(crate) fn grant_pull(&self, grantee: &dyn Grantable) {
        if let ContainerImage::Ecr { repository, .. } = self {
            grant_pull(repository.arn(), grantee);
        }
    }
}

fn grant_pull(repository_arn: Value<String>, grantee: &dyn Grantable) {
    let role = grantee.grant_principal();
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
            .resource(repository_arn),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .action("ecr:GetAuthorizationToken")
            .all_resources("ecr:GetAuthorizationToken has no resource-level permissions"),
    );
}

/// Whether image tags can be overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TagMutability {
    /// A tag, once pushed, always names the same image (default, checkov
    /// CKV_AWS_51): deployments are reproducible.
    #[default]
    Immutable,
    /// Tags can be overwritten (e.g. a pipeline that pushes `:latest`), as
    /// an acknowledged decision: the reason is written into the template
    /// (checkov skip of CKV_AWS_51), and images referenced by a moving tag
    /// from this repository no longer warn.
    Mutable {
        /// Why tags must be mutable.
        reason: String,
    },
}

impl TagMutability {
    /// Mutable tags, with the reason.
    pub fn mutable(reason: impl Into<String>) -> Self {
        TagMutability::Mutable { reason: reason.into() }
    }
}

/// One lifecycle rule of a [`Repository`]: which images ECR expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LifecycleRule {
    /// Expire untagged images this many days after they were pushed
    /// (at least 1).
    ExpireUntaggedAfterDays(u32),
    /// Keep only the N newest images, tagged or not (at least 1). ECR
    /// evaluates it last, whatever its position.
    KeepLast(u32),
}

impl LifecycleRule {
    fn count(self) -> u32 {
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(n) | LifecycleRule::KeepLast(n) => n,
        }
    }

    fn to_json(self, priority: usize) -> serde_json::Value {
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(d) => json!({
                "rulePriority": priority,
                "description": format!("Expire untagged images after {d} days"),
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": d},
                "action": {"type": "expire"},
            }),
            LifecycleRule::KeepLast(n) => json!({
                "rulePriority": priority,
                "description": format!("Keep only the {n} newest images"),
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": n},
                "action": {"type": "expire"},
            }),
        }
    }
}

/// Settings of a [`Repository`]. Defaults: immutable tags, scan on push,
/// KMS encryption (AWS managed key), keep the 50 newest images, `Retain`.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct RepositoryProps {
    /// Fixed repository name (2–256 characters of lowercase letters, digits
    /// and `._-/`). Default: generated by CloudFormation.
    #[builder(default, setter(strip_option, into))]
    pub repository_name: Option<String>,
    /// Whether tags can be overwritten. Default [`TagMutability::Immutable`].
    #[builder(default)]
    pub tag_mutability: TagMutability,
    /// Scan images for vulnerabilities on push (default `true`, CKV_AWS_163).
    #[builder(default = true)]
    pub scan_on_push: bool,
    /// A customer managed KMS key ARN; default: the AWS managed `aws/ecr`
    /// key (`EncryptionType: KMS`, CKV_AWS_136).
    #[builder(default, setter(strip_option, into))]
    pub kms_key_arn: Option<Value<String>>,
    /// Which images expire (default: keep the 50 newest). An empty list
    /// keeps every image.
    #[builder(default = vec![LifecycleRule::KeepLast(50)])]
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Removal policy (default `Retain`: images are deployable artefacts).
    #[builder(default = DeletionPolicy::Retain)]
    pub removal_policy: DeletionPolicy,
}

impl Default for RepositoryProps {
    fn default() -> Self {
        RepositoryProps::builder().build()
    }
}

/// An ECR repository (`AWS::ECR::Repository`) with secure defaults.
#[derive(Debug, Clone)]
pub struct Repository {
    handle: ResourceHandle,
    mutable_tags: bool,
}

impl Repository {
    /// Add a repository with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: RepositoryProps) -> Repository {
        let scope = scope.scope(id);
        let mut encryption =
            ecr::repository::EncryptionConfiguration::new(stackcraft_cfn::ecr::repository::EncryptionType::Kms);
        if let Some(k) = &props.kms_key_arn {
            encryption = encryption.kms_key(k.clone());
        }
        let mutable_reason = match &props.tag_mutability {
            TagMutability::Immutable => None,
            TagMutability::Mutable { reason } => {
                if reason.trim().is_empty() {
                    scope.error("ImageTagMutability", "mutable tags need a reason (TagMutability::mutable(reason))");
                }
                Some(reason.clone())
            }
        };
        let mut l1 = ecr::Repository::new()
            .image_tag_mutability(if mutable_reason.is_some() {
                ecr::repository::ImageTagMutability::Mutable
            } else {
                ecr::repository::ImageTagMutability::Immutable
            })
            .image_scanning_configuration(
                ecr::repository::ImageScanningConfiguration::new().scan_on_push(props.scan_on_push),
            )
            .encryption_configuration(encryption);
        if let Some(n) = &props.repository_name {
            if let Err(m) = stackcraft_core::validate::names::aws::ECR_REPOSITORY_NAME.check(n) {
                scope.error("RepositoryName", m);
            }
            l1 = l1.repository_name(n);
        }
        if !props.lifecycle_rules.is_empty() {
            if props.lifecycle_rules.iter().any(|r| r.count() == 0) {
                scope.error("LifecyclePolicy", "lifecycle rule counts (days, images) must be at least 1");
            }
            if props.lifecycle_rules.iter().filter(|r| matches!(r, LifecycleRule::KeepLast(_))).count() > 1 {
                scope.error("LifecyclePolicy", "at most one KeepLast rule");
            }
            // ECR requires the `tagStatus: any` rule to have the highest priority number.
            let mut rules = props.lifecycle_rules.clone();
            rules.sort_by_key(|r| matches!(r, LifecycleRule::KeepLast(_)));
            let rules: Vec<_> = rules.iter().enumerate().map(|(i, r)| r.to_json(i + 1)).collect();
            let policy = json!({ "rules": rules });
            l1 = l1.lifecycle_policy(ecr::repository::LifecyclePolicy::new().lifecycle_policy_text(policy.to_string()));
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        handle.apply_removal_policy(props.removal_policy);
        if let Some(reason) = &mutable_reason {
            handle.acknowledge("ecr.immutable-tags", reason);
        }
        if !props.scan_on_push {
            handle
                .acknowledge("ecr.scan-on-push", "scan on push turned off explicitly in RepositoryProps::scan_on_push");
        }
        Repository { handle, mutable_tags: mutable_reason.is_some() }
    }

    /// Whether tags can be overwritten ([`TagMutability::Mutable`]).
    pub fn has_mutable_tags(&self) -> bool {
        self.mutable_tags
    }

    /// The repository name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The repository ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    pub fn repository_uri(&self) -> Value<String> {
        self.handle.get_att("RepositoryUri")
    }

    /// Allow `grantee` to pull images (e.g. a CI role or another service).
    pub fn grant_pull(&self, grantee: &dyn Grantable) {
        grant_pull(self.arn(), grantee);
    }

    /// Allow `grantee` to push (and pull) images, e.g. a CI role.
    pub fn grant_pull_push(&self, grantee: &dyn Grantable) {
        self.grant_pull(grantee);
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow()
                .actions(["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"])
                .resource(self.arn()),
        );
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(ImageReference::from("v1"), ImageReference::tag("v1"));
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(ImageReference::from(d.as_str()), ImageReference::digest(&d));
        assert!(ImageReference::from(d.as_str()).problem().is_none());
        assert!(ImageReference::digest("sha256:abc").problem().is_some());
        assert!(ImageReference::tag("-bad").problem().is_some());
        assert!(ImageReference::tag("v1.2_3-rc").problem().is_none());
        assert_eq!(ImageReference::digest(&d).uri_suffix(), format!("@{d}"));
    }

    #[test]
    fn moving_tags_warn_and_bad_names_fail() {
        assert_eq!(ContainerImage::from_registry("nginx").warnings().len(), 1);
        assert_eq!(ContainerImage::from_registry("nginx:latest").warnings().len(), 1);
        assert_eq!(ContainerImage::from_registry("localhost:5000/nginx").warnings().len(), 1);
        assert!(ContainerImage::from_registry("localhost:5000/nginx:1.27").warnings().is_empty());
        assert!(ContainerImage::from_ecr("repo", "latest").warnings().len() == 1);
        assert!(!ContainerImage::from_ecr("123.dkr.ecr.us-east-1.amazonaws.com/Repo", "v1").problems().is_empty());
    }

    #[test]
    fn named_ecr_image_uri_is_partition_neutral() {
        let img = ContainerImage::from_ecr("pyshop-api", "v3");
        let owned = ContainerImage::from_ecr(String::from("pyshop-api"), String::from("v3"));
        assert_eq!(format!("{owned:?}"), format!("{img:?}"));
        let s = serde_json::to_string(&img.image_uri()).unwrap();
        assert!(s.contains("AWS::URLSuffix") && s.contains("pyshop-api") && s.contains(":v3"), "{s}");
        assert_eq!(ContainerImage::from_registry("nginx:1.27").image_uri(), Value::from("nginx:1.27"));
    }

    fn repo_json(props: RepositoryProps) -> Result<serde_json::Value, String> {
        let app = stackcraft_core::App::new("t");
        let stack = app.stack("S");
        Repository::new(&stack, "Repo", props);
        app.synth()
            .map(|a| a.stacks[0].template["Resources"].as_object().unwrap().values().next().unwrap().clone())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn default_repository_is_immutable_and_keeps_50() {
        let r = repo_json(RepositoryProps::default()).unwrap();
        assert_eq!(r["Properties"]["ImageTagMutability"], "IMMUTABLE");
        assert_eq!(r["Properties"]["ImageScanningConfiguration"]["ScanOnPush"], true);
        assert!(r["Metadata"].get("checkov").is_none());
        let text = r["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"].as_str().unwrap();
        let policy: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(policy["rules"][0]["selection"]["countNumber"], 50);
    }

    #[test]
    fn mutable_tags_are_acknowledged_and_rules_ordered() {
        let r = repo_json(
            RepositoryProps::builder()
                .tag_mutability(TagMutability::mutable("CI pushes :latest"))
                .lifecycle_rules(vec![LifecycleRule::KeepLast(20), LifecycleRule::ExpireUntaggedAfterDays(1)])
                .build(),
        )
        .unwrap();
        assert_eq!(r["Properties"]["ImageTagMutability"], "MUTABLE");
        let ack = &r["Metadata"]["stackcraft"]["acknowledgements"][0];
        assert_eq!(
            (&ack["rule"], &ack["reason"]),
            (&serde_json::json!("ecr.immutable-tags"), &serde_json::json!("CI pushes :latest"))
        );
        let text = r["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"].as_str().unwrap();
        let policy: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "untagged");
        assert_eq!(policy["rules"][1]["selection"]["tagStatus"], "any");
        assert_eq!(policy["rules"][1]["rulePriority"], 2);
    }

    #[test]
    fn moving_tag_of_a_mutable_repository_does_not_warn() {
        let app = stackcraft_core::App::new("t");
        let stack = app.stack("S");
        let mutable = Repository::new(
            &stack,
            "M",
            RepositoryProps::builder().tag_mutability(TagMutability::mutable("CI pushes :latest")).build(),
        );
        let immutable = Repository::new(&stack, "I", RepositoryProps::default());
        assert!(ContainerImage::from_ecr(&mutable, "latest").warnings().is_empty());
        assert_eq!(ContainerImage::from_ecr(&immutable, "latest").warnings().len(), 1);
    }

    #[test]
    fn bad_repository_settings_are_errors() {
        let err = repo_json(
            RepositoryProps::builder()
                .tag_mutability(TagMutability::mutable(""))
                .lifecycle_rules(vec![LifecycleRule::KeepLast(0), LifecycleRule::KeepLast(3)])
                .build(),
        )
        .unwrap_err();
        for needle in [
            "error: S/Repo [ImageTagMutability]: mutable tags need a reason (TagMutability::mutable(reason))",
            "error: S/Repo [LifecyclePolicy]: lifecycle rule counts (days, images) must be at least 1",
            "error: S/Repo [LifecyclePolicy]: at most one KeepLast rule",
        ] {
            assert!(err.contains(needle), "missing {needle:?} in\n{err}");
        }
    }
}
