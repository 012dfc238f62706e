use stackcraft_observability::BudgetProps;

fn main() {
    // A budget nobody hears about is useless: `emails` is required.
    let _props = BudgetProps::builder().monthly_limit_usd(100.0).build();
}
