//! stackcraft-vpc: the networking building blocks.
//!
//! - [`Vpc`]: a VPC across 1 to 6 availability zones (chosen with
//!   `Fn::GetAZs`, never hard-coded), with subnet tiers
//!   ([`SubnetType::Public`], [`SubnetType::PrivateWithEgress`],
//!   [`SubnetType::Isolated`]) given explicit CIDRs or carved
//!   deterministically from the VPC range ([`cidr::plan`]), an internet
//!   gateway, NAT gateways ([`NatGateways`]), one route table per subnet,
//!   optional gateway / interface endpoints and flow logs (on by default).
//! - [`SecurityGroup`], [`Port`], [`Connections`] and [`HasConnections`]:
//!   who may talk to whom, written as separate ingress/egress rule resources
//!   with descriptions (no reference cycles).
//!
//! Bad input (overlapping or out-of-range CIDRs, too many subnets, invalid
//! zone counts, NAT without public subnets, private-with-egress subnets
//! without NAT, ...) is recorded with `scope.error(property, message)`; synth
//! then fails listing every problem. Nothing here panics on user input.
//!
//! The VPC's default security group is emptied by default (checkov
//! CKV2_AWS_12, CIS 5.4) without a Lambda custom resource: an SSM State
//! Manager association runs the AWS-owned runbook
//! `AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules` once, with a role
//! that may only revoke that group's rules
//! ([`VpcProps::restrict_default_security_group`]). Building blocks never
//! attach the default group to anything.
#![forbid(unsafe_code)]

pub mod cidr;
mod port;
mod security_group;
mod vpc;

pub use port::{Port, Protocol};
pub use security_group::{Connections, HasConnections, SecurityGroup, SecurityGroupProps};
pub use vpc::{
    FlowLogDestination, FlowLogs, GatewayEndpoint, InterfaceEndpoint, NatGateways, Subnet, SubnetConfiguration,
    SubnetType, TrafficType, Vpc, VpcProps, ALLOWED_RETENTION_DAYS, MAX_AZS,
};
