//! Rust names for CloudFormation names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict, reserved and edition-2024 ones) that need a
/// trailing underscore when used as identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names a generated type must not take: the names imported into every
/// generated module and the prelude's.
const RESERVED_TYPES: &[&str] = &[
    "Value",
    "ToCfn",
    "Literal",
    "BTreeMap",
    "String",
    "Vec",
    "Box",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Self",
    "Default",
    "Clone",
    "Debug",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "From",
    "Into",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "PartialEq",
    "Eq",
    "Ord",
    "PartialOrd",
    "ToString",
    "ToOwned",
];

/// `VPCGatewayAttachment` → `VpcGatewayAttachment` (heck rules), made a valid
/// identifier.
pub(crate) fn upper_camel(name: &str) -> String {
    let mut s = normalize(name).to_upper_camel_case();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert(0, 'T');
    }
    s
}

/// Acronym plurals and `DDoS` read as one word: `CNAMEs` → `Cnames`,
/// `VPCs` → `Vpcs`, `PreferredCacheClusterAZs` → `PreferredCacheClusterAzs`
/// (heck alone would give `cnam_es`, `vp_cs`, `a_zs`).
fn normalize(name: &str) -> String {
    let name = name.replace("DDoS", "Ddos");
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        // An uppercase run of 2+ letters followed by a lone `s` that ends the word.
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_uppercase() {
            j += 1;
        }
        let run = j - i;
        let plural =
            run >= 2 && j < chars.len() && chars[j] == 's' && chars.get(j + 1).is_none_or(|c| !c.is_ascii_lowercase());
        if plural {
            out.push(chars[i]);
            out.extend(chars[i + 1..j].iter().map(char::to_ascii_lowercase));
            out.push('s');
            i = j + 1;
        } else if run > 0 {
            out.extend(&chars[i..j]);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `true` when a generated type may not be called `name`.
pub(crate) fn reserved_type(name: &str) -> bool {
    RESERVED_TYPES.contains(&name)
}

/// `VpcId` → `vpc_id`; keywords get a trailing underscore (`type_`).
pub(crate) fn snake(name: &str) -> String {
    let mut s = normalize(name).to_snake_case();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// The module name of a service: `ElasticLoadBalancingV2` → `elasticloadbalancingv2`.
pub(crate) fn service_module(service: &str) -> String {
    let s = service.to_ascii_lowercase();
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Make `candidate` unique among `taken` by appending 2, 3, ...; records it.
pub(crate) fn unique(candidate: String, taken: &mut std::collections::BTreeSet<String>) -> String {
    if taken.insert(candidate.clone()) {
        return candidate;
    }
    let mut n = 2;
    loop {
        let c = format!("{candidate}{n}");
        if taken.insert(c.clone()) {
            return c;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel() {
        assert_eq!(upper_camel("VPC"), "Vpc");
        assert_eq!(upper_camel("VPCGatewayAttachment"), "VpcGatewayAttachment");
        assert_eq!(upper_camel("DBInstance"), "DbInstance");
        assert_eq!(upper_camel("EIP"), "Eip");
        assert_eq!(upper_camel("LoadBalancer"), "LoadBalancer");
    }

    #[test]
    fn snakes() {
        assert_eq!(snake("VpcId"), "vpc_id");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("CidrBlock"), "cidr_block");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("DBInstanceClass"), "db_instance_class");
        assert_eq!(snake("CNAMEs"), "cnames");
        assert_eq!(snake("VPCs"), "vpcs");
        assert_eq!(snake("PreferredCacheClusterAZs"), "preferred_cache_cluster_azs");
        assert_eq!(snake("OnSourceDDoSProtectionConfig"), "on_source_ddos_protection_config");
        assert_eq!(snake("DNSServers"), "dns_servers");
        assert_eq!(snake("IPSetReferenceStatement"), "ip_set_reference_statement");
        assert_eq!(snake("SubnetIds"), "subnet_ids");
        assert_eq!(service_module("ElasticLoadBalancingV2"), "elasticloadbalancingv2");
        assert_eq!(service_module("WAFv2"), "wafv2");
    }
}
