// Event pattern detail fields take a typed Matcher, not a bare string.
use stackcraft_messaging::EventPattern;

fn main() {
    let _ = EventPattern::new().detail("status", "PAID");
}
