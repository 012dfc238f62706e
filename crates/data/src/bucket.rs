//! S3 buckets ([`Bucket`]) with secure defaults: all public access blocked,
//! ACLs disabled (bucket owner enforced), encryption at rest, versioning,
//! TLS-only bucket policy, `Retain`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{json, Value as Json};
use stackcraft_cfn::s3;
use stackcraft_cfn::s3::bucket as b;
use stackcraft_core::{CondExpr, DeletionPolicy, ResourceHandle, Scope, ToCfn, Value};
use stackcraft_iam::{Grantable, PolicyDocument, PolicyStatement, Principal};
use stackcraft_observability::{Key, KeyProps};
use typed_builder::TypedBuilder;

/// How objects are encrypted at rest.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum BucketEncryption {
    /// SSE-S3 (`AES256`), keys managed by S3 (default). The only choice for
    /// buckets that AWS services write to without a key grant, such as load
    /// balancer access logs.
    #[default]
    S3Managed,
    /// SSE-KMS with a new customer-managed key (bucket keys on, to cut KMS
    /// requests).
    NewKey,
    /// SSE-KMS with an existing key.
    Key(Key),
}

/// Who owns objects written by other accounts, and whether ACLs apply
/// (`OwnershipControls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ObjectOwnership {
    /// ACLs disabled, the bucket owner owns every object (default; AWS's
    /// recommendation).
    #[default]
    BucketOwnerEnforced,
    /// ACLs enabled, objects written with `bucket-owner-full-control` are
    /// owned by the bucket owner. Needed by services that deliver logs
    /// through ACLs, such as CloudFront standard logging.
    BucketOwnerPreferred,
}

/// Settings of a [`Bucket`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct BucketProps {
    /// Explicit bucket name (globally unique; default: generated).
    #[builder(default, setter(strip_option, into))]
    pub bucket_name: Option<String>,
    /// Encryption at rest. Default SSE-S3.
    #[builder(default)]
    pub encryption: BucketEncryption,
    /// Keep every version of every object. Default `true`.
    #[builder(default = true)]
    pub versioned: bool,
    /// Delete current objects this many days after creation.
    #[builder(default, setter(strip_option))]
    pub expire_after_days: Option<u32>,
    /// Delete noncurrent versions this many days after they became noncurrent.
    /// Default 90 when versioned.
    #[builder(default = Some(90))]
    pub noncurrent_versions_expire_after_days: Option<u32>,
    /// Write S3 server access logs to this bucket under this prefix. When
    /// unset the bucket carries a checkov skip of CKV_AWS_18 saying so.
    #[builder(default, setter(strip_option))]
    pub server_access_logs: Option<(Bucket, String)>,
    /// Why the bucket has no server access logs (reason of the CKV_AWS_18
    /// skip when `server_access_logs` is unset).
    #[builder(default, setter(strip_option, into))]
    pub no_access_logs_reason: Option<String>,
    /// What happens to the bucket when it leaves the stack. Default
    /// [`DeletionPolicy::Retain`] (CloudFormation cannot delete a non-empty
    /// bucket anyway).
    #[builder(default = DeletionPolicy::Retain)]
    pub removal_policy: DeletionPolicy,
    /// Object ownership / ACLs. Default [`ObjectOwnership::BucketOwnerEnforced`].
    #[builder(default)]
    pub object_ownership: ObjectOwnership,
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps::builder().build()
    }
}

#[derive(Debug)]
struct PolicyState {
    doc: PolicyDocument,
    /// Statements the typed document cannot express (conditional ones).
    extra: Vec<Json>,
    handle: ResourceHandle,
}

impl PolicyState {
    fn render(&self) {
        let mut json = self.doc.to_json();
        if let Some(list) = json.get_mut("Statement").and_then(Json::as_array_mut) {
            list.extend(self.extra.iter().cloned());
        }
        self.handle.edit_properties(|p| p["PolicyDocument"] = json);
    }
}

