//! S3 buckets ([`Bucket`]) with secure defaults: all public access blocked,
//! ACLs disabled (bucket owner enforced), encryption at rest, versioning,
//! TLS-only bucket policy, `Retain`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value as Json;
use stackcraft_cfn::s3;
use stackcraft_cfn::s3::bucket as b;
use stackcraft_core::{CondExpr, ConditionRef, DeletionPolicy, ResourceHandle, Scope, ToCfn, Value};
use stackcraft_iam::{Grantable, PolicyDocument, PolicyStatement, Principal};
use stackcraft_security::{Key, KeyProps};
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
    /// SSE-KMS with the stack's shared key ([`Key::share_in_stack`]), else a
    /// new key for this bucket.
    StackKey,
}

/// An S3 storage class objects can transition to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageClass {
    /// `STANDARD_IA`: infrequent access (at least 30 days after creation).
    StandardIa,
    /// `ONEZONE_IA`: infrequent access in one AZ (at least 30 days).
    OneZoneIa,
    /// `INTELLIGENT_TIERING`.
    IntelligentTiering,
    /// `GLACIER_IR`: Glacier Instant Retrieval.
    GlacierInstantRetrieval,
    /// `GLACIER`: Glacier Flexible Retrieval.
    Glacier,
    /// `DEEP_ARCHIVE`: Glacier Deep Archive.
    DeepArchive,
    /// A class S3 added after this release (written as given).
    Other(String),
}

impl StorageClass {
    /// The CloudFormation value.
    pub fn as_str(&self) -> &str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OneZoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierInstantRetrieval => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
            StorageClass::Other(s) => s,
        }
    }

    fn l1(&self) -> b::StorageClass {
        match self {
            StorageClass::StandardIa => b::StorageClass::StandardIa,
            StorageClass::OneZoneIa => b::StorageClass::OnezoneIa,
            StorageClass::IntelligentTiering => b::StorageClass::IntelligentTiering,
            StorageClass::GlacierInstantRetrieval => b::StorageClass::GlacierIr,
            StorageClass::Glacier => b::StorageClass::Glacier,
            StorageClass::DeepArchive => b::StorageClass::DeepArchive,
            StorageClass::Other(s) => b::StorageClass::Other(s.clone()),
        }
    }

    /// The minimum age in days S3 accepts for a transition to this class.
    fn min_days(&self) -> u32 {
        match self {
            StorageClass::StandardIa | StorageClass::OneZoneIa => 30,
            _ => 0,
        }
    }
}

/// Move objects to `storage_class` `after_days` days after creation (or,
/// in [`LifecycleRule::noncurrent_transitions`], after becoming noncurrent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The target class.
    pub storage_class: StorageClass,
    /// Days after creation (or after becoming noncurrent).
    pub after_days: u32,
}

impl Transition {
    /// A transition to `storage_class` after `after_days` days.
    pub fn new(storage_class: StorageClass, after_days: u32) -> Self {
        Transition { storage_class, after_days }
    }
}

/// A lifecycle rule: transitions and expirations of the objects under a
/// prefix (or all objects).
///
/// ```
/// use stackcraft_data::{LifecycleRule, StorageClass, Transition};
/// let rule = LifecycleRule::builder()
///     .id("ArchiveBackups")
///     .transitions(vec![Transition::new(StorageClass::StandardIa, 30), Transition::new(StorageClass::Glacier, 90)])
///     .expire_after_days(365)
///     .build();
/// assert_eq!(rule.transitions.len(), 2);
/// ```
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct LifecycleRule {
    /// Rule id (1-255 characters, unique in the bucket).
    #[builder(setter(into))]
    pub id: String,
    /// Only objects whose key starts with this prefix. Default: all objects.
    #[builder(default, setter(strip_option, into))]
    pub prefix: Option<String>,
    /// Storage class transitions of current objects, in increasing days.
    #[builder(default)]
    pub transitions: Vec<Transition>,
    /// Delete current objects this many days after creation.
    #[builder(default, setter(strip_option))]
    pub expire_after_days: Option<u32>,
    /// Storage class transitions of noncurrent versions (versioned buckets).
    #[builder(default)]
    pub noncurrent_transitions: Vec<Transition>,
    /// Delete noncurrent versions this many days after they became noncurrent.
    #[builder(default, setter(strip_option))]
    pub noncurrent_expire_after_days: Option<u32>,
}

