//! A frontend distribution (S3 through origin access control, an API origin,
//! SPA routing, certificate, web ACL, logs): snapshotted, cfn-lint clean and
//! checkov clean without a single skip; bad input reported with paths.

use stackcraft_core::App;
use stackcraft_data::BucketEncryption;
use stackcraft_edge::*;

mod support;
use support::{log_bucket, site_bucket, unlogged_site_bucket};

fn sample(kms: bool) -> stackcraft_core::Assembly {
    let app = App::new("portal");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Edge");
    let logs = log_bucket(&stack);
    let site = site_bucket(&stack, &logs, if kms { BucketEncryption::NewKey } else { BucketEncryption::S3Managed });
    let api = HttpOrigin::new("origin.portal.example.com");
    Distribution::new(
        &stack,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .behaviors(vec![("/api/*".into(), Behavior::api(api))])
            .default_root_object("index.html")
            .error_responses(vec![ErrorResponse::spa(403), ErrorResponse::spa(404)])
            .domain_names(vec!["portal.example.com".into()])
            .certificate_arn("arn:aws:acm:us-east-1:111122223333:certificate/0f3c1d2e-aaaa-bbbb-cccc-123456789012")
            .web_acl_arn(
                "arn:aws:wafv2:us-east-1:111122223333:global/webacl/portal/0f3c1d2e-aaaa-bbbb-cccc-123456789012",
            )
            .logging(DistributionLogging { bucket: logs, prefix: "cloudfront/".into() })
            .build(),
    );
    app.synth().expect("sample synthesizes")
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!("edge_stack", sample(true).stacks[0].template);
}

#[test]
fn origin_access_is_scoped_to_the_distribution() {
    let a = sample(false);
    let t = &a.stacks[0].template;
    let res = t["Resources"].as_object().unwrap();
    let policy = res
        .values()
        .find(|r| r["Type"] == "AWS::S3::BucketPolicy" && r["Properties"]["Bucket"]["Ref"] == "SiteC7D6A4E9")
        .or_else(|| {
            res.values().find(|r| {
                r["Type"] == "AWS::S3::BucketPolicy"
                    && r["Properties"]["PolicyDocument"].to_string().contains("cloudfront.amazonaws.com")
            })
        })
        .unwrap();
    let text = policy["Properties"]["PolicyDocument"].to_string();
    assert!(text.contains("\"AWS:SourceArn\""), "{text}");
    assert!(text.contains("s3:GetObject"));
    let dist = res.values().find(|r| r["Type"] == "AWS::CloudFront::Distribution").unwrap();
    assert!(dist.get("Metadata").is_none(), "no checkov skips with certificate, WAF and logs");
    let c = &dist["Properties"]["DistributionConfig"];
    assert_eq!(c["ViewerCertificate"]["MinimumProtocolVersion"], "TLSv1.2_2021");
    assert_eq!(c["DefaultCacheBehavior"]["ViewerProtocolPolicy"], "redirect-to-https");
    assert_eq!(c["DefaultCacheBehavior"]["CachePolicyId"], "658327ea-f89d-4fab-a63d-7e88639e58f6");
    assert_eq!(c["CacheBehaviors"][0]["OriginRequestPolicyId"], "b689b0a8-53d0-40ab-baf2-68738e2966ac");
    assert_eq!(c["Origins"][1]["CustomOriginConfig"]["OriginProtocolPolicy"], "https-only");
    assert_eq!(c["CustomErrorResponses"][1]["ResponsePagePath"], "/index.html");
    assert_eq!(c["PriceClass"], "PriceClass_100");
}

#[test]
fn cfn_lint_clean() {
    stackcraft_testing::assert_cfn_lint_clean(&sample(true));
}

#[test]
fn checkov_clean() {
    stackcraft_testing::assert_checkov_clean(&sample(true));
}

#[test]
fn bad_input_names_path_and_property() {
    let app = App::new("portal");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Edge");
    let site = unlogged_site_bucket(&stack);
    Distribution::new(
        &stack,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .behaviors(vec![("/a/*".into(), Behavior::s3(&site)), ("/a/*".into(), Behavior::s3(&site))])
            .default_root_object("/index.html")
            .error_responses(vec![ErrorResponse::spa(302)])
            .domain_names(vec!["portal.example.com".into()])
            .build(),
    );
    Distribution::new(
        &stack,
        "Eu",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .certificate_arn("arn:aws:acm:eu-west-1:111122223333:certificate/x")
            .web_acl_arn("arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/x/y")
            .no_logging_reason("test")
            .build(),
    );
    let e = app.synth().unwrap_err().to_string();
    for needle in [
        "error: Edge/Cdn [CacheBehaviors]: path pattern \"/a/*\" is given twice",
        "error: Edge/Cdn [DefaultRootObject]: default root object \"/index.html\": an object name without a leading '/', e.g. \"index.html\"",
        "error: Edge/Cdn [CustomErrorResponses]: error code 302: allowed [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]",
        "error: Edge/Cdn [Aliases]: domain names need a certificate covering them (DistributionProps::certificate_arn, in us-east-1)",
        "error: Edge/Cdn [WebACLId]: give a web ACL (DistributionProps::web_acl_arn) or the reason there is none (no_web_acl_reason)",
        "error: Edge/Cdn [Logging]: give access logs (DistributionProps::logging) or the reason there are none (no_logging_reason)",
        "error: Edge/Eu [ViewerCertificate]: certificate arn:aws:acm:eu-west-1:111122223333:certificate/x: CloudFront only uses ACM certificates from us-east-1",
        "error: Edge/Eu [Aliases]: a certificate needs at least one domain name (DistributionProps::domain_names) it covers",
        "error: Edge/Eu [WebACLId]: web ACL arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/x/y: a WAFv2 web ACL of scope CLOUDFRONT",
    ] {
        assert!(e.contains(needle), "expected {needle:?} in\n{e}");
    }
}

#[test]
fn reasons_become_checkov_skips() {
    let app = App::new("portal");
    stackcraft_policy::install_default(&app); // derives the checkov skips of acknowledgements
    let stack = app.stack("Edge");
    let site = unlogged_site_bucket(&stack);
    let d = Distribution::new(
        &stack,
        "Cdn",
        DistributionProps::builder()
            .default_behavior(Behavior::s3(&site))
            .no_web_acl_reason("dev: not public")
            .no_logging_reason("dev: no log retention needed")
            .build(),
    );
    let a = app.synth().unwrap();
    let r = &a.stacks[0].template["Resources"][d.handle().logical_id()];
    let skips = r["Metadata"]["checkov"]["skip"].to_string();
    for id in ["CKV_AWS_174", "CKV_AWS_68", "CKV_AWS_86"] {
        assert!(skips.contains(id), "{skips}");
    }
    assert!(skips.contains("dev: not public"));
    stackcraft_testing::assert_checkov_clean(&a);
    stackcraft_testing::assert_cfn_lint_clean(&a);
}
