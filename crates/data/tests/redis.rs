//! Redis / Valkey role-based access control: a replication group whose
//! clients authenticate as users of an `AWS::ElastiCache::UserGroup`
//! (generated passwords by dynamic reference, or IAM), with a disabled
//! `default` user, per-user connection URLs and exact `elasticache:Connect`
//! grants. Snapshotted, cfn-lint (0 findings) and checkov (0 failed) clean,
//! and bad input reported with path, property and message.

use serde_json::{json, Value as Json};
use stackcraft_core::assertions::{Template, ANY};
use stackcraft_core::App;
use stackcraft_data::*;

mod support;
use support::{coldchain_app, task_role, vpc};

fn rbac_users() -> Vec<CacheUser> {
    vec![
        CacheUser::password("app", AccessString::new("on ~app:* &app:* -@all +@read +@write -@dangerous")),
        CacheUser::iam("reporting", AccessString::read_only()),
    ]
}

fn sample(production: bool) -> Json {
    let app = coldchain_app(production);
    let stack = app.stack("Data");
    let cache = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder()
            .vpc(vpc(&stack))
            .engine(CacheEngine::Valkey8_0)
            .auth(CacheAuth::UserGroup(rbac_users()))
            .build(),
    );
    let role = task_role(&stack);
    let app_user = cache.user("app").expect("user app");
    app_user.grant_read_connection_url(&role);
    cache.user("reporting").expect("user reporting").grant_connect(&role);
    app.synth().expect("synth").stacks[0].template.clone()
}

fn without_vpc(mut t: Json) -> Json {
    if let Some(r) = t["Resources"].as_object_mut() {
        r.retain(|id, _| !id.starts_with("Vpc"));
    }
    t
}

#[test]
fn snapshot_rbac() {
    insta::assert_json_snapshot!(without_vpc(sample(false)));
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("RbacDev", &sample(false));
    stackcraft_testing::assert_template_cfn_lint_clean("RbacProd", &sample(true));
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("RbacDev", &sample(false));
    stackcraft_testing::assert_template_checkov_clean("RbacProd", &sample(true));
}

fn logical_id(t: &Template, kind: &str, props: Json) -> String {
    let found = t.find_resources(kind, &props);
    assert_eq!(
        found.len(),
        1,
        "{kind}: {:?}",
        t.find_resources(kind, &json!({})).iter().map(|r| r.1["Properties"].to_string()).collect::<Vec<_>>()
    );
    found[0].0.clone()
}

#[test]
fn user_group_has_a_disabled_default_user_and_the_users() {
    let t = Template::from_json(sample(true));
    t.resource_count_is("AWS::ElastiCache::User", 3);
    let default = logical_id(
        &t,
        "AWS::ElastiCache::User",
        json!({"UserName": "default", "UserId": "coldchain-prod-data-redis-default", "Engine": "valkey",
               "AccessString": "off -@all", "AuthenticationMode": {"Type": "no-password-required"}}),
    );
    let app_user = logical_id(
        &t,
        "AWS::ElastiCache::User",
        json!({"UserName": "app", "UserId": "coldchain-prod-data-redis-app", "Engine": "valkey",
               "AccessString": "on ~app:* &app:* -@all +@read +@write -@dangerous",
               "AuthenticationMode": {"Type": "password", "Passwords": [
                   {"Fn::Sub": ["{{resolve:secretsmanager:${SecretArn}:SecretString:password}}", ANY]}]}}),
    );
    let iam_user = logical_id(
        &t,
        "AWS::ElastiCache::User",
        json!({"UserName": "coldchain-prod-data-redis-reporting", "UserId": "coldchain-prod-data-redis-reporting",
               "AccessString": "on ~* -@all +@read", "AuthenticationMode": {"Type": "iam"}}),
    );
    let group = logical_id(
        &t,
        "AWS::ElastiCache::UserGroup",
        json!({"UserGroupId": "coldchain-prod-data-redis", "Engine": "valkey",
               "UserIds": [{"Ref": default}, {"Ref": app_user}, {"Ref": iam_user.clone()}]}),
    );
    t.has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        json!({"Engine": "valkey", "TransitEncryptionEnabled": true, "UserGroupIds": [{"Ref": group}]}),
    );
    let rg = t.find_resources("AWS::ElastiCache::ReplicationGroup", &json!({}));
    assert!(rg[0].1["Properties"].get("AuthToken").is_none(), "no AUTH token with RBAC");
    // Per-user URLs, only dynamic references.
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"SecretString": {"Fn::Sub": [
            "rediss://app:{{resolve:secretsmanager:${Password}:SecretString:password}}@${Host}:${Port}", ANY]}}),
    );
    t.has_resource_properties(
        "AWS::SecretsManager::Secret",
        json!({"SecretString": {"Fn::Sub": ["rediss://coldchain-prod-data-redis-reporting@${Host}:${Port}", ANY]}}),
    );
    // Exact elasticache:Connect on the group and the IAM user.
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({"Policies": [{"PolicyDocument": {"Statement": [{
            "Effect": "Allow", "Action": "elasticache:Connect",
            "Resource": [
                {"Fn::Sub": ["arn:${AWS::Partition}:elasticache:${AWS::Region}:${AWS::AccountId}:replicationgroup:${Group}", ANY]},
                {"Fn::GetAtt": [iam_user, "Arn"]},
            ]}]}}]}),
    );
}

