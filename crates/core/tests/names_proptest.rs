//! The shared name/ARN/e-mail/window checks (`validate::names`) never panic
//! on arbitrary strings, and what they accept has the shape they promise.

use proptest::prelude::*;
use stackcraft_core::validate::names::{self, aws};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9.-]{0,70}",
        "(arn:)?(aws|aws-cn|x)?:[a-z0-9]{0,5}:[a-z0-9-]{0,15}:[0-9]{0,13}:[a-z/]{0,12}[é ]?",
        "[a-z!.+]{0,5}@[a-z.é-]{0,12}",
        "([a-z]{3}:)?[0-9]{1,2}:[0-9]{2}-([a-z]{3}:)?[0-9]{1,2}:[0-9]{2}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn checks_never_panic(s in text()) {
        for rule in [aws::BUCKET_NAME, aws::LOG_GROUP_NAME, aws::ECR_REPOSITORY_NAME, aws::LOAD_BALANCER_NAME,
                     aws::TARGET_GROUP_NAME, aws::MANAGED_POLICY_NAME] {
            if rule.check(&s).is_ok() {
                let n = s.chars().count();
                prop_assert!(n >= rule.min && n <= rule.max, "{} accepted {s:?}", rule.what);
                prop_assert!(s.is_ascii());
            }
        }
        if names::email(&s).is_ok() {
            prop_assert!(s.contains('@') && !s.contains(".."), "{s:?}");
        }
        for shape in [aws::CERTIFICATE_ARN, aws::BUCKET_ARN] {
            if let Ok(a) = names::arn(&s, &shape) {
                prop_assert!(s.starts_with("arn:aws"));
                prop_assert_eq!(a.service, shape.service);
            }
        }
        let _ = names::dns_name(&s, true);
        let _ = names::dns_within(&s, "example.com");
        if let (Ok(d), Ok(w)) = (names::daily_window(&s, 30), names::weekly_window(&s, 30)) {
            let _ = d.overlaps(&w);
        }
        if let Ok(d) = names::daily_window(&s, 30) {
            prop_assert!(d.minutes >= 30 && d.start < 1440);
            prop_assert!(d.overlaps(&d));
        }
        if let Ok(w) = names::weekly_window(&s, 30) {
            prop_assert!(w.minutes >= 30 && w.start < 7 * 1440);
        }
    }

    #[test]
    fn ports_and_numbers(p in any::<u32>(), x in any::<f64>()) {
        prop_assert_eq!(names::port(p).is_ok(), (1..=65535).contains(&p));
        prop_assert_eq!(names::finite("x", x).is_ok(), x.is_finite());
    }
}
