//! Terminal output: change-set diffs, event lines, progress bars, prompts.
//!
//! On a terminal, progress bars (indicatif) are drawn on stderr and every
//! other line is printed above them; without a terminal (CI, tests, pipes)
//! there are no bars and every line goes to stdout as plain text.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Error;
use crate::interrupt::Interrupt;
use crate::model::{ChangeAction, ChangeSet, ResourceChange, StackEvent};

/// Where output goes and whether we may ask questions.
#[derive(Debug, Clone)]
pub struct Ui {
    bars: Option<MultiProgress>,
    interactive: bool,
    assume_yes: bool,
    prompt: Arc<tokio::sync::Mutex<()>>,
    interrupt: Interrupt,
    /// Scripted answers (tests): questions are recorded and answered from here.
    script: Option<Arc<std::sync::Mutex<Script>>>,
}

/// Answers still to give (last first) and the questions asked.
type Script = (Vec<bool>, Vec<String>);

impl Ui {
    /// Detect the terminal: bars when stderr is one, prompts when stdin and
    /// stderr are. `assume_yes` answers every question with yes.
    pub fn detect(assume_yes: bool) -> Ui {
        let tty = std::io::stderr().is_terminal();
        Ui {
            bars: tty.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            interactive: tty && std::io::stdin().is_terminal(),
            assume_yes,
            prompt: Arc::default(),
            interrupt: Interrupt::new(),
            script: None,
        }
    }

    /// Plain output, never interactive (tests, `--yes` in CI).
    pub fn plain(assume_yes: bool) -> Ui {
        Ui {
            bars: None,
            interactive: false,
            assume_yes,
            prompt: Arc::default(),
            interrupt: Interrupt::new(),
            script: None,
        }
    }

    /// Plain output with questions answered from `answers` in order (then
    /// "no"), for tests; [`Ui::asked`] lists the questions.
    pub fn scripted(answers: &[bool]) -> Ui {
        let mut answers = answers.to_vec();
        answers.reverse();
        Ui {
            interactive: true,
            script: Some(Arc::new(std::sync::Mutex::new((answers, Vec::new())))),
            ..Ui::plain(false)
        }
    }

    /// The questions asked so far (scripted UIs only).
    pub fn asked(&self) -> Vec<String> {
        self.script.as_ref().and_then(|s| s.lock().ok().map(|g| g.1.clone())).unwrap_or_default()
    }

    /// Prompts end with [`Error::Interrupted`] when `interrupt` is raised.
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Ui {
        self.interrupt = interrupt;
        self
    }

    /// Whether questions can be asked (stdin and stderr are a terminal).
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// Whether questions are answered with yes without asking.
    pub fn assume_yes(&self) -> bool {
        self.assume_yes
    }

    /// Print a line (above the progress bars, if any).
    pub fn line(&self, text: &str) {
        match &self.bars {
            Some(mp) => {
                for l in text.lines() {
                    let _ = mp.println(l);
                }
            }
            None => println!("{text}"),
        }
    }

