//! authsift: explains AWS authentication and authorization failures from
//! the logs people already have, offline.
//!
//! The pipeline, one plain function per arrow:
//!
//! ```text
//! input::read ─► formats::sniff/parse ─► model::Run ─► facts::incident
//!             ─► rules::RuleSet::evaluate ─► finding::Finding ─► report::render
//! ```

pub mod analyze;
pub mod chunk;
pub mod cli;
pub mod config;
pub mod facts;
pub mod finding;
pub mod formats;
pub mod input;
pub mod model;
pub mod outcome;
pub mod progress;
pub mod report;
pub mod response;
pub mod rules;
pub mod sigv4;
pub mod text;
pub mod time;
pub mod trail;

use std::io::{self, IsTerminal, Write};

use input::Source;
use outcome::Report;
use rules::RuleSet;

pub use analyze::{Options, analyze, analyze_bytes, analyze_text};

/// The binary's whole job; returns the exit code.
pub fn run(cli: &cli::Cli) -> u8 {
    match &cli.command {
        Some(cli::Command::Rules(command)) => run_rules(command),
        Some(cli::Command::Explain { what, rules }) => match load_rules(rules) {
            Some(set) => match report::explain(&set, what) {
                Some(text) => write_stdout(&text),
                None => {
                    eprintln!(
                        "authsift: `{}` is neither a rule id nor an error code the rules know (see: authsift rules list)",
                        report::terminal::sanitize(what)
                    );
                    2
                }
            },
            None => 2,
        },
        Some(cli::Command::Config(args)) => config::run(args),
        Some(cli::Command::Sigv4(cli::Sigv4Command::Diff { a, b })) => {
            match sigv4::diff_files::run(a, b) {
                Ok((text, differ)) => match write_stdout(&text) {
                    0 => u8::from(differ),
                    failed => failed,
                },
                Err(e) => {
                    eprintln!("authsift: {}", report::terminal::sanitize(&e.to_string()));
                    2
                }
            }
        }
        None => run_analysis(cli),
    }
}

/// Writes results to stdout; a closed pipe (`| head`) ends the run quietly.
fn write_stdout(text: &str) -> u8 {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("authsift: writing output: {e}");
            2
        }
    }
}

/// Loads the rules in force; a broken rule file is reported (file, line,
/// column and a caret) and ends the run with exit code 2.
fn load_rules(args: &cli::RuleArgs) -> Option<RuleSet> {
    match RuleSet::load(!args.no_default_rules, &args.files) {
        Ok(set) => Some(set),
        Err(e) => {
            // Three lines (location and message, source line, caret): each
            // is sanitised on its own so the layout survives.
            let shown: Vec<String> = e
                .to_string()
                .lines()
                .map(|l| report::terminal::sanitize(l).into_owned())
                .collect();
            eprintln!("authsift: {}", shown.join("\n"));
            None
        }
    }
}

fn run_rules(command: &cli::RulesCommand) -> u8 {
    match command {
        cli::RulesCommand::List { rules } => match load_rules(rules) {
            Some(set) => write_stdout(&report::rules_table(&set)),
            None => 2,
        },
        cli::RulesCommand::Check { files } => {
            let mut failed = false;
            for file in files {
                let args = cli::RuleArgs {
                    files: vec![file.clone()],
                    no_default_rules: false,
                };
                match load_rules(&args) {
                    Some(set) => println!(
                        "{}: ok ({} rules in force)",
                        file.display(),
                        set.rules().len()
                    ),
                    None => failed = true,
                }
            }
            if failed { 2 } else { 0 }
        }
        cli::RulesCommand::Test { files } => {
            let mut outcome = rules::examples::Outcome::default();
            for file in files {
                let args = cli::RuleArgs {
                    files: vec![file.clone()],
                    no_default_rules: false,
                };
                let Some(set) = load_rules(&args) else {
                    return 2;
                };
                let run = |path: &std::path::Path| {
                    let sources = [Ok(Source::File(path.to_path_buf()))];
                    let input = analyze(&sources, &set, &Options::default(), None)
                        .inputs
                        .remove(0);
                    match input.errors.into_iter().next() {
                        Some(error) => Err(error),
                        None => Ok(input.findings),
                    }
                };
                outcome.merge(rules::examples::run(&set, file, &run));
            }
            let code = write_stdout(&outcome.report());
            match (code, outcome.failed) {
                (0, 0) => 0,
                (0, _) => 1,
                (failed, _) => failed,
            }
        }
    }
}

