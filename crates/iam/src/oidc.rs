//! OpenID Connect providers and the web identities they vouch for (GitHub
//! Actions).

use stackcraft_cfn::iam as cfn_iam;
use stackcraft_core::{ResourceHandle, Scope, Value};
use typed_builder::TypedBuilder;

use crate::principal::{Principal, WebIdentityPrincipal};

/// The issuer of GitHub Actions' OIDC tokens.
pub const GITHUB_ACTIONS_ISSUER: &str = "token.actions.githubusercontent.com";

/// The audience GitHub's `aws-actions/configure-aws-credentials` requests.
pub const GITHUB_ACTIONS_AUDIENCE: &str = "sts.amazonaws.com";

/// Thumbprints of GitHub's OIDC endpoint certificates (IAM validates GitHub
/// through its own trusted root CAs; CloudFormation still accepts a list).
const GITHUB_THUMBPRINTS: [&str; 2] =
    ["1c58a3a8518e8759bf075b76b750d4f2df264fcd", "6938fd4d98bab03faadb97b34396831e3780aea1"];

/// Properties of an [`OpenIdConnectProvider`].
#[derive(Debug, Clone, TypedBuilder)]
#[non_exhaustive]
pub struct OpenIdConnectProviderProps {
    /// The issuer URL, `https://...` (≤ 255 characters).
    #[builder(setter(into))]
    pub url: String,
    /// The audiences (client ids) tokens must be issued for (1 to 100).
    pub client_ids: Vec<String>,
    /// Server certificate thumbprints (SHA-1, 40 hex digits; at most 5).
    #[builder(default)]
    pub thumbprints: Vec<String>,
}

/// An IAM OpenID Connect identity provider (`AWS::IAM::OIDCProvider`): lets
/// identities of an external issuer (e.g. GitHub Actions jobs) assume roles
/// with `sts:AssumeRoleWithWebIdentity`, without long-lived keys.
///
/// ```
/// use stackcraft_core::App;
/// use stackcraft_iam::{OpenIdConnectProvider, Role, RoleProps};
///
/// let app = App::new("demo");
/// let stack = app.stack("Bootstrap");
/// let github = OpenIdConnectProvider::github(&stack, "GitHub");
/// let deployer = Role::new(&stack, "Deployer", RoleProps::builder()
///     .assumed_by(github.github_actions("acme/shop").branch("main").environment("dev"))
///     .build());
/// let asm = app.synth().unwrap();
/// let trust = &asm.stacks[0].template["Resources"][deployer.handle().logical_id()]
///     ["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
/// assert_eq!(trust["Action"], "sts:AssumeRoleWithWebIdentity");
/// assert_eq!(trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
/// ```
#[derive(Debug, Clone)]
pub struct OpenIdConnectProvider {
    handle: ResourceHandle,
    issuer: String,
    audience: Option<String>,
}

impl OpenIdConnectProvider {
    /// A provider for `props.url`; the resource is `<id>/Resource`.
    pub fn new(scope: &Scope, id: &str, props: OpenIdConnectProviderProps) -> Self {
        let scope = scope.scope(id);
        let url = props.url.trim_end_matches('/');
        if !url.starts_with("https://") || url.len() <= "https://".len() || url.len() > 255 {
            scope.error("Url", format!("issuer URL {url:?} must start with https:// (≤ 255 characters)"));
        }
        if props.client_ids.is_empty() || props.client_ids.len() > 100 {
            scope.error(
                "ClientIdList",
                format!("{} client ids given; allowed: 1 to 100 audiences", props.client_ids.len()),
            );
        }
        for c in &props.client_ids {
            if c.is_empty() || c.len() > 255 {
                scope.error("ClientIdList", format!("client id {c:?} must have 1 to 255 characters"));
            }
        }
        if props.thumbprints.len() > 5 {
            scope.error("ThumbprintList", format!("{} thumbprints given; allowed: at most 5", props.thumbprints.len()));
        }
        for t in &props.thumbprints {
            if t.len() != 40 || !t.chars().all(|c| c.is_ascii_hexdigit()) {
                scope.error("ThumbprintList", format!("thumbprint {t:?} must be 40 hexadecimal digits (SHA-1)"));
            }
        }
        let mut l1 = cfn_iam::OidcProvider::new().url(url).client_id_list(props.client_ids.clone());
        if !props.thumbprints.is_empty() {
            l1 = l1.thumbprint_list(props.thumbprints.clone());
        }
        let handle: ResourceHandle = (*scope.add("Resource", l1)).clone();
        let mut sorted = props.client_ids.clone();
        sorted.sort();
        OpenIdConnectProvider {
            handle,
            issuer: url.trim_start_matches("https://").to_owned(),
            audience: sorted.into_iter().next(),
        }
    }

