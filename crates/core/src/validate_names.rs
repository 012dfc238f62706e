//! One mechanism for every name, address and identifier a user writes:
//! [`NameRule`] (length, characters, first/last character, reserved
//! prefixes/suffixes/substrings, IP-address shapes), DNS names, e-mail
//! addresses, ARNs and ports. Building blocks declare their AWS rules as
//! `NameRule` constants and report the `Err` text with
//! `scope.error(property, message)`; every message says what is wrong and
//! what is allowed.
//!
//! Core knows no AWS service: the rules themselves live in the block crates.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::arithmetic_side_effects))]

/// The characters a name may contain besides ASCII letters and digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letters {
    /// `a-z` and `A-Z`.
    Any,
    /// Only `a-z`.
    Lower,
}

/// A name (or DNS name) a rule rejects: what kind of name, which part of
/// the rule it breaks, and the message (what is wrong and what is allowed)
/// as its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct NameError {
    /// What the name is, e.g. `"bucket name"`.
    pub what: &'static str,
    /// Which part of the rule the name breaks.
    pub problem: NameProblem,
    message: String,
}

impl NameError {
    fn new(what: &'static str, problem: NameProblem, message: String) -> Self {
        NameError { what, problem, message }
    }
}

/// Which part of a [`NameRule`] (or of the DNS-name rule) a name breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// Too short or too long (the length in characters).
    Length(usize),
    /// Characters the rule does not allow (sorted, unique).
    Characters(Vec<char>),
    /// Does not start with a letter (or a letter or digit).
    First,
    /// Does not end with a letter or digit.
    Last,
    /// Starts with a prefix AWS reserves.
    ReservedPrefix(&'static str),
    /// Ends with a suffix AWS reserves.
    ReservedSuffix(&'static str),
    /// Contains a substring AWS does not allow.
    Forbidden(&'static str),
    /// Shaped like an IPv4 address.
    IpAddress,
    /// A DNS label that is empty, too long or has characters DNS does not allow.
    Label(String),
    /// Does not start with the prefix the rule requires.
    MissingPrefix(&'static str),
    /// Does not end with the suffix the rule requires.
    MissingSuffix(&'static str),
    /// A whole name AWS reserves (e.g. `default`).
    ReservedName(&'static str),
    /// Contains an ASCII control character (rules that allow any text).
    Control,
}

/// A name rule: what AWS accepts for one kind of name.
///
/// ```
/// use stackcraft_core::validate::names::{Letters, NameRule};
/// const QUEUE: NameRule = NameRule::new("queue name", 1, 80, Letters::Any, "-_");
/// assert!(QUEUE.check("orders").is_ok());
/// assert_eq!(
///     QUEUE.check("my queue").unwrap_err().to_string(),
///     "queue name \"my queue\" contains ' '; allowed are 1 to 80 characters: ASCII letters, digits and '-', '_'"
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// What the name is, e.g. `"bucket name"`.
    pub what: &'static str,
    /// Fewest characters.
    pub min: usize,
    /// Most characters.
    pub max: usize,
    /// Which letters are allowed (digits always are).
    pub letters: Letters,
    /// Other allowed characters.
    pub extra: &'static str,
    /// The first character must be a letter or digit.
    pub alnum_first: bool,
    /// The last character must be a letter or digit.
    pub alnum_last: bool,
    /// The first character must be a letter.
    pub letter_first: bool,
    /// Prefixes AWS reserves (compared case-insensitively).
    pub reserved_prefixes: &'static [&'static str],
    /// Suffixes AWS reserves.
    pub reserved_suffixes: &'static [&'static str],
    /// Substrings that are not allowed (e.g. `".."`).
    pub forbidden: &'static [&'static str],
    /// A name shaped like an IPv4 address (`192.168.5.4`) is rejected.
    pub no_ip_address: bool,
    /// The name must start with this (e.g. `alias/`); empty for none. The
    /// character rule applies to the rest.
    pub required_prefix: &'static str,
    /// The name must end with this (e.g. `.fifo`); empty for none. The
    /// character rule applies to the rest.
    pub required_suffix: &'static str,
    /// Whole names AWS reserves (compared exactly, e.g. `default`).
    pub reserved_names: &'static [&'static str],
    /// Any character but ASCII control characters is allowed (`letters`
    /// and `extra` are then ignored); see [`NameRule::any_text`].
    pub any_text: bool,
}