fn run_analysis(cli: &cli::Cli) -> u8 {
    // Refused before any work: the report must never replace an input.
    if let Some(output) = &cli.output
        && let Some(why) = input::output_clash(output, &cli.inputs)
    {
        eprintln!(
            "authsift: refusing to write the report to {}: {}",
            report::terminal::sanitize(&output.display().to_string()),
            report::terminal::sanitize(&why)
        );
        return 2;
    }
    let Some(rules) = load_rules(&cli.rules) else {
        return 2;
    };
    let secret = match cli.secret_source().map(|s| sigv4::verify::Secret::load(&s)) {
        None => None,
        Some(Ok(secret)) => Some(secret),
        Some(Err(e)) => {
            eprintln!("authsift: {}", report::terminal::sanitize(&e.to_string()));
            return 2;
        }
    };
    let window = match time_window(cli) {
        Ok(window) => window,
        Err(e) => {
            eprintln!("authsift: {}", report::terminal::sanitize(&e));
            return 2;
        }
    };
    let options = Options {
        input_format: cli.input_format.forced(),
        secret,
        events: analyze::EventOptions {
            window,
            // The table summarises events instead of listing them.
            keep_findings: cli.format != report::OutputFormat::Table,
        },
    };
    let sources = input::expand(&cli.inputs);
    let started = std::time::Instant::now();
    let progress = show_progress(cli, sources.len()).then(progress::Progress::default);
    let report = progress::show_while(
        progress.as_ref(),
        io::stderr(),
        progress::terminal_width,
        || analyze(&sources, &rules, &options, progress.as_ref()),
    );
    let elapsed = started.elapsed();
    let sizes = report::input_sizes(&sources);
    // Messages about an input quote the input: they get the reports'
    // redaction too, so no secret reaches stderr either.
    let redactor = report::redact::Redactor {
        mask_key_ids: !cli.no_redact,
    };
    if !cli.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        for e in report.inputs.iter().flat_map(|i| &i.errors) {
            let shown = redactor.text(e);
            let _ = writeln!(err, "authsift: {}", report::terminal::sanitize(&shown));
        }
        // The text formats say it themselves; machine formats get it here.
        let says_itself = matches!(
            cli.format,
            report::OutputFormat::Human
                | report::OutputFormat::Markdown
                | report::OutputFormat::Table
        );
        if !says_itself {
            write_trail_notes(&mut err, &report);
        }
        let read: u64 = report
            .inputs
            .iter()
            .filter_map(|i| sizes.get(&i.path))
            .sum();
        write_event_totals(&mut err, &report, read, elapsed);
    }
    let to_file = cli.output.is_some();
    let render = report::RenderOptions {
        redactor,
        color: use_color(cli.color) && !(to_file && cli.color == cli::ColorChoice::Auto),
        now: cli.timestamp.then(report::now),
        width: report::table::width(to_file),
        rules: report::RulesInfo::new(&rules, !cli.rules.no_default_rules, &cli.rules.files),
        sizes,
    };
    let text = report::render(&report, cli.format, &render);
    let written = match &cli.output {
        Some(path) => report::write_file(path, &text),
        None => write_stdout(&text),
    };
    let code = match written {
        0 => report.exit_code() as u8,
        failed => failed,
    };
    // The process ends here: freeing a big log's findings one by one takes
    // longer than the rest of the output step, and the OS reclaims it all.
    std::mem::forget((report, text));
    code
}

