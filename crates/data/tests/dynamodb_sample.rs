//! A cart table in dev (on demand) and prod (provisioned, autoscaled, with
//! indexes, TTL and a stream): synthesized, snapshotted, and validated with
//! cfn-lint (0 findings) and checkov (0 failed checks).

use stackcraft_core::App;
use stackcraft_data::*;
use stackcraft_iam::{Role, RoleProps, ServicePrincipal};

fn sample(production: bool) -> serde_json::Value {
    let app = App::new("shop");
    app.set_environment(if production { "prod" } else { "dev" }, production);
    let stack = app.stack("Data");
    let billing = if production {
        Billing::Provisioned { read: Capacity::autoscaled(5, 200), write: Capacity::autoscaled(5, 100) }
    } else {
        Billing::OnDemand
    };
    let table = Table::new(
        &stack,
        "Carts",
        TableProps::builder()
            .partition_key(Attribute::string("cartId"))
            .sort_key(Attribute::string("itemId"))
            .billing(billing)
            .global_secondary_indexes(vec![GlobalSecondaryIndex::builder()
                .index_name("byCustomer")
                .partition_key(Attribute::string("customerId"))
                .sort_key(Attribute::number("updatedAt"))
                .projection(Projection::Include(vec!["total".into()]))
                .build()])
            .local_secondary_indexes(vec![LocalSecondaryIndex::builder()
                .index_name("byAddedAt")
                .sort_key(Attribute::number("addedAt"))
                .projection(Projection::KeysOnly)
                .build()])
            .time_to_live_attribute("expiresAt")
            .stream(StreamViewType::NewAndOldImages)
            .build(),
    );
    let role = Role::new(
        &stack,
        "TaskRole",
        RoleProps::builder().assumed_by(ServicePrincipal::new("ecs-tasks.amazonaws.com")).build(),
    );
    table.grant_read_write_data(&role);
    table.grant_stream_read(&role);
    table.throttle_alarms();
    app.synth().unwrap_or_else(|e| panic!("{e}")).stacks[0].template.clone()
}

#[test]
fn snapshot_dev() {
    insta::assert_json_snapshot!(sample(false));
}

#[test]
fn snapshot_prod() {
    insta::assert_json_snapshot!(sample(true));
}

#[test]
fn cfn_lint_is_clean() {
    stackcraft_testing::assert_template_cfn_lint_clean("TableDev", &sample(false));
    stackcraft_testing::assert_template_cfn_lint_clean("TableProd", &sample(true));
}

#[test]
fn checkov_is_clean() {
    stackcraft_testing::assert_template_checkov_clean("TableDev", &sample(false));
    stackcraft_testing::assert_template_checkov_clean("TableProd", &sample(true));
}
