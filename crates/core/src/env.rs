//! Per-environment configuration: one typed config value per environment.
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
    pub fn get(&self, name: &str) -> Result<&Environment<C>, String> {
        self.list
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| format!("unknown environment {name:?}; known environments: {}", self.names().join(", ")))
    }
}

impl<C: DeserializeOwned> Environments<C> {
    /// Replace the config of environment `name` with the JSON document `text`
    /// (a file the user edits, checked against the config type).
    pub fn load_config(&mut self, name: &str, text: &str) -> Result<(), String> {
        let names = self.names().join(", ");
        let env = self
            .list
            .iter_mut()
            .find(|e| e.name == name)
            .ok_or_else(|| format!("unknown environment {name:?}; known environments: {names}"))?;
        let mut de = serde_json::Deserializer::from_str(text);
        env.config = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| format!("config for environment {name:?}: at {}: {}", e.path(), e.inner()))?;
        Ok(())
    }
}

/// The JSON Schema of a config type, for editors (`$schema`).
pub fn config_schema<C: schemars::JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(C)).unwrap_or_default()
}

/// Render a config value as JSON (for `config` and tests).
pub fn config_json<C: Serialize>(c: &C) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}
