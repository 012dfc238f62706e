//! stackcraft-core: the application graph, typed values and intrinsics,
//! logical IDs, validation and synthesis into a CloudFormation cloud assembly.
//!
//! It knows nothing of any AWS service: the generated L1 layer
//! (`stackcraft-cfn`) and the building blocks are written on top of it.
//!
//! ```
//! use stackcraft_core::{App, RawResource, Value};
//! use serde_json::json;
//!
//! let app = App::new("demo");
//! let stack = app.stack("Storage");
//! let queue = stack.add_raw("Queue", RawResource::new("AWS::SQS::Queue", json!({})));
//! let other = app.stack("Consumers");
//! other.add_raw("Topic", RawResource::new("AWS::SNS::Topic", json!({
//!     "Subscription": [{"Protocol": "sqs", "Endpoint": queue.get_att::<String>("Arn")}],
//! })));
//! let assembly = app.synth().unwrap();
//! // The cross-stack reference became an export and an import.
//! assert_eq!(assembly.stacks[1].dependencies, ["Storage"]);
//! ```
#![forbid(unsafe_code)]
// No panics on user input: these are denied in library code (tests may use them).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod ack;
pub mod assertions;
#[cfg(feature = "cli")]
pub mod cli;
mod diag;
pub mod env;
mod graph;
pub mod logical_id;
pub mod output;
mod synth;
pub mod timings;
pub mod validate;
pub mod validator;
mod value;

pub use ack::{Acknowledged, Acknowledgement, ValidationInput, Validator};
pub use diag::{Diagnostic, Severity, SynthError};
pub use env::{EnvError, Environment, Environments};
pub use graph::{
    App, DeletionPolicy, EnvInfo, Output, Parameter, ParameterRef, RawResource, Resource, ResourceHandle, Scope, Stack,
    TagFormat,
};
pub use synth::{Assembly, StackArtifact, MANIFEST_VERSION};
pub use validator::{Finding, ResourceValidator};
pub use value::{list_mut, CondExpr, ConditionRef, Expr, Lazy, Literal, MappingRef, Pseudo, StrEnum, ToCfn, Value};

/// Re-exported for generated code and building blocks.
pub use serde_json;
