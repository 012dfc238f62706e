//! Fargate task sizes: only the CPU/memory pairs Fargate accepts can exist.

use std::fmt;

/// A valid Fargate task size: CPU units and memory in MiB.
///
/// The fields are private, so a `FargateSize` is always one of the pairs
/// Fargate accepts (an invalid pair such as 256 CPU / 8192 MiB cannot be
/// constructed):
///
/// | CPU units (vCPU) | memory (MiB) |
/// |---|---|
/// | 256 (0.25) | 512, 1024, 2048 |
/// | 512 (0.5) | 1024 to 4096 in steps of 1024 |
/// | 1024 (1) | 2048 to 8192 in steps of 1024 |
/// | 2048 (2) | 4096 to 16384 in steps of 1024 |
/// | 4096 (4) | 8192 to 30720 in steps of 1024 |
/// | 8192 (8) | 16384 to 61440 in steps of 4096 |
/// | 16384 (16) | 32768 to 122880 in steps of 8192 |
///
/// Use a constant for the common sizes or [`FargateSize::new`], which
/// returns an error naming the allowed memory values for the CPU given:
///
/// ```
/// use stackcraft_ecs_service::FargateSize;
/// let s = FargateSize::new(512, 1024).unwrap();
/// assert_eq!(s, FargateSize::CPU_512_MEM_1024);
/// let e = FargateSize::new(256, 8192).unwrap_err();
/// assert!(e.to_string().contains("512, 1024, 2048"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FargateSize {
    cpu: u32,
    memory_mib: u32,
}

/// Why a CPU/memory pair is not a Fargate size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FargateSizeError {
    cpu: u32,
    memory_mib: u32,
}

impl fmt::Display for FargateSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match FargateSize::memory_options(self.cpu) {
            Some(opts) => {
                let list: Vec<String> = opts.iter().map(u32::to_string).collect();
                write!(
                    f,
                    "{} MiB is not a valid memory size for {} CPU units on Fargate; allowed: {} MiB",
                    self.memory_mib,
                    self.cpu,
                    list.join(", ")
                )
            }
            None => {
                write!(f, "{} is not a Fargate CPU value; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384", self.cpu)
            }
        }
    }
}

impl std::error::Error for FargateSizeError {}

/// (cpu, first memory, last memory, step)
const TABLE: [(u32, u32, u32, u32); 7] = [
    (256, 512, 2048, 0),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122_880, 8192),
];

macro_rules! sizes {
    ($($name:ident = ($cpu:expr, $mem:expr);)*) => {$(
        #[doc = concat!(stringify!($cpu), " CPU units, ", stringify!($mem), " MiB.")]
        pub const $name: FargateSize = FargateSize { cpu: $cpu, memory_mib: $mem };
    )*};
}

impl FargateSize {
    sizes! {
        CPU_256_MEM_512 = (256, 512);
        CPU_256_MEM_1024 = (256, 1024);
        CPU_256_MEM_2048 = (256, 2048);
        CPU_512_MEM_1024 = (512, 1024);
        CPU_512_MEM_2048 = (512, 2048);
        CPU_512_MEM_3072 = (512, 3072);
        CPU_512_MEM_4096 = (512, 4096);
        CPU_1024_MEM_2048 = (1024, 2048);
        CPU_1024_MEM_3072 = (1024, 3072);
        CPU_1024_MEM_4096 = (1024, 4096);
        CPU_1024_MEM_8192 = (1024, 8192);
        CPU_2048_MEM_4096 = (2048, 4096);
        CPU_2048_MEM_8192 = (2048, 8192);
        CPU_2048_MEM_16384 = (2048, 16384);
        CPU_4096_MEM_8192 = (4096, 8192);
        CPU_4096_MEM_16384 = (4096, 16384);
        CPU_4096_MEM_30720 = (4096, 30720);
        CPU_8192_MEM_16384 = (8192, 16384);
        CPU_8192_MEM_61440 = (8192, 61440);
        CPU_16384_MEM_32768 = (16384, 32768);
        CPU_16384_MEM_122880 = (16384, 122_880);
    }

    /// The size with `cpu` units and `memory_mib`, if Fargate accepts the pair.
    pub fn new(cpu: u32, memory_mib: u32) -> Result<FargateSize, FargateSizeError> {
        match Self::memory_options(cpu) {
            Some(opts) if opts.contains(&memory_mib) => Ok(FargateSize { cpu, memory_mib }),
            _ => Err(FargateSizeError { cpu, memory_mib }),
        }
    }