/// The accounts Elastic Load Balancing writes access logs from, in the
/// regions that existed before August 2022 (a frozen list; newer regions use
/// the `logdelivery.elasticloadbalancing.amazonaws.com` service principal).
/// Source: the ELB user guide, "Enable access logs for your Application Load
/// Balancer".
pub const ELB_LEGACY_LOG_ACCOUNTS: [(&str, &str); 26] = [
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// An S3 bucket (`AWS::S3::Bucket`) and its bucket policy
/// (`AWS::S3::BucketPolicy`, which always denies requests without TLS).
#[derive(Debug, Clone)]
pub struct Bucket {
    scope: Scope,
    handle: ResourceHandle,
    key: Option<Key>,
    policy: Rc<RefCell<PolicyState>>,
}

impl Bucket {
    /// Add a bucket with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: BucketProps) -> Bucket {
        let scope = scope.scope(id);
        let key = match props.encryption {
            BucketEncryption::S3Managed => None,
            BucketEncryption::NewKey => Some(Key::new(
                &scope,
                "Key",
                KeyProps::builder()
                    .description(format!("Encrypts bucket {}", scope.path()))
                    .removal_policy(props.removal_policy)
                    .build(),
            )),
            BucketEncryption::Key(k) => Some(k),
        };
        let sse = match &key {
            None => b::ServerSideEncryptionByDefault::new("AES256"),
            Some(k) => b::ServerSideEncryptionByDefault::new("aws:kms").kms_master_key_id(k.arn()),
        };
        let mut bucket = s3::Bucket::new()
            .bucket_encryption(b::BucketEncryption::new(vec![b::ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(sse)
                .bucket_key_enabled(key.is_some())]))
            .public_access_block_configuration(
                b::PublicAccessBlockConfiguration::new()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            )
            .ownership_controls(b::OwnershipControls::new(vec![b::OwnershipControlsRule::new().object_ownership(
                match props.object_ownership {
                    ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
                    ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
                },
            )]));
        if props.versioned {
            bucket = bucket.versioning_configuration(b::VersioningConfiguration::new("Enabled"));
        }
        let mut rules = vec![b::Rule::new("Enabled")
            .id("AbortIncompleteUploads")
            .abort_incomplete_multipart_upload(b::AbortIncompleteMultipartUpload::new(7))];
        if let Some(d) = props.expire_after_days {
            if d == 0 {
                scope.error("LifecycleConfiguration", "expire_after_days must be at least 1");
            }
            rules.push(b::Rule::new("Enabled").id("ExpireObjects").expiration_in_days(i64::from(d.max(1))));
        }
        if let (true, Some(d)) = (props.versioned, props.noncurrent_versions_expire_after_days) {
            if d == 0 {
                scope.error("LifecycleConfiguration", "noncurrent_versions_expire_after_days must be at least 1");
            }
            rules.push(
                b::Rule::new("Enabled")
                    .id("ExpireNoncurrentVersions")
                    .noncurrent_version_expiration(b::NoncurrentVersionExpiration::new(i64::from(d.max(1)))),
            );
        }
        bucket = bucket.lifecycle_configuration(b::LifecycleConfiguration::new(rules));
        if let Some((target, prefix)) = &props.server_access_logs {
            bucket = bucket.logging_configuration(
                b::LoggingConfiguration::new().destination_bucket_name(target.name()).log_file_prefix(prefix.clone()),
            );
            target.allow_server_access_logs_from(prefix);
        }
        if let Some(n) = &props.bucket_name {
            let ok = (3..=63).contains(&n.len())
                && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && n.starts_with(|c: char| c.is_ascii_alphanumeric())
                && n.ends_with(|c: char| c.is_ascii_alphanumeric());
            if !ok {
                scope.error(
                    "BucketName",
                    format!("bucket name {n:?} is invalid: 3-63 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit"),
                );
            }
            bucket = bucket.bucket_name(n.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", bucket)).clone();
        handle.apply_removal_policy(props.removal_policy);
        if props.server_access_logs.is_none() {
            handle.skip_checkov(
                "CKV_AWS_18",
                props.no_access_logs_reason.as_deref().unwrap_or(
                    "S3 server access logging not configured (BucketProps::server_access_logs); \
                     object-level access is auditable through CloudTrail data events",
                ),
            );
        }
        let deny_insecure = PolicyStatement::deny()
            .sid("DenyInsecureTransport")
            .action("s3:*")
            .principal(Principal::Any)
            .resources([handle.get_att::<String>("Arn"), bucket_objects(&handle)])
            .condition("Bool", "aws:SecureTransport", "false");
        let doc = PolicyDocument::from_statements([deny_insecure]);
        let policy_handle: ResourceHandle =
            (*scope.add("Policy", s3::BucketPolicy::new(handle.ref_(), doc.to_json()))).clone();
        Bucket {
            scope,
            handle,
            key,
            policy: Rc::new(RefCell::new(PolicyState { doc, extra: Vec::new(), handle: policy_handle })),
        }
    }

    /// The bucket name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The bucket ARN.
    pub fn arn(&self) -> Value<String> {
        self.handle.get_att("Arn")
    }

    /// The ARN of the objects matching `key_pattern` (e.g. `"*"`, `"logs/*"`).
    pub fn arn_for_objects(&self, key_pattern: &str) -> Value<String> {
        Value::sub_with(format!("${{Arn}}/{key_pattern}"), [("Arn", self.arn())])
    }

    /// The KMS key, when SSE-KMS is used.
    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    /// The underlying `AWS::S3::Bucket` (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }

    /// Add a statement to the bucket policy (merged and deduplicated).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        let mut st = self.policy.borrow_mut();
        if st.doc.add_statement(statement) {
            st.render();
        }
    }

    /// Let Elastic Load Balancing write access logs under `prefix` (give the
    /// same prefix to the load balancer's access log settings; may be empty):
    /// `s3:PutObject` on `<prefix>/AWSLogs/<account>/*` for the
    /// `logdelivery.elasticloadbalancing.amazonaws.com` service principal and,
    /// in the regions that existed before August 2022, for the regional ELB
    /// account (chosen at deploy time with a mapping and a condition, so the
    /// stack stays region-agnostic; see [`ELB_LEGACY_LOG_ACCOUNTS`]).
    ///
    /// Load balancers can only write to SSE-S3 buckets: a KMS-encrypted bucket
    /// is reported as an error.
    pub fn allow_load_balancer_access_logs(&self, prefix: &str) {
        if self.key.is_some() {
            self.scope.error(
                "BucketEncryption",
                "load balancer access logs need SSE-S3 encryption (BucketEncryption::S3Managed); \
                 ELB cannot write to SSE-KMS buckets",
            );
        }
        let prefix = prefix.trim_matches('/');
        if prefix.starts_with("AWSLogs") {
            self.scope.error("Prefix", "the access log prefix must not start with AWSLogs (ELB adds it)");
        }
        let objects = if prefix.is_empty() {
            "AWSLogs/${AWS::AccountId}/*".to_string()
        } else {
            format!("{prefix}/AWSLogs/${{AWS::AccountId}}/*")
        };
        let resource = Value::sub_with(format!("${{Arn}}/{objects}"), [("Arn", self.arn())]);
        self.add_to_resource_policy(
            PolicyStatement::allow()
                .sid("AllowElbLogDelivery")
                .action("s3:PutObject")
                .principal(Principal::service("logdelivery.elasticloadbalancing.amazonaws.com"))
                .resource(resource.clone()),
        );
        let Some(stack) = self.scope.stack() else {
            return;
        };
        let mut st = self.policy.borrow_mut();
        if st.extra.iter().any(|s| s["Fn::If"][1]["Sid"] == json!("AllowElbLegacyAccountLogDelivery")) {
            // The legacy-account statement covers every prefix already
            // granted; add this prefix to it.
            for s in st.extra.iter_mut() {
                if let Some(Json::Array(r)) = s["Fn::If"][1].get_mut("Resource") {
                    let r_json = resource.to_cfn();
                    if !r.contains(&r_json) {
                        r.push(r_json);
                    }
                }
            }
            st.render();
            return;
        }
        let base = self.handle.logical_id();
        let map: BTreeMap<String, BTreeMap<String, Json>> = ELB_LEGACY_LOG_ACCOUNTS
            .iter()
            .map(|(r, a)| ((*r).to_string(), BTreeMap::from([("Account".to_string(), json!(a))])))
            .collect();
        let map = stack.add_mapping(&format!("{base}ElbLogAccounts"), map);
        let equals: Vec<CondExpr> =
            ELB_LEGACY_LOG_ACCOUNTS.iter().map(|(r, _)| CondExpr::equals(Value::region(), *r)).collect();
        let cond = stack.add_condition(
            &format!("{base}InElbLegacyRegion"),
            CondExpr::or(equals.chunks(10).map(|c| CondExpr::or(c.to_vec()))),
        );
        let account = Value::<String>::find_in_map(&map, Value::region(), "Account");
        let statement = json!({
            "Sid": "AllowElbLegacyAccountLogDelivery",
            "Effect": "Allow",
            "Principal": {"AWS": Value::sub_with(
                "arn:${AWS::Partition}:iam::${Account}:root",
                [("Account", account)],
            )},
            "Action": "s3:PutObject",
            "Resource": [resource],
        });
        st.extra.push(Value::<Json>::if_(&cond, statement, Value::<Json>::no_value()).to_cfn());
        st.render();
    }

    /// Let the S3 logging service write server access logs of other buckets
    /// of this account under `prefix` (called for the target bucket when a
    /// bucket names it in [`BucketProps::server_access_logs`]).
    pub fn allow_server_access_logs_from(&self, prefix: &str) {
        self.add_to_resource_policy(
            PolicyStatement::allow()
                .sid("AllowS3ServerAccessLogs")
                .action("s3:PutObject")
                .principal(Principal::service("logging.s3.amazonaws.com"))
                .resource(self.arn_for_objects(&format!("{prefix}*")))
                .condition("StringEquals", "aws:SourceAccount", Value::account_id()),
        );
    }

    /// Allow `grantee` to read objects (`s3:GetObject`, `s3:ListBucket`, and
    /// `kms:Decrypt` with SSE-KMS).
    pub fn grant_read(&self, grantee: &dyn Grantable) {
        let role = grantee.grant_principal();
        role.add_to_policy(PolicyStatement::allow().action("s3:GetObject").resource(self.arn_for_objects("*")));
        role.add_to_policy(PolicyStatement::allow().action("s3:ListBucket").resource(self.arn()));
        if let Some(k) = &self.key {
            k.grant_decrypt(grantee);
        }
    }

    /// Allow `grantee` to write and delete objects (`s3:PutObject`,
    /// `s3:DeleteObject`, and encryption with SSE-KMS).
    pub fn grant_write(&self, grantee: &dyn Grantable) {
        grantee.grant_principal().add_to_policy(
            PolicyStatement::allow().actions(["s3:DeleteObject", "s3:PutObject"]).resource(self.arn_for_objects("*")),
        );
        if let Some(k) = &self.key {
            k.grant_encrypt_decrypt(grantee);
        }
    }

    /// [`Bucket::grant_read`] and [`Bucket::grant_write`].
    pub fn grant_read_write(&self, grantee: &dyn Grantable) {
        self.grant_read(grantee);
        self.grant_write(grantee);
    }
}

fn bucket_objects(handle: &ResourceHandle) -> Value<String> {
    Value::sub_with("${Arn}/*", [("Arn", handle.get_att::<String>("Arn"))])
}