impl NameRule {
    /// A rule of `min` to `max` characters: ASCII `letters`, digits and `extra`.
    pub const fn new(what: &'static str, min: usize, max: usize, letters: Letters, extra: &'static str) -> Self {
        NameRule {
            what,
            min,
            max,
            letters,
            extra,
            alnum_first: false,
            alnum_last: false,
            letter_first: false,
            reserved_prefixes: &[],
            reserved_suffixes: &[],
            forbidden: &[],
            no_ip_address: false,
            required_prefix: "",
            required_suffix: "",
            reserved_names: &[],
            any_text: false,
        }
    }
    /// A rule of `min` to `max` characters of any kind except ASCII control
    /// characters (names AWS limits only in length, e.g. alarm names).
    pub const fn any_text(what: &'static str, min: usize, max: usize) -> Self {
        let mut r = NameRule::new(what, min, max, Letters::Any, "");
        r.any_text = true;
        r
    }
    /// The name must start with `p` (the character rule applies to the rest).
    pub const fn required_prefix(mut self, p: &'static str) -> Self {
        self.required_prefix = p;
        self
    }
    /// The name must end with `s` (the character rule applies to the rest).
    pub const fn required_suffix(mut self, s: &'static str) -> Self {
        self.required_suffix = s;
        self
    }
    /// Whole names AWS reserves.
    pub const fn reserved_names(mut self, n: &'static [&'static str]) -> Self {
        self.reserved_names = n;
        self
    }
    /// Must start and end with a letter or digit.
    pub const fn alnum_ends(mut self) -> Self {
        self.alnum_first = true;
        self.alnum_last = true;
        self
    }
    /// Must start with a letter or digit.
    pub const fn alnum_start(mut self) -> Self {
        self.alnum_first = true;
        self
    }
    /// Must start with a letter.
    pub const fn letter_start(mut self) -> Self {
        self.letter_first = true;
        self
    }
    /// Reserved prefixes.
    pub const fn reserved_prefixes(mut self, p: &'static [&'static str]) -> Self {
        self.reserved_prefixes = p;
        self
    }
    /// Reserved suffixes.
    pub const fn reserved_suffixes(mut self, s: &'static [&'static str]) -> Self {
        self.reserved_suffixes = s;
        self
    }
    /// Forbidden substrings.
    pub const fn forbidden(mut self, f: &'static [&'static str]) -> Self {
        self.forbidden = f;
        self
    }
    /// Reject IPv4-address shapes.
    pub const fn no_ip_address(mut self) -> Self {
        self.no_ip_address = true;
        self
    }

    fn allowed_char(&self, c: char) -> bool {
        if self.any_text {
            return !c.is_ascii_control();
        }
        c.is_ascii_digit()
            || match self.letters {
                Letters::Any => c.is_ascii_alphabetic(),
                Letters::Lower => c.is_ascii_lowercase(),
            }
            || self.extra.contains(c)
    }

    /// What the rule allows, in words: `1 to 80 characters: ASCII letters,
    /// digits and '-', '_'`.
    pub fn allowed(&self) -> String {
        let letters = match self.letters {
            Letters::Any => "ASCII letters",
            Letters::Lower => "lowercase ASCII letters",
        };
        if self.any_text {
            return format!("{} to {} characters, no control characters", self.min, self.max);
        }
        let extra: Vec<String> = self.extra.chars().map(|c| format!("{c:?}")).collect();
        let mut s = format!("{} to {} characters: {letters}, digits", self.min, self.max);
        if !extra.is_empty() {
            s.push_str(&format!(" and {}", extra.join(", ")));
        }
        if !self.required_prefix.is_empty() {
            s.push_str(&format!(", after {:?}", self.required_prefix));
        }
        if !self.required_suffix.is_empty() {
            s.push_str(&format!(", before {:?}", self.required_suffix));
        }
        if self.letter_first {
            s.push_str(", starting with a letter");
        } else if self.alnum_first && self.alnum_last {
            s.push_str(", starting and ending with a letter or digit");
        } else if self.alnum_first {
            s.push_str(", starting with a letter or digit");
        }
        s
    }

    /// Check `name`; the error names the name, what is wrong and what is allowed.
    pub fn check(&self, name: &str) -> Result<(), NameError> {
        let what = self.what;
        let shown = crate::validate::truncate_chars(name, 80);
        let shown = if shown.len() < name.len() { format!("{shown:?}...") } else { format!("{name:?}") };
        let fail = |problem: NameProblem, why: String| {
            Err(NameError::new(what, problem, format!("{what} {shown} {why}; allowed are {}", self.allowed())))
        };
        let rejected = |problem: NameProblem, message: String| Err(NameError::new(what, problem, message));
        let n = name.chars().count();
        if n < self.min || n > self.max {
            return fail(NameProblem::Length(n), format!("has {n} characters"));
        }
        let Some(inner) = name.strip_prefix(self.required_prefix) else {
            return fail(
                NameProblem::MissingPrefix(self.required_prefix),
                format!("does not start with {:?}", self.required_prefix),
            );
        };
        let Some(inner) = inner.strip_suffix(self.required_suffix) else {
            return fail(
                NameProblem::MissingSuffix(self.required_suffix),
                format!("does not end with {:?}", self.required_suffix),
            );
        };
        let mut bad: Vec<char> = inner.chars().filter(|c| !self.allowed_char(*c)).collect();
        bad.sort_unstable();
        bad.dedup();
        if self.any_text && !bad.is_empty() {
            return fail(NameProblem::Control, "contains a control character".into());
        }
        if !bad.is_empty() {
            let list: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
            return fail(NameProblem::Characters(bad), format!("contains {}", list.join(", ")));
        }
        if let Some(r) = self.reserved_names.iter().find(|r| name == **r) {
            return rejected(NameProblem::ReservedName(r), format!("{what} {shown} is reserved by AWS"));
        }
        if self.letter_first && !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return fail(NameProblem::First, "does not start with a letter".into());
        }
        if self.alnum_first && !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return fail(NameProblem::First, "does not start with a letter or digit".into());
        }
        if self.alnum_last && !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
            return fail(NameProblem::Last, "does not end with a letter or digit".into());
        }
        let lower = name.to_ascii_lowercase();
        if let Some(p) = self.reserved_prefixes.iter().find(|p| lower.starts_with(&p.to_ascii_lowercase())) {
            return rejected(
                NameProblem::ReservedPrefix(p),
                format!("{what} {shown} starts with {p:?}, which AWS reserves"),
            );
        }
        if let Some(s) = self.reserved_suffixes.iter().find(|s| lower.ends_with(&s.to_ascii_lowercase())) {
            return rejected(
                NameProblem::ReservedSuffix(s),
                format!("{what} {shown} ends with {s:?}, which AWS reserves"),
            );
        }
        if let Some(f) = self.forbidden.iter().find(|f| name.contains(**f)) {
            return rejected(
                NameProblem::Forbidden(f),
                format!("{what} {shown} contains {f:?}, which AWS does not allow"),
            );
        }
        if self.no_ip_address && is_ipv4(name) {
            return rejected(
                NameProblem::IpAddress,
                format!("{what} {shown} is shaped like an IP address, which AWS does not allow"),
            );
        }
        Ok(())
    }
}