    /// GitHub Actions' provider: issuer `https://token.actions.githubusercontent.com`,
    /// audience `sts.amazonaws.com`. One per account (IAM allows one
    /// provider per issuer URL).
    pub fn github(scope: &Scope, id: &str) -> Self {
        Self::new(
            scope,
            id,
            OpenIdConnectProviderProps::builder()
                .url(format!("https://{GITHUB_ACTIONS_ISSUER}"))
                .client_ids(vec![GITHUB_ACTIONS_AUDIENCE.to_owned()])
                .thumbprints(GITHUB_THUMBPRINTS.iter().map(|t| (*t).to_owned()).collect())
                .build(),
        )
    }

    /// The provider ARN (`Ref`).
    pub fn arn(&self) -> Value<String> {
        self.handle.ref_()
    }

    /// The issuer without `https://`, the prefix of its condition keys.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Identities of this provider, with its (first) audience; add subjects
    /// with [`WebIdentityPrincipal::subject`].
    pub fn principal(&self) -> WebIdentityPrincipal {
        let p = WebIdentityPrincipal::new(self.arn(), &self.issuer);
        match &self.audience {
            Some(a) => p.audience(a.clone()),
            None => p,
        }
    }

    /// GitHub Actions jobs of repository `repo` (`owner/name`) trusted
    /// through this provider; choose the branches, environments, tags or
    /// pull requests next.
    pub fn github_actions(&self, repo: &str) -> GithubActions {
        GithubActions::repo(repo).provider_arn(self.arn())
    }

    /// The `AWS::IAM::OIDCProvider` resource.
    pub fn handle(&self) -> &ResourceHandle {
        &self.handle
    }
}

/// GitHub Actions jobs of one repository, as a web-identity principal:
/// `sts:AssumeRoleWithWebIdentity` with `aud = sts.amazonaws.com` and
/// `sub` restricted to the chosen branches, environments, tags or pull
/// requests. Choosing none is an error at synth (any job of the repository,
/// or with a broken pattern any repository on GitHub, could assume the role).
///
/// ```
/// use stackcraft_iam::{GithubActions, Principal};
/// let dev = GithubActions::repo("acme/order-tracking").branch("main").environment("dev");
/// let Principal::WebIdentity(w) = Principal::from(dev) else { unreachable!() };
/// assert_eq!(w.subjects(), [
///     "repo:acme/order-tracking:environment:dev",
///     "repo:acme/order-tracking:ref:refs/heads/main",
/// ]);
/// let prod = GithubActions::repo("acme/order-tracking").tag("v*");
/// let Principal::WebIdentity(w) = Principal::from(prod) else { unreachable!() };
/// assert_eq!(w.subjects(), ["repo:acme/order-tracking:ref:refs/tags/v*"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GithubActions {
    repo: String,
    provider_arn: Value<String>,
    subjects: Vec<String>,
}

impl GithubActions {
    /// Jobs of repository `repo` (`owner/name`). The provider is the
    /// account's GitHub provider
    /// (`arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com`)
    /// unless set with [`GithubActions::provider_arn`] or created through
    /// [`OpenIdConnectProvider::github_actions`].
    pub fn repo(repo: &str) -> Self {
        GithubActions {
            repo: repo.to_owned(),
            provider_arn: Value::arn("iam", "", Value::account_id(), format!("oidc-provider/{GITHUB_ACTIONS_ISSUER}")),
            subjects: Vec::new(),
        }
    }

