//! Per-environment configuration: one typed config value per environment,
//! and where each environment deploys.
//!
//! # Accounts and regions
//!
//! An [`Environment`] may pin its AWS account and region
//! (`Environment::new("prod", cfg).account("123456789012").region("eu-central-1")`);
//! unpinned, deploy uses the caller's account and its default region. A
//! config file read with `--config` may say it too, in a top-level
//! `"$environment": {"account": "...", "region": "..."}` entry. A stack
//! may be pinned elsewhere: `app.stack("Edge").in_region("us-east-1")`
//! (CloudFront certificates and WAF live there). The cloud assembly carries
//! the location per stack (`"environment": "aws://ACCOUNT/REGION"` in
//! `manifest.json`, `unknown-account` / `unknown-region` when not pinned;
//! `account`, `region`, `shared` per stack in `stackcraft.json`).
//! Templates keep `AWS::Region` as a token; a building block that needs the
//! literal region at synth (ARNs of regional services) asks
//! [`Scope::region`](crate::Scope::region).
//!
//! # Shared stacks
//!
//! [`App::shared_stack`](crate::App::shared_stack) declares a stack once for
//! all environments (a bootstrap, a container registry). Its template is the
//! same bytes whatever environment is synthesized: its deployed name is
//! `<app>-<id>`, app-level tags are not applied to it (tag the shared stack
//! itself), it is termination-protected, and blocks in it see only its own
//! pinned region. Other stacks may use only the values it exports explicitly
//! ([`Stack::export_value`](crate::Stack::export_value)), so its exports never
//! depend on which environment imports them; using anything else is a synth
//! error that names the call to add. A shared stack cannot use values of an
//! environment's stacks.
//!
//! # References between stacks
//!
//! Using a handle of another stack orders the stacks (the producer deploys
//! first) and becomes:
//! - within one account and region: an output with an export in the producer
//!   and `Fn::ImportValue` in the consumer (CloudFormation then refuses to
//!   drop an export still imported; `export_value` keeps one alive on purpose);
//! - across regions or accounts, where exports cannot reach: an output
//!   without export in the producer and `Fn::GetStackOutput` (`StackName`,
//!   `OutputName`, and `Region` / `RoleArn` where they differ) in the consumer.
//!   Across accounts the producer stack names the role to read it with
//!   ([`Stack::set_output_reader_role`](crate::Stack::set_output_reader_role)).
//!   An unpinned account counts as the same account; an unpinned region as
//!   the same region only when both sides are unpinned (a pinned stack using
//!   a stack whose region is unknown at synth is an error that says what to pin).
//!
//! Trade-off: `Fn::GetStackOutput` is a *weak* reference. It needs no extra
//! resources and core emits no AWS resource type for it, the pinned cfn-lint
//! (1.58.0) validates it, and it can never deadlock a deploy (no export lock).
//! In exchange CloudFormation does not stop the producer from removing an
//! output a consumer still reads (the consumer's next update fails), and a
//! consumer sees a new value only when it is deployed again (stackcraft deploys
//! producers first, so one deploy of the environment refreshes it). The
//! alternative, an `AWS::SSM::Parameter` written by the producer and read with
//! a `{{resolve:ssm:...}}` dynamic reference, has the same weakness, makes
//! core emit an AWS resource type, and cannot cross regions either (dynamic
//! references read the consumer's region), so it would need a custom
//! resource as well.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use serde::de::DeserializeOwned;
use serde::Serialize;

/// One deployment environment and its configuration.
#[derive(Debug, Clone)]
pub struct Environment<C> {
    /// Name used on the command line (`--env dev`) and in stack names.
    pub name: String,
    /// Production environments get termination protection and a guarded destroy.
    pub production: bool,
    /// The app's configuration for this environment.
    pub config: C,
    /// The AWS account (12 digits) the environment deploys to; `None` means
    /// the account of the credentials deploy runs with.
    pub account: Option<String>,
    /// The AWS region (e.g. `eu-central-1`) the environment deploys to;
    /// `None` means the region deploy runs with (`AWS_REGION`).
    pub region: Option<String>,
}

impl<C> Environment<C> {
    /// A non-production environment called `name` (no account or region pinned).
    pub fn new(name: impl Into<String>, config: C) -> Self {
        Environment { name: name.into(), production: false, config, account: None, region: None }
    }

    /// Mark the environment as production (termination protection, guarded destroy).
    pub fn production(mut self) -> Self {
        self.production = true;
        self
    }

    /// Pin the AWS account (12 digits; checked at synth).
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Pin the AWS region, e.g. `eu-central-1` (checked at synth).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

/// Why an environment or its config file was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// No environment has this name.
    #[error("unknown environment {name:?}; known environments: {}", known.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The declared environments, in declaration order.
        known: Vec<String>,
    },
    /// The config document does not fit the config type (or is not JSON).
    #[error("config for environment {environment:?}: at {path}: {message}")]
    Config {
        /// The environment whose config was loaded.
        environment: String,
        /// Where in the document (`.`-separated; `$environment.region`, ...).
        path: String,
        /// What serde found wrong there.
        message: String,
    },
}

/// The environments an app can be synthesized for (dev, staging, prod, or any others).
#[derive(Debug, Clone)]
pub struct Environments<C> {
    list: Vec<Environment<C>>,
}

impl<C> Default for Environments<C> {
    fn default() -> Self {
        Environments { list: Vec::new() }
    }
}

