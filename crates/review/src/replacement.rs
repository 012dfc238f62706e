//! Replacement metadata by CloudFormation type name: the table
//! `stackcraft_cfn::replacement` that the generator emits from the provider
//! schemas (`createOnlyProperties` / `conditionalCreateOnlyProperties`) for
//! every type of the L1 layer, whatever cargo features are enabled.

/// Create-only and conditional create-only property paths of a type.
#[derive(Debug, Clone, Copy)]
pub struct Replacement {
    /// Properties whose change replaces the resource.
    pub create_only: &'static [&'static str],
    /// Properties whose change may replace the resource.
    pub conditional: &'static [&'static str],
}

/// The replacement metadata of `type_name`, if the L1 layer has the type.
pub fn lookup(type_name: &str) -> Option<Replacement> {
    stackcraft_cfn::replacement::replacement(type_name)
        .map(|(create_only, conditional)| Replacement { create_only, conditional })
}
