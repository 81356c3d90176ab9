//! `authsift config`: every finding kind on a real file, the real AWS CLI's
//! verdict on the malformed fixtures (fixtures/config/*/cli.json), secrets
//! never printed, empty HOME / unreadable paths, and --explain-chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEFIXTUREc2Vzc2lvbi10b2tlbi12YWxpZC0wMDAxAAAAAAAAAAAAAAAA";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_authsift")
}

/// A HOME with ~/.aws/config and ~/.aws/credentials (mode 600).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(config: Option<&str>, credentials: Option<&str>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        let home = Home { dir };
        if let Some(c) = config {
            home.write("config", c.as_bytes());
        }
        if let Some(c) = credentials {
            home.write("credentials", c.as_bytes());
        }
        home
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(".aws").join(name);
        std::fs::write(&path, bytes).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        path
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(bin());
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", "/usr/bin:/bin")
            .arg("config")
            .args(["--color", "never"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn json(&self, args: &[&str], env: &[(&str, &str)]) -> (Value, Output) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all, env);
        let doc = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        (doc, out)
    }
}

/// (input path's file name, line, check, rule, severity) of every finding.
fn findings(doc: &Value) -> Vec<(String, u64, String, String, String)> {
    let mut out = Vec::new();
    for input in doc["inputs"].as_array().unwrap() {
        let name = Path::new(input["path"].as_str().unwrap())
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        for f in input["findings"].as_array().unwrap() {
            out.push((
                name.clone(),
                f["evidence"][0]["line"].as_u64().unwrap(),
                f["facts"]["error.code"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn has(doc: &Value, file: &str, line: u64, check: &str, rule: &str) -> bool {
    findings(doc)
        .iter()
        .any(|(f, l, c, r, _)| f == file && *l == line && c == check && r == rule)
}

#[track_caller]
fn assert_finding(doc: &Value, file: &str, line: u64, check: &str, rule: &str) {
    assert!(
        has(doc, file, line, check, rule),
        "expected {check} [{rule}] at {file}:{line}; got {:#?}",
        findings(doc)
    );
}

fn creds(extra: &str) -> String {
    format!("[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n{extra}")
}

#[test]
fn a_clean_setup_has_no_findings_and_exit_0() {
    let home = Home::new(
        Some(
            "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-1\ns3 =\n  addressing_style = path\n# comment\n; other\n",
        ),
        Some(&creds(
            "\n[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLF\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ\n",
        )),
    );
    let (doc, out) = home.json(&[], &[]);
    assert!(findings(&doc).is_empty(), "{:#?}", findings(&doc));
    assert_eq!(out.status.code(), Some(0));
    let human = home.run(&["--profile", "dev"], &[]);
    assert_eq!(human.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&human.stdout).contains("✔"));
}

#[test]
fn parse_problems_name_their_lines() {
    let home = Home::new(
        Some(
            "[default]\nregion = eu-west-1\nthis line has no equals\n[profile dev]\nregion = us-east-1\n  output = json\n[profile dev]\n",
        ),
        Some(&creds("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n= x\n")),
    );
    let (doc, out) = home.json(&[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_finding(&doc, "config", 3, "missing-equals", "config.malformed");
    assert_finding(&doc, "config", 6, "indented-key", "config.malformed");
    assert_finding(&doc, "config", 7, "duplicate-section", "config.malformed");
    assert_finding(&doc, "credentials", 4, "duplicate-key", "config.malformed");
    assert_finding(&doc, "credentials", 5, "empty-key", "config.malformed");
    let sub = Home::new(Some("[default]\ns3 =\n  addressing_style path\n"), None);
    assert_finding(
        &sub.json(&[], &[]).0,
        "config",
        3,
        "missing-equals",
        "config.malformed",
    );
}

#[test]
fn section_styles_in_the_wrong_file() {
    let home = Home::new(
        Some(
            "[default]\nregion = eu-west-1\n[dev]\nregion = eu-west-1\n[DEFAULT]\nregion = eu-west-1\n",
        ),
        Some(&creds(
            "[profile prod]\naws_access_key_id = AKIAIOSFODNN7EXAMPLF\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ\n",
        )),
    );
    let (doc, _) = home.json(&[], &[]);
    assert_finding(&doc, "config", 3, "section-style", "config.malformed");
    assert_finding(
        &doc,
        "config",
        5,
        "parser-default-section",
        "config.malformed",
    );
    assert_finding(
        &doc,
        "credentials",
        4,
        "profile-prefix-in-credentials",
        "config.malformed",
    );
}

#[test]
fn characters_quotes_whitespace_and_comments() {
    let home = Home::new(
        Some(
            "[profile dev\u{200b}]\nregion = eu-west-1\n[profile q]\nregion = \"eu-west-1\"\noutput = json # main\nregion_x = caf\u{e9}\n",
        ),
        Some(&format!(
            "[default]\naws_access_key_id = AKIAIOSFODNN7\u{a0}EXAMPLE\naws_secret_access_key = {SECRET}\n"
        )),
    );
    let (doc, _) = home.json(&[], &[]);
    assert_finding(
        &doc,
        "config",
        1,
        "invisible-character",
        "credentials.profile-not-found",
    );
    assert_finding(&doc, "config", 4, "quoted-value", "config.malformed");
    assert_finding(&doc, "config", 5, "inline-comment", "config.malformed");
    assert_finding(&doc, "config", 6, "non-ascii", "config.malformed");
    assert_finding(
        &doc,
        "credentials",
        2,
        "invisible-character",
        "config.malformed",
    );
    let ws = Home::new(
        None,
        Some(&format!(
            "[default]\naws_access_key_id = {KEY} x\naws_secret_access_key = {SECRET}\n"
        )),
    );
    assert_finding(
        &ws.json(&[], &[]).0,
        "credentials",
        2,
        "whitespace-in-value",
        "config.malformed",
    );
}

#[test]
fn key_and_secret_shapes_and_tokens() {
    let home = Home::new(
        None,
        Some(&format!(
            "[lower]\naws_access_key_id = akiaiosfodnn7example\naws_secret_access_key = {SECRET}\n\
             [short]\naws_access_key_id = {KEY}\naws_secret_access_key = tooShortSecret1\n\
             [temp]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n\
             [mixed]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n\
             [half]\naws_access_key_id = {KEY}\n"
        )),
    );
    let (doc, _) = home.json(&[], &[]);
    assert_finding(
        &doc,
        "credentials",
        2,
        "key-id-shape",
        "credentials.invalid-access-key",
    );
    assert_finding(
        &doc,
        "credentials",
        6,
        "secret-shape",
        "credentials.wrong-secret",
    );
    assert_finding(
        &doc,
        "credentials",
        8,
        "temporary-key-without-token",
        "token.invalid",
    );
    assert_finding(
        &doc,
        "credentials",
        13,
        "token-with-long-term-key",
        "token.invalid",
    );
    assert_finding(
        &doc,
        "credentials",
        15,
        "partial-credentials",
        "config.malformed",
    );
}

#[test]
fn references_cycles_roles_and_sso() {
    let home = Home::new(
        Some(
            "[profile prod]\nregion = eu-west-1\n\
             [profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = prdo\n\
             [profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n\
             [profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n\
             [profile lonely]\nrole_arn = arn:aws:iam::123456789012:role/x\n\
             [profile sso]\nsso_session = corp\n\
             [profile sso2]\nsso_session = crop\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
             [sso-session corp]\nsso_region = eu-west-1\n",
        ),
        Some(&creds("")),
    );
    let (doc, out) = home.json(&[], &[("AWS_PROFILE", "prdo")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Did you mean `prod`?"), "{text}");
    assert_finding(
        &doc,
        "environment",
        1,
        "profile-not-found",
        "credentials.profile-not-found",
    );
    assert_finding(
        &doc,
        "config",
        5,
        "reference-not-found",
        "credentials.profile-not-found",
    );
    assert_finding(
        &doc,
        "config",
        8,
        "source-profile-cycle",
        "config.malformed",
    );
    assert_finding(
        &doc,
        "config",
        13,
        "role-without-source",
        "config.malformed",
    );
    assert_finding(&doc, "config", 15, "sso-incomplete", "config.malformed");
    assert_finding(
        &doc,
        "config",
        17,
        "reference-not-found",
        "config.malformed",
    );
    assert_finding(&doc, "config", 20, "sso-incomplete", "config.malformed");
    // --profile is checked too.
    let (doc, _) = home.json(&["--profile", "Prod"], &[]);
    assert_finding(
        &doc,
        "environment",
        0,
        "profile-not-found",
        "credentials.profile-not-found",
    );
}

#[test]
fn regions_permissions_and_credential_process() {
    let home = Home::new(
        Some(
            "[default]\nregion = us-east-1a\n[profile u]\nregion = US-EAST-1\n[profile s]\nregion = eu_west_1\n[profile p]\ncredential_process = no-such-helper-xyz --json\n[profile ok]\ncredential_process = sh -c true\n",
        ),
        Some(&creds("")),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = home.dir.path().join(".aws/credentials");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (doc, _) = home.json(&[], &[("AWS_REGION", "eu-west-1b")]);
    assert_finding(&doc, "config", 2, "region-shape", "region.mismatch");
    assert_finding(&doc, "config", 4, "region-shape", "region.mismatch");
    assert_finding(&doc, "config", 6, "region-shape", "region.mismatch");
    assert_finding(
        &doc,
        "config",
        8,
        "process-not-found",
        "credentials.missing",
    );
    assert!(!has(
        &doc,
        "config",
        10,
        "process-not-found",
        "credentials.missing"
    ));
    assert_finding(&doc, "environment", 1, "region-shape", "region.mismatch");
    #[cfg(unix)]
    assert_finding(
        &doc,
        "credentials",
        1,
        "file-permissions",
        "config.malformed",
    );
    let human = String::from_utf8_lossy(&home.run(&[], &[]).stdout).into_owned();
    assert!(human.contains("chmod 600"), "{human}");
    assert!(human.contains("availability zone"), "{human}");
}

#[test]
fn environment_overrides_and_shapes() {
    let home = Home::new(
        Some("[profile dev]\nregion = eu-west-1\n"),
        Some(&creds(
            "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLF\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ\n",
        )),
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_PROFILE", "dev"),
        ("AWS_DEFAULT_PROFILE", "default"),
    ];
    // Sorted listing: 1 AWS_ACCESS_KEY_ID, 2 AWS_DEFAULT_PROFILE, 3 AWS_PROFILE, 4 AWS_SECRET_ACCESS_KEY.
    let (doc, _) = home.json(&[], &env);
    assert_finding(
        &doc,
        "environment",
        1,
        "env-override",
        "credentials.env-override",
    );
    assert_finding(
        &doc,
        "environment",
        2,
        "profile-vars-disagree",
        "credentials.env-override",
    );
    assert_finding(
        &doc,
        "environment",
        1,
        "temporary-key-without-token",
        "token.invalid",
    );
    // An explicit --profile drops the environment provider: no override.
    let (doc, _) = home.json(&["--profile", "dev"], &[env[0], env[2]]);
    assert!(!has(
        &doc,
        "environment",
        1,
        "env-override",
        "credentials.env-override"
    ));
    assert_finding(
        &doc,
        "environment",
        1,
        "partial-credentials",
        "config.malformed",
    );
}

#[test]
fn secrets_never_appear_and_key_ids_are_masked() {
    let home = Home::new(
        Some(&format!(
            "[default]\naws_secret_access_key = \"{SECRET}\"\naws_session_token={TOKEN} x\n"
        )),
        Some(&format!(
            "[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\u{200b}\naws_session_token = {TOKEN}\n  {SECRET}\n[x]\naws_secret_access_key = short\u{a0}secret\n"
        )),
    );
    let env = [
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
        ("AWS_PROFILE", "default"),
    ];
    for format in ["human", "json", "markdown", "jsonl", "table"] {
        for extra in [&[][..], &["--no-redact"][..]] {
            let mut args = vec!["--format", format, "--explain-chain"];
            args.extend_from_slice(extra);
            let out = home.run(&args, &env);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for secret in [
                SECRET,
                TOKEN,
                &SECRET[..20],
                &TOKEN[..30],
                "short\u{a0}secret",
                "short\\u{a0}secret",
            ] {
                assert!(
                    !text.contains(secret),
                    "{format} {extra:?} leaks {secret}:\n{text}"
                );
            }
            if extra.is_empty() {
                assert!(
                    !text.contains(KEY),
                    "{format} shows the key id unmasked:\n{text}"
                );
            }
        }
    }
}

#[test]
fn empty_home_and_bad_paths() {
    let home = Home::new(None, None);
    let out = home.run(&[], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no AWS configuration found"));
    // A directory where a file should be.
    let out = home.run(&["--config-file", home.dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a directory"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A path that does not exist, given explicitly.
    let out = home.run(&["--credentials-file", "/no/such/credentials"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or directory"));
    // Unreadable (skipped as root, who reads everything).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = home.write("credentials", creds("").as_bytes());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&p).is_err() {
            let out = home.run(&[], &[]);
            assert_eq!(out.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied"));
        }
    }
    // AWS_CONFIG_FILE naming a missing file is a finding, not an error.
    let home = Home::new(None, Some(&creds("")));
    let (doc, out) = home.json(&[], &[("AWS_CONFIG_FILE", "/no/such/config")]);
    assert_eq!(out.status.code(), Some(1));
    assert_finding(
        &doc,
        "environment",
        1,
        "file-not-found",
        "credentials.missing",
    );
}

#[test]
fn crlf_is_informational_only() {
    let home = Home::new(None, None);
    home.write("credentials", creds("").replace('\n', "\r\n").as_bytes());
    let (doc, out) = home.json(&[], &[]);
    assert_finding(&doc, "credentials", 1, "crlf", "config.malformed");
    assert!(
        findings(&doc).iter().all(|f| f.4 == "low"),
        "{:#?}",
        findings(&doc)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn explain_chain_follows_the_cli_order() {
    let home = Home::new(
        Some(
            "[default]\nregion = eu-west-1\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n[profile proc]\ncredential_process = sh -c true\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n",
        ),
        Some(&creds("")),
    );
    let chain = |args: &[&str], env: &[(&str, &str)]| -> (Vec<(String, String)>, Option<String>) {
        let mut all = vec!["--explain-chain"];
        all.extend_from_slice(args);
        let (doc, _) = home.json(&all, env);
        let c = &doc["credential_chain"];
        let steps = c["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["provider"].as_str().unwrap().to_string(),
                    p["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (steps, c["winner"].as_str().map(str::to_string))
    };
    let (steps, winner) = chain(&[], &[]);
    let order: Vec<&str> = steps.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        order,
        [
            "env",
            "assume-role",
            "assume-role-with-web-identity",
            "sso",
            "shared-credentials-file",
            "custom-process",
            "config-file",
            "container-role",
            "iam-role"
        ]
    );
    assert_eq!(winner.as_deref(), Some("shared-credentials-file"));
    assert_eq!(steps[5].1, "not reached");
    let env = [
        ("AWS_ACCESS_KEY_ID", KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
    ];
    assert_eq!(chain(&[], &env).1.as_deref(), Some("env"));
    let (steps, winner) = chain(&["--profile", "role"], &env);
    assert_eq!(steps[0].1, "skipped");
    assert_eq!(winner.as_deref(), Some("assume-role"));
    assert_eq!(chain(&["--profile", "sso"], &[]).1.as_deref(), Some("sso"));
    assert_eq!(
        chain(&["--profile", "proc"], &[]).1.as_deref(),
        Some("custom-process")
    );
    let (steps, winner) = chain(
        &["--profile", "proc"],
        &[("AWS_EC2_METADATA_DISABLED", "true")],
    );
    assert_eq!(winner.as_deref(), Some("custom-process"));
    assert_eq!(steps[8].1, "not reached");
    let human = String::from_utf8_lossy(
        &home
            .run(&["--explain-chain", "--profile", "role"], &[])
            .stdout,
    )
    .into_owned();
    assert!(
        human.contains("Credential chain for profile `role` (from --profile)"),
        "{human}"
    );
    assert!(
        human.contains("the assume role provider supplies the credentials"),
        "{human}"
    );
}

/// The malformed files the fixture generator wrote, and the real AWS CLI's
/// verdict on each (fixtures/generate/config_files.py).
#[test]
fn agrees_with_the_real_cli_on_the_recorded_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/config");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let cli: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("cli.json")).unwrap()).unwrap();
        let scenario = cli["scenario"].as_str().unwrap();
        let home = Home::new(None, None);
        for name in ["config", "credentials"] {
            if let Ok(bytes) = std::fs::read(dir.join(name)) {
                home.write(name, &bytes);
            }
        }
        let (doc, out) = home.json(&[], &[]);
        let found = findings(&doc);
        let serious: Vec<_> = found.iter().filter(|f| f.4 != "low").collect();
        let cli_failed = cli["exit_code"].as_i64().unwrap() != 0;
        assert_eq!(
            cli_failed,
            !serious.is_empty(),
            "{scenario}: CLI {} vs {found:#?}",
            cli["error"]
        );
        assert_eq!(out.status.code(), Some(i32::from(cli_failed)), "{scenario}");
        if let Some(parse) = cli["parse_error"].as_object() {
            // The CLI refused the file: authsift names the same file and line.
            let file = parse["file"].as_str().unwrap();
            let line = parse["line"].as_u64().unwrap();
            assert!(
                found.iter().any(|f| f.0 == file
                    && f.1 == line
                    && f.3 == "config.malformed"
                    && f.4 == "high"),
                "{scenario}: the CLI stopped at {file}:{line}; authsift says {found:#?}"
            );
            let human = String::from_utf8_lossy(&home.run(&[], &[]).stdout).into_owned();
            assert!(human.contains("The AWS CLI stops at this line"), "{human}");
        }
        // Not one secret of the fixture in any output.
        for format in ["human", "json", "markdown"] {
            let out = home.run(&["--format", format, "--explain-chain"], &[]);
            for s in cli["secrets"].as_array().unwrap() {
                assert!(
                    !String::from_utf8_lossy(&out.stdout).contains(s.as_str().unwrap()),
                    "{scenario} {format}"
                );
            }
        }
        match scenario {
            "s3-ls-partial-credentials" => assert!(
                found
                    .iter()
                    .any(|f| f.2 == "partial-credentials" && f.0 == "credentials" && f.1 == 2)
            ),
            "sts-get-caller-identity-zero-width-in-key" => assert!(
                found
                    .iter()
                    .any(|f| f.2 == "invisible-character" && f.0 == "credentials" && f.1 == 2)
            ),
            "s3-ls-credentials-crlf" => assert!(found.iter().any(|f| f.2 == "crlf")),
            "s3-ls-credentials-utf8-bom" => {
                assert!(found.iter().any(|f| f.2 == "utf8-bom" && f.1 == 1))
            }
            "s3-ls-config-missing-bracket" => assert!(
                found
                    .iter()
                    .any(|f| f.2 == "missing-bracket" && f.0 == "config" && f.1 == 4)
            ),
            "s3-ls-credentials-missing-bracket" => {
                assert!(found.iter().any(|f| f.2 == "missing-bracket" && f.1 == 1))
            }
            other => panic!("no expectation for {other}"),
        }
        seen += 1;
    }
    assert_eq!(seen, 6);
}

#[test]
fn a_flag_is_located_at_no_line() {
    let home = Home::new(Some("[default]\nregion = us-east-1\n"), None);
    for format in ["human", "markdown"] {
        let out = home.run(&["--format", format, "--profile", "nope"], &[]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--profile nope"), "{format}: {text}");
        assert!(!text.contains("line 0"), "{format}: {text}");
        assert!(!text.contains("0  --profile"), "{format}: {text}");
    }
    let out = home.run(&["--profile", "nope"], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("profile-not-found   (environment)\n"),
        "{text}"
    );
    assert!(text.contains("(2 records)"), "{text}");
}

/// `authsift config --format json` with exactly `env` (nothing inherited).
fn config_json(env: &[(&str, &std::ffi::OsStr)]) -> (Value, Output) {
    let mut cmd = Command::new(bin());
    cmd.env_clear().args(["config", "--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (doc, out)
}

fn paths(doc: &Value) -> Vec<String> {
    doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn userprofile_stands_for_home_when_home_is_unset() {
    let profile = Home::new(Some("[default]\nregion = us-east-1a\n"), None);
    let home = Home::new(Some("[default]\nregion = eu-west-1\n"), None);
    let config_in = |h: &Home| h.dir.path().join(".aws/config").display().to_string();
    let (doc, out) = config_json(&[("USERPROFILE", profile.dir.path().as_os_str())]);
    assert_eq!(out.status.code(), Some(1), "the bad region is found");
    assert!(paths(&doc).contains(&config_in(&profile)), "{doc}");
    // An empty HOME is unset; a HOME wins over USERPROFILE.
    let (doc, _) = config_json(&[
        ("HOME", "".as_ref()),
        ("USERPROFILE", profile.dir.path().as_os_str()),
    ]);
    assert!(paths(&doc).contains(&config_in(&profile)), "{doc}");
    let (doc, out) = config_json(&[
        ("HOME", home.dir.path().as_os_str()),
        ("USERPROFILE", profile.dir.path().as_os_str()),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(paths(&doc).contains(&config_in(&home)), "{doc}");
}

#[cfg(unix)]
#[test]
fn credential_process_is_looked_up_in_every_path_directory() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new(
        Some("[default]\nregion = eu-west-1\ncredential_process = authsift-test-helper --json\n"),
        None,
    );
    let bin_dir = tempfile::tempdir().unwrap();
    let helper = bin_dir.path().join("authsift-test-helper");
    std::fs::write(&helper, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let not_found = |path: &std::ffi::OsStr| {
        let (doc, _) = config_json(&[("HOME", home.dir.path().as_os_str()), ("PATH", path)]);
        has(&doc, "config", 3, "process-not-found", "config.malformed")
            || findings(&doc).iter().any(|f| f.2 == "process-not-found")
    };
    let path = std::env::join_paths(["/no/such/dir", bin_dir.path().to_str().unwrap()]).unwrap();
    assert!(!not_found(&path), "found in PATH's second directory");
    assert!(not_found("/no/such/dir:/bin".as_ref()));
}
