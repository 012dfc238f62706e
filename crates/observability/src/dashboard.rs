//! CloudWatch dashboards ([`Dashboard`]) built from the same [`Metric`]s the
//! alarms use, laid out in rows on CloudWatch's 24-column grid.
//!
//! The `DashboardBody` is a JSON string; since dimension values and the
//! region are intrinsics (`{"Ref": "AWS::Region"}`, a load balancer's
//! `LoadBalancerFullName`, ...), the body is written as an `Fn::Sub` whose
//! variables are those intrinsics (a plain string when everything is
//! literal). Every metric is shown for the stack's region unless
//! [`Metric::region`] says otherwise.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Map, Value as Json};
use stackcraft_cfn::cloudwatch;
use stackcraft_core::validate::names::{Letters, NameRule};
use stackcraft_core::{ResourceHandle, Scope, ToCfn, Value};
use typed_builder::TypedBuilder;

use crate::alarm::Alarm;
use crate::metric::Metric;

/// Width of the CloudWatch dashboard grid, in columns.
pub const GRID_WIDTH: u32 = 24;

/// A line graph (or stacked area) of metrics on a left and a right axis.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphWidget {
    title: String,
    left: Vec<Metric>,
    right: Vec<Metric>,
    width: u32,
    height: u32,
    stacked: bool,
    left_min: Option<f64>,
    annotations: Vec<(f64, String)>,
}

impl GraphWidget {
    /// A 12×6 graph with a title.
    pub fn new(title: impl Into<String>) -> GraphWidget {
        GraphWidget {
            title: title.into(),
            left: Vec::new(),
            right: Vec::new(),
            width: 12,
            height: 6,
            stacked: false,
            left_min: None,
            annotations: Vec::new(),
        }
    }
    /// Add a metric on the left axis.
    pub fn left(mut self, metric: Metric) -> GraphWidget {
        self.left.push(metric);
        self
    }
    /// Add a metric on the right axis.
    pub fn right(mut self, metric: Metric) -> GraphWidget {
        self.right.push(metric);
        self
    }
    /// Width in grid columns (1–24, default 12).
    pub fn width(mut self, width: u32) -> GraphWidget {
        self.width = width;
        self
    }
    /// Height in grid rows (1–1000, default 6).
    pub fn height(mut self, height: u32) -> GraphWidget {
        self.height = height;
        self
    }
    /// Draw the metrics as a stacked area.
    pub fn stacked(mut self, stacked: bool) -> GraphWidget {
        self.stacked = stacked;
        self
    }
    /// Minimum of the left axis (e.g. 0).
    pub fn left_min(mut self, min: f64) -> GraphWidget {
        self.left_min = Some(min);
        self
    }
    /// A horizontal line on the left axis (e.g. an alarm threshold).
    pub fn horizontal_annotation(mut self, value: f64, label: impl Into<String>) -> GraphWidget {
        self.annotations.push((value, label.into()));
        self
    }
}

/// The latest value of one or more metrics, as big numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleValueWidget {
    title: String,
    metrics: Vec<Metric>,
    width: u32,
    height: u32,
    sparkline: bool,
}

impl SingleValueWidget {
    /// A 6×3 single-value widget with a title.
    pub fn new(title: impl Into<String>) -> SingleValueWidget {
        SingleValueWidget { title: title.into(), metrics: Vec::new(), width: 6, height: 3, sparkline: false }
    }
    /// Add a metric.
    pub fn metric(mut self, metric: Metric) -> SingleValueWidget {
        self.metrics.push(metric);
        self
    }
    /// Width in grid columns (1–24, default 6).
    pub fn width(mut self, width: u32) -> SingleValueWidget {
        self.width = width;
        self
    }
    /// Height in grid rows (1–1000, default 3).
    pub fn height(mut self, height: u32) -> SingleValueWidget {
        self.height = height;
        self
    }
    /// Show a sparkline under each value.
    pub fn sparkline(mut self, on: bool) -> SingleValueWidget {
        self.sparkline = on;
        self
    }
}