/// Who owns objects other accounts upload (`OwnershipControls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ObjectOwnership {
    /// ACLs disabled, the bucket owner owns every object (default; what AWS
    /// recommends, and enough for ELB and S3 server access logs).
    #[default]
    BucketOwnerEnforced,
    /// ACLs enabled; the bucket owner owns objects uploaded with the
    /// `bucket-owner-full-control` ACL.
    BucketOwnerPreferred,
    /// ACLs enabled; the uploading account owns the object.
    ObjectWriter,
}

impl ObjectOwnership {
    /// The CloudFormation value.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    fn l1(self) -> b::ObjectOwnership {
        match self {
            ObjectOwnership::BucketOwnerEnforced => b::ObjectOwnership::BucketOwnerEnforced,
            ObjectOwnership::BucketOwnerPreferred => b::ObjectOwnership::BucketOwnerPreferred,
            ObjectOwnership::ObjectWriter => b::ObjectOwnership::ObjectWriter,
        }
    }
}

/// An HTTP method a CORS rule allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl HttpMethod {
    /// The CloudFormation value.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
        }
    }

    fn l1(self) -> b::AllowedMethods {
        match self {
            HttpMethod::Get => b::AllowedMethods::Get,
            HttpMethod::Put => b::AllowedMethods::Put,
            HttpMethod::Post => b::AllowedMethods::Post,
            HttpMethod::Delete => b::AllowedMethods::Delete,
            HttpMethod::Head => b::AllowedMethods::Head,
        }
    }
}

/// A CORS rule (browsers uploading to or reading from the bucket directly,
/// e.g. with presigned URLs).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct CorsRule {
    /// Allowed methods (at least one).
    pub allowed_methods: Vec<HttpMethod>,
    /// Allowed origins, e.g. `https://app.example.com` (at least one; `*`
    /// is allowed but rarely right).
    pub allowed_origins: Vec<String>,
    /// Request headers allowed in preflight requests.
    #[builder(default)]
    pub allowed_headers: Vec<String>,
    /// Response headers exposed to the browser.
    #[builder(default)]
    pub exposed_headers: Vec<String>,
    /// How long browsers may cache the preflight response.
    #[builder(default, setter(strip_option))]
    pub max_age_secs: Option<u32>,
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
    /// Further lifecycle rules (transitions to IA/Glacier classes,
    /// expirations), after the built-in ones (abort incomplete uploads after
    /// 7 days, `expire_after_days`, `noncurrent_versions_expire_after_days`).
    #[builder(default)]
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Object ownership. Default [`ObjectOwnership::BucketOwnerEnforced`]
    /// (ACLs disabled).
    #[builder(default)]
    pub object_ownership: ObjectOwnership,
    /// CORS rules. Default none.
    #[builder(default)]
    pub cors: Vec<CorsRule>,
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
}

impl Default for BucketProps {
    fn default() -> Self {
        BucketProps::builder().build()
    }
}

/// Settings of a log bucket ([`Bucket::new_log_bucket`]).
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct LogBucketProps {
    /// Explicit bucket name (default: generated).
    #[builder(default, setter(strip_option, into))]
    pub bucket_name: Option<String>,
    /// Move logs to Glacier Instant Retrieval after this many days. Default 90.
    #[builder(default = Some(90))]
    pub archive_after_days: Option<u32>,
    /// Delete logs this many days after they were written. Default 365.
    #[builder(default = 365)]
    pub expire_after_days: u32,
    /// Let Elastic Load Balancing write access logs under this prefix
    /// (give the same prefix to the load balancer). Default `Some("alb")`.
    #[builder(default = Some("alb".to_string()), setter(strip_option, into))]
    pub load_balancer_prefix: Option<String>,
    /// What happens to the bucket when it leaves the stack. Default
    /// [`DeletionPolicy::Retain`].
    #[builder(default = DeletionPolicy::Retain)]
    pub removal_policy: DeletionPolicy,
}

impl Default for LogBucketProps {
    fn default() -> Self {
        LogBucketProps::builder().build()
    }
}

