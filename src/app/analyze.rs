//! Analyzing logs (the default command): settings → [`crate::analyze`](mod@crate::analyze) →
//! [`crate::report::render`] → output, with what the run says on stderr
//! (unreadable inputs, CloudTrail notes, event totals) and the exit status.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use super::exit::{Error, Exit};
use super::output;
use super::settings::{Analyze, ProgressWhen};
use crate::analyze::{EventOptions, Options};
use crate::input::{self, InputError, Source};
use crate::outcome::Report;
use crate::report::terminal::sanitize;
use crate::report::{self, OutputFormat, RenderOptions, RulesInfo, redact::Redactor};
use crate::sigv4::verify::Secret;
use crate::text::counted;
use crate::{progress, time, trail};

/// Runs the command. Checks come first, in this order, before any input is
/// read: the output does not clash with an input, the rules load, the
/// secret can be read, the time window makes sense, the globs compile.
pub fn run(settings: &Analyze) -> Result<Exit, Error> {
    // Refused before any work: the report must never replace an input.
    settings.output.refuse_clash(&settings.inputs)?;
    let rules = super::rules::load(&settings.rules)?;
    let secret = match &settings.secret {
        Some(source) => Some(Secret::load(source).map_err(Error::Secret)?),
        None => None,
    };
    let window = time_window(settings).map_err(Error::Window)?;
    let options = Options {
        input_format: settings.input_format,
        max_line_bytes: settings.max_line_bytes,
        limits: settings.limits,
        secret,
        events: EventOptions {
            window,
            // Only JSON lists each failed event's findings (and JSON Lines
            // each one's verdict, with --events; a partial summary keeps
            // them with --events, for a merge written as JSON: all in
            // memory until the end); the other formats group failures
            // (OCSF with --events writes the events themselves).
            keep_findings: match settings.format {
                OutputFormat::Json => true,
                OutputFormat::Jsonl | OutputFormat::Summary => settings.events,
                _ => false,
            },
            keep_events: settings.events,
            seen: Default::default(),
            record_ids: settings.format == OutputFormat::Summary,
        },
    };
    let mut filter =
        input::Filter::new(&settings.globs, &settings.excludes).map_err(Error::Glob)?;
    filter.hidden = settings.hidden;
    filter.no_ignore = settings.no_ignore;
    filter.max_files = settings.limits.files;
    let sources = input::expand_filtered(&settings.inputs, &filter);
    // Messages about an input quote the input: they get the reports'
    // redaction too, so no secret reaches stderr either.
    let redactor = Redactor {
        mask_key_ids: settings.mask_key_ids,
    };
    let render = RenderOptions {
        redactor,
        color: settings.color,
        now: settings.timestamp.then(report::now),
        events: settings.events,
        limit: settings.limit,
        width: report::table::width(settings.output.is_file()),
        rules: RulesInfo::new(&rules, settings.rules.defaults, &settings.rules.files),
        sizes: input_sizes(&sources),
    };
    // JSON, JSON Lines and OCSF are written as inputs finish (stdin shown
    // as it arrives is human text only).
    let streamed = report::Streamed::of(settings.format);
    let mut streaming = streamed.map(|_| output::Streamed::open(&settings.output));
    let started = std::time::Instant::now();
    // What was written as stdin arrived, and whether writing it failed.
    let mut shown = String::new();
    let mut shown_result = Ok(());
    let mut report = if streams_stdin(settings, &sources) {
        let input = crate::analyze::analyze_stdin(&rules, &options, &mut |so_far| {
            let blocks = report::human::render_incidents(so_far, &render);
            if shown_result.is_ok() {
                shown_result = output::write_stdout(&blocks);
            }
            shown.push_str(&blocks);
        });
        crate::analyze::report_of(input)
    } else {
        let progress = show_progress(settings, sources.len()).then(progress::Progress::default);
        progress::show_while(
            progress.as_ref(),
            io::stderr(),
            progress::terminal_width,
            || match (streamed, streaming.as_mut()) {
                (Some(format), Some(out)) => {
                    out.write(&format.head(&render));
                    let mut first = true;
                    crate::analyze::analyze_each(
                        &sources,
                        &rules,
                        &options,
                        progress.as_ref(),
                        &|input| {
                            // A report authsift wrote is no input's result.
                            if input.is_own_report() {
                                return String::new();
                            }
                            let part = format.input(input, &render);
                            input.written();
                            part
                        },
                        &mut |part| {
                            if part.is_empty() {
                                return;
                            }
                            if !std::mem::take(&mut first) {
                                out.write(format.joiner());
                            }
                            out.write(&part);
                        },
                    )
                }
                _ => crate::analyze::analyze(&sources, &rules, &options, progress.as_ref()),
            },
        )
    };
    let elapsed = started.elapsed();
    if !settings.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        for e in report.inputs.iter().flat_map(|i| &i.errors) {
            let shown = redactor.text(e);
            let _ = writeln!(err, "authsift: {}", sanitize(&shown));
        }
        for note in report.inputs.iter().flat_map(|i| &i.notes) {
            let _ = writeln!(err, "authsift: note: {}", sanitize(&redactor.text(note)));
        }
        // The text formats say it themselves; machine formats get it here.
        let says_itself = matches!(
            settings.format,
            OutputFormat::Human | OutputFormat::Markdown | OutputFormat::Table | OutputFormat::Html
        );
        if !says_itself {
            write_trail_notes(&mut err, &report);
        }
        if settings.format == OutputFormat::Summary {
            let left_out = report::partial::left_out(&report);
            if let Some(first) = left_out.first() {
                let line = format!(
                    "--format summary keeps event inputs only: {} left out (first: {first}); analyze it apart",
                    counted(left_out.len(), "log input")
                );
                let _ = writeln!(err, "authsift: {}", sanitize(&redactor.text(&line)));
            }
        }
        let read: u64 = report
            .inputs
            .iter()
            .filter_map(|i| render.sizes.get(&i.path))
            .sum();
        write_event_totals(&mut err, &report, read, elapsed);
    }
    // Reports authsift wrote were noted above; they are no input's result.
    report.inputs.retain(|i| !i.is_own_report());
    let (text, written) = match (streamed, streaming) {
        (Some(format), Some(mut out)) => {
            out.write(&format.tail(&report, &render));
            (String::new(), out.finish())
        }
        _ => {
            let text = report::render(&report, settings.format, &render);
            // What was shown as stdin arrived begins the report: the rest follows.
            let rest = text.strip_prefix(shown.as_str()).unwrap_or(&text);
            let written = shown_result.and_then(|()| output::write(&settings.output, rest));
            (text, written)
        }
    };
    // A problem with a file met while walking a directory does not hide
    // a failure found elsewhere; one with an input named on the command
    // line (or stdin) does.
    let named: std::collections::HashSet<String> = if settings.inputs.is_empty() {
        [Source::Stdin.label()].into()
    } else {
        settings
            .inputs
            .iter()
            .map(|p| match p.as_os_str() == "-" {
                true => Source::Stdin.label(),
                false => Source::File(p.clone()).label(),
            })
            .collect()
    };
    let exit = written.map(|()| Exit::from(report.status_named(|p| named.contains(p))));
    // The process ends soon after: freeing a big log's findings one by one
    // takes longer than the rest of the output step, and the OS reclaims it
    // all.
    std::mem::forget((report, text));
    exit
}