/// `a.b.c.d` with four decimal numbers.
pub fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Check a DNS name (hosted zone, record, certificate domain): labels of 1
/// to 63 letters, digits and inner hyphens, at most 253 characters; a
/// leading `*.` when `wildcard` is true; a trailing dot is accepted.
pub fn dns_name(name: &str, wildcard: bool) -> Result<(), NameError> {
    const WHAT: &str = "domain name";
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let body = if wildcard { trimmed.strip_prefix("*.").unwrap_or(trimmed) } else { trimmed };
    if trimmed.is_empty() || trimmed.len() > 253 {
        return Err(NameError::new(
            WHAT,
            NameProblem::Length(trimmed.len()),
            format!("domain name '{name}' must have 1 to 253 characters"),
        ));
    }
    for label in body.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(NameError::new(
                WHAT,
                NameProblem::Label(label.to_owned()),
                format!(
                    "domain name '{name}' has an invalid label '{label}' (1 to 63 letters, digits or inner hyphens{})",
                    if wildcard { "; only a leading '*.' wildcard is allowed" } else { "" }
                ),
            ));
        }
    }
    Ok(())
}

/// True when DNS name `name` is `zone` or below it (case-insensitive,
/// trailing dots ignored).
pub fn dns_within(name: &str, zone: &str) -> bool {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    let z = zone.trim_end_matches('.').to_ascii_lowercase();
    n == z || n.strip_suffix(&z).is_some_and(|head| head.ends_with('.'))
}

