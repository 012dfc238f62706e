//! A small, deterministic SVG renderer (no Graphviz): stacks side by side
//! in dependency order, each with its network tiers stacked (public,
//! private, isolated, then the rest), nodes in a grid inside each group,
//! edges as straight arrows with their labels.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::graph::{EdgeKind, Graph, Node};

const NODE_W: f64 = 170.0;
const NODE_H: f64 = 46.0;
const GAP: f64 = 28.0;
const COLS: usize = 3;
const PAD: f64 = 18.0;
const TITLE: f64 = 26.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn tier_rank(t: &str) -> u8 {
    match t {
        "public" => 0,
        "private" => 1,
        "isolated" => 2,
        _ => 3,
    }
}

/// Render `g` as an SVG document.
pub(crate) fn render(g: &Graph) -> String {
    // Stack order: first appearance of each stack in node order is alphabetical;
    // put stacks that others import from (the Network) first.
    let mut stacks: Vec<&str> = Vec::new();
    for n in &g.nodes {
        if !stacks.contains(&n.stack.as_str()) {
            stacks.push(&n.stack);
        }
    }
    let imported: Vec<&str> = g
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Import)
        .filter_map(|e| g.nodes.iter().find(|n| n.path == e.to).map(|n| n.stack.as_str()))
        .collect();
    stacks.sort_by_key(|s| (!imported.contains(s), *s));

    let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut body = String::new();
    let mut x = PAD;
    let mut height: f64 = 0.0;
    for stack in &stacks {
        let mut tiers: BTreeMap<(u8, &str), Vec<&Node>> = BTreeMap::new();
        for n in g.nodes.iter().filter(|n| n.stack == *stack) {
            tiers.entry((tier_rank(&n.tier), n.tier.as_str())).or_default().push(n);
        }
        let widest = tiers.values().map(|v| v.len().min(COLS)).max().unwrap_or(1) as f64;
        let inner_w = widest * NODE_W + (widest - 1.0) * GAP + 2.0 * PAD;
        let mut y = PAD + TITLE + PAD;
        let mut groups = String::new();
        for ((_, tier), nodes) in &tiers {
            let rows = nodes.len().div_ceil(COLS) as f64;
            let gh = TITLE + rows * NODE_H + (rows - 1.0) * GAP + 2.0 * PAD;
            let gx = x + PAD;
            let (fill, title) = match *tier {
                "public" => ("#e8f4fd", "public subnets"),
                "private" => ("#eef8ee", "private subnets"),
                "isolated" => ("#fdf1e6", "isolated subnets"),
                _ => ("#f6f6f6", "regional / global"),
            };
            let _ = writeln!(
                groups,
                r##"<rect x="{gx}" y="{y}" width="{inner_w}" height="{gh}" rx="8" fill="{fill}" stroke="#b0b0b0"/><text x="{}" y="{}" class="g">{title}</text>"##,
                gx + 10.0,
                y + 18.0
            );
            for (i, n) in nodes.iter().enumerate() {
                let (c, r) = ((i % COLS) as f64, (i / COLS) as f64);
                let nx = gx + PAD + c * (NODE_W + GAP);
                let ny = y + TITLE + PAD / 2.0 + r * (NODE_H + GAP);
                pos.insert(&n.path, (nx + NODE_W / 2.0, ny + NODE_H / 2.0));
                let mut lines = n.label.lines();
                let name = lines.next().unwrap_or("");
                let kind = lines.next().unwrap_or("");
                let _ = writeln!(
                    groups,
                    r##"<rect x="{nx}" y="{ny}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="#ffffff" stroke="#4a6fa5" stroke-width="1.5"/><text x="{}" y="{}" class="n">{}</text><text x="{}" y="{}" class="t">{}</text>"##,
                    nx + NODE_W / 2.0,
                    ny + 20.0,
                    esc(name),
                    nx + NODE_W / 2.0,
                    ny + 36.0,
                    esc(kind)
                );
            }
            y += gh + GAP;
        }
        let sw = inner_w + 2.0 * PAD;
        let _ = writeln!(
            body,
            r##"<rect x="{x}" y="{PAD}" width="{sw}" height="{}" rx="10" fill="none" stroke="#555" stroke-dasharray="6 4"/><text x="{}" y="{}" class="s">Stack {}</text>"##,
            y - PAD,
            x + 12.0,
            PAD + 20.0,
            esc(stack)
        );
        body.push_str(&groups);
        height = height.max(y + PAD);
        x += sw + 3.0 * GAP;
    }
    let width = x;
    for e in &g.edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) else {
            continue;
        };
        // Clip the line to the node boxes.
        let clip = |cx: f64, cy: f64, dx: f64, dy: f64| {
            let tx = if dx.abs() > 0.0 { (NODE_W / 2.0) / dx.abs() } else { f64::INFINITY };
            let ty = if dy.abs() > 0.0 { (NODE_H / 2.0) / dy.abs() } else { f64::INFINITY };
            let t = tx.min(ty).min(1.0);
            (cx + dx * t, cy + dy * t)
        };
        let (dx, dy) = (x2 - x1, y2 - y1);
        let (sx, sy) = clip(x1, y1, dx, dy);
        let (ex, ey) = clip(x2, y2, -dx, -dy);
        let (color, dash, width) = match e.kind {
            EdgeKind::Connection => ("#1f77b4", "", 2.0),
            EdgeKind::Grant => ("#d62728", r#" stroke-dasharray="6 4""#, 1.5),
            EdgeKind::Event => ("#2ca02c", "", 3.0),
            EdgeKind::Import => ("#888888", r#" stroke-dasharray="2 4""#, 1.2),
        };
        let marker = match e.kind {
            EdgeKind::Connection => "c",
            EdgeKind::Grant => "g",
            EdgeKind::Event => "e",
            EdgeKind::Import => "i",
        };
        let _ = writeln!(
            body,
            r##"<line x1="{sx:.1}" y1="{sy:.1}" x2="{ex:.1}" y2="{ey:.1}" stroke="{color}" stroke-width="{width}"{dash} marker-end="url(#{marker})"/><text x="{:.1}" y="{:.1}" class="e" fill="{color}">{}</text>"##,
            (sx + ex) / 2.0,
            (sy + ey) / 2.0 - 4.0,
            if e.kind == EdgeKind::Import { String::new() } else { esc(&e.label) }
        );
    }
    let legend_y = height + 10.0;
    let mut legend = String::new();
    for (i, (label, color)) in [
        ("connection (port)", "#1f77b4"),
        ("grant (access)", "#d62728"),
        ("event flow", "#2ca02c"),
        ("cross-stack import", "#888888"),
    ]
    .iter()
    .enumerate()
    {
        let lx = PAD + i as f64 * 190.0;
        let _ = writeln!(
            legend,
            r##"<line x1="{lx}" y1="{legend_y}" x2="{}" y2="{legend_y}" stroke="{color}" stroke-width="2"/><text x="{}" y="{}" class="l">{label}</text>"##,
            lx + 30.0,
            lx + 36.0,
            legend_y + 4.0
        );
    }
    let total_h = legend_y + 20.0;
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" viewBox="0 0 {width} {total_h}" font-family="Helvetica, Arial, sans-serif">
<defs>
"##
    );
    for (id, color) in [("c", "#1f77b4"), ("g", "#d62728"), ("e", "#2ca02c"), ("i", "#888888")] {
        let _ = writeln!(
            out,
            r##"<marker id="{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>"##
        );
    }
    out.push_str(
        "</defs>\n<style>.n{font-size:13px;font-weight:bold;text-anchor:middle}.t{font-size:11px;fill:#555;text-anchor:middle}.g{font-size:12px;fill:#444}.s{font-size:15px;font-weight:bold}.e{font-size:11px;text-anchor:middle;paint-order:stroke;stroke:#ffffff;stroke-width:4px}.l{font-size:12px}</style>\n",
    );
    let _ = writeln!(out, r##"<rect width="{width}" height="{total_h}" fill="#ffffff"/>"##);
    out.push_str(&body);
    out.push_str(&legend);
    out.push_str("</svg>\n");
    out
}