/// Whether stdin is analysed as it arrives: the only input, a pipe or a
/// terminal (not a file: what a file holds is there already), with its
/// findings going to stdout as human text (the other formats are one
/// document, or are read by programs that wait for the end anyway).
fn streams_stdin(settings: &Analyze, sources: &[Result<Source, InputError>]) -> bool {
    matches!(sources, [Ok(Source::Stdin)])
        && settings.format == OutputFormat::Human
        && !settings.output.is_file()
        && settings.progress != ProgressWhen::Always
        && !stdin_is_a_file()
}

#[cfg(unix)]
fn stdin_is_a_file() -> bool {
    use std::os::fd::AsFd;
    io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

#[cfg(windows)]
fn stdin_is_a_file() -> bool {
    use std::os::windows::io::AsHandle;
    io::stdin()
        .as_handle()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

#[cfg(not(any(unix, windows)))]
fn stdin_is_a_file() -> bool {
    false
}

/// On-disk sizes of the inputs that are files, by the path reports show.
fn input_sizes(sources: &[Result<Source, InputError>]) -> BTreeMap<String, u64> {
    sources
        .iter()
        .filter_map(|s| match s {
            Ok(source @ Source::File(path)) => std::fs::metadata(path)
                .ok()
                .map(|m| (source.label(), m.len())),
            _ => None,
        })
        .collect()
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
            .filter(|i| i.skipped().is_some() || !i.errors.is_empty())
            .count();
    let Some(summary) = report.summary() else {
        return;
    };
    if report.not_opened > 0 {
        let _ = writeln!(
            err,
            "authsift: {} delivered before --since {} not opened",
            counted(report.not_opened, "CloudTrail file"),
            if report.not_opened == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    let seconds = elapsed.as_secs_f64().max(1e-6);
    let _ = writeln!(
        err,
        "authsift: {} in {}, {skipped} skipped; {:.1} MB in {:.2} s ({:.0} events/s, {:.1} MB/s)",
        counted(summary.events, "event"),
        counted(event_inputs, "file"),
        bytes as f64 / 1e6,
        seconds,
        summary.events as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
    );
}

/// The `--since`/`--until` window; relative forms count back from now.
fn time_window(settings: &Analyze) -> Result<time::Window, String> {
    let now = report::now();
    let bound = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| time::parse_bound(v, now).map_err(|e| format!("--{flag}: {e}")))
            .transpose()
    };
    let window = time::Window {
        since: bound("since", &settings.since)?,
        until: bound("until", &settings.until)?,
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
        .filter_map(|i| i.skipped().map(|why| (i.path.as_str(), why)))
        .collect();
    if let Some((path, why)) = skipped.first() {
        let more = match skipped.len() {
            1 => String::new(),
            n => format!(" (and {} more CloudTrail digest/Insights files)", n - 1),
        };
        let line = format!("skipped {path}: {why}{more}");
        let _ = writeln!(err, "authsift: {}", sanitize(&line));
    }
    let quiet_trails = report
        .inputs
        .iter()
        .filter(|i| i.is_trail() && i.errors.is_empty() && i.findings.is_empty())
        .count();
    if quiet_trails > 0 {
        let _ = writeln!(
            err,
            "authsift: note: {quiet_trails} CloudTrail input(s) without a failure: {}",
            *trail::NOT_RECORDED
        );
    }
}

/// Whether to draw the progress line: `auto` only for a person watching a
/// terminal (stderr is one, no --quiet) while more than one input is read;
/// a single input, stdin included, is counted only when it has finished, so
/// the line would say nothing until the end. NO_COLOR is about colour and
/// does not turn it off.
fn show_progress(settings: &Analyze, inputs: usize) -> bool {
    match settings.progress {
        ProgressWhen::Always => true,
        ProgressWhen::Never => false,
        ProgressWhen::Auto => !settings.quiet && inputs > 1 && io::stderr().is_terminal(),
    }
}