/// Check an e-mail address (the RFC 5321 shapes SNS and Budgets accept):
/// a local part of 1 to 64 characters of letters, digits and
/// ``!#$%&'*+-/=?^_`{|}~.``, without a leading, trailing or doubled dot;
/// `@`; a domain of at least two DNS labels.
pub fn email(address: &str) -> Result<(), EmailError> {
    const LOCAL_EXTRA: &str = "!#$%&'*+-/=?^_`{|}~.";
    let fail = |problem: EmailProblem| Err(EmailError { address: address.to_owned(), problem });
    let Some((local, domain)) = address.rsplit_once('@') else { return fail(EmailProblem::NoAt) };
    if local.is_empty() || local.len() > 64 {
        return fail(EmailProblem::LocalLength);
    }
    if let Some(c) = local.chars().find(|c| !(c.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(*c))) {
        return fail(EmailProblem::LocalCharacter(c));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return fail(EmailProblem::LocalDot);
    }
    if !domain.contains('.') || dns_name(domain, false).is_err() || domain.ends_with('.') {
        return fail(EmailProblem::Domain);
    }
    Ok(())
}

/// An e-mail address [`email`] rejects, and why; the message is its
/// `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address:?} is not an e-mail address ({problem}); expected local-part@domain, e.g. \"ops@example.com\"")]
#[non_exhaustive]
pub struct EmailError {
    /// The address.
    pub address: String,
    /// What is wrong with it.
    pub problem: EmailProblem,
}

/// What is wrong with an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmailProblem {
    /// No `@`.
    #[error("no '@'")]
    NoAt,
    /// The local part is empty or longer than 64 characters.
    #[error("the part before '@' must have 1 to 64 characters")]
    LocalLength,
    /// The local part contains a character not allowed there.
    #[error("{0:?} is not allowed before '@'")]
    LocalCharacter(char),
    /// A dot first, last or doubled in the local part.
    #[error("a dot before '@' must not be first, last or doubled")]
    LocalDot,
    /// The domain is not dotted DNS labels.
    #[error("the domain must be dotted DNS labels of letters, digits and inner hyphens")]
    Domain,
}

/// The parts of an ARN `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'a str,
    /// e.g. `acm`.
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// 12 digits, or empty.
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

/// The ARN shape a property expects, for [`arn`]: which service, whether a
/// region and an account are present, and the resource prefix.
#[derive(Debug, Clone, Copy)]
pub struct ArnShape {
    /// What the ARN is, e.g. `"certificate ARN"`.
    pub what: &'static str,
    /// The service part, e.g. `"acm"`.
    pub service: &'static str,
    /// The resource part starts with this (e.g. `"certificate/"`).
    pub resource_prefix: &'static str,
    /// A region is required (true) or must be empty (false).
    pub regional: bool,
    /// An account is required (true) or must be empty (false).
    pub with_account: bool,
    /// An example, shown in the error.
    pub example: &'static str,
}

