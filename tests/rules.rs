//! Rule files through the real binary: every default rule on real fixtures,
//! user rules, broken rule files, and the `rules` / `explain` commands.

mod common;

use common::{fixtures_dir, json, run};

fn fixture(name: &str) -> String {
    fixtures_dir()
        .join(format!("{name}.log"))
        .display()
        .to_string()
}

/// The rule ids of every finding authsift reports for a fixture.
fn rules_found(name: &str, extra: &[&str]) -> Vec<String> {
    rules_at_with(&fixture(name), extra)
}

fn rules_at(path: &str) -> Vec<String> {
    rules_at_with(path, &[])
}

fn rules_at_with(path: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    args.push(path);
    let report = json(&run(&args, b""));
    report["inputs"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_default_rule_fires_on_a_real_fixture_and_not_on_a_near_miss() {
    // (rule, a fixture it explains, a near miss: a similar failure it must not claim)
    // credentials.env-override needs AWS_PROFILE, which a debug log never
    // shows: its fixture is a CI job whose step header does (below).
    let table = [
        (
            "config.malformed",
            "s3-ls-credentials-missing-bracket",
            "s3-ls-credentials-crlf",
        ),
        (
            "config.malformed",
            "sts-get-caller-identity-zero-width-in-key",
            "sts-get-caller-identity-unknown-key",
        ),
        (
            "credentials.profile-not-found",
            "s3-ls-profile-not-found",
            "s3-ls-no-credentials",
        ),
        (
            "sso.session-expired",
            "s3-ls-sso-session-expired",
            "s3-ls-no-credentials",
        ),
        (
            "mfa.required",
            "s3-ls-mfa-required-no-tty",
            "s3-ls-assume-role-denied",
        ),
        (
            "network.proxy-tls",
            "s3-ls-https-proxy-closed-port",
            "s3-ls-endpoint-closed-port",
        ),
        (
            "network.endpoint-unreachable",
            "s3-ls-endpoint-closed-port",
            "s3-ls-https-proxy-closed-port",
        ),
        (
            "imds.unavailable",
            "s3-ls-imds-unavailable",
            "s3-ls-no-credentials",
        ),
        (
            "credentials.missing",
            "s3-ls-no-credentials",
            "s3-ls-profile-not-found",
        ),
        (
            "clock.skew",
            "sts-clock-skew-behind",
            "sts-get-caller-identity-wrong-secret",
        ),
        ("clock.skew", "s3-ls-clock-skew-ahead", "s3-ls-wrong-secret"),
        (
            "region.mismatch",
            "s3-ls-region-mismatch",
            "s3-ls-bucket-region-redirect-ok",
        ),
        (
            "region.mismatch",
            "sts-get-caller-identity-region-mismatch",
            "sts-get-caller-identity-wrong-secret",
        ),
        (
            "token.expired",
            "sts-get-caller-identity-expired-token",
            "sts-get-caller-identity-garbage-token",
        ),
        (
            "token.invalid",
            "sts-get-caller-identity-garbage-token",
            "sts-get-caller-identity-unknown-key",
        ),
        (
            "token.invalid",
            "s3-ls-asia-without-token",
            "s3-ls-unknown-key",
        ),
        (
            "credentials.invalid-access-key",
            "sts-get-caller-identity-unknown-key",
            "sts-get-caller-identity-wrong-secret",
        ),
        (
            "signature.canonical-mismatch",
            "s3-ls-proxy-rewrites-host",
            "s3-ls-wrong-secret",
        ),
        (
            "credentials.wrong-secret",
            "sts-get-caller-identity-wrong-secret",
            "sts-clock-skew-behind",
        ),
        (
            "credentials.wrong-secret",
            "secretsmanager-list-secrets-wrong-secret",
            "secretsmanager-clock-skew-behind",
        ),
        (
            "role.assume-denied",
            "sts-assume-role-denied",
            "iam-list-users-access-denied",
        ),
        (
            "authz.access-denied",
            "iam-list-users-access-denied",
            "sts-get-caller-identity-unknown-key",
        ),
        (
            "cli.outdated",
            "sts-assume-root-cli-outdated",
            "s3-ls-profile-not-found",
        ),
    ];
    let ci = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("fixtures/ci/{name}.log"))
            .display()
            .to_string()
    };
    let found = rules_at(&ci("github-actions-sts-get-caller-identity-env-override"));
    assert_eq!(found[0], "credentials.env-override", "{found:?}");
    // Near miss: the same real run without the job's env block to show the profile.
    let near = rules_found("sts-get-caller-identity-env-override", &[]);
    assert!(
        !near.iter().any(|r| r == "credentials.env-override"),
        "{near:?}"
    );

    for (rule, fires, near_miss) in table {
        let found = rules_found(fires, &[]);
        assert_eq!(
            found.first().map(String::as_str),
            Some(rule),
            "{rule} should be the verdict of {fires}: {found:?}"
        );
        let near = rules_found(near_miss, &[]);
        assert!(
            !near.iter().any(|r| r == rule),
            "{rule} must not fire on {near_miss}: {near:?}"
        );
    }
}

