//! The binary's contract: flags, exit codes, bad input, JSON shape,
//! redaction and terminal safety.

mod common;

use common::{bin, fixtures_dir, gzip, json, run, verdict};

fn fixture(name: &str) -> String {
    fixtures_dir()
        .join(format!("{name}.log"))
        .display()
        .to_string()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn version_and_help() {
    let out = run(&["--version"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("authsift "));
    let out = run(&["--help"], b"");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("aws s3 ls --debug 2>&1 | authsift"), "{help}");
    assert!(help.contains("--format"));
}

#[test]
fn usage_error_exits_two() {
    let out = run(&["--format", "yaml"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_path_is_reported_and_others_still_analyzed() {
    let ok = fixture("s3-ls-ok");
    let failing = fixture("s3-ls-wrong-secret");
    let out = run(
        &["--format", "json", "/no/such/file.log", &failing, &ok],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable input wins the exit code"
    );
    assert!(
        stderr(&out).contains("/no/such/file.log: no such file or directory"),
        "{}",
        stderr(&out)
    );
    let report = json(&out);
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3);
    assert_eq!(
        inputs[0]["errors"][0],
        "/no/such/file.log: no such file or directory"
    );
    assert_eq!(verdict(&inputs[1]), "credentials.wrong-secret");
    assert_eq!(verdict(&inputs[2]), "ok");
}

#[test]
fn truncated_gzip_binary_and_empty_inputs_get_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(fixture("s3-ls-ok")).unwrap();
    let gz = gzip(&data);
    let truncated = dir.path().join("cut.log.gz");
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let binary = dir.path().join("garbage.bin");
    std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 0, 1, 2, 3, 0xff, 0xfe]).unwrap();
    let ok = fixture("s3-ls-ok");
    let out = run(
        &[truncated.to_str().unwrap(), binary.to_str().unwrap(), &ok],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("cut.log.gz") && lines[0].contains("gzip"),
        "{err}"
    );
    assert!(
        lines[1].contains("garbage.bin") && lines[1].contains("binary"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("s3-ls-ok.log: no AWS failure found"));

    let out = run(&[], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim(), "authsift: <stdin>: empty input");
}

#[test]
fn unreadable_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("a.log"), "x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_ok() {
        // Running as root: permissions do not apply, nothing to test here.
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let out = run(&[dir.path().to_str().unwrap()], b"");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("locked: permission denied"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_document_shape() {
    let out = run(
        &["--format", "json", &fixture("s3-ls-proxy-rewrites-host")],
        b"",
    );
    let report = json(&out);
    assert_eq!(report["schema"], "authsift/1");
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "aws-debug");
    assert!(input["records"].as_u64().unwrap() > 10);
    assert!(input["errors"].as_array().unwrap().is_empty());
    let finding = &input["findings"][0];
    for key in ["rule", "title", "severity", "explanation"] {
        assert!(finding[key].is_string(), "{key}");
    }
    assert!(!finding["fix"].as_array().unwrap().is_empty());
    let evidence = &finding["evidence"][0];
    assert!(
        evidence["path"]
            .as_str()
            .unwrap()
            .ends_with("s3-ls-proxy-rewrites-host.log")
    );
    assert!(evidence["line"].as_u64().unwrap() > 0);
    assert!(evidence["text"].is_string());
    assert_eq!(finding["facts"]["error.code"], "SignatureDoesNotMatch");
    assert_eq!(finding["signature_diff"][0]["component"], "header:host");
}

#[test]
fn planted_secrets_never_reach_any_output() {
    let secret = "Zq9wRkT3bLmN8xVc2HyU5aPe7GdJ4sFo1KiWnQ6t";
    let token = "IQoJb3JpZ2luX2VjEPLANTEDTOKENvYXdzEFQaCXVzLWVhc3QtMSJHMEUCIQD";
    let password = "hunter2hunter2";
    let text = std::fs::read_to_string(fixture("s3-ls-wrong-secret")).unwrap();
    let planted = text
        .replace(
            "The request signature we calculated does not match the signature you provided.",
            &format!(
                "The request signature we calculated does not match the signature you provided. aws_secret_access_key={secret} X-Amz-Security-Token: {token} via http://bob:{password}@proxy.corp:3128/ raw {secret}"
            ),
        )
        .replace("'X-Amz-Date'", &format!("'X-Amz-Security-Token': b'{token}', 'X-Amz-Date'"));
    assert_ne!(planted, text, "the plant took");
    for format in ["json", "human"] {
        let out = run(
            &["--format", format, "--color", "never", "--no-redact"],
            planted.as_bytes(),
        );
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("<redacted>"),
            "{format}: something was redacted:\n{shown}"
        );
        for s in [secret, token, password] {
            assert!(!shown.contains(s), "{format} leaks {s}:\n{shown}");
        }
    }
}

