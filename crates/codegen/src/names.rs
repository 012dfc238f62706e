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

/// The name of a punctuation character in an enum value with no letters
/// or digits (`*` → `Star`).
fn symbol_name(c: char) -> &'static str {
    match c {
        '*' => "Star",
        '-' => "Minus",
        '+' => "Plus",
        '.' => "Dot",
        '/' => "Slash",
        '=' => "Equals",
        '#' => "Hash",
        ':' => "Colon",
        '_' => "Underscore",
        '$' => "Dollar",
        '@' => "At",
        '?' => "Question",
        '!' => "Bang",
        _ => "Symbol",
    }
}

/// UpperCamelCase of an enum wire value: words split at every character that
/// is not an ASCII letter or digit, an all-caps or all-lowercase word
/// capitalized (`PAY_PER_REQUEST` → `PayPerRequest`, `ipv4` → `Ipv4`), a
/// mixed-case word kept with its first letter raised (`roundRobin` →
/// `RoundRobin`, `TLSv1` → `TLSv1`); two digit runs that would touch keep a
/// `_` (`1.2_2021` → `V1_2_2021`); a leading digit gets `V`; a value without
/// letters or digits is spelled out (`*` → `Star`, `` → `Empty`).
pub(crate) fn variant(value: &str) -> String {
    let words: Vec<&str> = value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        if value.is_empty() {
            return "Empty".into();
        }
        return value.chars().map(symbol_name).collect();
    }
    let mut out = String::new();
    for w in words {
        let lower = w.chars().all(|c| !c.is_ascii_uppercase());
        let upper = w.chars().all(|c| !c.is_ascii_lowercase());
        let word: String = if lower || upper {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        } else {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        };
        if out.ends_with(|c: char| c.is_ascii_digit()) && word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        out.push_str(&word);
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push_str("Value");
    }
    out
}

/// Variant names of an enum's values (in their order), collision-free and
/// never `Other` (the escape variant): a value whose [`variant`] name is
/// taken is tried as `<name>Value`, then spelled from its raw characters
/// (`IPV4` next to `ipv4` → `IPV4`), then numbered.
pub(crate) fn variants(values: &[String]) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::from(["Other".to_owned()]);
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let name = variant(v);
        let raw: String = {
            let mut r: String = v.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            if !r.starts_with(|c: char| c.is_ascii_alphabetic()) {
                r.insert(0, 'V');
            }
            r[..1].to_ascii_uppercase() + &r[1..]
        };
        let candidates = [format!("{name}Value"), raw];
        let chosen = if !taken.contains(&name) {
            name
        } else if let Some(c) = candidates.iter().find(|c| !taken.contains(*c) && c.as_str() != "Self") {
            c.clone()
        } else {
            name
        };
        out.push(unique(chosen, &mut taken));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names() {
        let table = [
            ("PAY_PER_REQUEST", "PayPerRequest"),
            ("PROVISIONED", "Provisioned"),
            ("ipv4", "Ipv4"),
            ("IPV4", "Ipv4"),
            ("dualstack", "Dualstack"),
            ("TLSv1.2_2021", "TLSv1_2_2021"),
            ("1.2_2021", "V1_2_2021"),
            ("*", "Star"),
            ("", "Empty"),
            ("roundRobin", "RoundRobin"),
            ("HTTP", "Http"),
            ("application/json", "ApplicationJson"),
            ("gp3", "Gp3"),
            ("m5.large", "M5Large"),
            ("self", "SelfValue"),
            ("S", "S"),
            ("-1", "V1"),
        ];
        for (value, name) in table {
            assert_eq!(variant(value), name, "{value}");
        }
    }

    #[test]
    fn variant_collisions_are_resolved_deterministically() {
        let values: Vec<String> = ["ipv4", "IPV4", "Other", "OTHER", "*", "-1", "1"].map(String::from).to_vec();
        assert_eq!(variants(&values), ["Ipv4", "Ipv4Value", "OtherValue", "OTHER", "Star", "V1", "V1Value"]);
    }

    /// Any set of values gets distinct, valid identifiers, never `Other`.
    #[test]
    fn variants_are_valid_and_distinct() {
        let alphabet: Vec<char> = "aAzZ09_.-*/ vV".chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let n = (next() % 6 + 1) as usize;
            let values: Vec<String> = (0..n)
                .map(|_| {
                    let len = (next() % 6) as usize;
                    (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect()
                })
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .collect();
            let names = variants(&values);
            let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
            assert_eq!(distinct.len(), names.len(), "{values:?} → {names:?}");
            for name in &names {
                assert!(name.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
                assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{name}");
                assert!(name != "Other" && name != "Self", "{name}");
            }
        }
    }

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
