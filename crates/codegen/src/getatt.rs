//! The GetAtt data cfn-lint uses beyond `readOnlyProperties`, read from its
//! own source (`cfnlint/schema/_getatts.py`) so the generated handles accept
//! exactly what cfn-lint accepts:
//!
//! - `_all_property_types`: legacy types whose every (non-list-of-object)
//!   property is a valid attribute (e.g. `AWS::EC2::Subnet` `VpcId`);
//! - `_exceptions`: extra attribute names per type.

use std::collections::{BTreeMap, BTreeSet};

/// The extra GetAtt knowledge of cfn-lint.
#[derive(Debug, Default, Clone)]
pub struct GetAttData {
    /// Types whose every property is a GetAtt attribute.
    pub all_property_types: BTreeSet<String>,
    /// Extra attribute names (top-level properties) per type.
    pub exceptions: BTreeMap<String, Vec<String>>,
}

/// Parse `_getatts.py`. Fails when the expected assignments are missing
/// (a cfn-lint layout change must not silently drop attributes).
pub fn parse(source: &str) -> Result<GetAttData, String> {
    let all =
        block(source, "_all_property_types = [", ']').ok_or("_getatts.py: `_all_property_types = [` not found")?;
    let all_property_types: BTreeSet<String> = strings(all).into_iter().collect();
    let exc = block(source, "_exceptions = {", '}').ok_or("_getatts.py: `_exceptions = {` not found")?;
    let mut exceptions = BTreeMap::new();
    // Entries look like `"AWS::X::Y": [ "A", "B", ],`.
    let mut rest = exc;
    while let Some(colon) = rest.find("\": [") {
        let key_start = rest[..colon].rfind('"').ok_or("_getatts.py: bad _exceptions entry")?;
        let key = rest[key_start + 1..colon].to_owned();
        let list_start = colon + 4;
        let list_end = rest[list_start..].find(']').ok_or("_getatts.py: unterminated list")? + list_start;
        exceptions.insert(key, strings(&rest[list_start..list_end]));
        rest = &rest[list_end + 1..];
    }
    if exceptions.is_empty() || all_property_types.is_empty() {
        return Err("_getatts.py: no GetAtt data found".into());
    }
    Ok(GetAttData { all_property_types, exceptions })
}

/// The text between `start` and the first following line that begins with
/// `close`.
fn block<'a>(source: &'a str, start: &str, close: char) -> Option<&'a str> {
    let begin = source.find(start)? + start.len();
    let body = &source[begin..];
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with(close) {
            return Some(&body[..offset]);
        }
        offset += line.len();
    }
    None
}

/// Every double-quoted string in `s`.
fn strings(s: &str) -> Vec<String> {
    s.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_python_assignments() {
        let src = "x = 1\n_all_property_types = [\n    \"AWS::EC2::Subnet\",\n    \"AWS::EC2::VPC\",\n]\n\n_exceptions = {\n    \"AWS::A::B\": [\n        \"Name\",\n    ],\n    \"AWS::C::D\": [\"X\", \"Y\"],\n}\n";
        let d = parse(src).unwrap();
        assert!(d.all_property_types.contains("AWS::EC2::Subnet"));
        assert_eq!(d.all_property_types.len(), 2);
        assert_eq!(d.exceptions["AWS::A::B"], ["Name"]);
        assert_eq!(d.exceptions["AWS::C::D"], ["X", "Y"]);
    }
}