#[test]
fn a_secret_straddling_the_display_cut_is_hidden_whole() {
    // Human output cuts long evidence lines; the cut must not leave a
    // secret's head unredacted.
    let secret = "Zq9wRkT3bLmN8xVc2HyU5aPe7GdJ4sFo1KiWnQ6t";
    let text = std::fs::read_to_string(fixture("s3-ls-access-denied")).unwrap();
    // The line starts with 76 characters before the padding; the display
    // cut is at 220, so these paddings put the secret across the cut.
    for pad in [110, 120, 130, 140] {
        let planted: String = text
            .lines()
            .map(|l| match l.starts_with("An error occurred (") {
                true => format!("An error occurred (AccessDenied) when calling the ListObjectsV2 operation: {}{secret} tail\n", "word ".repeat(pad / 5)),
                false => format!("{l}\n"),
            })
            .collect();
        let out = run(&["--color", "never"], planted.as_bytes());
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("word word"),
            "the planted line is shown:\n{shown}"
        );
        for n in [8, 12, 20] {
            assert!(
                !shown.contains(&secret[..n]),
                "pad {pad}: {n} characters of the secret leak:\n{shown}"
            );
        }
    }
}

#[test]
fn key_ids_are_masked_unless_asked() {
    let log = fixture("s3-ls-wrong-secret");
    let masked = String::from_utf8(run(&["--format", "json", &log], b"").stdout).unwrap();
    let key = json_key_id(
        &String::from_utf8(run(&["--format", "json", "--no-redact", &log], b"").stdout).unwrap(),
    );
    assert!(key.len() == 20 && key.starts_with("AK"), "{key}");
    assert!(!masked.contains(&key));
    assert!(masked.contains(&format!("{}…{}", &key[..4], &key[16..])));
}

fn json_key_id(doc: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(doc).unwrap();
    v["inputs"][0]["findings"][0]["facts"]["credential.access_key_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn escape_sequences_from_logs_never_reach_the_terminal() {
    let text = std::fs::read_to_string(fixture("s3-ls-access-denied")).unwrap();
    // The final error line carries a hostile OSC title and a screen clear.
    let hostile: String = text
        .lines()
        .map(|l| match l.starts_with("An error occurred (") {
            true => format!("{l} \x1b]0;pwned\x07\x1b[2J\n"),
            false => format!("{l}\n"),
        })
        .collect();
    assert_ne!(hostile, text);
    let out = run(&["--color", "always"], hostile.as_bytes());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("\\e]0;pwned\\x07"), "{shown}");
    assert!(!shown.contains("\x1b]0;"), "raw OSC reached the terminal");
    assert!(!shown.contains("\x1b[2J"), "raw CSI reached the terminal");
}

