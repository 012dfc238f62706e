// A rule needs an event pattern: the builder does not build without one.
use stackcraft_messaging::RuleProps;

fn main() {
    let _ = RuleProps::builder().description("no pattern").build();
}
