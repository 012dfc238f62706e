// An OIDC provider must name the audiences (client ids) it accepts tokens for.
use stackcraft_iam::OpenIdConnectProviderProps;

fn main() {
    let _props = OpenIdConnectProviderProps::builder().url("https://token.example.com").build();
}