    /// A progress bar for one stack operation over `total` resources.
    pub fn bar(&self, stack: &str, total: u64) -> ProgressBar {
        match &self.bars {
            Some(mp) => {
                // An unknown total (deletes, waiting on someone else's
                // operation) counts without a bar: never "14/1".
                let (pb, template) = if total == 0 {
                    (
                        ProgressBar::new_spinner(),
                        "{spinner} {prefix:.bold} [{elapsed_precise}] {pos} resource(s) done {wide_msg}",
                    )
                } else {
                    (
                        ProgressBar::new(total),
                        "{spinner} {prefix:.bold} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {wide_msg}",
                    )
                };
                let pb = mp.add(pb);
                pb.set_style(
                    ProgressStyle::with_template(template)
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                pb.set_prefix(stack.to_string());
                pb.enable_steady_tick(Duration::from_millis(120));
                pb
            }
            None => ProgressBar::hidden(),
        }
    }

    /// Remove a finished bar.
    pub fn finish_bar(&self, pb: &ProgressBar) {
        pb.finish_and_clear();
        if let Some(mp) = &self.bars {
            mp.remove(pb);
        }
    }

    /// Ask a yes/no question. `--yes` answers yes; without a terminal (and
    /// without `--yes`) the answer is a refusal naming `--yes`. Prompts of
    /// concurrent stacks are asked one at a time.
    pub async fn confirm(&self, question: &str) -> Result<bool, Error> {
        if self.assume_yes {
            return Ok(true);
        }
        if !self.interactive {
            return Err(Error::Refused(format!(
                "{question} — no terminal to ask on; rerun with --yes to confirm non-interactively"
            )));
        }
        if self.interrupt.is_raised() {
            return Err(Error::Interrupted {
                stack: "prompt".into(),
                hint: "nothing was confirmed, so nothing more is changed".into(),
            });
        }
        if let Some(script) = &self.script {
            let mut g = script.lock().map_err(|_| Error::Io("scripted answers poisoned".into()))?;
            g.1.push(question.to_string());
            return Ok(g.0.pop().unwrap_or(false));
        }
        let _guard = self.prompt.lock().await;
        let q = question.to_string();
        let mp = self.bars.clone();
        let read = tokio::task::spawn_blocking(move || {
            let ask = || {
                eprint!("{q} [y/N] ");
                let mut s = String::new();
                std::io::stdin().read_line(&mut s).map(|_| s)
            };
            match mp {
                Some(mp) => mp.suspend(ask),
                None => ask(),
            }
        });
        // Ctrl-C at the prompt stops the whole run (exit 130), at once: the
        // blocked read of stdin is abandoned.
        let answer = tokio::select! {
            r = read => r.map_err(|e| Error::Io(e.to_string()))??,
            _ = self.interrupt.wait() => {
                eprintln!();
                return Err(Error::Interrupted {
                    stack: "prompt".into(),
                    hint: "nothing was confirmed, so nothing more is changed".into(),
                });
            }
        };
        Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
    }
}

/// Render a change set as the diff shown before execution: one line per
/// resource (`+` add, `~` modify, `-` remove), property details below
/// modifications, replacements flagged loudly.
pub fn render_change_set(cs: &ChangeSet) -> String {
    let (add, modify, remove) = cs.counts();
    let mut out = String::new();
    let kind = if cs.creates_stack { "create" } else { "update" };
    let _ = writeln!(out, "Stack {} ({kind}): {add} to add, {modify} to modify, {remove} to remove", cs.stack_name);
    let width = cs.changes.iter().map(|c| c.logical_id.len()).max().unwrap_or(0);
    let mut sorted: Vec<&ResourceChange> = cs.changes.iter().collect();
    sorted.sort_by_key(|c| (action_rank(&c.action), c.logical_id.clone()));
    for c in &sorted {
        let sign = match c.action {
            ChangeAction::Add | ChangeAction::Import => "+",
            ChangeAction::Modify | ChangeAction::Dynamic => "~",
            ChangeAction::Remove => "-",
            _ => "?",
        };
        let mut line = format!("  {sign} {:width$}  {}", c.logical_id, c.resource_type);
        if c.is_replacement() {
            let how = match c.replacement {
                Some(crate::model::Replacement::Conditional) => "MAY BE REPLACED",
                _ => "WILL BE REPLACED",
            };
            let _ = write!(line, "  !!! {how} !!!");
        }
        let _ = writeln!(out, "{line}");
        for d in &c.details {
            let name = match &d.name {
                Some(n) => format!("{}.{n}", d.attribute),
                None => d.attribute.clone(),
            };
            let mut detail = format!("      {name}");
            match (&d.before, &d.after) {
                (Some(b), Some(a)) => {
                    let _ = write!(detail, ": {b} -> {a}");
                }
                (None, Some(a)) => {
                    let _ = write!(detail, ": -> {a}");
                }
                (Some(b), None) => {
                    let _ = write!(detail, ": {b} ->");
                }
                (None, None) => {}
            }
            let mut notes = Vec::new();
            if let Some(s) = &d.change_source {
                notes.push(match &d.causing_entity {
                    Some(e) => format!("{s} {e}"),
                    None => s.clone(),
                });
            }
            match d.requires_recreation.as_deref() {
                Some("Always") => notes.push("requires replacement".into()),
                Some("Conditionally") => notes.push("may require replacement".into()),
                _ => {}
            }
            if !notes.is_empty() {
                let _ = write!(detail, " ({})", notes.join(", "));
            }
            let _ = writeln!(out, "{detail}");
        }
    }
    let replaced: Vec<&str> = cs.changes.iter().filter(|c| c.is_replacement()).map(|c| c.logical_id.as_str()).collect();
    if !replaced.is_empty() {
        let _ = writeln!(
            out,
            "  WARNING: {} resource(s) will or may be REPLACED (new physical resource; data in \
             stateful resources is lost unless retained): {}",
            replaced.len(),
            replaced.join(", ")
        );
    }
    out.trim_end().to_string()
}

fn action_rank(a: &ChangeAction) -> u8 {
    match a {
        ChangeAction::Remove => 0,
        ChangeAction::Modify | ChangeAction::Dynamic => 1,
        _ => 2,
    }
}

/// One event line: `  UPDATE_COMPLETE  Queue (AWS::SQS::Queue) reason`.
pub fn render_event(stack: &str, e: &StackEvent) -> String {
    let mut s = format!("{stack} | {:<28} {} ({})", e.status.as_str(), e.logical_id, e.resource_type);
    if let Some(r) = &e.reason {
        if !r.is_empty() {
            let _ = write!(s, ": {r}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PropertyChange, Replacement};

    #[test]
    fn diff_flags_replacements_and_details() {
        let cs = ChangeSet {
            id: "arn".into(),
            stack_name: "app-dev-Data".into(),
            creates_stack: false,
            changes: vec![
                ResourceChange {
                    action: ChangeAction::Modify,
                    logical_id: "Table".into(),
                    physical_id: Some("t".into()),
                    resource_type: "AWS::DynamoDB::Table".into(),
                    replacement: Some(Replacement::True),
                    details: vec![PropertyChange {
                        attribute: "Properties".into(),
                        name: Some("TableName".into()),
                        requires_recreation: Some("Always".into()),
                        change_source: Some("DirectModification".into()),
                        causing_entity: None,
                        before: Some("a".into()),
                        after: Some("b".into()),
                    }],
                },
                ResourceChange {
                    action: ChangeAction::Add,
                    logical_id: "Queue".into(),
                    physical_id: None,
                    resource_type: "AWS::SQS::Queue".into(),
                    replacement: None,
                    details: vec![],
                },
            ],
        };
        let text = render_change_set(&cs);
        assert!(text.starts_with("Stack app-dev-Data (update): 1 to add, 1 to modify, 0 to remove"));
        assert!(text.contains("~ Table  AWS::DynamoDB::Table  !!! WILL BE REPLACED !!!"), "{text}");
        assert!(text.contains("Properties.TableName: a -> b (DirectModification, requires replacement)"), "{text}");
        assert!(text.contains("+ Queue"), "{text}");
        assert!(text.contains("WARNING: 1 resource(s)"), "{text}");
    }
}