const USER_RULES: &str = r#"
# A team's own rules: one new cause, one override.
rule team.s3-denied {
  title    "Our S3 bucket policy denied the call"
  severity high
  priority 99
  when     error.code == "AccessDenied" and request.service == "s3"
  explain  "S3 denied {error.operation}; our buckets deny everything outside the VPC endpoint."
  fix      "Run the job on a runner inside the VPC"
  example match "../fixtures/aws-debug/s3-ls-access-denied.log"
  example no-match "../fixtures/aws-debug/iam-list-users-access-denied.log"
  example match { error.code = "AccessDenied", request.service = "s3" }
}

rule clock.skew {
  title    "Clock drift on the build agents"
  severity high
  priority 80
  when     error.code == "RequestTimeTooSkewed" or error.message =~ "Signature (expired|not yet current)"
  explain  "Agent clock is {clock.skew_human} {clock.direction} AWS."
  fix      "Restart chrony on the agent pool"
}
"#;

fn user_rules_file(dir: &std::path::Path, text: &str) -> String {
    // Example paths are relative to the rule file: put it beside fixtures/.
    let path = dir.join("team.rules");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn rules_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(".rules-test-")
        .tempdir_in(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
}

#[test]
fn a_user_rule_file_adds_a_cause_and_overrides_a_default() {
    let dir = rules_dir();
    let file = user_rules_file(dir.path(), USER_RULES);
    let found = rules_found("s3-ls-access-denied", &["--rules", &file]);
    assert_eq!(found[0], "team.s3-denied", "{found:?}");
    assert!(
        found.contains(&"authz.access-denied".to_string()),
        "defaults still apply: {found:?}"
    );
    assert_eq!(
        rules_found("iam-list-users-access-denied", &["--rules", &file])[0],
        "authz.access-denied"
    );

    let out = run(
        &[
            "--color",
            "never",
            "--rules",
            &file,
            &fixture("sts-clock-skew-behind"),
        ],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Clock drift on the build agents"), "{text}");
    assert!(text.contains("Agent clock is 3.0 h behind AWS."), "{text}");
    assert!(
        text.contains("1. Restart chrony on the agent pool"),
        "{text}"
    );

    let only = rules_found(
        "s3-ls-access-denied",
        &["--no-default-rules", "--rules", &file],
    );
    assert_eq!(only, ["team.s3-denied"]);
}

#[test]
fn broken_rule_files_are_reported_with_a_caret_and_exit_two() {
    let dir = rules_dir();
    let cases = [
        (
            "syntax",
            "rule a.b {\n  title \"t\"\n  when error.code ==\n}\n",
            ":4:1: expected a fact or a value",
        ),
        (
            "unknown fact",
            "rule a.b {\n  when erorr.code == \"X\"\n}\n",
            ":2:8: unknown fact `erorr.code` (did you mean `error.code`?)",
        ),
        (
            "bad regex",
            "rule a.b {\n  when error.message =~ \"([a-z\"\n}\n",
            ":2:25: bad regular expression",
        ),
        (
            "a value the fact never takes",
            "rule a.b {\n  when error.kind == \"sso-tokn\"\n}\n",
            ":2:22: `error.kind` is never \"sso-tokn\" (did you mean \"sso-token\"?)",
        ),
        (
            "duplicate id",
            &format!("{USER_RULES}\nrule team.s3-denied {{ title \"x\" }}\n"),
            ":24:6: duplicate rule id `team.s3-denied`",
        ),
    ];
    for (what, text, message) in cases {
        let file = user_rules_file(dir.path(), text);
        let out = run(&["--rules", &file, &fixture("s3-ls-ok")], b"");
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("team.rules{message}")),
            "{what}: {err}"
        );
        assert!(
            err.lines().last().unwrap().trim_start().starts_with('^'),
            "{what}: caret line: {err}"
        );
        assert!(
            out.stdout.is_empty(),
            "{what}: no analysis with broken rules"
        );

        let check = run(&["rules", "check", &file], b"");
        assert_eq!(check.status.code(), Some(2), "{what}: rules check");
    }
}

