//! Ports and protocols of security-group rules.

use std::fmt;

/// The IP protocol of a [`Port`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (`tcp`).
    Tcp,
    /// UDP (`udp`).
    Udp,
    /// ICMP (`icmp`).
    Icmp,
    /// Every protocol (`-1`).
    All,
}

impl Protocol {
    /// The `IpProtocol` value CloudFormation expects.
    pub fn as_cfn(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "-1",
        }
    }
}

/// A protocol and port range a security-group rule allows.
///
/// ```
/// use stackcraft_vpc::Port;
/// assert_eq!(Port::tcp(443).to_string(), "tcp 443");
/// assert_eq!(Port::tcp_range(8000, 8080).to_string(), "tcp 8000-8080");
/// assert_eq!(Port::all_traffic().to_string(), "all traffic");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port {
    protocol: Protocol,
    from: i64,
    to: i64,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Port {
        Port { protocol: Protocol::Tcp, from: port.into(), to: port.into() }
    }
    /// A TCP port range `from..=to` (swapped if given in reverse).
    pub fn tcp_range(from: u16, to: u16) -> Port {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        Port { protocol: Protocol::Tcp, from: a.into(), to: b.into() }
    }
    /// Every TCP port.
    pub fn all_tcp() -> Port {
        Port::tcp_range(0, 65535)
    }
    /// One UDP port.
    pub fn udp(port: u16) -> Port {
        Port { protocol: Protocol::Udp, from: port.into(), to: port.into() }
    }
    /// A UDP port range `from..=to`.
    pub fn udp_range(from: u16, to: u16) -> Port {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        Port { protocol: Protocol::Udp, from: a.into(), to: b.into() }
    }
    /// ICMP echo request (ping).
    pub fn icmp_ping() -> Port {
        Port { protocol: Protocol::Icmp, from: 8, to: -1 }
    }
    /// Every protocol and port.
    pub fn all_traffic() -> Port {
        Port { protocol: Protocol::All, from: -1, to: -1 }
    }
    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }
    /// `FromPort` (for ICMP: the type; `-1` for all traffic).
    pub fn from_port(&self) -> i64 {
        self.from
    }
    /// `ToPort` (for ICMP: the code; `-1` for all traffic).
    pub fn to_port(&self) -> i64 {
        self.to
    }
    /// Whether the rule covers a single TCP/UDP port.
    pub fn single_port(&self) -> Option<u16> {
        match self.protocol {
            Protocol::Tcp | Protocol::Udp if self.from == self.to => u16::try_from(self.from).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::All => write!(f, "all traffic"),
            Protocol::Icmp => write!(f, "icmp type {} code {}", self.from, self.to),
            p if self.from == self.to => write!(f, "{} {}", p.as_cfn(), self.from),
            p => write!(f, "{} {}-{}", p.as_cfn(), self.from, self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_render() {
        assert_eq!(Port::udp(53).to_string(), "udp 53");
        assert_eq!(Port::tcp_range(9, 1).to_string(), "tcp 1-9");
        assert_eq!(Port::icmp_ping().to_string(), "icmp type 8 code -1");
        assert_eq!(Port::tcp(80).single_port(), Some(80));
        assert_eq!(Port::all_traffic().protocol().as_cfn(), "-1");
        assert_eq!(Port::tcp(5432).from_port(), 5432);
    }
}
