//! Typed values: a literal or a CloudFormation intrinsic function.
//!
//! Every property of every resource takes `impl Into<Value<T>>`, so a literal
//! (`"10.0.0.0/16"`), a reference to another resource (`vpc.ref_()`) or any
//! intrinsic (`Value::join(...)`) fits in the same place.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

/// Conversion of a property value into CloudFormation JSON.
///
/// Implemented for the primitive property types, `Vec`, `BTreeMap`, `Option`,
/// `serde_json::Value` and [`Value`]; the generated L1 structs implement it
/// with plain code (cheaper to compile than a serde derive).
pub trait ToCfn {
    /// The JSON this value renders to (references still unresolved).
    fn to_cfn(&self) -> Json;
}

/// Marker for types whose values are written literally (strings, numbers,
/// booleans, JSON documents and generated property structs).
pub trait Literal: ToCfn {}

impl ToCfn for String {
    fn to_cfn(&self) -> Json {
        Json::String(self.clone())
    }
}
impl Literal for String {}
impl ToCfn for bool {
    fn to_cfn(&self) -> Json {
        Json::Bool(*self)
    }
}
impl Literal for bool {}
impl ToCfn for i64 {
    fn to_cfn(&self) -> Json {
        Json::from(*self)
    }
}
impl Literal for i64 {}
impl ToCfn for f64 {
    fn to_cfn(&self) -> Json {
        serde_json::Number::from_f64(*self).map_or(Json::Null, Json::Number)
    }
}
impl Literal for f64 {}
impl ToCfn for Json {
    fn to_cfn(&self) -> Json {
        self.clone()
    }
}
impl Literal for Json {}
impl<T: ToCfn> ToCfn for Vec<T> {
    fn to_cfn(&self) -> Json {
        Json::Array(self.iter().map(ToCfn::to_cfn).collect())
    }
}
impl<T: ToCfn> ToCfn for BTreeMap<String, T> {
    fn to_cfn(&self) -> Json {
        Json::Object(self.iter().map(|(k, v)| (k.clone(), v.to_cfn())).collect())
    }
}
impl<T: ToCfn> ToCfn for Box<T> {
    fn to_cfn(&self) -> Json {
        (**self).to_cfn()
    }
}

/// An untyped intrinsic-function expression (already in CloudFormation JSON
/// form; references to constructs are tokens resolved at synth).
#[derive(Clone, PartialEq)]
pub struct Expr(pub(crate) Json);

impl Expr {
    /// Wrap raw intrinsic JSON, e.g. `json!({"Fn::GetAZs": ""})`. The escape
    /// hatch for anything the typed constructors do not cover.
    pub fn raw(json: Json) -> Self {
        Expr(json)
    }
    /// The JSON of this expression (tokens unresolved).
    pub fn as_json(&self) -> &Json {
        &self.0
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({})", self.0)
    }
}

/// A property value of type `T`: a literal or an intrinsic that CloudFormation
/// resolves to a `T` at deploy time, or a value produced at synth.
pub enum Value<T> {
    /// A literal value.
    Lit(T),
    /// An intrinsic function (Ref, GetAtt, Sub, Join, ...).
    Expr(Expr, PhantomData<fn() -> T>),
    /// A value produced at synth from state that may still change while the
    /// app is built ([`Value::lazy`]).
    Lazy(Lazy, PhantomData<fn() -> T>),
}

/// A producer evaluated at synth: how a building block keeps one typed
/// source of truth for a property that grows after the resource is added
/// (a policy document that grants keep extending, a list of containers), the
/// way the AWS CDK's `Lazy` does. Cloning shares the producer.
#[derive(Clone)]
pub struct Lazy(Rc<dyn Fn() -> Json>);

impl Lazy {
    /// The JSON the producer renders now.
    pub fn render(&self) -> Json {
        (self.0)()
    }
}

impl fmt::Debug for Lazy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lazy(..)")
    }
}

