//! Validation of the names AWS puts hard limits on.

/// Longest load balancer / target group name AWS accepts.
pub const MAX_NAME_LEN: usize = 32;

/// Check a load balancer or target group name: 1 to 32 characters, ASCII
/// letters, digits and hyphens, not starting or ending with a hyphen, and (for
/// load balancers) not starting with `internal-`.
///
/// ```
/// use stackcraft_alb::validate_name;
/// assert!(validate_name("shop-api-prod", "load balancer").is_ok());
/// assert!(validate_name("a-name-that-is-definitely-too-long-for-aws", "target group").is_err());
/// ```
pub fn validate_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(format!(
            "{what} name '{name}' has {} characters; AWS allows 1 to {MAX_NAME_LEN} (leave the name unset to let CloudFormation generate one)",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Err(format!("{what} name '{name}' contains '{c}'; only ASCII letters, digits and hyphens are allowed"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(format!("{what} name '{name}' must not start or end with a hyphen"));
    }
    if what == "load balancer" && name.starts_with("internal-") {
        return Err(format!("{what} name '{name}' must not start with 'internal-'"));
    }
    Ok(())
}

/// Check a DNS name (zone, record or certificate domain): labels of 1 to 63
/// letters, digits and hyphens, at most 253 characters; a leading `*.` is
/// allowed when `wildcard` is true. A trailing dot is accepted.
pub fn validate_domain_name(name: &str, wildcard: bool) -> Result<(), String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let body = if wildcard { trimmed.strip_prefix("*.").unwrap_or(trimmed) } else { trimmed };
    if trimmed.is_empty() || trimmed.len() > 253 {
        return Err(format!("domain name '{name}' must have 1 to 253 characters"));
    }
    for label in body.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!(
                "domain name '{name}' has an invalid label '{label}' (1 to 63 letters, digits or inner hyphens{})",
                if wildcard { "; only a leading '*.' wildcard is allowed" } else { "" }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("a", "target group").is_ok());
        assert!(validate_name(&"a".repeat(32), "target group").is_ok());
        let e = validate_name(&"a".repeat(33), "target group").unwrap_err();
        assert!(e.contains("has 33 characters; AWS allows 1 to 32"), "{e}");
        let e = validate_name("shop_api", "load balancer").unwrap_err();
        assert!(e.contains("contains '_'"), "{e}");
        assert!(validate_name("-shop", "load balancer").unwrap_err().contains("hyphen"));
        assert!(validate_name("internal-shop", "load balancer").unwrap_err().contains("internal-"));
        assert!(validate_name("internal-shop", "target group").is_ok());
        assert!(validate_name("", "target group").is_err());
    }

    #[test]
    fn domains() {
        assert!(validate_domain_name("example.com", false).is_ok());
        assert!(validate_domain_name("example.com.", false).is_ok());
        assert!(validate_domain_name("*.example.com", true).is_ok());
        assert!(validate_domain_name("*.example.com", false).is_err());
        assert!(validate_domain_name("exa_mple.com", false).unwrap_err().contains("invalid label 'exa_mple'"));
        assert!(validate_domain_name("a..com", false).is_err());
        assert!(validate_domain_name(&format!("{}.com", "a".repeat(64)), false).is_err());
    }
}
