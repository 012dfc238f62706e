use stackcraft_edge::ViewerProtocol;

fn main() {
    let _ = ViewerProtocol::AllowAll;
}
