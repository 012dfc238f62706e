use stackcraft_alb::{ListenerProps, ListenerProtocol};

fn main() {
    // A listener needs a default action: this must not compile.
    let _props = ListenerProps::builder().protocol(ListenerProtocol::Https).build();
}