    /// The memory sizes (MiB) Fargate accepts for `cpu` units, or `None` when
    /// `cpu` is not a Fargate CPU value.
    pub fn memory_options(cpu: u32) -> Option<Vec<u32>> {
        let &(_, first, last, step) = TABLE.iter().find(|row| row.0 == cpu)?;
        if step == 0 {
            return Some(vec![512, 1024, 2048]);
        }
        Some((first..=last).step_by(step as usize).collect())
    }

    /// Every valid size, ordered by CPU then memory.
    pub fn all() -> Vec<FargateSize> {
        TABLE
            .iter()
            .flat_map(|&(cpu, ..)| {
                Self::memory_options(cpu)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |memory_mib| FargateSize { cpu, memory_mib })
            })
            .collect()
    }

    /// CPU units (1024 = 1 vCPU).
    pub fn cpu(self) -> u32 {
        self.cpu
    }

    /// Memory in MiB.
    pub fn memory_mib(self) -> u32 {
        self.memory_mib
    }
}

impl fmt::Display for FargateSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} CPU / {} MiB", self.cpu, self.memory_mib)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_fargate() {
        assert_eq!(FargateSize::memory_options(256).unwrap(), [512, 1024, 2048]);
        assert_eq!(FargateSize::memory_options(512).unwrap(), [1024, 2048, 3072, 4096]);
        assert_eq!(FargateSize::memory_options(4096).unwrap().len(), 23);
        assert_eq!(FargateSize::memory_options(8192).unwrap().len(), 12);
        assert_eq!(FargateSize::memory_options(16384).unwrap().len(), 12);
        assert!(FargateSize::memory_options(300).is_none());
        assert_eq!(FargateSize::all().len(), 3 + 4 + 7 + 13 + 23 + 12 + 12);
    }

    #[test]
    fn invalid_pairs_do_not_construct() {
        assert!(FargateSize::new(256, 8192).is_err());
        assert!(FargateSize::new(512, 512).is_err());
        assert!(FargateSize::new(8192, 18432).is_err());
        assert!(FargateSize::new(1000, 2048).unwrap_err().to_string().contains("not a Fargate CPU value"));
        assert_eq!(FargateSize::new(8192, 16384 + 4096).map(|s| s.memory_mib()), Ok(20480));
    }

    #[test]
    fn constants_are_valid() {
        for c in [
            FargateSize::CPU_256_MEM_512,
            FargateSize::CPU_512_MEM_4096,
            FargateSize::CPU_4096_MEM_30720,
            FargateSize::CPU_8192_MEM_61440,
            FargateSize::CPU_16384_MEM_122880,
        ] {
            assert_eq!(FargateSize::new(c.cpu(), c.memory_mib()), Ok(c));
        }
    }
}

/// The config-file shape of a [`FargateSize`]: `{"cpu": 512, "memory_mib": 1024}`.
#[derive(serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct FargateSizeConfig {
    /// CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
    cpu: u32,
    /// Memory in MiB, one of the values Fargate allows for `cpu`.
    memory_mib: u32,
}

/// A config file holds a size as `{"cpu": 512, "memory_mib": 1024}`.
impl serde::Serialize for FargateSize {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FargateSizeConfig { cpu: self.cpu, memory_mib: self.memory_mib }.serialize(serializer)
    }
}

/// Loading a config rejects a pair Fargate does not accept, with the allowed
/// memory values in the message.
impl<'de> serde::Deserialize<'de> for FargateSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let c = FargateSizeConfig::deserialize(deserializer)?;
        FargateSize::new(c.cpu, c.memory_mib).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for FargateSize {
    fn schema_name() -> String {
        "FargateSize".to_owned()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        FargateSizeConfig::json_schema(generator)
    }
}

#[cfg(test)]
mod serde_tests {
    use super::FargateSize;

    #[test]
    fn a_config_holds_a_valid_size_and_rejects_others_with_the_allowed_values() {
        let s: FargateSize = serde_json::from_str(r#"{"cpu": 512, "memory_mib": 1024}"#).unwrap();
        assert_eq!(s, FargateSize::CPU_512_MEM_1024);
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"cpu":512,"memory_mib":1024}"#);
        let e = serde_json::from_str::<FargateSize>(r#"{"cpu": 256, "memory_mib": 8192}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "8192 MiB is not a valid memory size for 256 CPU units on Fargate; allowed: 512, 1024, 2048 MiB"
        );
        assert!(serde_json::from_str::<FargateSize>(r#"{"cpu": 256}"#).is_err());
    }
}
