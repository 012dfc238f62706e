//! Diagnostics: errors and warnings that name the construct path and property.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Synth fails and writes nothing.
    Error,
    /// Printed; synth still succeeds.
    Warning,
}

/// One finding of validation, naming where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Construct path, e.g. `Network/Vpc/PublicSubnet1`.
    pub path: String,
    /// The property or aspect concerned, e.g. `CidrBlock`.
    pub property: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// Stable rule id (for warnings and validator findings): what
    /// `scope.acknowledge(rule, reason)` names to silence it.
    pub rule: Option<String>,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(path: &str, property: &str, message: impl fmt::Display) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.to_owned(),
            property: property.to_owned(),
            message: message.to_string(),
            rule: None,
        }
    }
    /// The same diagnostic with a stable rule id.
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }
    /// A warning at `path`.
    pub fn warning(path: &str, property: &str, message: impl fmt::Display) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            path: path.to_owned(),
            property: property.to_owned(),
            message: message.to_string(),
            rule: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if self.path.is_empty() { "<app>" } else { &self.path };
        write!(f, "{sev}: {path} [{}]: {}", self.property, self.message)?;
        if let Some(rule) = &self.rule {
            write!(f, " (rule {rule})")?;
        }
        Ok(())
    }
}

/// Synth failed: every error found (and the warnings), reported together.
#[derive(Debug, Clone)]
pub struct SynthError {
    /// All diagnostics, errors first, then by path.
    pub diagnostics: Vec<Diagnostic>,
}

impl SynthError {
    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        writeln!(f, "synth failed with {n} error{}:", if n == 1 { "" } else { "s" })?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SynthError {}