/// Parse and check `s` against `shape`: partition `aws`, `aws-cn` or
/// `aws-us-gov`, the service, a region and 12-digit account when the shape
/// needs them, a non-empty resource with the expected prefix.
pub fn arn<'a>(s: &'a str, shape: &ArnShape) -> Result<Arn<'a>, ArnError> {
    let fail = |why: &str| {
        Err(ArnError {
            what: shape.what,
            message: format!(
                "{} {s:?} is not an ARN of that kind ({why}); expected {}, e.g. {:?}",
                shape.what,
                describe(shape),
                shape.example
            ),
        })
    };
    let mut it = s.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
        (it.next(), it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return fail("it does not have the form arn:partition:service:region:account:resource");
    };
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return fail("the partition must be aws, aws-cn or aws-us-gov");
    }
    if service != shape.service {
        return fail(&format!("the service is {service:?}, not {:?}", shape.service));
    }
    if shape.regional && crate::validate::region(region).is_err() {
        return fail("the region is missing or malformed");
    }
    if !shape.regional && !region.is_empty() {
        return fail("this kind of ARN has no region");
    }
    if shape.with_account && crate::validate::account(account).is_err() {
        return fail("the account must be 12 digits");
    }
    if !shape.with_account && !account.is_empty() {
        return fail("this kind of ARN has no account");
    }
    let Some(id) = resource.strip_prefix(shape.resource_prefix) else {
        return fail(&format!("the resource part must start with {:?}", shape.resource_prefix));
    };
    if id.is_empty() || id.contains(char::is_whitespace) {
        return fail("the resource id is empty or contains whitespace");
    }
    Ok(Arn { partition, service, region, account, resource })
}

/// An ARN [`arn`] rejects: what kind of ARN was expected, and the message
/// (what is wrong, the expected shape and an example) as its `Display`.
/// Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct ArnError {
    /// What the ARN is, e.g. `"certificate ARN"`.
    pub what: &'static str,
    message: String,
}

fn describe(shape: &ArnShape) -> String {
    format!(
        "arn:aws[-cn|-us-gov]:{}:{}:{}:{}...",
        shape.service,
        if shape.regional { "REGION" } else { "" },
        if shape.with_account { "ACCOUNT" } else { "" },
        shape.resource_prefix
    )
}

/// Check a TCP/UDP port: 1 to 65535.
pub fn port(p: u32) -> Result<u16, PortError> {
    match u16::try_from(p) {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(PortError { port: p }),
    }
}

/// A port [`port`] rejects; the message is its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("port {port} is out of range; allowed are 1 to 65535")]
#[non_exhaustive]
pub struct PortError {
    /// The rejected number.
    pub port: u32,
}

/// Check a finite number (not NaN, not infinite) a template will hold.
pub fn finite(what: &str, x: f64) -> Result<f64, NumberError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(NumberError { what: what.to_owned(), value: x })
    }
}

/// A number [`finite`] rejects (NaN or infinite); the message is its
/// `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} is {value}; only finite numbers are allowed (CloudFormation has no NaN or infinity)")]
#[non_exhaustive]
pub struct NumberError {
    /// What the number is, e.g. `"threshold"`.
    pub what: String,
    /// The rejected value.
    pub value: f64,
}

/// Minutes in a day.
const DAY: u32 = 24 * 60;
/// Minutes in a week.
const WEEK: u32 = 7 * DAY;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn hh_mm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| h.saturating_mul(60).saturating_add(m))
}

fn ddd_hh_mm(s: &str) -> Option<u32> {
    let (d, t) = s.split_once(':')?;
    let day = DAYS.iter().position(|x| x.eq_ignore_ascii_case(d))?;
    let day = u32::try_from(day).ok()?;
    Some(day.saturating_mul(DAY).saturating_add(hh_mm(t)?))
}

/// A recurring time window, as minutes from the start of the period (a
/// day for daily windows, Monday 00:00 UTC for weekly ones); the window may
/// wrap around the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start minute.
    pub start: u32,
    /// Length in minutes.
    pub minutes: u32,
    /// Period in minutes (1440 or 10080).
    pub period: u32,
}

impl Window {
    /// The two windows share at least one minute (daily windows repeat on
    /// every day of a weekly one).
    pub fn overlaps(&self, other: &Window) -> bool {
        let (a, b) = if self.period <= other.period { (self, other) } else { (other, self) };
        let modp = |x: u32| x.checked_rem(b.period).unwrap_or(0);
        let repeats = b.period.checked_div(a.period).unwrap_or(0);
        (0..repeats).any(|k| {
            let a0 = modp(a.start.saturating_add(k.saturating_mul(a.period)));
            let d1 = modp(b.start.wrapping_add(b.period).wrapping_sub(a0));
            let d2 = modp(a0.wrapping_add(b.period).wrapping_sub(b.start));
            d1 < a.minutes || d2 < b.minutes
        })
    }
}

