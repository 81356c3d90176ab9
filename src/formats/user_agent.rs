//! Which tool made a call, from the user agent AWS recorded.
//!
//! AWS tools write `name/version` tokens (`aws-cli/2.15.30 Python/3.11.8 …`,
//! `Boto3/1.34.11 md/Botocore#1.34.11 …`, `APN/1.0 HashiCorp/1.0
//! Terraform/1.5.7 … terraform-provider-aws/5.31.0 … aws-sdk-go-v2/1.24.1`).
//! The tool a person chose names the call (Terraform, not the Go SDK inside
//! it), so tools are looked for before SDKs.

/// Tokens in the order they win: tools first, then SDKs.
const CLIENTS: &[&str] = &[
    "aws-cli",
    "Terraform",
    "aws-cdk",
    "Boto3",
    "Botocore",
    "aws-sdk-go-v2",
    "aws-sdk-go",
    "aws-sdk-java",
    "aws-sdk-js",
    "aws-sdk-nodejs",
    "aws-sdk-rust",
    "aws-sdk-dotnet-coreclr",
    "aws-sdk-dotnet",
    "aws-sdk-ruby3",
    "aws-sdk-ruby2",
    "aws-sdk-php",
    "aws-sdk-cpp",
    "aws-powershell",
];

/// The client's name and version (`("aws-cli", "2.15.30")`), when the
/// user agent names a known AWS tool or SDK.
pub fn client(user_agent: &str) -> Option<(&'static str, &str)> {
    // One pass over the tokens, keeping the best-ranked client seen.
    let mut best: Option<(usize, &'static str, &str)> = None;
    for token in user_agent.split([' ', '(', ')']) {
        let Some((name, version)) = token.split_once('/') else {
            continue;
        };
        let Some(rank) = CLIENTS.iter().position(|c| *c == name) else {
            continue;
        };
        let end = version
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(version.len());
        let version = &version[..end];
        if version.starts_with(|c: char| c.is_ascii_digit())
            && best.is_none_or(|(r, _, _)| rank < r)
        {
            best = Some((rank, CLIENTS[rank], version));
        }
    }
    best.map(|(_, name, version)| (name, version))
}

/// `2.15.30` → `(2, 15)`: major and minor, for comparing versions.
pub fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| {
        let digits = m.find(|c: char| !c.is_ascii_digit()).unwrap_or(m.len());
        m[..digits].parse().ok()
    })?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_win_over_the_sdks_inside_them() {
        let cases = [
            (
                "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-aws exe/x86_64.ubuntu.22 prompt/off",
                Some(("aws-cli", "2.15.30")),
            ),
            (
                "aws-cli/1.18.69 Python/2.7.18 Linux/4.14.209 botocore/1.16.19",
                Some(("aws-cli", "1.18.69")),
            ),
            (
                "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.0 Botocore/1.34.11",
                Some(("Boto3", "1.34.11")),
            ),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0 os/linux",
                Some(("Terraform", "1.5.7")),
            ),
            (
                "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 api/sts#1.26.7",
                Some(("aws-sdk-go-v2", "1.24.1")),
            ),
            (
                "aws-sdk-js/3.1174.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2 api/sts#3.1174.0",
                Some(("aws-sdk-js", "3.1174.0")),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0",
                None,
            ),
            ("python-requests/2.31.0", None),
            ("aws-cli/dev", None),
        ];
        for (agent, want) in cases {
            assert_eq!(client(agent), want, "{agent}");
        }
    }

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert_eq!(major_minor("2.15.30"), Some((2, 15)));
        assert_eq!(major_minor("1.18.69"), Some((1, 18)));
        assert_eq!(major_minor("3"), Some((3, 0)));
        assert_eq!(major_minor("1.2rc1"), Some((1, 2)));
        assert_eq!(major_minor("x.1"), None);
    }
}