/// Markdown text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextWidget {
    markdown: String,
    width: u32,
    height: u32,
}

impl TextWidget {
    /// A 24×2 text widget.
    pub fn new(markdown: impl Into<String>) -> TextWidget {
        TextWidget { markdown: markdown.into(), width: GRID_WIDTH, height: 2 }
    }
    /// Width in grid columns (1–24, default 24).
    pub fn width(mut self, width: u32) -> TextWidget {
        self.width = width;
        self
    }
    /// Height in grid rows (1–1000, default 2).
    pub fn height(mut self, height: u32) -> TextWidget {
        self.height = height;
        self
    }
}

/// The state of a set of alarms.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmStatusWidget {
    title: String,
    alarms: Vec<Value<String>>,
    width: u32,
    height: u32,
}

impl AlarmStatusWidget {
    /// A 24×3 alarm status widget.
    pub fn new(title: impl Into<String>) -> AlarmStatusWidget {
        AlarmStatusWidget { title: title.into(), alarms: Vec::new(), width: GRID_WIDTH, height: 3 }
    }
    /// Add an alarm.
    pub fn alarm(mut self, alarm: &Alarm) -> AlarmStatusWidget {
        self.alarms.push(alarm.arn());
        self
    }
    /// Width in grid columns (1–24, default 24).
    pub fn width(mut self, width: u32) -> AlarmStatusWidget {
        self.width = width;
        self
    }
    /// Height in grid rows (1–1000, default 3).
    pub fn height(mut self, height: u32) -> AlarmStatusWidget {
        self.height = height;
        self
    }
}

/// Any dashboard widget.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Widget {
    /// See [`GraphWidget`].
    Graph(GraphWidget),
    /// See [`SingleValueWidget`].
    SingleValue(SingleValueWidget),
    /// See [`TextWidget`].
    Text(TextWidget),
    /// See [`AlarmStatusWidget`].
    AlarmStatus(AlarmStatusWidget),
}

impl From<GraphWidget> for Widget {
    fn from(w: GraphWidget) -> Self {
        Widget::Graph(w)
    }
}
impl From<SingleValueWidget> for Widget {
    fn from(w: SingleValueWidget) -> Self {
        Widget::SingleValue(w)
    }
}
impl From<TextWidget> for Widget {
    fn from(w: TextWidget) -> Self {
        Widget::Text(w)
    }
}
impl From<AlarmStatusWidget> for Widget {
    fn from(w: AlarmStatusWidget) -> Self {
        Widget::AlarmStatus(w)
    }
}

impl Widget {
    /// (width, height) in grid units.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Widget::Graph(w) => (w.width, w.height),
            Widget::SingleValue(w) => (w.width, w.height),
            Widget::Text(w) => (w.width, w.height),
            Widget::AlarmStatus(w) => (w.width, w.height),
        }
    }

    fn metrics(&self) -> Vec<&Metric> {
        match self {
            Widget::Graph(w) => w.left.iter().chain(&w.right).collect(),
            Widget::SingleValue(w) => w.metrics.iter().collect(),
            Widget::Text(_) | Widget::AlarmStatus(_) => Vec::new(),
        }
    }

    fn to_json(&self, x: u32, y: u32, region: &Value<String>) -> Json {
        let (width, height) = self.size();
        let (kind, properties) = match self {
            Widget::Graph(w) => {
                let mut metrics: Vec<Json> = w.left.iter().map(|m| m.dashboard_entry(region)).collect();
                for m in &w.right {
                    let mut e = m.dashboard_entry(region);
                    if let Some(opts) = e.as_array_mut().and_then(|a| a.last_mut()) {
                        opts["yAxis"] = json!("right");
                    }
                    metrics.push(e);
                }
                let mut p = json!({
                    "view": "timeSeries",
                    "title": w.title,
                    "region": region.to_cfn(),
                    "metrics": metrics,
                    "stacked": w.stacked,
                });
                if let Some(min) = w.left_min {
                    p["yAxis"] = json!({ "left": { "min": min } });
                }
                if !w.annotations.is_empty() {
                    p["annotations"] = json!({
                        "horizontal": w.annotations.iter()
                            .map(|(v, l)| json!({ "value": v, "label": l }))
                            .collect::<Vec<_>>(),
                    });
                }
                ("metric", p)
            }
            Widget::SingleValue(w) => (
                "metric",
                json!({
                    "view": "singleValue",
                    "title": w.title,
                    "region": region.to_cfn(),
                    "metrics": w.metrics.iter().map(|m| m.dashboard_entry(region)).collect::<Vec<_>>(),
                    "sparkline": w.sparkline,
                }),
            ),
            Widget::Text(w) => ("text", json!({ "markdown": w.markdown })),
            Widget::AlarmStatus(w) => (
                "alarm",
                json!({
                    "title": w.title,
                    "alarms": w.alarms.iter().map(ToCfn::to_cfn).collect::<Vec<_>>(),
                }),
            ),
        };
        json!({ "type": kind, "x": x, "y": y, "width": width, "height": height, "properties": properties })
    }
}