#[test]
fn rules_check_list_and_test_commands() {
    let dir = rules_dir();
    let file = user_rules_file(dir.path(), USER_RULES);
    let check = run(&["rules", "check", &file], b"");
    assert_eq!(check.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&check.stdout).contains("ok (21 rules in force)"));

    let list = String::from_utf8(run(&["rules", "list", "--rules", &file], b"").stdout).unwrap();
    assert!(
        list.contains("team.s3-denied") && list.contains("Clock drift on the build agents"),
        "{list}"
    );

    let test = run(&["rules", "test", &file], b"");
    let text = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("3 passed, 0 failed"), "{text}");

    // An example that does not hold fails the run.
    let wrong = USER_RULES.replace(
        "example no-match \"../fixtures/aws-debug/iam",
        "example match \"../fixtures/aws-debug/iam",
    );
    let file = user_rules_file(dir.path(), &wrong);
    let test = run(&["rules", "test", &file], b"");
    let text = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL team.s3-denied: matches"), "{text}");
    assert!(text.trim_end().ends_with("2 passed, 1 failed"), "{text}");
}

#[test]
fn explain_a_code_or_a_rule() {
    let out = run(&["explain", "SignatureDoesNotMatch"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("SignatureDoesNotMatch\n  The signature AWS computed"),
        "{text}"
    );
    for rule in [
        "clock.skew",
        "credentials.wrong-secret",
        "signature.canonical-mismatch",
    ] {
        assert!(text.contains(rule), "{rule} is a likely cause: {text}");
    }
    assert!(!text.contains("authz.access-denied"), "{text}");

    let out = run(&["explain", "clock.skew"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("timedatectl set-ntp true"), "{text}");

    let out = run(&["explain", "NoSuchThing"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_forgives_case_and_punctuation_and_suggests() {
    let shown = |what: &str| {
        let out = run(&["explain", what], b"");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, text, _) = shown("clock-skew");
    assert_eq!(code, Some(0));
    assert!(text.starts_with("clock.skew  ["), "{text}");
    let (code, text, _) = shown("accessdenied");
    assert_eq!(code, Some(0));
    assert!(text.starts_with("AccessDenied\n"), "{text}");
    assert!(text.contains("authz.access-denied"), "{text}");
    let (_, text, _) = shown("SKEW");
    assert!(text.starts_with("clock.skew  ["), "{text}");

    let (code, text, err) = shown("clock.skw");
    assert_eq!(code, Some(2));
    assert_eq!(text, "");
    assert!(err.contains("did you mean `clock.skew`?"), "{err}");
    let (_, _, err) = shown("SignatureDoesNotMach");
    assert!(
        err.contains("did you mean `SignatureDoesNotMatch`?"),
        "{err}"
    );
}

#[test]
fn explain_shows_placeholders_not_template_syntax() {
    for what in ["clock.skew", "AccessDenied", "authz.access-denied"] {
        let out = run(&["explain", what], b"");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('{'), "{what}: {text}");
    }
    let out = run(&["explain", "authz.access-denied"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("<the denied action>"), "{text}");
    assert!(text.contains("<the error message>"), "{text}");
}

/// The fix steps of the verdict for a wild-corpus paste.
fn fix_steps(case: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/wild")
        .join(format!("{case}.txt"));
    let report = json(&run(
        &["--format", "json", &path.display().to_string()],
        b"",
    ));
    report["inputs"][0]["findings"][0]["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fix_steps_name_who_was_denied_what_on_which_resource() {
    // Real pastes (sources in their .json): an instance role denied
    // s3:ListBucket (cattle-ops/terraform-aws-gitlab-runner#1282), and an
    // ECS task role denied assuming itself (apache/airflow#17190).
    let listing = fix_steps("iac-gitlab-runner-cache-listbucket-denied");
    assert!(
        listing.iter().any(|s| s.contains(
            "simulate-principal-policy --policy-source-arn arn:aws:iam::xxxxxxxxx:role/xxxxxxxx-eu-west-1-linux-instance --action-names s3:ListBucket"
        )),
        "{listing:#?}"
    );
    assert!(!listing.iter().any(|s| s.contains("<arn>")), "{listing:#?}");
    let assume = fix_steps("py-airflow-17190-ecs-task-role-assume-itself");
    assert!(
        assume
            .iter()
            .any(|s| s.contains("aws iam get-role --role-name airflow-ecs-task-role --query Role.AssumeRolePolicyDocument")),
        "{assume:#?}"
    );
    assert!(!assume.iter().any(|s| s.contains("<role>")), "{assume:#?}");
}

#[test]
fn fix_steps_point_at_the_policy_type_that_denied() {
    // IAM's denial wording, as AWS documents it (S3 User Guide,
    // "Troubleshooting Amazon S3 identity and access",
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security_iam_troubleshoot.html),
    // with the policy-type clause of the IAM User Guide's "Troubleshoot
    // access denied error messages" appended: a documented shape.
    let text = "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::123456789012:user/mateojackson is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::amzn-s3-demo-bucket/key\" with an explicit deny in a service control policy\n";
    let report = json(&run(&["--format", "json"], text.as_bytes()));
    let finding = &report["inputs"][0]["findings"][0];
    assert_eq!(finding["rule"], "authz.access-denied");
    let fixes: Vec<&str> = finding["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        fixes[0].contains(
            "list-policies-for-target --target-id 123456789012 --filter SERVICE_CONTROL_POLICY"
        ),
        "{fixes:#?}"
    );
    assert!(
        fixes
            .iter()
            .any(|s| s.contains("--resource-arns arn:aws:s3:::amzn-s3-demo-bucket/key")),
        "{fixes:#?}"
    );
    // An explicit deny is not fixed by allowing the action.
    assert!(!fixes.iter().any(|s| s.starts_with("Allow")), "{fixes:#?}");
    let boundary = text.replace(
        "an explicit deny in a service control policy",
        "an explicit deny in a permissions boundary",
    );
    let report = json(&run(&["--format", "json"], boundary.as_bytes()));
    let fixes = report["inputs"][0]["findings"][0]["fix"].to_string();
    assert!(
        fixes
            .contains("aws iam get-user --user-name mateojackson --query User.PermissionsBoundary"),
        "{fixes}"
    );
}

#[test]
fn partition_and_role_refusals_are_named_from_real_pastes() {
    // (wild-corpus case, the verdict its thread established; sources in
    // each case's .json)
    for (case, rule) in [
        // A China region in the command, an unknown key: another partition.
        (
            "iac-claudia-china-s3-upload-without-region",
            "region.mismatch",
        ),
        // STS refusing a web identity token's audience.
        (
            "k8s-cluster-autoscaler-oidc-incorrect-token-audience",
            "role.assume-denied",
        ),
        // STS refusing a chained role session over an hour.
        (
            "iac-awsvault-assume-role-ttl-2h-role-chaining-limit",
            "role.assume-denied",
        ),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/wild")
            .join(format!("{case}.txt"));
        assert_eq!(
            rules_at(&path.display().to_string())
                .first()
                .map(String::as_str),
            Some(rule),
            "{case}"
        );
    }
}