/// The bucket policy's typed state, rendered into the
/// `AWS::S3::BucketPolicy` document at synth (a lazy value).
#[derive(Debug)]
struct PolicyState {
    doc: PolicyDocument,
    /// The statement for the legacy regional ELB log accounts, present only
    /// in the regions that have one (an `Fn::If` on a stack condition).
    legacy_elb: Option<LegacyElbStatement>,
}

#[derive(Debug)]
struct LegacyElbStatement {
    condition: ConditionRef,
    account: Value<String>,
    /// Object ARNs ELB may write to (one per access-log prefix).
    resources: Vec<Value<String>>,
}

impl PolicyState {
    /// The policy document.
    fn document(&self) -> Json {
        let mut json = self.doc.to_json();
        if let (Some(l), Some(list)) = (&self.legacy_elb, json.get_mut("Statement").and_then(Json::as_array_mut)) {
            let statement = PolicyStatement::allow()
                .sid("AllowElbLegacyAccountLogDelivery")
                .action("s3:PutObject")
                .principal(Principal::arn(Value::sub_with(
                    "arn:${AWS::Partition}:iam::${Account}:root",
                    [("Account", l.account.clone())],
                )))
                .resources(l.resources.clone());
            list.push(Value::<Json>::if_(&l.condition, statement.to_json(), Value::<Json>::no_value()).to_cfn());
        }
        json
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
            BucketEncryption::StackKey => {
                Some(Key::for_resource(&scope, None, &format!("bucket {}", scope.path()), props.removal_policy))
            }
        };
        let sse = match &key {
            None => b::ServerSideEncryptionByDefault::new(b::ServerSideEncryptionByDefaultSseAlgorithm::Aes256),
            Some(k) => b::ServerSideEncryptionByDefault::new(b::ServerSideEncryptionByDefaultSseAlgorithm::AwsKms)
                .kms_master_key_id(k.arn()),
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
            .ownership_controls(b::OwnershipControls::new(vec![
                b::OwnershipControlsRule::new().object_ownership(props.object_ownership.l1())
            ]));
        if props.versioned {
            bucket = bucket
                .versioning_configuration(b::VersioningConfiguration::new(b::VersioningConfigurationStatus::Enabled));
        }
        let mut rules = vec![b::Rule::new(b::RuleStatus::Enabled)
            .id("AbortIncompleteUploads")
            .abort_incomplete_multipart_upload(b::AbortIncompleteMultipartUpload::new(7))];
        if let Some(d) = props.expire_after_days {
            if d == 0 {
                scope.error("LifecycleConfiguration", "expire_after_days must be at least 1");
            }
            rules
                .push(b::Rule::new(b::RuleStatus::Enabled).id("ExpireObjects").expiration_in_days(i64::from(d.max(1))));
        }
        if let (true, Some(d)) = (props.versioned, props.noncurrent_versions_expire_after_days) {
            if d == 0 {
                scope.error("LifecycleConfiguration", "noncurrent_versions_expire_after_days must be at least 1");
            }
            rules.push(
                b::Rule::new(b::RuleStatus::Enabled)
                    .id("ExpireNoncurrentVersions")
                    .noncurrent_version_expiration(b::NoncurrentVersionExpiration::new(i64::from(d.max(1)))),
            );
        }
        for rule in &props.lifecycle_rules {
            rules.push(lifecycle_rule(&scope, rule, props.versioned));
        }
        let mut ids: Vec<&str> = props.lifecycle_rules.iter().map(|r| r.id.as_str()).collect();
        ids.extend(["AbortIncompleteUploads", "ExpireObjects", "ExpireNoncurrentVersions"]);
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w.first() == w.get(1)) {
            scope.error(
                "LifecycleConfiguration",
                format!("lifecycle rule id {:?} is used twice (or is a built-in rule id)", w.first().unwrap_or(&"")),
            );
        }
        bucket = bucket.lifecycle_configuration(b::LifecycleConfiguration::new(rules));
        if !props.cors.is_empty() {
            bucket = bucket.cors_configuration(b::CorsConfiguration::new(
                props.cors.iter().map(|c| cors_rule(&scope, c)).map(Value::from).collect::<Vec<_>>(),
            ));
        }
        if let Some((target, prefix)) = &props.server_access_logs {
            bucket = bucket.logging_configuration(
                b::LoggingConfiguration::new().destination_bucket_name(target.name()).log_file_prefix(prefix.clone()),
            );
            target.allow_server_access_logs_from(prefix);
        }
        if let Some(n) = &props.bucket_name {
            if let Err(m) = stackcraft_core::validate::names::aws::BUCKET_NAME.check(n) {
                scope.error("BucketName", m);
            }
            bucket = bucket.bucket_name(n.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", bucket)).clone();
        handle.apply_removal_policy(props.removal_policy);
        if props.server_access_logs.is_none() {
            handle.acknowledge(
                "s3.access-logs",
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
        let policy = Rc::new(RefCell::new(PolicyState { doc, legacy_elb: None }));
        // Rendered from the typed state at synth: a statement added later
        // only changes the state.
        let state = policy.clone();
        scope.add(
            "Policy",
            s3::BucketPolicy::new(s3::BucketPolicyRequired {
                bucket: handle.ref_(),
                policy_document: Value::<Json>::lazy(move || state.borrow().document()),
            }),
        );
        Bucket { scope, handle, key, policy }
    }

    /// A bucket for logs with the defaults logs need: SSE-S3 (the only
    /// encryption ELB can write to), versioned, archived to Glacier Instant
    /// Retrieval and expired on a schedule, load balancer access log delivery
    /// allowed under [`LogBucketProps::load_balancer_prefix`], and ready to
    /// receive the S3 server access logs of other buckets (name it in their
    /// [`BucketProps::server_access_logs`]). It does not log access to itself
    /// (that would loop); the checkov skip of CKV_AWS_18 says so.
    pub fn new_log_bucket(scope: &Scope, id: &str, props: LogBucketProps) -> Bucket {
        let mut rule = LifecycleRule::builder().id("ArchiveAndExpireLogs").build();
        if let Some(d) = props.archive_after_days {
            rule.transitions.push(Transition::new(StorageClass::GlacierInstantRetrieval, d));
        }
        rule.expire_after_days = Some(props.expire_after_days);
        rule.noncurrent_expire_after_days = Some(30);
        let mut bucket_props = BucketProps::builder()
            .lifecycle_rules(vec![rule])
            .noncurrent_versions_expire_after_days(None)
            .no_access_logs_reason("this is the log bucket: it receives access logs and does not log access to itself")
            .removal_policy(props.removal_policy)
            .build();
        bucket_props.bucket_name = props.bucket_name;
        let bucket = Bucket::new(scope, id, bucket_props);
        if let Some(prefix) = &props.load_balancer_prefix {
            bucket.allow_load_balancer_access_logs(prefix);
        }
        bucket
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
        self.policy.borrow_mut().doc.add_statement(statement);
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
        let mut st = self.policy.borrow_mut();
        if let Some(legacy) = st.legacy_elb.as_mut() {
            // The legacy-account statement covers every prefix granted.
            if !legacy.resources.contains(&resource) {
                legacy.resources.push(resource);
            }
            return;
        }
        let Some(stack) = self.scope.stack() else {
            return;
        };
        let base = self.handle.logical_id();
        let map: BTreeMap<String, BTreeMap<String, Json>> = ELB_LEGACY_LOG_ACCOUNTS
            .iter()
            .map(|(r, a)| ((*r).to_string(), BTreeMap::from([("Account".to_string(), Json::from(*a))])))
            .collect();
        let map = stack.add_mapping(&format!("{base}ElbLogAccounts"), map);
        let equals: Vec<CondExpr> =
            ELB_LEGACY_LOG_ACCOUNTS.iter().map(|(r, _)| CondExpr::equals(Value::region(), *r)).collect();
        let condition = stack.add_condition(
            &format!("{base}InElbLegacyRegion"),
            CondExpr::or(equals.chunks(10).map(|c| CondExpr::or(c.to_vec()))),
        );
        let account = Value::<String>::find_in_map(&map, Value::region(), "Account");
        st.legacy_elb = Some(LegacyElbStatement { condition, account, resources: vec![resource] });
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

fn lifecycle_rule(scope: &Scope, rule: &LifecycleRule, versioned: bool) -> b::Rule {
    let property = "LifecycleConfiguration.Rules";
    let id = &rule.id;
    if id.is_empty() || id.len() > 255 {
        scope.error(property, format!("lifecycle rule id {id:?} must be 1-255 characters"));
    }
    if rule.transitions.is_empty()
        && rule.expire_after_days.is_none()
        && rule.noncurrent_transitions.is_empty()
        && rule.noncurrent_expire_after_days.is_none()
    {
        scope.error(property, format!("lifecycle rule {id:?} has no transition and no expiration"));
    }
    if !versioned && (!rule.noncurrent_transitions.is_empty() || rule.noncurrent_expire_after_days.is_some()) {
        scope.error(
            property,
            format!("lifecycle rule {id:?} acts on noncurrent versions, but the bucket is not versioned"),
        );
    }
    let check = |transitions: &[Transition], expire: Option<u32>, what: &str| {
        let mut last: Option<u32> = None;
        for t in transitions {
            let min = t.storage_class.min_days();
            if t.after_days < min {
                scope.error(
                    property,
                    format!(
                        "lifecycle rule {id:?}: {what} transition to {} after {} days; S3 requires at least {min} days",
                        t.storage_class.as_str(),
                        t.after_days
                    ),
                );
            }
            if last.is_some_and(|l| t.after_days <= l) {
                scope.error(
                    property,
                    format!("lifecycle rule {id:?}: {what} transitions must be in strictly increasing days"),
                );
            }
            last = Some(t.after_days);
        }
        if let Some(e) = expire {
            if e == 0 {
                scope.error(property, format!("lifecycle rule {id:?}: {what} expiration must be at least 1 day"));
            } else if last.is_some_and(|l| e <= l) {
                scope.error(
                    property,
                    format!("lifecycle rule {id:?}: {what} expiration ({e} days) must come after the last transition"),
                );
            }
        }
    };
    check(&rule.transitions, rule.expire_after_days, "current-version");
    check(&rule.noncurrent_transitions, rule.noncurrent_expire_after_days, "noncurrent-version");
    let mut r = b::Rule::new(b::RuleStatus::Enabled).id(id.clone());
    if let Some(p) = &rule.prefix {
        r = r.prefix(p.clone());
    }
    if !rule.transitions.is_empty() {
        r = r.transitions(
            rule.transitions
                .iter()
                .map(|t| {
                    Value::from(b::Transition::new(t.storage_class.l1()).transition_in_days(i64::from(t.after_days)))
                })
                .collect::<Vec<_>>(),
        );
    }
    if let Some(d) = rule.expire_after_days {
        r = r.expiration_in_days(i64::from(d.max(1)));
    }
    if !rule.noncurrent_transitions.is_empty() {
        r = r.noncurrent_version_transitions(
            rule.noncurrent_transitions
                .iter()
                .map(|t| {
                    Value::from(b::NoncurrentVersionTransition::new(b::NoncurrentVersionTransitionRequired {
                        storage_class: t.storage_class.l1().into(),
                        transition_in_days: i64::from(t.after_days).into(),
                    }))
                })
                .collect::<Vec<_>>(),
        );
    }
    if let Some(d) = rule.noncurrent_expire_after_days {
        r = r.noncurrent_version_expiration(b::NoncurrentVersionExpiration::new(i64::from(d.max(1))));
    }
    r
}

fn cors_rule(scope: &Scope, c: &CorsRule) -> b::CorsRule {
    if c.allowed_methods.is_empty() || c.allowed_origins.is_empty() {
        scope.error(
            "CorsConfiguration.CorsRules",
            "a CORS rule needs at least one allowed method and one allowed origin",
        );
    }
    let strings = |v: &[String]| v.iter().cloned().map(Value::from).collect::<Vec<_>>();
    let mut methods = c.allowed_methods.clone();
    methods.sort_unstable();
    methods.dedup();
    let mut r = b::CorsRule::new(b::CorsRuleRequired {
        allowed_methods: methods.iter().map(|m| Value::from(m.l1())).collect::<Vec<_>>().into(),
        allowed_origins: strings(&c.allowed_origins).into(),
    });
    if !c.allowed_headers.is_empty() {
        r = r.allowed_headers(strings(&c.allowed_headers));
    }
    if !c.exposed_headers.is_empty() {
        r = r.exposed_headers(strings(&c.exposed_headers));
    }
    if let Some(a) = c.max_age_secs {
        r = r.max_age(i64::from(a));
    }
    r
}