#[test]
fn colour_follows_flag_and_no_color() {
    let log = fixture("s3-ls-wrong-secret");
    let always = run(&["--color", "always", &log], b"");
    assert!(always.stdout.contains(&0x1b));
    let never = run(&["--color", "never", &log], b"");
    assert!(!never.stdout.contains(&0x1b));
    let piped = run(&[&log], b"");
    assert!(
        !piped.stdout.contains(&0x1b),
        "auto is off when stdout is not a terminal"
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = fixtures_dir();
    let render = |threads: &str| {
        bin()
            .env("RAYON_NUM_THREADS", threads)
            .args(["--format", "json", dir.to_str().unwrap()])
            .output()
            .unwrap()
            .stdout
    };
    let one = render("1");
    assert!(!one.is_empty());
    assert_eq!(one, render("4"));
}

#[test]
fn several_runs_in_one_input_are_separate_incidents() {
    let a = std::fs::read_to_string(fixture("s3-ls-ok")).unwrap();
    let b = std::fs::read_to_string(fixture("s3-ls-no-credentials")).unwrap();
    let c = std::fs::read_to_string(fixture("sts-get-caller-identity-expired-token")).unwrap();
    let out = run(&["--format", "json"], format!("{a}{b}{c}").as_bytes());
    let report = json(&out);
    let findings = report["inputs"][0]["findings"].as_array().unwrap();
    let verdicts: Vec<(&str, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["incident"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(verdicts[0], ("credentials.missing", 0));
    assert!(verdicts.contains(&("token.expired", 1)), "{verdicts:?}");
    let line_a = a.lines().count() as u64;
    assert!(
        findings[0]["evidence"][0]["line"].as_u64().unwrap() > line_a,
        "line numbers count from the start of the input"
    );
}

#[test]
fn forced_text_format_still_finds_one_line_failures() {
    let out = run(
        &["--input-format", "text", "--format", "json"],
        b"step 3\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n",
    );
    let report = json(&out);
    assert_eq!(report["inputs"][0]["format"], "text");
    assert_eq!(verdict(&report["inputs"][0]), "credentials.missing");
    assert_eq!(report["inputs"][0]["findings"][0]["evidence"][0]["line"], 2);
}

/// Every command writes stdout through one place: a closed pipe ends the
/// output quietly and a full disk is an error with a message, never a
/// panic (`rules check` used `println!`, which panics on both).
#[test]
fn closed_or_full_stdout_never_panics() {
    let log = fixture("s3-ls-wrong-secret");
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/default.rules");
    let commands: [&[&str]; 6] = [
        &[&log],
        &["rules", "check", rules],
        &["rules", "list"],
        &["rules", "test", rules],
        &["explain", "SignatureDoesNotMatch"],
        &["config", "--config-file", rules],
    ];
    for args in commands {
        // The read end is closed before authsift starts: every write fails
        // with EPIPE, whatever the timing.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let closed = bin()
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(writer)
            .output()
            .unwrap();
        let err = stderr(&closed);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("writing output"), "{args:?}: {err}");
        assert_ne!(closed.status.code(), Some(101), "{args:?}");

        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            continue;
        };
        let out = bin()
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains("authsift: writing output: "),
            "{args:?}: {err}"
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// `--color auto` off a terminal: CLICOLOR_FORCE turns colour on, NO_COLOR
/// beats it; the same decision for `config`.
#[test]
fn clicolor_force_and_no_color() {
    let log = fixture("s3-ls-wrong-secret");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/default.rules");
    let commands: [&[&str]; 2] = [&[&log], &["config", "--config-file", config]];
    for args in commands {
        let with = |vars: &[(&str, &str)]| {
            let mut cmd = bin();
            cmd.args(args).env_remove("CLICOLOR_FORCE");
            for (k, v) in vars {
                cmd.env(k, v);
            }
            cmd.stdin(std::process::Stdio::null()).output().unwrap()
        };
        assert!(
            with(&[("CLICOLOR_FORCE", "1")]).stdout.contains(&0x1b),
            "{args:?}"
        );
        assert!(
            !with(&[("CLICOLOR_FORCE", "0")]).stdout.contains(&0x1b),
            "{args:?}"
        );
        let both = with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
        assert!(!both.stdout.contains(&0x1b), "{args:?}");
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A program on PATH, if there is one.
fn on_path(name: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

#[test]
fn completion_scripts_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell], b"");
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        // Subcommands and flags come from the clap definitions (fish
        // spells `--format` as `-l format`).
        for word in ["explain", "completions", "format", "since", "input-format"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"], b"").status.code(), Some(2));
}

#[test]
fn bash_completion_parses_and_completes() {
    let script = stdout(&run(&["completions", "bash"], b""));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("authsift.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    // Completing `authsift expl` and `authsift --format js`, as bash would.
    let complete = |words: &str, cword: usize| -> String {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             _authsift authsift \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &program])
            .output()
            .expect("bash runs");
        stdout(&out).trim().to_string()
    };
    assert_eq!(complete("authsift expl", 1), "explain");
    assert_eq!(complete("authsift --format js", 2), "json jsonl");
}

#[test]
fn man_page_renders() {
    let out = run(&["man"], b"");
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH authsift 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH EXAMPLES"] {
        assert!(page.contains(section), "no {section}");
    }
    // Every request line is one roff knows the shape of.
    for line in page.lines().filter(|l| l.starts_with('.')) {
        assert!(
            line[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '\\'),
            "odd request line {line:?}"
        );
    }
    let Some(man) = on_path("man") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("authsift.1");
    std::fs::write(&path, &page).unwrap();
    let shown = std::process::Command::new(man)
        .args(["--warnings", "-l"])
        .arg(&path)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .output()
        .expect("man runs");
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert_eq!(stderr(&shown), "", "man warns");
    let text = stdout(&shown);
    assert!(text.contains("EXAMPLES"), "{text}");
    // The examples keep their columns.
    assert!(
        text.lines()
            .any(|l| l.contains("authsift job.log") && l.contains("analyze a saved log")),
        "{text}"
    );
}

/// Every subcommand path, from the clap definitions (so a new one is
/// checked too), without clap's own `help`.
fn subcommand_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.to_vec();
            p.push(sub.get_name().to_string());
            out.push(p.clone());
            walk(sub, &p, out);
        }
    }
    let mut out = Vec::new();
    walk(
        &<authsift::cli::Cli as clap::CommandFactory>::command(),
        &[],
        &mut out,
    );
    out
}