/// The end-of-run line of event inputs (CloudTrail, S3 access logs):
/// events, files, skipped files, throughput. Wall-clock figures go to
/// stderr only, so results on stdout depend on the input alone.
fn write_event_totals(
    err: &mut impl Write,
    report: &Report,
    bytes: u64,
    elapsed: std::time::Duration,
) {
    let event_inputs = report.inputs.iter().filter(|i| i.summary.is_some()).count();
    let skipped = report.not_opened
        + report
            .inputs
            .iter()
            .filter(|i| trail::skipped(i.format).is_some() || !i.errors.is_empty())
            .count();
    let Some(summary) = report.summary() else {
        return;
    };
    if report.not_opened > 0 {
        let _ = writeln!(
            err,
            "authsift: {} CloudTrail file(s) delivered before --since were not opened",
            report.not_opened
        );
    }
    let seconds = elapsed.as_secs_f64().max(1e-6);
    let _ = writeln!(
        err,
        "authsift: {} events in {event_inputs} file(s), {skipped} skipped; {:.1} MB in {:.2} s ({:.0} events/s, {:.1} MB/s)",
        summary.events,
        bytes as f64 / 1e6,
        seconds,
        summary.events as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
    );
}

/// The `--since`/`--until` window; relative forms count back from now.
fn time_window(cli: &cli::Cli) -> Result<time::Window, String> {
    let now = report::now();
    let bound = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| time::parse_bound(v, now).map_err(|e| format!("--{flag}: {e}")))
            .transpose()
    };
    let window = time::Window {
        since: bound("since", &cli.since)?,
        until: bound("until", &cli.until)?,
    };
    if let (Some(since), Some(until)) = (window.since, window.until)
        && since >= until
    {
        return Err("--since must be before --until".to_string());
    }
    Ok(window)
}

/// CloudTrail notes on stderr: skipped digest/Insights files, and what a
/// CloudTrail input without a failure cannot rule out (renderers show the
/// input as `format: cloudtrail`; this says what that implies).
fn write_trail_notes(err: &mut impl Write, report: &Report) {
    let skipped: Vec<(&str, &str)> = report
        .inputs
        .iter()
        .filter_map(|i| trail::skipped(i.format).map(|why| (i.path.as_str(), why)))
        .collect();
    if let Some((path, why)) = skipped.first() {
        let more = match skipped.len() {
            1 => String::new(),
            n => format!(" (and {} more CloudTrail digest/Insights files)", n - 1),
        };
        let line = format!("skipped {path}: {why}{more}");
        let _ = writeln!(err, "authsift: {}", report::terminal::sanitize(&line));
    }
    let quiet_trails = report
        .inputs
        .iter()
        .filter(|i| trail::is_trail(i.format) && i.errors.is_empty() && i.findings.is_empty())
        .count();
    if quiet_trails > 0 {
        let _ = writeln!(
            err,
            "authsift: note: {quiet_trails} CloudTrail input(s) without a failure: {}",
            trail::NOT_RECORDED
        );
    }
}

/// Whether to draw the progress line: `auto` only for a person watching a
/// terminal (stderr is one, no --quiet) while more than one input is read;
/// a single input, stdin included, is counted only when it has finished, so
/// the line would say nothing until the end. NO_COLOR is about colour and
/// does not turn it off.
fn show_progress(cli: &cli::Cli, inputs: usize) -> bool {
    match cli.progress {
        cli::ProgressChoice::Always => true,
        cli::ProgressChoice::Never => false,
        cli::ProgressChoice::Auto => !cli.quiet && inputs > 1 && io::stderr().is_terminal(),
    }
}

fn use_color(choice: cli::ColorChoice) -> bool {
    match choice {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}