impl<C> Environments<C> {
    /// No environments yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a non-production environment.
    pub fn env(mut self, name: impl Into<String>, config: C) -> Self {
        self.list.push(Environment::new(name, config));
        self
    }

    /// Add a production environment (termination protection, guarded destroy).
    pub fn production(mut self, name: impl Into<String>, config: C) -> Self {
        self.list.push(Environment::new(name, config).production());
        self
    }

    /// Add an environment built with [`Environment::new`], e.g. one that pins
    /// its account and region:
    ///
    /// ```
    /// use stackcraft_core::{Environment, Environments};
    /// let envs = Environments::new()
    ///     .with(Environment::new("dev", ()).region("eu-central-1"))
    ///     .with(Environment::new("prod", ()).production().account("123456789012").region("eu-central-1"));
    /// assert_eq!(envs.get("prod").unwrap().region.as_deref(), Some("eu-central-1"));
    /// ```
    pub fn with(mut self, env: Environment<C>) -> Self {
        self.list.push(env);
        self
    }

    /// The environments in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &Environment<C>> {
        self.list.iter()
    }

    /// The names in declaration order.
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|e| e.name.as_str()).collect()
    }

    /// The environment called `name`, or an error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&Environment<C>, EnvError> {
        self.list.iter().find(|e| e.name == name).ok_or_else(|| self.unknown(name))
    }

    fn unknown(&self, name: &str) -> EnvError {
        EnvError::Unknown { name: name.to_owned(), known: self.names().into_iter().map(str::to_owned).collect() }
    }
}

impl<C: DeserializeOwned> Environments<C> {
    /// Replace the config of environment `name` with the JSON document `text`
    /// (a file the user edits, checked against the config type).
    ///
    /// The document may also say where the environment deploys, in a
    /// top-level `"$environment": {"account": "123456789012", "region":
    /// "eu-central-1"}` entry (both optional; checked at synth); it is taken
    /// out before the rest is checked against the config type.
    pub fn load_config(&mut self, name: &str, text: &str) -> Result<(), EnvError> {
        let unknown = self.unknown(name);
        let env = self.list.iter_mut().find(|e| e.name == name).ok_or(unknown)?;
        let fail = |path: &dyn std::fmt::Display, e: &dyn std::fmt::Display| EnvError::Config {
            environment: name.to_owned(),
            path: path.to_string(),
            message: e.to_string(),
        };
        let location = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(mut doc)) if doc.contains_key(ENVIRONMENT_KEY) => {
                let location = doc.remove(ENVIRONMENT_KEY).unwrap_or_default();
                let config = serde_path_to_error::deserialize(serde_json::Value::Object(doc))
                    .map_err(|e| fail(&e.path(), e.inner()))?;
                Some((config, location))
            }
            _ => None,
        };
        match location {
            Some((config, location)) => {
                let loc: Location = serde_path_to_error::deserialize(location)
                    .map_err(|e| fail(&format_args!("{ENVIRONMENT_KEY}.{}", e.path()), e.inner()))?;
                env.config = config;
                if loc.account.is_some() {
                    env.account = loc.account;
                }
                if loc.region.is_some() {
                    env.region = loc.region;
                }
            }
            None => {
                let mut de = serde_json::Deserializer::from_str(text);
                env.config = serde_path_to_error::deserialize(&mut de).map_err(|e| fail(&e.path(), e.inner()))?;
            }
        }
        Ok(())
    }
}

/// The key of a config file's entry that says where the environment deploys.
pub const ENVIRONMENT_KEY: &str = "$environment";

/// Where an environment deploys, as a config file may say it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Location {
    account: Option<String>,
    region: Option<String>,
}

/// The JSON Schema of a config type, for editors (`$schema`).
#[cfg(feature = "cli")]
pub fn config_schema<C: schemars::JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(C)).unwrap_or_default()
}

/// Render a config value as JSON (for `config` and tests).
pub fn config_json<C: Serialize>(c: &C) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Clone, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Cfg {
        size: u32,
    }

    #[test]
    fn config_files_may_say_where_the_environment_deploys() {
        let mut envs = Environments::new().env("dev", Cfg { size: 1 });
        envs.load_config(
            "dev",
            r#"{"size": 2, "$environment": {"account": "123456789012", "region": "eu-central-1"}}"#,
        )
        .unwrap();
        let dev = envs.get("dev").unwrap();
        assert_eq!(dev.config, Cfg { size: 2 });
        assert_eq!((dev.account.as_deref(), dev.region.as_deref()), (Some("123456789012"), Some("eu-central-1")));
        // Without the entry the pins stay.
        envs.load_config("dev", r#"{"size": 3}"#).unwrap();
        assert_eq!(envs.get("dev").unwrap().region.as_deref(), Some("eu-central-1"));
        let e = envs.load_config("dev", r#"{"size": 3, "$environment": {"zone": "x"}}"#).unwrap_err();
        assert!(matches!(&e, EnvError::Config { path, .. } if path == "$environment.zone"), "{e:?}");
        let e = e.to_string();
        assert!(e.starts_with("config for environment \"dev\": at $environment.zone: unknown field `zone`"), "{e}");
        let e = envs.load_config("dev", r#"{"size": "big", "$environment": {}}"#).unwrap_err().to_string();
        assert!(e.starts_with("config for environment \"dev\": at size: invalid type"), "{e}");
    }
}