impl PartialEq for Lazy {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: Clone> Clone for Value<T> {
    fn clone(&self) -> Self {
        match self {
            Value::Lit(v) => Value::Lit(v.clone()),
            Value::Expr(e, _) => Value::Expr(e.clone(), PhantomData),
            Value::Lazy(l, _) => Value::Lazy(l.clone(), PhantomData),
        }
    }
}

impl<T: PartialEq> PartialEq for Value<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Lit(a), Value::Lit(b)) => a == b,
            (Value::Expr(a, _), Value::Expr(b, _)) => a == b,
            (Value::Lazy(a, _), Value::Lazy(b, _)) => a == b,
            _ => false,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Lit(v) => v.fmt(f),
            Value::Expr(e, _) => e.fmt(f),
            Value::Lazy(l, _) => l.fmt(f),
        }
    }
}

impl<T: ToCfn> ToCfn for Value<T> {
    fn to_cfn(&self) -> Json {
        match self {
            Value::Lit(v) => v.to_cfn(),
            Value::Expr(e, _) => e.0.clone(),
            Value::Lazy(l, _) => l.render(),
        }
    }
}

/// Values embed in `serde_json::json!` (raw resources, policy documents).
impl<T: ToCfn> serde::Serialize for Value<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Serialized in place: `to_cfn` would first copy the expression.
            Value::Expr(e, _) => e.0.serialize(s),
            _ => self.to_cfn().serialize(s),
        }
    }
}