    /// Trust through the provider with this ARN.
    pub fn provider_arn(mut self, arn: impl Into<Value<String>>) -> Self {
        self.provider_arn = arn.into();
        self
    }

    fn sub(mut self, what: String) -> Self {
        self.subjects.push(format!("repo:{}:{what}", self.repo));
        self
    }

    /// Jobs running on branch `name` (`*` patterns allowed, e.g. `release/*`).
    pub fn branch(self, name: &str) -> Self {
        self.sub(format!("ref:refs/heads/{name}"))
    }

    /// Jobs that use GitHub environment `name` (whose protection rules apply).
    pub fn environment(self, name: &str) -> Self {
        self.sub(format!("environment:{name}"))
    }

    /// Jobs running for tag `pattern`, e.g. `v*`.
    pub fn tag(self, pattern: &str) -> Self {
        self.sub(format!("ref:refs/tags/{pattern}"))
    }

    /// Jobs triggered by pull requests (including from forks, when the
    /// workflow runs for them: grant such a role little).
    pub fn pull_requests(self) -> Self {
        self.sub("pull_request".to_owned())
    }

    fn repo_problem(&self) -> Option<String> {
        let ok_part = |p: &str| {
            !p.is_empty() && p.len() <= 100 && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        match self.repo.split_once('/') {
            Some((owner, name)) if ok_part(owner) && ok_part(name) => None,
            _ => Some(format!(
                "GitHub repository {:?} must be \"owner/name\" (letters, digits, '-', '_', '.'; no wildcards)",
                self.repo
            )),
        }
    }
}

impl From<GithubActions> for WebIdentityPrincipal {
    fn from(g: GithubActions) -> Self {
        let problem = g.repo_problem();
        let mut w = WebIdentityPrincipal::new(g.provider_arn, GITHUB_ACTIONS_ISSUER).audience(GITHUB_ACTIONS_AUDIENCE);
        for s in g.subjects {
            w = w.subject(s);
        }
        w.notes.extend(problem);
        w
    }
}

impl From<GithubActions> for Principal {
    fn from(g: GithubActions) -> Self {
        Principal::WebIdentity(g.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_repo_is_a_problem() {
        let w: WebIdentityPrincipal = GithubActions::repo("acme/*").branch("main").into();
        assert_eq!(
            w.problems(),
            ["GitHub repository \"acme/*\" must be \"owner/name\" (letters, digits, '-', '_', '.'; no wildcards)"]
        );
    }

    #[test]
    fn no_subject_is_a_problem() {
        let w: WebIdentityPrincipal = GithubActions::repo("acme/shop").into();
        assert_eq!(w.problems().len(), 1);
        assert!(w.problems()[0].contains("no subject (sub) restriction"), "{:?}", w.problems());
    }

    #[test]
    fn pull_requests_and_branch_patterns() {
        let w: WebIdentityPrincipal = GithubActions::repo("acme/shop").pull_requests().branch("release/*").into();
        assert_eq!(w.subjects(), ["repo:acme/shop:pull_request", "repo:acme/shop:ref:refs/heads/release/*"]);
        assert!(w.problems().is_empty());
        assert_eq!(
            Principal::from(GithubActions::repo("acme/shop").tag("v*")).assume_action(),
            "sts:AssumeRoleWithWebIdentity"
        );
    }

    #[test]
    fn provider_props_are_checked() {
        let app = stackcraft_core::App::new("t");
        let stack = app.stack("S");
        OpenIdConnectProvider::new(
            &stack,
            "Idp",
            OpenIdConnectProviderProps::builder()
                .url("http://insecure.example.com")
                .client_ids(vec![])
                .thumbprints(vec!["xyz".into()])
                .build(),
        );
        let err = app.synth().expect_err("bad").to_string();
        assert!(
            err.contains("S/Idp [Url]: issuer URL \"http://insecure.example.com\" must start with https://"),
            "{err}"
        );
        assert!(err.contains("S/Idp [ClientIdList]: 0 client ids given; allowed: 1 to 100 audiences"), "{err}");
        assert!(
            err.contains("S/Idp [ThumbprintList]: thumbprint \"xyz\" must be 40 hexadecimal digits (SHA-1)"),
            "{err}"
        );
    }
}