fn synth_errors(auth: CacheAuth, engine: CacheEngine, tls: bool) -> String {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = vpc(&stack);
    ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder().vpc(vpc).engine(engine).tls(tls).auth(auth).build(),
    );
    app.synth().expect_err("synth must fail").to_string()
}

#[test]
fn bad_rbac_input_names_path_property_and_allowed_values() {
    let err = synth_errors(
        CacheAuth::UserGroup(vec![
            CacheUser::password("default", AccessString::full_access()),
            CacheUser::password("App_1", AccessString::new("~* +@all")),
            CacheUser::iam("ops", AccessString::new("on off >secret ~ +@everything +get|")),
            CacheUser::password("ops", AccessString::new("on nopass allkeys bogus")),
        ]),
        CacheEngine::Redis6_2,
        false,
    );
    for needle in [
        "S/Redis [UserGroupIds]: role-based access control (a user group) needs TLS in transit: keep \
         ReplicationGroupProps::tls on",
        "S/Redis [UserName]: user name \"default\" is reserved: the group's `default` user is created disabled; \
         name your users",
        "S/Redis [UserName]: user name \"App_1\" is invalid: 1-32 lowercase letters, digits and single hyphens, \
         starting with a letter and not ending with a hyphen",
        "S/Redis [AccessString]: access string \"~* +@all\" of user \"App_1\": must contain exactly one of `on` or \
         `off` (found 0)",
        "S/Redis [AccessString]: access string \"on off >secret ~ +@everything +get|\" of user \"ops\": must contain \
         exactly one of `on` or `off` (found 2)",
        "S/Redis [AccessString]: access string \"on off >secret ~ +@everything +get|\" of user \"ops\": word \
         \">secret\" manages passwords: passwords come from the user's authentication, not the access string",
        "of user \"ops\": word \"~\" has an empty key pattern",
        "of user \"ops\": word \"+@everything\" names an unknown ACL category: use one of admin, all, bitmap, \
         blocking, connection, dangerous, fast, geo, hash, hyperloglog, keyspace, list, pubsub, read, scripting, \
         set, slow, sortedset, stream, string, transaction, write",
        "S/Redis [AuthenticationMode]: IAM authentication of user \"ops\" needs Redis OSS 7.0 or later, or Valkey; \
         the engine is redis 6.2",
        "S/Redis [UserName]: user name \"ops\" is used twice",
        "S/Redis [AccessString]: access string \"on nopass allkeys bogus\" of user \"ops\": word \"nopass\" manages \
         passwords",
        "word \"bogus\" is not an ACL rule: use on/off, ~keypattern",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    let err = synth_errors(CacheAuth::UserGroup(vec![]), CacheEngine::Redis7_1, true);
    assert!(
        err.contains(
            "S/Redis [UserGroupIds]: a user group needs at least one user besides the disabled `default` user"
        ),
        "{err}"
    );
}

#[test]
fn redis_engine_and_explicit_group_id_name_the_users() {
    let app = App::new("t");
    let stack = app.stack("S");
    let cache = ReplicationGroup::new(
        &stack,
        "Redis",
        ReplicationGroupProps::builder()
            .vpc(vpc(&stack))
            .replication_group_id("orders-cache")
            .auth(CacheAuth::UserGroup(vec![CacheUser::iam("worker", AccessString::full_access())]))
            .build(),
    );
    assert_eq!(cache.users().len(), 1);
    assert_eq!(cache.user("worker").map(|u| u.user_name().to_string()), Some("orders-cache-worker".to_string()));
    assert!(cache.auth_token_secret().is_none());
    let t = Template::from_json(app.synth().unwrap().stacks[0].template.clone());
    t.has_resource_properties(
        "AWS::ElastiCache::UserGroup",
        json!({"UserGroupId": "orders-cache", "Engine": "redis", "UserIds": [ANY, ANY]}),
    );
    t.has_resource_properties(
        "AWS::ElastiCache::User",
        json!({"UserId": "orders-cache-default", "UserName": "default", "Engine": "redis"}),
    );
}

#[test]
fn long_paths_get_a_stable_hashed_id() {
    let app = App::new("a-very-long-application-name");
    let stack = app.stack("SomeDeeplyNestedStack");
    ReplicationGroup::new(
        &stack,
        "SessionCacheForTheCheckout",
        ReplicationGroupProps::builder()
            .vpc(vpc(&stack))
            .auth(CacheAuth::UserGroup(vec![CacheUser::password("app", AccessString::full_access())]))
            .build(),
    );
    let t = app.synth().unwrap().stacks[0].template.clone();
    let groups = Template::from_json(t).find_resources("AWS::ElastiCache::UserGroup", &json!({}));
    let id = groups[0].1["Properties"]["UserGroupId"].as_str().unwrap().to_string();
    assert!(id.len() <= 28 && id.starts_with("a-very-long-applicati-"), "{id}");
    assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
}
