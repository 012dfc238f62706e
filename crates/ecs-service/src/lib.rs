//! stackcraft-ecs-service (work in progress).