#[test]
fn every_subcommand_has_a_description_and_examples() {
    let paths = subcommand_paths();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        // The short help: one line an argument.
        args.push("-h");
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let help = stdout(&out);
        let first = help.lines().next().unwrap_or("");
        assert!(
            !first.is_empty() && !first.starts_with("Usage"),
            "{args:?} has no description:\n{help}"
        );
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|l| *l != "Examples:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.contains("authsift"))
            .collect();
        assert!(
            (2..=4).contains(&examples.len()),
            "{args:?} shows {} examples:\n{help}",
            examples.len()
        );
        // Every positional argument says what it is.
        let arguments = help
            .lines()
            .skip_while(|l| *l != "Arguments:")
            .skip(1)
            .take_while(|l| !l.is_empty());
        for line in arguments {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(words.len() > 1, "{args:?}: {line:?} is not described");
        }
    }
}

#[test]
fn top_level_help_names_the_offline_docs() {
    let help = stdout(&run(&["--help"], b""));
    for command in ["authsift schema", "authsift rules language", "authsift man"] {
        assert!(help.contains(command), "{command} missing:\n{help}");
    }
    assert!(!help.contains("docs/schema"), "{help}");
    assert!(!help.contains("rules/README.md"), "{help}");
}

#[test]
fn schemas_and_rule_language_are_built_in() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, file) in [
        (&["schema"][..], "docs/schema/authsift.schema.json"),
        (&["schema", "json"][..], "docs/schema/authsift.schema.json"),
        (
            &["schema", "jsonl"][..],
            "docs/schema/authsift-jsonl.schema.json",
        ),
        (&["rules", "language"][..], "rules/README.md"),
    ] {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(
            stdout(&out),
            std::fs::read_to_string(root.join(file)).unwrap(),
            "{args:?}"
        );
    }
    let schema: serde_json::Value = serde_json::from_slice(&run(&["schema"], b"").stdout).unwrap();
    assert!(schema["$schema"].is_string());
    assert_eq!(run(&["schema", "table"], b"").status.code(), Some(2));
}

