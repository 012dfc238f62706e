//! IPv4 CIDR parsing, validation and deterministic subnet carving.
//!
//! Carving works like CDK's `NetworkBuilder`: subnet tiers are taken in the
//! order given, each tier gets one subnet per availability zone, and blocks are
//! allocated from the start of the VPC range upwards, each aligned to its own
//! size. Tiers with an explicit `cidr_mask` get that mask; tiers without one
//! share the space left over equally (rounded down to a power of two). Tiers
//! with explicit CIDRs keep them, and carved blocks never overlap them.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The smallest subnet / VPC prefix AWS accepts (`/16`).
pub const MIN_PREFIX: u8 = 16;
/// The largest subnet / VPC prefix AWS accepts (`/28`).
pub const MAX_PREFIX: u8 = 28;

/// A validation problem: the property it concerns and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError {
    /// The property the error is reported on (e.g. `Cidr`, `SubnetConfiguration[1].Cidrs`).
    pub property: String,
    /// A human-readable message naming the allowed values.
    pub message: String,
}

impl CidrError {
    fn new(property: impl Into<String>, message: impl Into<String>) -> Self {
        CidrError { property: property.into(), message: message.into() }
    }
}

/// Why a text is not an acceptable IPv4 CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CidrParseError {
    /// Not of the form `a.b.c.d/n`.
    #[error("'{text}' is not a valid IPv4 CIDR block (expected a.b.c.d/n, e.g. {example})")]
    Malformed {
        /// The text as given.
        text: String,
        /// A valid example for the kind of block expected.
        example: &'static str,
    },
    /// Bits set below the prefix (`10.0.1.5/24`).
    #[error("'{text}' has host bits set; did you mean {network}?")]
    HostBits {
        /// The text as given.
        text: String,
        /// The block it probably means.
        network: Ipv4Net,
    },
    /// A VPC or subnet prefix outside [`MIN_PREFIX`]..=[`MAX_PREFIX`].
    #[error("'{text}' has prefix /{prefix}; AWS accepts /{MIN_PREFIX} to /{MAX_PREFIX}")]
    Prefix {
        /// The text as given.
        text: String,
        /// Its prefix length.
        prefix: u8,
    },
}

/// Parse an IPv4 CIDR block such as `10.0.1.0/24`.
///
/// Rejects malformed text, host bits set (`10.0.1.5/24`) and prefixes outside
/// `/16`..=`/28`, the range AWS accepts for VPCs and subnets.
pub fn parse_block(text: &str) -> Result<Ipv4Net, CidrParseError> {
    let net = parse_net(text, "10.0.0.0/16")?;
    if !(MIN_PREFIX..=MAX_PREFIX).contains(&net.prefix_len()) {
        return Err(CidrParseError::Prefix { text: text.to_owned(), prefix: net.prefix_len() });
    }
    Ok(net)
}

/// `text` as a network without host bits.
fn parse_net(text: &str, example: &'static str) -> Result<Ipv4Net, CidrParseError> {
    let net: Ipv4Net = text.trim().parse().map_err(|_| CidrParseError::Malformed { text: text.to_owned(), example })?;
    if net.addr() != net.network() {
        return Err(CidrParseError::HostBits { text: text.to_owned(), network: net.trunc() });
    }
    Ok(net)
}

/// Parse any IPv4 CIDR block (`0.0.0.0/0` to `/32`) such as a security-group
/// peer; rejects malformed text and host bits set.
pub fn parse_any_block(text: &str) -> Result<Ipv4Net, CidrParseError> {
    parse_net(text, "203.0.113.0/24")
}

/// What one subnet tier asks the planner for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSpec {
    /// The tier's name (for messages).
    pub name: String,
    /// A fixed prefix length for carved subnets.
    pub cidr_mask: Option<u8>,
    /// Explicit CIDR blocks, one per availability zone.
    pub cidrs: Vec<String>,
}

fn size(prefix: u8) -> u64 {
    1u64 << (32 - u32::from(prefix))
}

fn start(n: &Ipv4Net) -> u64 {
    u64::from(u32::from(n.network()))
}

fn end(n: &Ipv4Net) -> u64 {
    start(n) + size(n.prefix_len())
}

fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    start(a) < end(b) && start(b) < end(a)
}

fn net_at(addr: u64, prefix: u8) -> Ipv4Net {
    // `addr` always lies inside a valid IPv4 range here (checked by callers).
    let ip = Ipv4Addr::from(u32::try_from(addr).unwrap_or(u32::MAX));
    Ipv4Net::new(ip, prefix).unwrap_or_default()
}

