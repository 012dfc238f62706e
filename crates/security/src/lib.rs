//! stackcraft-security: the security primitives other building blocks
//! encrypt and grant with.
//!
//! - [`Key`]: a customer-managed KMS key with rotation on, retained, whose key
//!   policy grows as blocks need it; [`Key::share_in_stack`] makes one key the
//!   default of a stack so log groups, secrets, buckets, topics and caches do
//!   not each pay for their own.
//! - [`SecretSource`] and [`ExistingSecret`]: a Secrets Manager secret a
//!   grantee can read (implemented by `stackcraft_data::Secret`). The trait is
//!   defined in `stackcraft-iam` beside the grants it writes, and has its home
//!   here for users.
//!
//! ```
//! use stackcraft_core::App;
//! use stackcraft_security::{Key, KeyProps};
//!
//! let app = App::new("demo");
//! let stack = app.stack("Data");
//! let key = Key::new(&stack, "Key", KeyProps::builder().alias("demo/data").build());
//! key.share_in_stack();
//! let assembly = app.synth().unwrap();
//! let keys = assembly.stacks[0].template["Resources"].as_object().unwrap().values();
//! assert_eq!(keys.filter(|r| r["Type"] == "AWS::KMS::Key").count(), 1);
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod kms;

pub use kms::{Key, KeyProps};
pub use stackcraft_iam::{ExistingSecret, SecretSource};
