// A FargateSize cannot be assembled from an arbitrary pair: its fields are
// private, so 256 CPU / 8192 MiB is unrepresentable.
use stackcraft_ecs_service::FargateSize;

fn main() {
    let _size = FargateSize { cpu: 256, memory_mib: 8192 };
}
