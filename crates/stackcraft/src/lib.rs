//! stackcraft: infrastructure as code for AWS, written in Rust.
//!
//! This facade re-exports the building-block families; most apps need only
//! `use stackcraft::prelude::*;`.
#![forbid(unsafe_code)]

pub use stackcraft_cfn as cfn;
pub use stackcraft_core as core;
pub use stackcraft_iam as iam;

/// Everything an app's `main.rs` usually needs.
pub mod prelude {
    pub use stackcraft_core::{
        App, CondExpr, DeletionPolicy, Environment, Environments, Output, Parameter, Pseudo,
        RawResource, Scope, Stack, Value,
    };
    pub use stackcraft_iam::{
        Grantable, ManagedPolicy, PolicyStatement, Role, RoleProps, SecretSource, ServicePrincipal,
    };
}
