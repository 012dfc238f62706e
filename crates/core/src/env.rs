//! Per-environment configuration: one typed config value per environment.

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
        self.list.push(Environment { name: name.into(), production: false, config });
        self
    }

    /// Add a production environment (termination protection, guarded destroy).
    pub fn production(mut self, name: impl Into<String>, config: C) -> Self {
        self.list.push(Environment { name: name.into(), production: true, config });
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