/// A window [`daily_window`]/[`weekly_window`] rejects; the message (what
/// is wrong and what is expected) is its `Display`. Pass it as the message of `scope.error(property, message)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// Not in the expected format.
    #[error("window {window:?} is not {format} in UTC (e.g. {example:?})")]
    Format {
        /// The window as written.
        window: String,
        /// The expected format, e.g. `hh24:mi-hh24:mi`.
        format: &'static str,
        /// An example of that format.
        example: &'static str,
    },
    /// Shorter than the minimum.
    #[error("window {window:?} is {minutes} minutes long; it must be at least {min_minutes} minutes")]
    TooShort {
        /// The window as written.
        window: String,
        /// Its length in minutes.
        minutes: u32,
        /// The minimum length in minutes.
        min_minutes: u32,
    },
}

fn window(s: &str, weekly: bool, min_minutes: u32) -> Result<Window, WindowError> {
    let (format, example, period) = if weekly {
        ("ddd:hh24:mi-ddd:hh24:mi", "sun:04:30-sun:05:30", WEEK)
    } else {
        ("hh24:mi-hh24:mi", "03:00-03:30", DAY)
    };
    let parse = |x: &str| if weekly { ddd_hh_mm(x) } else { hh_mm(x) };
    let bad = || WindowError::Format { window: s.to_owned(), format, example };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (start, end) = (parse(a).ok_or_else(bad)?, parse(b).ok_or_else(bad)?);
    let minutes = end.wrapping_add(period).wrapping_sub(start).checked_rem(period).unwrap_or(0);
    if minutes < min_minutes {
        return Err(WindowError::TooShort { window: s.to_owned(), minutes, min_minutes });
    }
    Ok(Window { start, minutes, period })
}

/// Parse a daily window `hh24:mi-hh24:mi` (UTC) of at least `min_minutes`.
pub fn daily_window(s: &str, min_minutes: u32) -> Result<Window, WindowError> {
    window(s, false, min_minutes)
}

