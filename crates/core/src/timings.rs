//! Per-phase synth timings: a small hook around the named synth phases
//! (build graph, render, name and assign logical IDs, resolve, validate,
//! order, assemble, write).
//!
//! Off by default, and then nearly free (one cached environment lookup per
//! phase). `STACKCRAFT_TIMINGS=1` in the environment, or `synth --timings`,
//! turns it on: every [`phase`] run on this thread adds its duration under
//! its name, and [`report`] (printed by `synth` on standard error) lists
//! them in the order they first ran, e.g.
//! `timings: build 0.412 ms, render 0.201 ms, ... total 1.204 ms`.
//! `cargo xtask bench` reads that line.

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

thread_local! {
    static FORCED: Cell<bool> = const { Cell::new(false) };
    static PHASES: RefCell<Vec<(&'static str, Duration)>> = const { RefCell::new(Vec::new()) };
}

/// Whether timings are recorded on this thread: `STACKCRAFT_TIMINGS` is set
/// to something other than empty or `0`, or [`enable`] was called.
pub fn enabled() -> bool {
    static ENV: OnceLock<bool> = OnceLock::new();
    FORCED.with(Cell::get)
        || *ENV.get_or_init(|| std::env::var_os("STACKCRAFT_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// Record timings on this thread from now on (what `synth --timings` does).
pub fn enable() {
    FORCED.with(|f| f.set(true));
}

/// Run `f` as the phase `name`, adding its duration to that phase when
/// timings are [`enabled`].
pub fn phase<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    record(name, start.elapsed());
    out
}

/// Add `d` to the phase `name` (when timings are [`enabled`]).
pub fn record(name: &'static str, d: Duration) {
    if !enabled() {
        return;
    }
    PHASES.with(|p| {
        let mut p = p.borrow_mut();
        match p.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total = total.saturating_add(d),
            None => p.push((name, d)),
        }
    });
}

/// The phases recorded on this thread so far, in the order they first ran,
/// with their summed durations; clears the record.
pub fn take() -> Vec<(&'static str, Duration)> {
    PHASES.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// [`take`] as one line: `timings: build 0.412 ms, render 0.201 ms, ... total 1.204 ms`
/// (empty when nothing was recorded).
pub fn report() -> String {
    let phases = take();
    if phases.is_empty() {
        return String::new();
    }
    let mut total = Duration::ZERO;
    let mut parts = Vec::with_capacity(phases.len() + 1);
    for (name, d) in phases {
        total = total.saturating_add(d);
        parts.push(format!("{name} {:.3} ms", d.as_secs_f64() * 1e3));
    }
    parts.push(format!("total {:.3} ms", total.as_secs_f64() * 1e3));
    format!("timings: {}\n", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_summed_by_name_in_first_run_order() {
        enable();
        let _ = take();
        assert_eq!(phase("a", || 1), 1);
        phase("b", || ());
        record("a", Duration::from_millis(2));
        let t = take();
        let names: Vec<&str> = t.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(t[0].1 >= Duration::from_millis(2));
        assert!(take().is_empty(), "take clears");
        phase("render", || ());
        let line = report();
        assert!(line.starts_with("timings: render "), "{line}");
        assert!(line.ends_with(" ms\n") && line.contains(", total "), "{line}");
        assert_eq!(report(), "");
    }
}
