//! Validation of the names AWS puts hard limits on. The rules live in
//! `stackcraft_core::validate::names` (one module for every block crate);
//! these functions are the load-balancer entry points to them.

use stackcraft_core::validate::names::{self, aws};
pub use stackcraft_core::validate::names::{NameError, NameProblem};

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
pub fn validate_name(name: &str, what: &str) -> Result<(), NameError> {
    if what == "load balancer" {
        aws::LOAD_BALANCER_NAME.check(name)
    } else {
        aws::TARGET_GROUP_NAME.check(name)
    }
}

/// Check a DNS name (zone, record or certificate domain): labels of 1 to 63
/// letters, digits and hyphens, at most 253 characters; a leading `*.` is
/// allowed when `wildcard` is true. A trailing dot is accepted.
pub fn validate_domain_name(name: &str, wildcard: bool) -> Result<(), NameError> {
    names::dns_name(name, wildcard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("a", "target group").is_ok());
        assert!(validate_name(&"a".repeat(32), "target group").is_ok());
        let e = validate_name(&"a".repeat(33), "target group").unwrap_err().to_string();
        assert!(e.contains("has 33 characters; allowed are 1 to 32"), "{e}");
        let e = validate_name("shop_api", "load balancer").unwrap_err().to_string();
        assert!(e.contains("contains '_'"), "{e}");
        assert!(validate_name("-shop", "load balancer").unwrap_err().to_string().contains("letter or digit"));
        assert!(validate_name("internal-shop", "load balancer").unwrap_err().to_string().contains("internal-"));
        assert!(validate_name("internal-shop", "target group").is_ok());
        assert!(validate_name("", "target group").is_err());
        assert_eq!(validate_name(&"a".repeat(33), "target group").unwrap_err().problem, NameProblem::Length(33));
    }

    #[test]
    fn domains() {
        assert!(validate_domain_name("example.com", false).is_ok());
        assert!(validate_domain_name("example.com.", false).is_ok());
        assert!(validate_domain_name("*.example.com", true).is_ok());
        assert!(validate_domain_name("*.example.com", false).is_err());
        assert!(validate_domain_name("exa_mple.com", false)
            .unwrap_err()
            .to_string()
            .contains("invalid label 'exa_mple'"));
        assert!(validate_domain_name("a..com", false).is_err());
        assert!(validate_domain_name(&format!("{}.com", "a".repeat(64)), false).is_err());
    }
}
