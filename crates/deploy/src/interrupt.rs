//! Ctrl-C, honoured at any moment: during AWS calls and their retries,
//! prompts and waits. One listener turns the first Ctrl-C into a flag every
//! part of a run watches ([`Interrupt::wait`]); the run then stops issuing
//! changes, says what is still in progress in CloudFormation and how to
//! reattach, and exits 130. A second Ctrl-C exits at once (130).

use tokio::sync::watch;

/// A cancellation flag shared by everything one command does.
#[derive(Debug, Clone)]
pub struct Interrupt {
    rx: watch::Receiver<bool>,
    tx: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt::new()
    }
}

impl Interrupt {
    /// A flag nothing raises but [`Interrupt::raise`] (tests, library use).
    pub fn new() -> Self {
        let (tx, rx) = watch::channel(false);
        Interrupt { rx, tx: std::sync::Arc::new(tx) }
    }

    /// A flag raised by the process's first Ctrl-C (SIGINT); the second
    /// Ctrl-C ends the process with exit code 130. Must be called inside a
    /// tokio runtime.
    pub fn on_ctrl_c() -> Self {
        let i = Interrupt::new();
        let tx = std::sync::Arc::clone(&i.tx);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let _ = tx.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nsecond Ctrl-C: exiting now (operations already started continue in CloudFormation)");
                std::process::exit(130);
            }
        });
        i
    }

    /// Raise the flag.
    pub fn raise(&self) {
        let _ = self.tx.send(true);
    }

    /// Whether the flag is raised.
    pub fn is_raised(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once the flag is raised (at once if it already is).
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        let _ = rx.wait_for(|raised| *raised).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_once_raised() {
        let i = Interrupt::new();
        assert!(!i.is_raised());
        let j = i.clone();
        let waiter = tokio::spawn(async move { j.wait().await });
        i.raise();
        waiter.await.unwrap();
        assert!(i.is_raised());
        i.wait().await; // already raised: immediate
    }
}
