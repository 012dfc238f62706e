//! Bad input is reported at synth with the construct path, never a panic.

use stackcraft_core::App;
use stackcraft_data::*;
use stackcraft_vpc::{SubnetConfiguration, SubnetType, Vpc, VpcProps};

fn synth_errors(f: impl FnOnce(&stackcraft_core::Stack, Vpc)) -> String {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    f(&stack, vpc);
    app.synth().expect_err("synth must fail").to_string()
}

#[test]
fn bad_props_are_reported_together() {
    let err = synth_errors(|stack, vpc| {
        DatabaseInstance::new(
            stack,
            "Db",
            DatabaseInstanceProps::builder()
                .vpc(vpc)
                .engine_version(PostgresVersion::V15_19)
                .allocated_storage_gib(10)
                .backup_retention_days(0)
                .master_username("rdsadmin")
                .database_name("1db")
                .instance_class("t4g.micro")
                .log_exports(vec!["slowquery".to_string()])
                .build(),
        );
    });
    for needle in
        ["S/Db", "20 to 65536 GiB", "1 to 35 days", "master user name", "database name", "db.t4g.micro", "slowquery"]
    {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn public_subnets_are_rejected() {
    let err = synth_errors(|stack, vpc| {
        DatabaseInstance::new(
            stack,
            "Db",
            DatabaseInstanceProps::builder()
                .vpc(vpc)
                .engine_version(PostgresVersion::V16_15)
                .subnet_type(SubnetType::Public)
                .build(),
        );
    });
    assert!(err.contains("public subnets"), "{err}");
}

#[test]
fn a_single_az_vpc_is_rejected() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(
        &stack,
        "Vpc",
        VpcProps::builder()
            .az_count(1)
            .subnets(vec![SubnetConfiguration::public("Public"), SubnetConfiguration::isolated("Data")])
            .build(),
    );
    DatabaseInstance::new(
        &stack,
        "Db",
        DatabaseInstanceProps::builder().vpc(vpc).engine_version(PostgresVersion::V15_19).build(),
    );
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("at least 2 availability zones"), "{err}");
}

#[test]
fn private_subnets_are_used_when_there_are_no_isolated_ones() {
    let app = App::new("t");
    let stack = app.stack("S");
    let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
    let db = DatabaseInstance::new(
        &stack,
        "Db",
        DatabaseInstanceProps::builder().vpc(vpc.clone()).engine_version(PostgresVersion::V15_19).build(),
    );
    let asm = app.synth().unwrap();
    let t = &asm.stacks[0].template;
    let groups: Vec<_> =
        t["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::RDS::DBSubnetGroup").collect();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["Properties"]["SubnetIds"].as_array().unwrap().len(), 2);
    assert_eq!(db.port(), 5432);
    // Not production: single-AZ, with the acknowledgement explaining why.
    let inst = &t["Resources"][db.handle().logical_id()];
    assert_eq!(inst["Properties"]["MultiAZ"], false);
    assert_eq!(inst["Metadata"]["stackcraft"]["acknowledgements"][0]["rule"], "rds.multi-az");
    assert_eq!(inst["DeletionPolicy"], "Snapshot");
}

#[test]
fn load_balancer_logs_need_sse_s3() {
    let app = App::new("t");
    let stack = app.stack("S");
    let b = Bucket::new(&stack, "Logs", BucketProps::builder().encryption(BucketEncryption::NewKey).build());
    b.allow_load_balancer_access_logs("alb");
    b.allow_load_balancer_access_logs("other");
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("SSE-S3"), "{err}");
}

#[test]
fn bad_bucket_name_is_reported() {
    let app = App::new("t");
    let stack = app.stack("S");
    Bucket::new(&stack, "B", BucketProps::builder().bucket_name("Not_Valid").build());
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("bucket name"), "{err}");
}
