//! stackcraft-patterns: common service shapes composed only from the L2
//! building blocks.
//!
//! [`SharedAlbService`] is the piece CDK's `ecs-patterns` lacks (aws-cdk
//! issue 15894): one call puts a Fargate service behind an *existing*
//! load balancer listener — routing rule (path/host, automatic priority),
//! target group and health check, task definition with its container, log
//! group, secrets and environment, Cloud Map name, autoscaling with
//! cooldowns, CPU/memory alarms to a topic, deployment circuit breaker,
//! ECS Exec and the Fargate/Spot mix. Every default is a field of
//! [`SharedAlbServiceProps`]; the parts come back for further tweaks.
//!
//! ```
//! use stackcraft_alb::*;
//! use stackcraft_core::App;
//! use stackcraft_ecs_service::{Cluster, ClusterProps, ContainerImage, FargateSize};
//! use stackcraft_patterns::{SharedAlbService, SharedAlbServiceProps};
//! use stackcraft_vpc::{Vpc, VpcProps};
//!
//! let app = App::new("shop");
//! let stack = app.stack("Api");
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::builder().build());
//! let alb = ApplicationLoadBalancer::new(&stack, "Alb", ApplicationLoadBalancerProps::builder().vpc(vpc.clone()).build());
//! let listener = alb.add_https_listener(
//!     "Https",
//!     "arn:aws:acm:us-east-1:111122223333:certificate/abc",
//!     ListenerAction::fixed_response(404, "application/json", "{}"),
//! );
//! let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
//! let orders = SharedAlbService::new(&stack, SharedAlbServiceProps::builder()
//!     .name("orders")
//!     .cluster(cluster)
//!     .vpc(vpc)
//!     .listener(listener)
//!     .image(ContainerImage::from_registry("ghcr.io/acme/orders:1.0.0"))
//!     .port(8001)
//!     .size(FargateSize::CPU_512_MEM_1024)
//!     .conditions(vec![ListenerCondition::path_patterns(["/api/orders*"])])
//!     .build());
//! orders.container().add_environment("LOG_LEVEL", "info");
//! app.synth().unwrap();
//! ```
#![forbid(unsafe_code)]

mod shared_alb;

pub use shared_alb::{SharedAlbService, SharedAlbServiceProps};
