use stackcraft_observability::LogGroupProps;

fn main() {
    // Retention is a `RetentionDays`, so a value CloudWatch Logs rejects
    // (like 42 days) cannot even be written.
    let _props = LogGroupProps::builder().retention(42).build();
}
