use std::sync::Arc;

use super::compile::literal;
use super::parse::Item;
use super::*;
use crate::facts::Value;
use crate::finding::RootCause;

fn set(text: &str) -> Result<RuleSet, RuleError> {
    let mut set = RuleSet::default();
    set.add_source("t.rules", text, None)?;
    Ok(set)
}

fn facts(pairs: &[(Fact, Value)]) -> Facts {
    let mut f = Facts::default();
    for (fact, v) in pairs {
        f.set(*fact, v.clone(), None);
    }
    f
}

const MINIMAL: &str = r#"
rule a.one {
  title "A"
  severity high
  priority 10
  when error.code == "X"
  explain "code {error.code}, status {http.status}"
  fix "do it"
}
"#;

#[test]
fn builtin_rules_compile_and_cover_the_vocabulary() {
    let set = RuleSet::builtin();
    let mut ids: Vec<&str> = set.rules().iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    // Every root cause code can name (`authsift config` names only
    // `RootCause`s) is a built-in rule, and the built-in rules use no other id.
    let mut vocabulary: Vec<&str> = RootCause::ALL.iter().map(|c| c.as_str()).collect();
    vocabulary.sort_unstable();
    assert_eq!(
        ids, vocabulary,
        "the defaults use exactly the DESIGN vocabulary"
    );
    assert_eq!(ids.len(), 20);
}

#[test]
fn code_reads_the_lists_the_compiler_reads() {
    let shipped = crate::shipped::string_lists(DEFAULT_RULES);
    let mut compiled = 0;
    for item in parse::file(DEFAULT_RULES).unwrap() {
        if let Item::List { name, values } = item {
            let values: Vec<Value> = values.iter().map(literal).collect();
            let read: Vec<Value> = shipped[name].iter().map(|s| Value::from(*s)).collect();
            assert_eq!(read, values, "list {name}");
            compiled += 1;
        }
    }
    assert_eq!(
        shipped.len(),
        compiled,
        "every list, and only lists, is read"
    );
}