#[test]
fn empty_piped_stdin_is_still_read() {
    let out = run(&["--format", "json"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>: empty input"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("no input:"), "{}", stderr(&out));
    assert_eq!(json(&out)["inputs"][0]["path"], "<stdin>");
}

/// `authsift` alone with a terminal on stdin, through script(1) when the
/// machine has it (util-linux): the hint, status 2, nothing on stdout.
#[test]
fn a_bare_run_at_a_terminal_prints_the_hint() {
    let Some(script) = on_path("script") else {
        return;
    };
    let program = format!(
        "{} 2>&1; echo \"status=$?\"",
        env!("CARGO_BIN_EXE_authsift")
    );
    let out = std::process::Command::new(script)
        .args(["-qec", &program, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script runs");
    let shown = stdout(&out);
    assert!(
        shown.contains("no input: authsift reads a log on stdin"),
        "{shown}"
    );
    assert!(
        shown.contains("aws s3 ls --debug 2>&1 | authsift"),
        "{shown}"
    );
    assert!(shown.contains("status=2"), "{shown}");
    assert!(shown.lines().count() <= 24, "{shown}");
}

#[test]
fn counts_agree_with_their_nouns() {
    let out = run(&["--color", "never"], b"hello\n");
    assert!(stdout(&out).contains("(1 record)"), "{}", stdout(&out));
    let trail = fixtures_dir()
        .parent()
        .unwrap()
        .join("cloudtrail/records.json");
    let out = run(&["--format", "table", trail.to_str().unwrap()], b"");
    let text = stdout(&out);
    assert!(
        text.contains(
            "1 of the failures is a call an AWS service made on your behalf; it is left out below"
        ),
        "{text}"
    );
    assert!(!text.contains("1 of the failures are"), "{text}");
}

#[test]
fn times_side_by_side_share_one_format() {
    let out = run(
        &["--color", "never", &fixture("s3-ls-clock-skew-ahead")],
        b"",
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "signed at 2026-11-26T17:59:30Z but the server's clock read 2026-11-26T15:59:30Z"
        ),
        "{text}"
    );
    assert!(
        text.contains("client signed   2026-11-26T17:59:30Z"),
        "{text}"
    );
    assert!(!text.contains("20261126T175930Z"), "{text}");
    // Machine formats keep the value as logged among the facts.
    let out = run(
        &["--format", "json", &fixture("s3-ls-clock-skew-ahead")],
        b"",
    );
    let facts = &json(&out)["inputs"][0]["findings"][0]["facts"];
    assert_eq!(facts["request.amz_date"], "20261126T175930Z");
}

#[test]
fn tables_fit_columns_and_keep_ids_whole() {
    let list = |columns: &str| {
        let out = bin()
            .env("COLUMNS", columns)
            .args(["rules", "list"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        stdout(&out)
    };
    let ids = |table: &str| -> Vec<String> {
        table
            .lines()
            .filter(|l| l.starts_with("│ ") && !l.starts_with("│ rule "))
            .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
            .collect()
    };
    let wide = list("250");
    let all = ids(&wide);
    assert!(all.len() >= 15, "{wide}");
    assert!(all.contains(&"clock.skew".to_string()), "{wide}");
    for columns in ["60", "80", "100", "160"] {
        let width: usize = columns.parse().unwrap();
        let text = list(columns);
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "COLUMNS={columns}: {} wide:\n{text}",
                line.chars().count()
            );
        }
        // One line a rule, its id whole: titles give way, with `…`.
        assert_eq!(ids(&text), all, "COLUMNS={columns}:\n{text}");
        if width <= 80 {
            assert!(text.contains('…'), "{text}");
        }
    }
    // CloudTrail's summary tables (long keys, user agents, ARNs) fit too.
    let archive = fixtures_dir().parent().unwrap().join("cloudtrail/archive");
    let out = bin()
        .env("COLUMNS", "80")
        .args(["--format", "table"])
        .arg(&archive)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("user agent"), "{text}");
    for line in text.lines().filter(|l| l.starts_with(['│', '┌', '└', '╞'])) {
        assert!(line.chars().count() <= 80, "{text}");
    }
}

#[cfg(unix)]
#[test]
fn a_walk_reports_a_loop_once_and_a_binary_file_without_hiding_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    std::fs::create_dir_all(root.join("job")).unwrap();
    std::fs::copy(
        fixture("s3-ls-wrong-secret"),
        root.join("job/s3-ls-wrong-secret.log"),
    )
    .unwrap();
    std::fs::write(root.join("core.bin"), [0x7f, b'E', b'L', b'F', 0, 1, 2, 3]).unwrap();
    std::os::unix::fs::symlink("..", root.join("job/up")).unwrap();
    let out = run(&["--format", "json", root.to_str().unwrap()], b"");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "the failure decides: {err}");
    assert_eq!(err.matches("symbolic link loop").count(), 1, "{err}");
    assert_eq!(err.matches("binary data, not a log").count(), 1, "{err}");
    let report = json(&out);
    let analysed: Vec<&serde_json::Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["errors"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(analysed.len(), 1, "the log once, under one name: {report}");
    assert_eq!(verdict(analysed[0]), "credentials.wrong-secret");

    // With no failure anywhere, an unreadable file still says so (2); an
    // input named on the command line always does.
    std::fs::remove_file(root.join("job/s3-ls-wrong-secret.log")).unwrap();
    std::fs::copy(fixture("s3-ls-ok"), root.join("job/ok.log")).unwrap();
    assert_eq!(run(&[root.to_str().unwrap()], b"").status.code(), Some(2));
    let binary = root.join("core.bin");
    let failing = fixture("s3-ls-wrong-secret");
    let out = run(&[binary.to_str().unwrap(), &failing], b"");
    assert_eq!(out.status.code(), Some(2));
}

/// The inputs a run over files without a failure read, as paths under
/// `root`.
fn walked(root: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let p = i["path"].as_str().unwrap();
            p.strip_prefix(root.to_str().unwrap())
                .unwrap_or(p)
                .trim_start_matches('/')
                .to_string()
        })
        .collect()
}