/// Parse a weekly window `ddd:hh24:mi-ddd:hh24:mi` (UTC, `mon` to `sun`)
/// of at least `min_minutes`.
pub fn weekly_window(s: &str, min_minutes: u32) -> Result<Window, WindowError> {
    window(s, true, min_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKETISH: NameRule = NameRule::new("bucket name", 3, 63, Letters::Lower, "-.")
        .alnum_ends()
        .reserved_prefixes(&["xn--"])
        .reserved_suffixes(&["-s3alias"])
        .forbidden(&[".."])
        .no_ip_address();

    #[test]
    fn name_rules() {
        assert!(BUCKETISH.check("my-bucket.logs").is_ok());
        assert_eq!(
            BUCKETISH.check("My_Bucket").unwrap_err().to_string(),
            "bucket name \"My_Bucket\" contains 'B', 'M', '_'; allowed are 3 to 63 characters: lowercase ASCII letters, digits and '-', '.', starting and ending with a letter or digit"
        );
        assert!(BUCKETISH.check("ab").unwrap_err().to_string().contains("has 2 characters"));
        assert!(BUCKETISH.check("-ab").unwrap_err().to_string().contains("does not start"));
        assert_eq!(
            BUCKETISH.check("xn--ab").unwrap_err().to_string(),
            "bucket name \"xn--ab\" starts with \"xn--\", which AWS reserves"
        );
        assert!(BUCKETISH.check("a-s3alias").unwrap_err().to_string().contains("ends with \"-s3alias\""));
        assert!(BUCKETISH.check("a..b").unwrap_err().to_string().contains("\"..\""));
        assert!(BUCKETISH.check("192.168.5.4").unwrap_err().to_string().contains("IP address"));
        assert!(BUCKETISH.check(&"é".repeat(100)).is_err());
        // The error is typed: what kind of name, and which part of the rule.
        let e = BUCKETISH.check("My_Bucket").unwrap_err();
        assert_eq!((e.what, e.problem), ("bucket name", NameProblem::Characters(vec!['B', 'M', '_'])));
        assert_eq!(BUCKETISH.check("xn--ab").unwrap_err().problem, NameProblem::ReservedPrefix("xn--"));
        let e = dns_name("exa_mple.com", false).unwrap_err();
        assert_eq!(e.problem, NameProblem::Label("exa_mple".into()));
        assert!(e.to_string().starts_with("domain name 'exa_mple.com' has an invalid label"));
    }

    #[test]
    fn required_affixes_reserved_names_and_any_text() {
        const FIFO: NameRule = NameRule::new("FIFO queue name", 6, 80, Letters::Any, "-_").required_suffix(".fifo");
        assert!(FIFO.check("orders.fifo").is_ok());
        assert_eq!(
            FIFO.check("orders").unwrap_err().to_string(),
            "FIFO queue name \"orders\" does not end with \".fifo\"; allowed are 6 to 80 characters: ASCII letters, digits and '-', '_', before \".fifo\""
        );
        assert_eq!(FIFO.check("a.b.fifo").unwrap_err().problem, NameProblem::Characters(vec!['.']));
        assert_eq!(FIFO.check(".fifo").unwrap_err().problem, NameProblem::Length(5));
        const ALIAS: NameRule = NameRule::new("alias", 7, 256, Letters::Any, "/_-")
            .required_prefix("alias/")
            .reserved_prefixes(&["alias/aws/"]);
        assert!(ALIAS.check("alias/app/logs").is_ok());
        assert_eq!(ALIAS.check("app/logs1").unwrap_err().problem, NameProblem::MissingPrefix("alias/"));
        assert_eq!(ALIAS.check("alias/aws/x").unwrap_err().problem, NameProblem::ReservedPrefix("alias/aws/"));
        const BUS: NameRule =
            NameRule::new("event bus name", 1, 256, Letters::Any, "._/-").reserved_names(&["default"]);
        assert_eq!(BUS.check("default").unwrap_err().to_string(), "event bus name \"default\" is reserved by AWS");
        assert!(BUS.check("defaults").is_ok());
        const ALARM: NameRule = NameRule::any_text("alarm name", 1, 255);
        assert!(ALARM.check("Ünïcode alarm: 5xx > 1% (prod)").is_ok());
        assert_eq!(
            ALARM.check("").unwrap_err().to_string(),
            "alarm name \"\" has 0 characters; allowed are 1 to 255 characters, no control characters"
        );
        assert_eq!(ALARM.check("a\nb").unwrap_err().problem, NameProblem::Control);
    }

    #[test]
    fn emails() {
        for ok in ["ops@example.com", "a.b+c@sub.example.co.uk", "x@y.io"] {
            assert!(email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "nobody",
            "@example.com",
            "a@example..com",
            "a..b@example.com",
            ".a@example.com",
            "a@b",
            "a b@x.io",
            "a@-x.io",
            "a@x.io.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        let e = email("a b@x.io").unwrap_err();
        assert_eq!(e.problem, EmailProblem::LocalCharacter(' '));
        assert_eq!(
            e.to_string(),
            "\"a b@x.io\" is not an e-mail address (' ' is not allowed before '@'); expected local-part@domain, e.g. \"ops@example.com\""
        );
    }

    #[test]
    fn arns() {
        const CERT: ArnShape = ArnShape {
            what: "certificate ARN",
            service: "acm",
            resource_prefix: "certificate/",
            regional: true,
            with_account: true,
            example: "arn:aws:acm:eu-central-1:123456789012:certificate/0b5d..",
        };
        assert!(arn("arn:aws:acm:eu-central-1:123456789012:certificate/abc-1", &CERT).is_ok());
        assert!(arn("arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc-1", &CERT).is_ok());
        for bad in [
            "shop.example.com",
            "arn:aws:acm:eu-central-1:123:certificate/x",
            "arn:aws:iam::123456789012:certificate/x",
            "arn:aws:acm:eu-central-1:123456789012:certificate/",
            "arn:aws:acm:eu-central-1:123456789012:key/x",
        ] {
            assert!(arn(bad, &CERT).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows() {
        let b = daily_window("03:00-03:30", 30).unwrap();
        assert_eq!(b, Window { start: 180, minutes: 30, period: 1440 });
        assert_eq!(daily_window("23:45-00:15", 30).unwrap().minutes, 30);
        assert_eq!(
            daily_window("03:00-03:15", 30).unwrap_err().to_string(),
            "window \"03:00-03:15\" is 15 minutes long; it must be at least 30 minutes"
        );
        for bad in ["3:00-4:00", "03:00", "25:00-26:00", "03:00-03:60", "mon:03:00-mon:04:00", "", "é"] {
            assert!(daily_window(bad, 30).is_err(), "{bad}");
        }
        let m = weekly_window("sun:04:30-sun:05:30", 30).unwrap();
        assert!(!m.overlaps(&b));
        assert!(weekly_window("tue:03:15-tue:04:00", 30).unwrap().overlaps(&b));
        assert!(b.overlaps(&weekly_window("sun:23:00-mon:03:10", 30).unwrap()));
        assert!(weekly_window("sun:03:00-sun:02:00", 30).is_ok());
        assert_eq!(
            weekly_window("xyz:03:00-sun:04:00", 30).unwrap_err().to_string(),
            "window \"xyz:03:00-sun:04:00\" is not ddd:hh24:mi-ddd:hh24:mi in UTC (e.g. \"sun:04:30-sun:05:30\")"
        );
    }

    #[test]
    fn dns_ports_numbers() {
        assert!(dns_within("www.example.com", "example.com"));
        assert!(dns_within("example.com.", "Example.com"));
        assert!(!dns_within("www.pyshop.io", "example.com"));
        assert!(!dns_within("badexample.com", "example.com"));
        assert_eq!(port(0).unwrap_err().to_string(), "port 0 is out of range; allowed are 1 to 65535");
        assert_eq!(port(65536).unwrap_err().port, 65536);
        assert!(port(65536).is_err());
        assert_eq!(port(443), Ok(443));
        assert!(finite("threshold", f64::NAN).is_err());
        assert!(finite("threshold", 1.5).is_ok());
    }
}

/// The AWS naming rules more than one building-block crate checks, in one
/// place (each block crate uses these constants; none writes its own copy).
pub mod aws {
    use super::{ArnShape, Letters, NameRule};

    /// S3 bucket names (general purpose buckets).
    pub const BUCKET_NAME: NameRule = NameRule::new("bucket name", 3, 63, Letters::Lower, "-.")
        .alnum_ends()
        .reserved_prefixes(&["xn--", "sthree-", "amzn-s3-demo-"])
        .reserved_suffixes(&["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
        .forbidden(&["..", ".-", "-."])
        .no_ip_address();

    /// CloudWatch Logs log group names.
    pub const LOG_GROUP_NAME: NameRule =
        NameRule::new("log group name", 1, 512, Letters::Any, "_-/.#").reserved_prefixes(&["aws/"]);

    /// ECR repository names (namespaces separated by `/`).
    pub const ECR_REPOSITORY_NAME: NameRule = NameRule::new("ECR repository name", 2, 256, Letters::Lower, "._-/")
        .alnum_ends()
        .forbidden(&["//", "..", "/.", "./", "/-", "-/", "/_", "_/"]);

    /// Load balancer names.
    pub const LOAD_BALANCER_NAME: NameRule =
        NameRule::new("load balancer name", 1, 32, Letters::Any, "-").alnum_ends().reserved_prefixes(&["internal-"]);

    /// Target group names.
    pub const TARGET_GROUP_NAME: NameRule = NameRule::new("target group name", 1, 32, Letters::Any, "-").alnum_ends();

    /// IAM managed policy names (the part after `policy/`, path included).
    pub const MANAGED_POLICY_NAME: NameRule =
        NameRule::new("managed policy name", 1, 512, Letters::Any, "+=,.@-_/").alnum_start();

    /// ACM certificate ARNs.
    pub const CERTIFICATE_ARN: ArnShape = ArnShape {
        what: "certificate ARN",
        service: "acm",
        resource_prefix: "certificate/",
        regional: true,
        with_account: true,
        example: "arn:aws:acm:eu-central-1:123456789012:certificate/0b5d2c1a-...",
    };

    /// S3 bucket ARNs.
    pub const BUCKET_ARN: ArnShape = ArnShape {
        what: "bucket ARN",
        service: "s3",
        resource_prefix: "",
        regional: false,
        with_account: false,
        example: "arn:aws:s3:::my-bucket",
    };
}
