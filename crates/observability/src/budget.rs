//! Monthly cost budgets with e-mail alerts ([`Budget`]).

use stackcraft_cfn::budgets::{self, budget as b};
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

/// When a budget alert fires.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum BudgetAlert {
    /// Actual spend this month exceeds this percentage of the limit.
    Actual(f64),
    /// Forecast spend for this month exceeds this percentage of the limit.
    Forecasted(f64),
}

impl BudgetAlert {
    fn parts(self) -> (&'static str, f64) {
        match self {
            BudgetAlert::Actual(p) => ("ACTUAL", p),
            BudgetAlert::Forecasted(p) => ("FORECASTED", p),
        }
    }
}

/// Settings of a [`Budget`]. `monthly_limit_usd` and `emails` are required.
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct BudgetProps {
    /// The monthly cost limit in US dollars.
    pub monthly_limit_usd: f64,
    /// Who is notified (1–10 addresses).
    #[builder(setter(into))]
    pub emails: Vec<String>,
    /// Alerts. Default: actual spend above 80 %, forecast above 100 %.
    #[builder(default = vec![BudgetAlert::Actual(80.0), BudgetAlert::Forecasted(100.0)])]
    pub alerts: Vec<BudgetAlert>,
    /// Explicit budget name (unique in the account; default generated).
    #[builder(default, setter(strip_option, into))]
    pub budget_name: Option<String>,
}

/// A monthly cost budget (`AWS::Budgets::Budget`) for the whole account,
/// with e-mail notifications.
#[derive(Debug, Clone)]
pub struct Budget {
    handle: ResourceHandle,
}

impl Budget {
    /// Add a budget with construct id `id` under `scope`.
    pub fn new(scope: &Scope, id: &str, props: BudgetProps) -> Budget {
        let scope = scope.scope(id);
        if !(props.monthly_limit_usd.is_finite() && props.monthly_limit_usd > 0.0) {
            scope.error("BudgetLimit", "the monthly limit must be a positive amount");
        }
        if props.emails.is_empty() || props.emails.len() > 10 {
            scope.error(
                "NotificationsWithSubscribers",
                format!("a budget notifies 1 to 10 e-mail addresses; {} given", props.emails.len()),
            );
        }
        for e in &props.emails {
            if let Err(m) = stackcraft_core::validate::names::email(e) {
                scope.error("Subscribers", m);
            }
        }
        if props.alerts.is_empty() || props.alerts.len() > 5 {
            scope.error("NotificationsWithSubscribers", "a budget has 1 to 5 notifications");
        }
        let subscribers: Vec<b::Subscriber> = props
            .emails
            .iter()
            .map(|e| {
                b::Subscriber::new(b::SubscriberRequired {
                    address: e.as_str().into(),
                    subscription_type: "EMAIL".into(),
                })
            })
            .collect();
        let notifications: Vec<b::NotificationWithSubscribers> = props
            .alerts
            .iter()
            .map(|a| {
                let (kind, percent) = a.parts();
                if !(percent.is_finite() && percent > 0.0 && percent <= 1_000_000_000.0) {
                    scope.error("Threshold", format!("alert threshold {percent} % must be positive"));
                }
                b::NotificationWithSubscribers::new(b::NotificationWithSubscribersRequired {
                    notification: b::Notification::new(b::NotificationRequired {
                        comparison_operator: "GREATER_THAN".into(),
                        notification_type: kind.into(),
                        threshold: percent.into(),
                    })
                    .threshold_type("PERCENTAGE")
                    .into(),
                    subscribers: subscribers.clone().into(),
                })
            })
            .collect();
        let mut data =
            b::BudgetData::new(b::BudgetDataRequired { budget_type: "COST".into(), time_unit: "MONTHLY".into() })
                .budget_limit(b::Spend::new(b::SpendRequired {
                    amount: if props.monthly_limit_usd.is_finite() { props.monthly_limit_usd } else { 0.0 }.into(),
                    unit: "USD".into(),
                }));
        if let Some(n) = &props.budget_name {
            if n.is_empty() || n.len() > 100 || n.contains(':') || n.contains('\\') {
                scope.error("BudgetName", "budget name must be 1-100 characters without ':' or '\\'");
            }
            data = data.budget_name(n.clone());
        }
        let handle: ResourceHandle =
            (*scope.add("Resource", budgets::Budget::new(data).notifications_with_subscribers(notifications))).clone();
        Budget { handle }
    }

    /// The budget name (`Ref`).
    pub fn name(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The underlying resource (escape hatch).
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}