impl<T: Literal> From<T> for Value<T> {
    fn from(v: T) -> Self {
        Value::Lit(v)
    }
}
impl From<&str> for Value<String> {
    fn from(v: &str) -> Self {
        Value::Lit(v.to_owned())
    }
}
impl From<&String> for Value<String> {
    fn from(v: &String) -> Self {
        Value::Lit(v.clone())
    }
}
macro_rules! int_into_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<i64> {
            fn from(v: $t) -> Self { Value::Lit(i64::from(v)) }
        }
    )*};
}
int_into_value!(i32, u32, u16, u8);
impl From<usize> for Value<i64> {
    fn from(v: usize) -> Self {
        Value::Lit(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<i32> for Value<f64> {
    fn from(v: i32) -> Self {
        Value::Lit(f64::from(v))
    }
}
impl<T, U: Into<Value<T>>> From<Vec<U>> for Value<Vec<Value<T>>> {
    fn from(v: Vec<U>) -> Self {
        Value::Lit(v.into_iter().map(Into::into).collect())
    }
}
impl<T, U: Into<Value<T>>, const N: usize> From<[U; N]> for Value<Vec<Value<T>>> {
    fn from(v: [U; N]) -> Self {
        Value::Lit(v.into_iter().map(Into::into).collect())
    }
}
impl<T, K: Into<String>, U: Into<Value<T>>> From<BTreeMap<K, U>> for Value<BTreeMap<String, Value<T>>> {
    fn from(v: BTreeMap<K, U>) -> Self {
        Value::Lit(v.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}
impl<T> From<Expr> for Value<T> {
    fn from(e: Expr) -> Self {
        Value::Expr(e, PhantomData)
    }
}

/// A string enum of the L1 layer (`dynamodb::table::BillingMode`): a closed
/// set of wire values plus an escape variant for values newer than the
/// schemas. Implemented by the generated enums.
pub trait StrEnum: Literal + Sized {
    /// The variant of a wire value (the escape variant for an unknown one).
    fn from_wire(value: String) -> Self;
    /// The wire value.
    fn as_str(&self) -> &str;
}

impl<T: StrEnum> Value<T> {
    /// An enum-typed value from a string-typed one: how an intrinsic
    /// (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::ImportValue`, a parameter, ...)
    /// or a lazy value goes into an enum-typed property; it passes through
    /// unchanged. A literal string becomes its variant (or the escape
    /// variant), so prefer the variant itself for literals.
    ///
    /// ```ignore
    /// table.billing_mode(Value::from_string(mode_parameter.ref_()))
    /// ```
    pub fn from_string(v: impl Into<Value<String>>) -> Self {
        match v.into() {
            Value::Lit(s) => Value::Lit(T::from_wire(s)),
            Value::Expr(e, _) => Value::Expr(e, PhantomData),
            Value::Lazy(l, _) => Value::Lazy(l, PhantomData),
        }
    }
}

/// The literal list of an optional list property, created empty when absent:
/// how a building block appends to a typed property it keeps growing (e.g.
/// `list_mut(&mut task.volumes)`). `None` when the property holds an
/// intrinsic or a lazy value, which a building block leaves alone.
pub fn list_mut<T>(slot: &mut Option<Value<Vec<Value<T>>>>) -> Option<&mut Vec<Value<T>>> {
    match slot.get_or_insert_with(|| Value::Lit(Vec::new())) {
        Value::Lit(list) => Some(list),
        Value::Expr(..) | Value::Lazy(..) => None,
    }
}

/// The pseudo parameters CloudFormation defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is assigned to.
    NoValue,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// The parameter name, e.g. `AWS::Region`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
    /// Every pseudo parameter name.
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];
    /// `{"Ref": "AWS::..."}` as a value of any type.
    pub fn value<T>(self) -> Value<T> {
        Expr(obj("Ref", Json::String(self.name().to_owned()))).into()
    }
}

/// A condition usable in `Fn::If` and as a resource's `Condition`: a handle
/// to a condition declared on a stack with [`crate::Stack::add_condition`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionRef {
    pub(crate) token: String,
}

/// A condition expression (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, or a
/// reference to a named condition).
#[derive(Debug, Clone, PartialEq)]
pub struct CondExpr(pub(crate) Json);

impl CondExpr {
    /// `Fn::Equals`
    pub fn equals<A: ToCfn, B: ToCfn>(a: impl Into<Value<A>>, b: impl Into<Value<B>>) -> Self {
        CondExpr(obj("Fn::Equals", Json::Array(vec![a.into().into_cfn(), b.into().into_cfn()])))
    }
    /// `Fn::And` (2 to 10 conditions).
    pub fn and(conds: impl IntoIterator<Item = CondExpr>) -> Self {
        CondExpr(obj("Fn::And", Json::Array(conds.into_iter().map(|c| c.0).collect())))
    }
    /// `Fn::Or` (2 to 10 conditions).
    pub fn or(conds: impl IntoIterator<Item = CondExpr>) -> Self {
        CondExpr(obj("Fn::Or", Json::Array(conds.into_iter().map(|c| c.0).collect())))
    }
    /// `Fn::Not`
    #[allow(clippy::should_implement_trait)]
    pub fn not(cond: CondExpr) -> Self {
        CondExpr(obj("Fn::Not", Json::Array(vec![cond.0])))
    }
    /// A reference to a named condition: `{"Condition": "Name"}`.
    pub fn condition(c: &ConditionRef) -> Self {
        CondExpr(obj("Condition", Json::String(c.token.clone())))
    }
    /// The JSON of this condition (tokens unresolved).
    pub fn as_json(&self) -> &Json {
        &self.0
    }
}

/// `{key: value}`, built directly: `json!` would copy every interpolated
/// value through serde, a deep copy per intrinsic.
pub(crate) fn obj(key: &str, value: Json) -> Json {
    let mut m = Map::with_capacity(1);
    m.insert(key.to_owned(), value);
    Json::Object(m)
}

fn cfn<T: ToCfn>(v: impl Into<Value<T>>) -> Json {
    v.into().into_cfn()
}

impl<T: ToCfn> Value<T> {
    /// The JSON of a value given away: an expression is moved, not copied.
    pub(crate) fn into_cfn(self) -> Json {
        match self {
            Value::Expr(e, _) => e.0,
            Value::Lit(v) => v.to_cfn(),
            Value::Lazy(l, _) => l.render(),
        }
    }
}

impl<T> Value<T> {
    /// A value from raw intrinsic JSON (escape hatch).
    pub fn raw(json: Json) -> Self {
        Expr(json).into()
    }

    /// The intrinsic JSON if this value is an expression.
    pub fn as_expr(&self) -> Option<&Expr> {
        match self {
            Value::Expr(e, _) => Some(e),
            Value::Lit(_) | Value::Lazy(..) => None,
        }
    }

    /// A value produced at synth by `f`, from state that may still change
    /// while the app is built. A building block keeps its typed state (say,
    /// the statements of a policy document that `grant_*` calls extend) and
    /// sets the L1 property to `Value::lazy(move || state.borrow().document())`:
    /// the state is the one source of truth, rendered once at synth.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// use stackcraft_core::{ToCfn, Value};
    ///
    /// let names = Rc::new(RefCell::new(vec!["a".to_owned()]));
    /// let v: Value<Vec<Value<String>>> = Value::lazy({
    ///     let names = names.clone();
    ///     move || names.borrow().clone()
    /// });
    /// names.borrow_mut().push("b".into());
    /// assert_eq!(v.to_cfn(), serde_json::json!(["a", "b"]));
    /// ```
    pub fn lazy<V, F>(f: F) -> Self
    where
        T: ToCfn,
        V: Into<Value<T>>,
        F: Fn() -> V + 'static,
    {
        Value::Lazy(Lazy(Rc::new(move || f().into().into_cfn())), PhantomData)
    }

    /// `{"Ref": "Name"}` to a parameter or resource declared by logical name
    /// in the same template (prefer the typed handles' `ref_()`).
    pub fn ref_name(logical_name: &str) -> Self {
        Expr(obj("Ref", Json::String(logical_name.to_owned()))).into()
    }

    /// `Fn::GetAtt` by logical name (prefer the typed handles' accessors).
    pub fn get_att_name(logical_name: &str, attribute: &str) -> Self {
        Expr(obj("Fn::GetAtt", Json::Array(vec![logical_name.into(), attribute.into()]))).into()
    }

    /// `Fn::Select`: the item at `index` of a list.
    pub fn select<L: ToCfn>(index: impl Into<Value<i64>>, list: impl Into<Value<L>>) -> Self {
        let index = match index.into() {
            Value::Lit(i) => Json::String(i.to_string()),
            Value::Expr(e, _) => e.0,
            Value::Lazy(l, _) => l.render(),
        };
        Expr(obj("Fn::Select", Json::Array(vec![index, cfn(list)]))).into()
    }

    /// `Fn::If`: `then` when the condition holds, else `otherwise`.
    pub fn if_(cond: &ConditionRef, then: impl Into<Value<T>>, otherwise: impl Into<Value<T>>) -> Self
    where
        T: ToCfn,
    {
        Expr(obj("Fn::If", Json::Array(vec![Json::String(cond.token.clone()), cfn(then), cfn(otherwise)]))).into()
    }

    /// `Fn::FindInMap`
    pub fn find_in_map(
        map: &MappingRef,
        top_key: impl Into<Value<String>>,
        second_key: impl Into<Value<String>>,
    ) -> Self {
        Expr(obj("Fn::FindInMap", Json::Array(vec![Json::String(map.token.clone()), cfn(top_key), cfn(second_key)])))
            .into()
    }

    /// `Fn::ImportValue` of an export name.
    pub fn import_value(export_name: impl Into<Value<String>>) -> Self {
        Expr(obj("Fn::ImportValue", cfn(export_name))).into()
    }

    /// `{"Ref": "AWS::NoValue"}`: removes the property.
    pub fn no_value() -> Self {
        Pseudo::NoValue.value()
    }
}

/// A handle to a mapping declared with [`crate::Stack::add_mapping`].
#[derive(Debug, Clone, PartialEq)]
pub struct MappingRef {
    pub(crate) token: String,
}

impl Value<String> {
    /// `Fn::Sub` with a template only (`${AWS::Region}`, `${Param}`).
    pub fn sub(template: impl Into<String>) -> Self {
        Expr(obj("Fn::Sub", Json::String(template.into()))).into()
    }

    /// `Fn::Sub` with variables: each `${name}` in the template is replaced by
    /// the value given for `name` (which may itself be any intrinsic).
    pub fn sub_with<K: Into<String>>(
        template: impl Into<String>,
        vars: impl IntoIterator<Item = (K, Value<String>)>,
    ) -> Self {
        let vars: Map<String, Json> =
            vars.into_iter().map(|(k, v)| (k.into(), v.into_cfn())).collect::<BTreeMap<_, _>>().into_iter().collect();
        Expr(obj("Fn::Sub", Json::Array(vec![Json::String(template.into()), Json::Object(vars)]))).into()
    }

    /// `Fn::Join`: the parts joined by `delimiter`. Literal-only joins are
    /// folded into a plain string.
    pub fn join<U: Into<Value<String>>>(delimiter: &str, parts: impl IntoIterator<Item = U>) -> Self {
        let parts: Vec<Value<String>> = parts.into_iter().map(Into::into).collect();
        if parts.iter().all(|p| matches!(p, Value::Lit(_))) {
            let lits: Vec<String> = parts
                .into_iter()
                .filter_map(|p| match p {
                    Value::Lit(s) => Some(s),
                    Value::Expr(..) | Value::Lazy(..) => None,
                })
                .collect();
            return Value::Lit(lits.join(delimiter));
        }
        let parts: Vec<Json> = parts.into_iter().map(Value::into_cfn).collect();
        Expr(obj("Fn::Join", Json::Array(vec![delimiter.into(), Json::Array(parts)]))).into()
    }

    /// `Fn::Join` without literal folding (always emits the intrinsic).
    pub fn join_raw<U: Into<Value<String>>>(delimiter: &str, parts: impl IntoIterator<Item = U>) -> Self {
        let parts: Vec<Json> = parts.into_iter().map(|p| p.into().into_cfn()).collect();
        Expr(obj("Fn::Join", Json::Array(vec![delimiter.into(), Json::Array(parts)]))).into()
    }

    /// `Fn::Base64`
    pub fn base64(v: impl Into<Value<String>>) -> Self {
        Expr(obj("Fn::Base64", cfn(v))).into()
    }

    /// `{"Ref": "AWS::Region"}`
    pub fn region() -> Self {
        Pseudo::Region.value()
    }
    /// `{"Ref": "AWS::AccountId"}`
    pub fn account_id() -> Self {
        Pseudo::AccountId.value()
    }
    /// `{"Ref": "AWS::Partition"}`
    pub fn partition() -> Self {
        Pseudo::Partition.value()
    }
    /// `{"Ref": "AWS::StackName"}`
    pub fn stack_name() -> Self {
        Pseudo::StackName.value()
    }
    /// `{"Ref": "AWS::URLSuffix"}`
    pub fn url_suffix() -> Self {
        Pseudo::UrlSuffix.value()
    }

    /// An ARN in the stack's partition: `arn:${AWS::Partition}:service:region:account:resource`.
    /// Empty `region`/`account` are kept empty (global services such as IAM or S3).
    pub fn arn(
        service: &str,
        region: impl Into<Value<String>>,
        account: impl Into<Value<String>>,
        resource: impl Into<Value<String>>,
    ) -> Self {
        Value::join_raw(
            ":",
            [
                Value::from("arn"),
                Value::partition(),
                Value::from(service),
                region.into(),
                account.into(),
                resource.into(),
            ],
        )
    }

    /// `"literal"` if a literal, else `None`.
    pub fn as_literal(&self) -> Option<&str> {
        match self {
            Value::Lit(s) => Some(s),
            Value::Expr(..) | Value::Lazy(..) => None,
        }
    }
}

impl Value<Vec<Value<String>>> {
    /// `Fn::GetAZs` for a region (`""` = the stack's region).
    pub fn get_azs(region: impl Into<Value<String>>) -> Self {
        Expr(obj("Fn::GetAZs", cfn(region))).into()
    }

    /// `Fn::Split`
    pub fn split(delimiter: &str, source: impl Into<Value<String>>) -> Self {
        Expr(obj("Fn::Split", Json::Array(vec![delimiter.into(), cfn(source)]))).into()
    }

    /// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits carved from `ip_block`.
    pub fn cidr(
        ip_block: impl Into<Value<String>>,
        count: impl Into<Value<i64>>,
        cidr_bits: impl Into<Value<i64>>,
    ) -> Self {
        let s = |v: Value<i64>| match v {
            Value::Lit(i) => Json::String(i.to_string()),
            Value::Expr(e, _) => e.0,
            Value::Lazy(l, _) => l.render(),
        };
        Expr(obj("Fn::Cidr", Json::Array(vec![cfn(ip_block), s(count.into()), s(cidr_bits.into())]))).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A string enum as the L1 layer generates them.
    #[derive(Debug, Clone, PartialEq)]
    enum Mode {
        Fast,
        Other(String),
    }
    impl ToCfn for Mode {
        fn to_cfn(&self) -> Json {
            Json::String(StrEnum::as_str(self).to_owned())
        }
    }
    impl Literal for Mode {}
    impl StrEnum for Mode {
        fn from_wire(value: String) -> Self {
            if value == "FAST" {
                Mode::Fast
            } else {
                Mode::Other(value)
            }
        }
        fn as_str(&self) -> &str {
            match self {
                Mode::Fast => "FAST",
                Mode::Other(v) => v,
            }
        }
    }

    #[test]
    fn string_values_become_enum_values() {
        let lit: Value<Mode> = Value::from_string("FAST");
        assert_eq!(lit, Value::Lit(Mode::Fast));
        let other: Value<Mode> = Value::from_string(String::from("SLOW"));
        assert_eq!(other, Value::Lit(Mode::Other("SLOW".into())));
        // Intrinsics pass through unchanged.
        let sub: Value<Mode> = Value::from_string(Value::sub("${Mode}"));
        assert_eq!(sub.to_cfn(), json!({"Fn::Sub": "${Mode}"}));
        let lazy: Value<Mode> = Value::from_string(Value::<String>::lazy(|| "FAST".to_owned()));
        assert_eq!(lazy.to_cfn(), json!("FAST"));
        assert_eq!(Value::from(Mode::Fast).to_cfn(), json!("FAST"));
    }

    #[test]
    fn literals_serialize_plainly() {
        assert_eq!(Value::from("a").to_cfn(), json!("a"));
        assert_eq!(Value::<i64>::from(3).to_cfn(), json!(3));
        assert_eq!(Value::from(true).to_cfn(), json!(true));
        let l: Value<Vec<Value<String>>> = vec!["a", "b"].into();
        assert_eq!(l.to_cfn(), json!(["a", "b"]));
    }

    #[test]
    fn intrinsics_serialize_to_cloudformation_json() {
        assert_eq!(Value::sub("${AWS::Region}-x").to_cfn(), json!({"Fn::Sub": "${AWS::Region}-x"}));
        assert_eq!(
            Value::sub_with("${A}-${B}", [("B", Value::region()), ("A", "x".into())]).to_cfn(),
            json!({"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "AWS::Region"}}]})
        );
        assert_eq!(
            Value::join(",", [Value::from("a"), Value::region()]).to_cfn(),
            json!({"Fn::Join": [",", ["a", {"Ref": "AWS::Region"}]]})
        );
        assert_eq!(Value::join(",", ["a", "b"]).to_cfn(), json!("a,b"));
        assert_eq!(
            Value::<String>::select(1, Value::get_azs("")).to_cfn(),
            json!({"Fn::Select": ["1", {"Fn::GetAZs": ""}]})
        );
        assert_eq!(Value::split(",", "a,b").to_cfn(), json!({"Fn::Split": [",", "a,b"]}));
        assert_eq!(Value::base64("x").to_cfn(), json!({"Fn::Base64": "x"}));
        assert_eq!(Value::cidr("10.0.0.0/16", 4, 8).to_cfn(), json!({"Fn::Cidr": ["10.0.0.0/16", "4", "8"]}));
        assert_eq!(Value::<String>::import_value("Exp").to_cfn(), json!({"Fn::ImportValue": "Exp"}));
        assert_eq!(
            Value::<String>::get_att_name("Vpc", "CidrBlock").to_cfn(),
            json!({"Fn::GetAtt": ["Vpc", "CidrBlock"]})
        );
        assert_eq!(Value::<String>::ref_name("P").to_cfn(), json!({"Ref": "P"}));
        assert_eq!(
            Value::arn("iam", "", Value::account_id(), "root").to_cfn(),
            json!({"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", {"Ref": "AWS::AccountId"}, "root"]]})
        );
    }

    #[test]
    fn every_pseudo_parameter_is_a_ref() {
        let names: Vec<Json> = Pseudo::ALL.iter().map(|p| p.value::<String>().to_cfn()).collect();
        assert_eq!(
            names,
            [
                "AWS::AccountId",
                "AWS::NotificationARNs",
                "AWS::NoValue",
                "AWS::Partition",
                "AWS::Region",
                "AWS::StackId",
                "AWS::StackName",
                "AWS::URLSuffix"
            ]
            .iter()
            .map(|n| json!({ "Ref": n }))
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn condition_expressions() {
        let c = CondExpr::and([
            CondExpr::equals(Value::region(), "us-east-1"),
            CondExpr::not(CondExpr::or([CondExpr::equals("a", "b"), CondExpr::equals("c", "d")])),
        ]);
        assert_eq!(
            c.0,
            json!({"Fn::And": [
                {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
                {"Fn::Not": [{"Fn::Or": [{"Fn::Equals": ["a", "b"]}, {"Fn::Equals": ["c", "d"]}]}]}
            ]})
        );
    }
}