/// `DashboardName`: 1 to 255 ASCII letters, digits, hyphens and underscores.
const DASHBOARD_NAME: NameRule = NameRule::new("dashboard name", 1, 255, Letters::Any, "-_");

/// Settings of a [`Dashboard`].
#[derive(Debug, Clone, Default, TypedBuilder)]
#[non_exhaustive]
pub struct DashboardProps {
    /// Explicit dashboard name (default: generated by CloudFormation).
    #[builder(default, setter(strip_option, into))]
    pub dashboard_name: Option<String>,
}

#[derive(Debug, Default)]
struct Layout {
    placed: Vec<(u32, u32, Widget)>,
    x: u32,
    y: u32,
    row_height: u32,
}

impl Layout {
    /// The `DashboardBody` of the widgets placed so far.
    fn body(&self) -> Value<String> {
        let region = Value::region();
        let widgets: Vec<Json> = self.placed.iter().map(|(x, y, w)| w.to_json(*x, *y, &region)).collect();
        body_value(&json!({ "widgets": widgets }))
    }
}

/// A CloudWatch dashboard (`AWS::CloudWatch::Dashboard`).
///
/// Widgets flow left to right and wrap to a new row when the 24-column grid
/// is full; [`Dashboard::add_row`] always starts a new row.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_observability::{Dashboard, DashboardProps, GraphWidget, Metric, TextWidget};
/// let app = App::new("demo");
/// let stack = app.stack("Monitoring");
/// let cpu = Metric::new("AWS/RDS", "CPUUtilization").dimension("DBInstanceIdentifier", "db");
/// Dashboard::new(&stack, "Dashboard", DashboardProps::default())
///     .add_widget(TextWidget::new("# Database"))
///     .add_row([GraphWidget::new("CPU").left(cpu).into()]);
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Dashboard {
    scope: Scope,
    handle: ResourceHandle,
    layout: Rc<RefCell<Layout>>,
}

