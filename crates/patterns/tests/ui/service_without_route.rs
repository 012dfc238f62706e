use stackcraft_patterns::SharedAlbServiceProps;

fn main() {
    // no listener and no conditions: where would requests come from?
    let _ = SharedAlbServiceProps::builder().name("orders").port(8001).build();
}