#[test]
fn glob_and_exclude_choose_what_a_walk_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    for path in ["a.log", "b.txt", "sub/c.log", "old/d.log", "sub/old/e.log"] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(fixture("s3-ls-ok"), &path).unwrap();
    }
    let read = |args: &[&str]| walked(&root, args);
    let logs = root.to_str().unwrap();
    assert_eq!(read(&[logs]).len(), 5);
    assert_eq!(
        read(&[logs, "--glob", "*.log", "--exclude", "old"]),
        ["a.log", "sub/c.log"]
    );
    assert_eq!(read(&[logs, "--glob", "sub/*.log"]), ["sub/c.log"]);
    assert_eq!(
        read(&[logs, "--glob", "sub/**/*.log"]),
        ["sub/c.log", "sub/old/e.log"]
    );
    assert_eq!(read(&[logs, "--exclude", "*.log"]), ["b.txt"]);
    // A file named as an input is read whatever the globs say.
    let txt = root.join("b.txt");
    assert_eq!(read(&[txt.to_str().unwrap(), "--glob", "*.log"]), ["b.txt"]);
    let out = run(&[logs, "--glob", "a[b"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`a[b` is not a glob"),
        "{}",
        stderr(&out)
    );
}

/// The walk honours `.gitignore` inside a git repository and `.ignore`
/// anywhere, skips hidden entries, and `--hidden`/`--no-ignore` undo that,
/// as with ripgrep.
#[test]
fn a_walk_reads_ignore_files_and_hidden_entries_as_ripgrep_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    for path in ["a.log", "build/b.log", ".cache/c.log", "scratch.log"] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(fixture("s3-ls-ok"), &path).unwrap();
    }
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(root.join(".ignore"), "scratch.log\n").unwrap();
    let read = |extra: &[&str]| {
        let mut args = vec![root.to_str().unwrap()];
        args.extend_from_slice(extra);
        walked(&root, &args)
    };
    assert_eq!(read(&[]), ["a.log"]);
    assert_eq!(
        read(&["--no-ignore"]),
        ["a.log", "build/b.log", "scratch.log"]
    );
    let hidden = read(&["--hidden", "--glob", "*.log"]);
    assert_eq!(hidden, [".cache/c.log", "a.log"]);
    let all = read(&["--hidden", "--no-ignore", "--glob", "*.log"]);
    assert_eq!(all, [".cache/c.log", "a.log", "build/b.log", "scratch.log"]);
}

/// `authsift logs/ > logs/report.txt`: the shell creates the report before
/// the walk, which leaves it alone instead of reading it as an input.
#[cfg(unix)]
#[test]
fn a_report_redirected_into_the_walked_directory_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(fixture("s3-ls-wrong-secret"), logs.join("job.log")).unwrap();
    let report = std::fs::File::create(logs.join("report.txt")).unwrap();
    let out = bin()
        .args(["--format", "json", logs.to_str().unwrap()])
        .stdout(report)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let written = std::fs::read_to_string(logs.join("report.txt")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    let paths: Vec<&str> = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("job.log"), "{paths:?}");
}

/// Logs are often gitignored (`*.log`): a directory whose every file the
/// ignore rules skip is said to be so (exit 2), never a clean bill.
#[test]
fn a_directory_whose_every_file_is_ignored_is_not_a_clean_bill() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".gitignore"), "*.log\n").unwrap();
    std::fs::copy(fixture("s3-ls-wrong-secret"), root.join("job.log")).unwrap();
    let out = run(&[root.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("named by a .gitignore or .ignore file; --no-ignore reads them"),
        "{}",
        stderr(&out)
    );
    let out = run(&[root.to_str().unwrap(), "--no-ignore"], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Nothing to read at all, or nothing the globs take: no such message.
    let out = run(&[root.to_str().unwrap(), "--exclude", "*.log"], b"");
    assert!(
        !stderr(&out).contains("named by a .gitignore"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(root.join("job.log")).unwrap();
    let out = run(&[root.to_str().unwrap()], b"");
    assert!(
        !stderr(&out).contains("named by a .gitignore"),
        "{}",
        stderr(&out)
    );
}