#[test]
fn a_rule_can_name_another_cause_and_quote_facts_in_its_title() {
    let set = set(r#"
rule team.crlf {
  title    "The {error.code} file has CRLF line endings"
  cause    config.malformed
  severity low
  priority 1
  when     error.code == "credentials"
  explain  "e"
  fix      "f"
}
"#)
    .unwrap();
    let rule = &set.rules()[0];
    assert_eq!(rule.cause(), "config.malformed");
    assert_eq!(rule.title, "The {error.code} file has CRLF line endings");
    let incident = Incident {
        facts: Arc::new(facts(&[(
            Fact::ErrorCode,
            Value::Str("credentials".into()),
        )])),
        signature_diff: Vec::new(),
        headline: None,
    };
    let found = set.evaluate(&incident, 0);
    assert_eq!(found[0].rule, "config.malformed");
    assert_eq!(found[0].title, "The credentials file has CRLF line endings");
    assert_eq!(
        RuleSet::builtin().rules()[0].cause(),
        RuleSet::builtin().rules()[0].id
    );
    let e = self::set("rule a.b {\n  title \"t {no.such}\"\n}").unwrap_err();
    assert!(e.message.contains("unknown fact `{no.such}`"), "{e}");
}

#[test]
fn templates_quote_facts_and_mark_missing_ones() {
    let set = set(MINIMAL).unwrap();
    let f = facts(&[(Fact::ErrorCode, Value::Str("X".into()))]);
    assert_eq!(set.rules()[0].explanation(&f), "code X, status (unknown)");
}

#[test]
fn comparisons_with_missing_facts_are_false_and_not_inverts() {
    let set = set(r#"
rule a.b { title "t" severity low priority 1 fix "f" explain "e"
  when not http.status >= 400 }
rule a.c { title "t" severity low priority 1 fix "f" explain "e"
  when http.status != 403 }
"#)
    .unwrap();
    let empty = Facts::default();
    assert!(
        set.rule("a.b").unwrap().matches(&empty),
        "missing ≥ 400 is false, so not is true"
    );
    assert!(
        !set.rule("a.c").unwrap().matches(&empty),
        "a missing fact is not != anything"
    );
    let f = facts(&[(Fact::HttpStatus, Value::Int(500))]);
    assert!(!set.rule("a.b").unwrap().matches(&f));
    assert!(set.rule("a.c").unwrap().matches(&f));
}

#[test]
fn every_operator_evaluates() {
    let f = facts(&[
        (Fact::ErrorCode, Value::Str("AccessDenied".into())),
        (Fact::ClockSkewSeconds, Value::Int(-600)),
        (Fact::ClockAllowedSkewSeconds, Value::Int(300)),
        (Fact::RequestHasSecurityToken, Value::Bool(true)),
    ]);
    let cases = [
        (r#"error.code == "AccessDenied""#, true),
        (r#"error.code != "AccessDenied""#, false),
        ("clock.skew_seconds < 0", true),
        ("clock.skew_seconds <= -600", true),
        ("clock.skew_seconds > 0", false),
        ("abs(clock.skew_seconds) >= 600", true),
        ("abs(clock.skew_seconds) > clock.allowed_skew_seconds", true),
        (r#"error.code in ["X", "AccessDenied"]"#, true),
        (r#"error.code =~ "^Access""#, true),
        (r#"error.code =~ "(?i)^access$""#, false),
        ("exists(error.code) and not exists(error.message)", true),
        ("request.has_security_token", true),
        (
            "request.has_security_token == false or http.status == 1",
            false,
        ),
        (
            "(http.status == 1 or error.code == \"AccessDenied\") and request.has_security_token",
            true,
        ),
    ];
    for (cond, want) in cases {
        let text = format!(
            "rule a.b {{ title \"t\" severity low priority 1 fix \"f\" explain \"e\" when {cond} }}"
        );
        let set = set(&text).unwrap_or_else(|e| panic!("{cond}: {e}"));
        assert_eq!(set.rules()[0].matches(&f), want, "{cond}");
    }
}

#[test]
fn load_errors_name_line_column_and_show_a_caret() {
    let cases = [
        (
            "rule a.b {\n  title \"t\"\n  when error.cod == \"X\"\n}",
            3,
            8,
            "unknown fact `error.cod` (did you mean `error.code`?)",
        ),
        (
            "rule a.b {\n  when http.status == \"403\"\n}",
            2,
            8,
            "cannot compare an integer with a string",
        ),
        (
            "rule a.b {\n  when error.code =~ \"(unclosed\"\n}",
            2,
            22,
            "bad regular expression",
        ),
        (
            "rule a.b {\n  when error.code >\n}",
            3,
            1,
            "expected a fact or a value",
        ),
        (
            "rule a.b {\n  when error.code < \"x\"\n}",
            2,
            8,
            "compare integers",
        ),
        (
            "rule a.b {\n  when error.code in $nope\n}",
            2,
            23,
            "unknown list `$nope`",
        ),
        (
            "rule a.b {\n  when http.status\n}",
            2,
            8,
            "an integer is not a condition",
        ),
        ("rule a.b {\n  colour red\n}", 2, 3, "expected a field"),
        (
            "rule a.b {\n  title \"t\"\n}",
            1,
            6,
            "rule `a.b` has no `when`",
        ),
        (
            "rule a.b {\n  explain \"see {no.such}\"\n}",
            2,
            11,
            "unknown fact `{no.such}`",
        ),
    ];
    for (text, line, column, message) in cases {
        let e = set(text).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
        assert!(e.message.contains(message), "{text}: {}", e.message);
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("t.rules:{line}:{column}: ")),
            "{shown}"
        );
        let caret_line = shown.lines().last().unwrap();
        assert_eq!(caret_line.find('^'), Some(2 + column - 1), "{shown}");
    }
}

#[test]
fn a_value_an_enum_fact_never_takes_is_a_load_error() {
    let cases = [
        (
            "rule a.b {\n  when error.kind == \"sso-tokn\"\n}",
            2,
            22,
            "`error.kind` is never \"sso-tokn\" (did you mean \"sso-token\"?)",
        ),
        (
            "rule a.b {\n  when \"tempory\" != credential.key_type\n}",
            2,
            8,
            "(did you mean \"temporary\"?)",
        ),
        (
            "rule a.b {\n  when error.kind in [\"imds\", \"throttled\"]\n}",
            2,
            31,
            "`error.kind` is never \"throttled\" (its values: service-error, ",
        ),
        (
            "list kinds = [\"proxy\",\n  \"tsl\"]\nrule a.b {\n  when error.kind in $kinds\n}",
            2,
            3,
            "(did you mean \"tls\"?)",
        ),
        (
            "rule a.b {\n  when signature.component == \"heder:host\"\n}",
            2,
            31,
            "(did you mean \"header:host\"?)",
        ),
        (
            "rule a.b {\n  when log.masked == \"signature,access_key_id\"\n}",
            2,
            22,
            "(did you mean \"access_key_id,signature\"?)",
        ),
        (
            "rule a.b {\n  when clock.direction == \"ahead\"\n}",
            2,
            27,
            "(did you mean \"ahead of\"?)",
        ),
        (
            "rule a.b {\n  example match { authz.reason = \"scp\" }\n}",
            2,
            34,
            "`authz.reason` is never \"scp\"",
        ),
    ];
    for (text, line, column, message) in cases {
        let e = set(text).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
        assert!(e.message.contains(message), "{text}: {}", e.message);
    }
}

#[test]
fn every_value_an_enum_fact_takes_compiles() {
    for fact in Fact::ALL {
        let Some(domain) = fact.domain() else {
            continue;
        };
        for name in domain.names() {
            let value = if name.ends_with(':') {
                format!("{name}x")
            } else {
                name.to_string()
            };
            let text = format!(
                "rule a.b {{ title \"t\" severity low priority 1 fix \"f\" explain \"e\" when {} == \"{value}\" }}",
                fact.name()
            );
            set(&text).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // A set's members together, in order.
    set("rule a.b { title \"t\" severity low priority 1 fix \"f\" explain \"e\" when log.masked == \"access_key_id,signature,security_token\" }").unwrap();
    // Families take any member; patterns are not checked.
    set("rule a.b { title \"t\" severity low priority 1 fix \"f\" explain \"e\" when signature.component == \"header:x-amz-date\" or error.kind =~ \"sso-tok\" }").unwrap();
}

#[test]
fn duplicate_ids_in_one_file_are_an_error_but_later_files_replace() {
    let dup = format!("{MINIMAL}{MINIMAL}");
    let e = set(&dup).unwrap_err();
    assert!(e.message.contains("duplicate rule id `a.one`"), "{e}");
    assert_eq!(e.line, 11);

    let mut set = set(MINIMAL).unwrap();
    set.add_source("u.rules", &MINIMAL.replace("\"A\"", "\"B\""), None)
        .unwrap();
    assert_eq!(set.rules().len(), 1);
    assert_eq!(set.rules()[0].title, "B");
    assert_eq!(set.rules()[0].origin.file, "u.rules");
}

#[test]
fn order_is_priority_then_specificity_then_id() {
    let set = set(r#"
rule z.general { title "t" severity low priority 50 fix "f" explain "e" when error.code == "X" }
rule a.specific { title "t" severity low priority 50 fix "f" explain "e" when error.code == "X" and http.status == 403 }
rule m.first { title "t" severity low priority 90 fix "f" explain "e" when error.code == "X" }
"#)
    .unwrap();
    let f = facts(&[
        (Fact::ErrorCode, Value::Str("X".into())),
        (Fact::HttpStatus, Value::Int(403)),
    ]);
    let ids: Vec<&str> = set.matching(&f).map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["m.first", "a.specific", "z.general"]);
}

#[test]
fn first_matching_explanation_wins() {
    let set = set(r#"
rule a.b { title "t" severity low priority 1 fix "f" when exists(http.status)
  explain "ahead" if http.status > 0
  explain "other" }
"#)
    .unwrap();
    let r = &set.rules()[0];
    assert_eq!(
        r.explanation(&facts(&[(Fact::HttpStatus, Value::Int(1))])),
        "ahead"
    );
    assert_eq!(
        r.explanation(&facts(&[(Fact::HttpStatus, Value::Int(-1))])),
        "other"
    );
}

#[test]
fn batch_rules_find_the_densest_window_per_group() {
    let set = set(r#"
rule key.repeated-denials {
  title "One key denied again and again"
  severity medium
  priority 20
  when error.code == "AccessDenied"
  group by credential.access_key_id within 10m count >= 3
  explain "{credential.access_key_id} was denied repeatedly"
  fix "look at the key"
}
"#)
    .unwrap();
    let event = |key: &str, t: i64, code: &str| {
        let f = facts(&[
            (Fact::ErrorCode, Value::Str(code.into())),
            (Fact::CredentialAccessKeyId, Value::Str(key.into())),
            (Fact::EventTime, Value::Int(t)),
        ]);
        (Arc::new(f), None)
    };
    let incidents = vec![
        event("AKIAONE", 0, "AccessDenied"),
        event("AKIAONE", 100, "AccessDenied"),
        event("AKIATWO", 150, "AccessDenied"),
        event("AKIAONE", 500, "AccessDenied"),
        event("AKIAONE", 520, "Throttling"),
        event("AKIATWO", 5000, "AccessDenied"),
        event("AKIAONE", 5000, "AccessDenied"),
    ];
    let found = set.evaluate_batch(&incidents);
    assert_eq!(found.len(), 1, "{found:?}");
    let b = found[0].batch.as_ref().unwrap();
    assert_eq!(
        b.group,
        vec![(
            "credential.access_key_id".to_string(),
            "AKIAONE".to_string()
        )]
    );
    assert_eq!((b.count, b.first_seen, b.last_seen), (3, 0, 500));
    assert_eq!(found[0].explanation, "AKIAONE was denied repeatedly");
    assert!(
        set.matching(&incidents[0].0).next().is_none(),
        "batch rules do not fire per incident"
    );
}

#[test]
fn env_override_needs_a_named_profile_and_env_credentials() {
    // No debug log can show AWS_PROFILE (see fixtures/README.md), so this
    // rule is shown on the facts other inputs provide.
    let set = RuleSet::builtin();
    let rule = set.rule("credentials.env-override").unwrap();
    let base = [
        (Fact::ErrorCode, Value::Str("InvalidClientTokenId".into())),
        (Fact::CredentialSource, Value::Str("env".into())),
    ];
    let mut with_profile = base.to_vec();
    with_profile.push((Fact::CredentialProfile, Value::Str("prod".into())));
    assert!(rule.matches(&facts(&with_profile)));
    assert!(
        !rule.matches(&facts(&base)),
        "near miss: env credentials, no profile named"
    );
    let mut from_file = with_profile.clone();
    from_file[1] = (
        Fact::CredentialSource,
        Value::Str("shared-credentials-file".into()),
    );
    assert!(
        !rule.matches(&facts(&from_file)),
        "near miss: the profile's own credentials"
    );
}

#[test]
fn examples_are_parsed_with_types_checked() {
    let set = set(r#"
rule a.b { title "t" severity low priority 1 fix "f" explain "e" when http.status == 403
  example match { http.status = 403 }
  example no-match "some.log" }
"#)
    .unwrap();
    assert_eq!(set.rules()[0].examples.len(), 2);
    let e = set_err(
        r#"rule a.b { title "t" severity low priority 1 fix "f" explain "e" when http.status == 403
  example match { http.status = "403" } }"#,
    );
    assert!(e.message.contains("is an integer, not a string"), "{e}");
}

fn set_err(text: &str) -> RuleError {
    set(text).unwrap_err()
}

#[test]
fn regexes_are_size_limited() {
    let e = set_err(
        r#"rule a.b { title "t" severity low priority 1 fix "f" explain "e" when error.message =~ "\w{1000}\w{1000}\w{1000}" }"#,
    );
    assert!(e.message.contains("bad regular expression"), "{e}");
}

/// Loading used to count lines from the start of the file for every rule
/// (29 s for 20k rules); lines are now counted on from the previous rule.
#[test]
fn many_rules_load_in_linear_time() {
    let text: String = (0..20_000)
        .map(|i| {
            format!(
                "rule custom.r{i} {{\n  title \"rule {i}\"\n  severity low\n  priority {}\n  when error.code == \"Code{i}\"\n  explain \"x\"\n  fix \"f\"\n}}\n",
                i % 100
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let mut set = RuleSet::default();
    set.add_source("many.rules", &text, None).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(set.rules().len(), 20_000);
    assert_eq!(set.rule("custom.r0").unwrap().origin.line, 1);
    assert_eq!(
        set.rule("custom.r19999").unwrap().origin.line,
        19_999 * 8 + 1
    );
    // A second file overriding one id replaces it, others are kept.
    set.add_source(
        "more.rules",
        "rule custom.r5 {\n  title \"new\"\n  severity low\n  priority 1\n  when error.code == \"X\"\n  explain \"y\"\n  fix \"f\"\n}\n",
        None,
    )
    .unwrap();
    assert_eq!(set.rules().len(), 20_000);
    assert_eq!(set.rule("custom.r5").unwrap().title, "new");
}

#[test]
fn evidence_quotes_the_branches_that_hold_not_every_fact_named() {
    let set = set(r#"
rule a.either {
  title    "A"
  severity high
  priority 10
  when     error.code == "X" and (http.status == 403 or request.odd_path)
  explain  "e"
  fix      "f"
}
"#)
    .unwrap();
    let mut f = Facts::default();
    let line = |n: usize| crate::model::EvidenceLine {
        line: n,
        text: format!("line {n}").into(),
    };
    f.set(Fact::ErrorCode, "X", Some(&line(1)));
    f.set(Fact::HttpStatus, 403i64, Some(&line(2)));
    // Present, but the branch it is in does not hold: not proof.
    f.set(Fact::RequestOddPath, false, Some(&line(3)));
    let incident = Incident {
        facts: Arc::new(f),
        signature_diff: Vec::new(),
        headline: None,
    };
    let found = set.evaluate(&incident, 0);
    let lines: Vec<usize> = found[0].evidence.iter().map(|l| l.line).collect();
    assert_eq!(lines, [1, 2]);
}

/// The built-in rules' top verdict on an incident with these facts.
fn verdict(pairs: &[(Fact, Value)]) -> Option<String> {
    let incident = Incident {
        facts: Arc::new(facts(pairs)),
        signature_diff: Vec::new(),
        headline: None,
    };
    RuleSet::builtin()
        .evaluate(&incident, 0)
        .first()
        .map(|f| f.rule.to_string())
}

#[test]
fn builtin_verdicts_on_trust_actions_and_s3_signatures() {
    let denied = |action: &str| {
        verdict(&[
            (Fact::ErrorCode, Value::Str("AccessDenied".into())),
            (Fact::AuthzAction, Value::Str(action.into())),
        ])
    };
    // Every action a role's trust policy grants is part of assuming it.
    for action in [
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
    ] {
        assert_eq!(
            denied(action).as_deref(),
            Some("role.assume-denied"),
            "{action}"
        );
    }
    assert_eq!(
        denied("s3:GetObject").as_deref(),
        Some("authz.access-denied")
    );
    // A signature S3 refused, with nothing rebuilt: the request is the
    // likelier cause. Rebuilt and matching: the secret.
    let code = (Fact::ErrorCode, Value::Str("SignatureDoesNotMatch".into()));
    let s3 = (Fact::ErrorFromS3, Value::Bool(true));
    assert_eq!(
        verdict(&[code.clone(), s3.clone()]).as_deref(),
        Some("signature.canonical-mismatch")
    );
    assert_eq!(
        verdict(&[
            code.clone(),
            s3,
            (Fact::SignatureRebuildMatch, Value::Bool(true))
        ])
        .as_deref(),
        Some("credentials.wrong-secret")
    );
    assert_eq!(
        verdict(std::slice::from_ref(&code)).as_deref(),
        Some("credentials.wrong-secret")
    );
    // Signed for another service: the scope, not the secret.
    let scoped = (
        Fact::ErrorMessage,
        Value::Str("Credential should be scoped to correct service: 'dynamodb'.".into()),
    );
    assert_eq!(
        verdict(&[code, scoped]).as_deref(),
        Some("signature.canonical-mismatch")
    );
}

#[test]
fn a_metadata_failure_is_its_own_cause_only_where_the_service_should_answer() {
    let imds = (Fact::ErrorKind, Value::Str("imds".into()));
    let for_credentials = (Fact::ImdsForCredentials, Value::Bool(true));
    let on_aws = (Fact::ImdsExpected, Value::Bool(true));
    // A chain falling through to the service, nowhere in particular: no
    // credentials at all. The same on an EC2 host or in a pod: the service.
    assert_eq!(
        verdict(&[imds.clone(), for_credentials.clone()]).as_deref(),
        Some("credentials.missing")
    );
    assert_eq!(
        verdict(&[imds, for_credentials, on_aws.clone()]).as_deref(),
        Some("imds.unavailable")
    );
    let none = (Fact::ErrorKind, Value::Str("no-credentials".into()));
    let attempted = (Fact::ImdsAttempted, Value::Bool(true));
    assert_eq!(
        verdict(&[none.clone(), attempted.clone()]).as_deref(),
        Some("credentials.missing")
    );
    assert_eq!(
        verdict(&[none.clone(), attempted, on_aws.clone()]).as_deref(),
        Some("imds.unavailable")
    );
    // An ECR token used on a registry of another region, whatever docker
    // said of it; the same region is no region problem.
    let failed = (Fact::ErrorKind, Value::Str("unrecognised".into()));
    let login = |r: &str| (Fact::EcrLoginRegion, Value::Str(r.into()));
    let registry = (Fact::EcrRegistryRegion, Value::Str("us-west-2".into()));
    assert_eq!(
        verdict(&[failed.clone(), login("eu-central-1"), registry.clone()]).as_deref(),
        Some("region.mismatch")
    );
    assert_eq!(
        verdict(&[failed, login("us-west-2"), registry]).as_deref(),
        None
    );
    // On AWS, but the service was never asked: nothing says it failed.
    assert_eq!(
        verdict(&[none, on_aws]).as_deref(),
        Some("credentials.missing")
    );
}

#[test]
fn fix_steps_may_be_conditional() {
    let set = set(r#"
rule a.one {
  title    "A"
  severity high
  priority 10
  when     error.code == "X"
  explain  "e"
  fix      "only for 403" if http.status == 403
  fix      "always {error.code}"
}
"#)
    .unwrap();
    let rule = &set.rules()[0];
    let with = facts(&[
        (Fact::ErrorCode, Value::Str("X".into())),
        (Fact::HttpStatus, Value::Int(403)),
    ]);
    let without = facts(&[(Fact::ErrorCode, Value::Str("X".into()))]);
    assert_eq!(rule.fixes(&with), ["only for 403", "always X"]);
    assert_eq!(rule.fixes(&without), ["always X"]);
    assert_eq!(rule.fix_sources().count(), 2);
    let e = self::set("rule a.b {\n  fix \"f\" if no.such == 1\n}").unwrap_err();
    assert!(e.message.contains("no.such"), "{e}");
}