impl Dashboard {
    /// Add an empty dashboard (`DashboardProps::default()`: a generated name).
    pub fn new(scope: &Scope, id: &str, props: DashboardProps) -> Dashboard {
        let scope = scope.scope(id);
        let layout: Rc<RefCell<Layout>> = Rc::default();
        // The layout is the one source of truth; the body is rendered from it at synth.
        let mut d = cloudwatch::Dashboard::new(Value::lazy({
            let layout = layout.clone();
            move || layout.borrow().body()
        }));
        if let Some(n) = &props.dashboard_name {
            if let Err(e) = DASHBOARD_NAME.check(n) {
                scope.error("DashboardName", e);
            }
            d = d.dashboard_name(n.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", d)).clone();
        Dashboard { scope, handle, layout }
    }

    /// Add a widget after the previous one (wrapping to a new row when the
    /// grid is full).
    pub fn add_widget(&self, widget: impl Into<Widget>) -> &Dashboard {
        let widget = widget.into();
        self.check(&widget);
        {
            let mut l = self.layout.borrow_mut();
            let (w, h) = clamp_size(widget.size());
            if l.x + w > GRID_WIDTH {
                l.y += l.row_height;
                l.x = 0;
                l.row_height = 0;
            }
            let (x, y) = (l.x, l.y);
            l.placed.push((x, y, widget));
            l.x += w;
            l.row_height = l.row_height.max(h);
        }
        self
    }

    /// Start a new row and add the widgets to it (wrapping if they are wider
    /// than the grid).
    pub fn add_row(&self, widgets: impl IntoIterator<Item = Widget>) -> &Dashboard {
        {
            let mut l = self.layout.borrow_mut();
            if l.x > 0 {
                l.y += l.row_height;
                l.x = 0;
                l.row_height = 0;
            }
        }
        for w in widgets {
            self.add_widget(w);
        }
        self
    }

    fn check(&self, widget: &Widget) {
        let (w, h) = widget.size();
        if !(1..=GRID_WIDTH).contains(&w) || !(1..=1000).contains(&h) {
            self.scope
                .error("DashboardBody", format!("widget size {w}×{h} is invalid: width must be 1-24, height 1-1000"));
        }
        for m in widget.metrics() {
            m.validate(&self.scope);
        }
        if let Widget::Graph(g) = widget {
            let numbers = g
                .left_min
                .map(|v| ("left axis minimum".to_owned(), v))
                .into_iter()
                .chain(g.annotations.iter().map(|(v, l)| (format!("horizontal annotation {l:?}"), *v)));
            for (what, v) in numbers {
                if let Err(m) = stackcraft_core::validate::names::finite(&what, v) {
                    self.scope.error("DashboardBody", format!("graph widget {:?}: {m}", g.title));
                }
            }
        }
        let empty = match widget {
            Widget::Graph(g) => g.left.is_empty() && g.right.is_empty(),
            Widget::SingleValue(s) => s.metrics.is_empty(),
            Widget::AlarmStatus(a) => a.alarms.is_empty(),
            Widget::Text(_) => false,
        };
        if empty {
            self.scope.warn(
                "observability.empty-widget",
                "DashboardBody",
                "a dashboard widget has no metrics or alarms",
            );
        }
        if self.layout.borrow().placed.len() >= 500 {
            self.scope.error("DashboardBody", "a dashboard holds at most 500 widgets");
        }
    }

    /// The dashboard name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

fn clamp_size((w, h): (u32, u32)) -> (u32, u32) {
    (w.clamp(1, GRID_WIDTH), h.clamp(1, 1000))
}

const MARK: &str = "@@stackcraft-intrinsic-";

/// Whether `v` is an intrinsic function object (`{"Ref": ..}`, `{"Fn::X": ..}`).
fn is_intrinsic(m: &Map<String, Json>) -> bool {
    m.len() == 1 && m.keys().next().is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
}

fn extract(v: &mut Json, found: &mut Vec<Json>) {
    match v {
        Json::Object(m) if is_intrinsic(m) => {
            let n = found.len();
            found.push(std::mem::replace(v, Json::Null));
            *v = Json::String(format!("{MARK}{n}@@"));
        }
        Json::Object(m) => m.values_mut().for_each(|x| extract(x, found)),
        Json::Array(a) => a.iter_mut().for_each(|x| extract(x, found)),
        _ => {}
    }
}

/// A JSON document that may contain intrinsics (in string positions) as a
/// string value: an `Fn::Sub` whose variables are the distinct intrinsics
/// (pseudo parameters are written inline as `${AWS::Region}`; a literal `${`
/// is escaped as `${!`), or a plain string when everything is literal.
pub(crate) fn body_value(doc: &Json) -> Value<String> {
    let mut doc = doc.clone();
    let mut found = Vec::new();
    extract(&mut doc, &mut found);
    let text = doc.to_string();
    if found.is_empty() {
        return Value::Lit(text);
    }
    let mut vars: Vec<(String, Value<String>)> = Vec::new();
    let mut names: Vec<(Json, String)> = Vec::new();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i].replace("${", "${!"));
        let after = &rest[i + MARK.len()..];
        let end = after.find("@@").expect("marker is terminated");
        let n: usize = after[..end].parse().expect("marker index");
        let expr = &found[n];
        let pseudo = expr.get("Ref").and_then(Json::as_str).filter(|r| r.starts_with("AWS::"));
        let name = match pseudo {
            Some(p) => p.to_owned(),
            None => match names.iter().find(|(e, _)| e == expr) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = format!("Ref{}", names.len());
                    names.push((expr.clone(), name.clone()));
                    vars.push((name.clone(), Value::raw(expr.clone())));
                    name
                }
            },
        };
        out.push_str("${");
        out.push_str(&name);
        out.push('}');
        rest = &after[end + 2..];
    }
    out.push_str(&rest.replace("${", "${!"));
    if vars.is_empty() {
        Value::sub(out)
    } else {
        Value::sub_with(out, vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackcraft_core::App;

    #[test]
    fn body_with_intrinsics_is_a_sub() {
        let getatt = json!({"Fn::GetAtt": ["L", "N"]});
        let v = body_value(&json!({
            "a": {"Ref": "AWS::Region"},
            "b": ["x${y}", getatt.clone(), getatt.clone()],
        }));
        assert_eq!(
            v.to_cfn(),
            json!({"Fn::Sub": [
                "{\"a\":\"${AWS::Region}\",\"b\":[\"x${!y}\",\"${Ref0}\",\"${Ref0}\"]}",
                {"Ref0": getatt}
            ]})
        );
        assert_eq!(body_value(&json!({"a": "${x}"})).to_cfn(), json!("{\"a\":\"${x}\"}"));
    }

    #[test]
    fn bad_dashboard_name_names_the_rule() {
        let app = App::new("t");
        let stack = app.stack("S");
        Dashboard::new(&stack, "D", DashboardProps::builder().dashboard_name("ops board").build());
        let err = app.synth().unwrap_err().to_string();
        assert!(
            err.contains(
                "S/D [DashboardName]: dashboard name \"ops board\" contains ' '; allowed are 1 to 255 characters: \
                 ASCII letters, digits and '-', '_'"
            ),
            "{err}"
        );
    }

    #[test]
    fn widgets_flow_and_wrap() {
        let app = App::new("t");
        let stack = app.stack("S");
        let m = Metric::new("NS", "M");
        let d = Dashboard::new(&stack, "D", DashboardProps::default());
        d.add_widget(GraphWidget::new("a").left(m.clone()))
            .add_widget(GraphWidget::new("b").left(m.clone()))
            .add_widget(SingleValueWidget::new("c").metric(m.clone()))
            .add_row([TextWidget::new("t").into()]);
        let pos: Vec<(u32, u32)> = d.layout.borrow().placed.iter().map(|(x, y, _)| (*x, *y)).collect();
        assert_eq!(pos, [(0, 0), (12, 0), (0, 6), (0, 9)]);
    }

    #[test]
    fn invalid_widget_size_and_period_are_errors() {
        let app = App::new("t");
        let stack = app.stack("S");
        Dashboard::new(&stack, "D", DashboardProps::default())
            .add_widget(GraphWidget::new("a").left(Metric::new("NS", "M").period_secs(45)).width(30));
        let err = app.synth().unwrap_err().to_string();
        assert!(err.contains("width must be 1-24"), "{err}");
        assert!(err.contains("multiple of 60"), "{err}");
    }
}