/// Plan the subnet CIDRs of every tier: the result has one entry per tier,
/// each with `az_count` blocks (AZ order). All problems are returned
/// together.
pub fn plan(vpc_cidr: &str, az_count: usize, tiers: &[TierSpec]) -> Result<Vec<Vec<Ipv4Net>>, Vec<CidrError>> {
    let mut errors = Vec::new();
    let vpc = match parse_block(vpc_cidr) {
        Ok(v) => v,
        Err(e) => return Err(vec![CidrError::new("Cidr", e.to_string())]),
    };
    if az_count == 0 {
        return Err(vec![CidrError::new("AzCount", "at least one availability zone is needed")]);
    }

    // 1. Explicit blocks: syntax, count, containment, overlaps.
    let mut explicit: Vec<Option<Vec<Ipv4Net>>> = Vec::with_capacity(tiers.len());
    let mut taken: Vec<(Ipv4Net, String)> = Vec::new();
    for (i, t) in tiers.iter().enumerate() {
        let prop = format!("SubnetConfiguration[{i}].Cidrs");
        if t.cidrs.is_empty() {
            explicit.push(None);
            continue;
        }
        if t.cidr_mask.is_some() {
            errors.push(CidrError::new(
                &prop,
                format!("tier '{}' sets both explicit CIDRs and a cidr_mask; give one or the other", t.name),
            ));
        }
        if t.cidrs.len() != az_count {
            errors.push(CidrError::new(
                &prop,
                format!(
                    "tier '{}' lists {} CIDR block(s) but the VPC spans {az_count} availability zone(s); give exactly one per zone",
                    t.name,
                    t.cidrs.len()
                ),
            ));
        }
        let mut blocks = Vec::new();
        for text in &t.cidrs {
            let net = match parse_block(text) {
                Ok(n) => n,
                Err(m) => {
                    errors.push(CidrError::new(&prop, format!("tier '{}': {m}", t.name)));
                    continue;
                }
            };
            if !vpc.contains(&net) {
                errors.push(CidrError::new(
                    &prop,
                    format!("tier '{}': subnet {net} is outside the VPC range {vpc}", t.name),
                ));
                continue;
            }
            if let Some((other, owner)) = taken.iter().find(|(o, _)| overlaps(o, &net)) {
                errors.push(CidrError::new(
                    &prop,
                    format!("tier '{}': subnet {net} overlaps {other} of tier '{owner}'", t.name),
                ));
                continue;
            }
            taken.push((net, t.name.clone()));
            blocks.push(net);
        }
        explicit.push(Some(blocks));
    }

    // 2. Masks of carved tiers.
    let mut masks: Vec<Option<u8>> = vec![None; tiers.len()];
    let mut used: u64 = taken.iter().map(|(n, _)| size(n.prefix_len())).sum();
    let mut unmasked = 0u64;
    for (i, t) in tiers.iter().enumerate() {
        if explicit[i].is_some() {
            continue;
        }
        match t.cidr_mask {
            Some(m) if !(MIN_PREFIX..=MAX_PREFIX).contains(&m) || m < vpc.prefix_len() => {
                errors.push(CidrError::new(
                    format!("SubnetConfiguration[{i}].CidrMask"),
                    format!(
                        "tier '{}': cidr_mask /{m} is not allowed; use /{} to /{MAX_PREFIX} inside VPC {vpc}",
                        t.name,
                        vpc.prefix_len().max(MIN_PREFIX)
                    ),
                ));
            }
            Some(m) => {
                masks[i] = Some(m);
                used += size(m) * az_count as u64;
            }
            None => unmasked += 1,
        }
    }
    if unmasked > 0 {
        let free = size(vpc.prefix_len()).saturating_sub(used);
        let per = free / (unmasked * az_count as u64);
        if per < size(MAX_PREFIX) {
            errors.push(CidrError::new(
                "SubnetConfiguration",
                format!(
                    "VPC {vpc} has no room left for {} more subnet(s) of at least /{MAX_PREFIX}; use a larger VPC CIDR, fewer zones or tiers, or smaller cidr_mask values",
                    unmasked * az_count as u64
                ),
            ));
        } else {
            // Largest power of two <= per.
            let bits = 63 - per.leading_zeros() as u8;
            let prefix = (32 - bits).max(MIN_PREFIX).max(vpc.prefix_len());
            for (i, t) in tiers.iter().enumerate() {
                if explicit[i].is_none() && t.cidr_mask.is_none() {
                    masks[i] = Some(prefix);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // 3. Allocation, in tier order then AZ order. Alignment can waste
    // space, so when the shared mask does not fit, halve the shared subnets
    // (deterministically) until it does or they would be smaller than /28.
    let shared = |i: usize| explicit[i].is_none() && tiers[i].cidr_mask.is_none();
    loop {
        match allocate(&vpc, az_count, tiers, &explicit, &masks, &taken) {
            Ok(out) => return Ok(out),
            Err(e) => {
                let grow = (0..tiers.len()).any(shared)
                    && masks.iter().enumerate().all(|(i, m)| !shared(i) || m.is_some_and(|m| m < MAX_PREFIX));
                if !grow {
                    return Err(vec![e]);
                }
                for (i, m) in masks.iter_mut().enumerate() {
                    if shared(i) {
                        *m = m.map(|m| m + 1);
                    }
                }
            }
        }
    }
}

fn allocate(
    vpc: &Ipv4Net,
    az_count: usize,
    tiers: &[TierSpec],
    explicit: &[Option<Vec<Ipv4Net>>],
    masks: &[Option<u8>],
    taken: &[(Ipv4Net, String)],
) -> Result<Vec<Vec<Ipv4Net>>, CidrError> {
    let mut taken = taken.to_vec();
    let mut cursor = start(vpc);
    let mut out = Vec::with_capacity(tiers.len());
    for (i, t) in tiers.iter().enumerate() {
        if let Some(blocks) = &explicit[i] {
            out.push(blocks.clone());
            continue;
        }
        let Some(prefix) = masks[i] else {
            out.push(Vec::new());
            continue;
        };
        let step = size(prefix);
        let mut blocks = Vec::with_capacity(az_count);
        for az in 0..az_count {
            let mut addr = cursor.div_ceil(step) * step;
            loop {
                if addr + step > end(vpc) {
                    return Err(CidrError::new(
                        format!("SubnetConfiguration[{i}]"),
                        format!(
                            "VPC {vpc} is too small: no free /{prefix} left for subnet {} of tier '{}' (zone {}); use a larger VPC CIDR or smaller subnets",
                            az + 1,
                            t.name,
                            az + 1
                        ),
                    ));
                }
                let candidate = net_at(addr, prefix);
                match taken.iter().find(|(o, _)| overlaps(o, &candidate)) {
                    Some((o, _)) => addr = end(o).div_ceil(step) * step,
                    None => break,
                }
            }
            let net = net_at(addr, prefix);
            taken.push((net, t.name.clone()));
            blocks.push(net);
            cursor = addr + step;
        }
        out.push(blocks);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(name: &str, mask: Option<u8>, cidrs: &[&str]) -> TierSpec {
        TierSpec { name: name.into(), cidr_mask: mask, cidrs: cidrs.iter().map(|s| s.to_string()).collect() }
    }

    fn strs(plan: &[Vec<Ipv4Net>]) -> Vec<Vec<String>> {
        plan.iter().map(|t| t.iter().map(|n| n.to_string()).collect()).collect()
    }

    #[test]
    fn parse_rejects_bad_blocks() {
        assert!(parse_block("10.0.0.0/16").is_ok());
        assert!(parse_block("10.0.0/16").unwrap_err().to_string().contains("not a valid IPv4 CIDR"));
        assert_eq!(
            parse_block("10.0.1.5/24").unwrap_err().to_string(),
            "'10.0.1.5/24' has host bits set; did you mean 10.0.1.0/24?"
        );
        assert_eq!(
            parse_block("10.0.0.0/8").unwrap_err(),
            CidrParseError::Prefix { text: "10.0.0.0/8".into(), prefix: 8 }
        );
        assert!(parse_block("10.0.0.0/29").unwrap_err().to_string().contains("/16 to /28"));
        assert_eq!(
            parse_any_block("203.0.113/24").unwrap_err().to_string(),
            "'203.0.113/24' is not a valid IPv4 CIDR block (expected a.b.c.d/n, e.g. 203.0.113.0/24)"
        );
    }

    #[test]
    fn equal_split_like_cdk_default() {
        let p = plan("10.0.0.0/16", 2, &[tier("Public", None, &[]), tier("Private", None, &[])]).unwrap();
        assert_eq!(strs(&p), [["10.0.0.0/18", "10.0.64.0/18"], ["10.0.128.0/18", "10.0.192.0/18"]]);
    }

    #[test]
    fn fixed_masks_are_packed_in_order() {
        let p = plan(
            "10.0.0.0/16",
            3,
            &[tier("Public", Some(24), &[]), tier("App", Some(20), &[]), tier("Db", Some(28), &[])],
        )
        .unwrap();
        assert_eq!(
            strs(&p),
            [
                vec!["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                vec!["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
                vec!["10.0.64.0/28", "10.0.64.16/28", "10.0.64.32/28"],
            ]
        );
    }

    #[test]
    fn mixed_masks_share_the_rest() {
        let p = plan("10.0.0.0/16", 2, &[tier("Public", Some(24), &[]), tier("Private", None, &[])]).unwrap();
        // 65536 - 512 = 65024 free / 2 = 32512 -> /18 (16384)
        assert_eq!(strs(&p), [["10.0.0.0/24", "10.0.1.0/24"], ["10.0.64.0/18", "10.0.128.0/18"]]);
    }

    #[test]
    fn explicit_cidrs_are_kept_and_avoided() {
        let p = plan(
            "10.0.0.0/16",
            2,
            &[
                tier("Public", None, &["10.0.1.0/24", "10.0.2.0/24"]),
                tier("Private", None, &["10.0.10.0/24", "10.0.11.0/24"]),
                tier("Isolated", Some(24), &[]),
            ],
        )
        .unwrap();
        assert_eq!(
            strs(&p),
            [["10.0.1.0/24", "10.0.2.0/24"], ["10.0.10.0/24", "10.0.11.0/24"], ["10.0.0.0/24", "10.0.3.0/24"],]
        );
    }

    #[test]
    fn overlap_outside_and_count_errors() {
        let e = plan(
            "10.0.0.0/16",
            2,
            &[
                tier("Public", None, &["10.0.1.0/24", "10.0.1.128/25"]),
                tier("Private", None, &["10.1.0.0/24", "10.0.3.0/24", "10.0.4.0/24"]),
            ],
        )
        .unwrap_err();
        let msgs: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("10.0.1.128/25 overlaps 10.0.1.0/24 of tier 'Public'")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("10.1.0.0/24 is outside the VPC range 10.0.0.0/16")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("lists 3 CIDR block(s) but the VPC spans 2")), "{msgs:?}");
        assert_eq!(e[0].property, "SubnetConfiguration[0].Cidrs");
    }

    #[test]
    fn too_many_subnets() {
        let e = plan("10.0.0.0/26", 3, &[tier("A", None, &[]), tier("B", None, &[])]).unwrap_err();
        assert!(e[0].message.contains("no room left for 6 more subnet(s)"), "{e:?}");
        let e = plan("10.0.0.0/24", 2, &[tier("A", Some(25), &[]), tier("B", Some(26), &[])]).unwrap_err();
        assert!(e[0].message.contains("too small: no free /26 left"), "{e:?}");
    }

    #[test]
    fn bad_vpc_cidr_and_mask() {
        let e = plan("10.0.0.0/33", 2, &[]).unwrap_err();
        assert_eq!(e[0].property, "Cidr");
        let e = plan("10.0.0.0/16", 2, &[tier("A", Some(12), &[])]).unwrap_err();
        assert!(e[0].message.contains("cidr_mask /12 is not allowed"), "{e:?}");
    }

    #[test]
    fn shared_subnets_shrink_when_alignment_wastes_space() {
        // /22 each would fit by size, but alignment after the /26 blocks
        // leaves no room for the /24 tier; the shared tier drops to /23.
        let p =
            plan("172.16.0.0/20", 3, &[tier("In", Some(26), &[]), tier("App", None, &[]), tier("Data", Some(24), &[])])
                .unwrap();
        assert_eq!(
            strs(&p),
            [
                ["172.16.0.0/26", "172.16.0.64/26", "172.16.0.128/26"],
                ["172.16.2.0/23", "172.16.4.0/23", "172.16.6.0/23"],
                ["172.16.8.0/24", "172.16.9.0/24", "172.16.10.0/24"],
            ]
        );
    }

    #[test]
    fn carved_blocks_never_overlap_and_stay_inside() {
        let masks = [None, Some(20), Some(24), Some(26), Some(28)];
        let mut planned = 0;
        for vpc_prefix in [16u8, 18, 20, 22, 24] {
            let vpc_text = format!("10.0.0.0/{vpc_prefix}");
            let vpc: Ipv4Net = vpc_text.parse().unwrap();
            for azs in 1..=6usize {
                for a in masks {
                    for b in masks {
                        for c in masks {
                            let tiers = [tier("A", a, &[]), tier("B", b, &[]), tier("C", c, &[])];
                            let Ok(plan) = plan(&vpc_text, azs, &tiers) else { continue };
                            planned += 1;
                            let all: Vec<Ipv4Net> = plan.iter().flatten().copied().collect();
                            assert_eq!(all.len(), azs * 3);
                            for (i, n) in all.iter().enumerate() {
                                assert!(vpc.contains(n), "{n} outside {vpc}");
                                assert_eq!(n.addr(), n.network());
                                assert!(n.prefix_len() <= MAX_PREFIX);
                                for m in &all[i + 1..] {
                                    assert!(!overlaps(n, m), "{n} overlaps {m} in {vpc} with {azs} AZs");
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(planned > 500, "only {planned} plans succeeded");
    }

    #[test]
    fn carving_is_deterministic() {
        let tiers = [tier("A", None, &[]), tier("B", Some(27), &[]), tier("C", None, &[])];
        assert_eq!(plan("172.16.0.0/20", 3, &tiers), plan("172.16.0.0/20", 3, &tiers));
    }
}
