//! authsift: explains AWS authentication and authorization failures from
//! the logs people already have, offline.
//!
//! The pipeline, one plain function per arrow:
//!
//! ```text
//! input::read ─► formats::sniff/parse ─► model::Run ─► facts::incident
//!             ─► classify::classify ─► finding::Finding ─► report::render
//! ```

pub mod classify;
pub mod cli;
pub mod facts;
pub mod finding;
pub mod formats;
pub mod input;
pub mod model;
pub mod report;
pub mod response;
pub mod sigv4;
pub mod time;

use std::io::{self, IsTerminal, Write};

use rayon::prelude::*;

use formats::Format;
use input::Source;
use report::{InputReport, Report};

/// Analysis settings that do not concern rendering.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip sniffing and parse every input as this format.
    pub input_format: Option<Format>,
}

/// Analyzes one input's text.
pub fn analyze_text(path: &str, text: &str, options: &Options) -> InputReport {
    let format = options.input_format.unwrap_or_else(|| formats::sniff(text));
    let runs = formats::parse(text, format);
    let mut findings = Vec::new();
    let mut unclassified = Vec::new();
    let incidents = runs.iter().filter_map(facts::incident);
    for (index, incident) in incidents.enumerate() {
        let classified = classify::classify(&incident, index);
        if classified.is_empty() {
            unclassified.extend(incident.headline);
        }
        findings.extend(classified);
    }
    InputReport {
        path: path.to_string(),
        format: Some(format),
        records: runs.iter().map(|r| r.records).sum(),
        findings,
        unclassified,
        errors: Vec::new(),
    }
}

/// Reads and analyzes every source in parallel; results keep input order,
/// so output is the same whatever the thread count.
pub fn analyze(sources: &[Result<Source, input::InputError>], options: &Options) -> Report {
    let inputs = sources
        .par_iter()
        .map(|source| match source {
            Ok(source) => match input::read(source) {
                Ok(text) => analyze_text(&source.label(), &text, options),
                Err(e) => InputReport::failed(source.label(), e.to_string()),
            },
            Err(e) => InputReport::failed(e.path().to_string(), e.to_string()),
        })
        .collect();
    Report { inputs }
}

/// The binary's whole job; returns the exit code.
pub fn run(cli: &cli::Cli) -> u8 {
    let options = Options {
        input_format: cli.input_format.forced(),
    };
    let sources = input::expand(&cli.inputs);
    let report = analyze(&sources, &options);
    if !cli.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        for e in report.inputs.iter().flat_map(|i| &i.errors) {
            let _ = writeln!(err, "authsift: {}", report::terminal::sanitize(e));
        }
    }
    let render = report::RenderOptions {
        redactor: report::redact::Redactor {
            mask_key_ids: !cli.no_redact,
        },
        color: use_color(cli.color),
    };
    let text = report::render(&report, cli.format, &render);
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) ends the run quietly.
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("authsift: writing output: {e}");
            return 2;
        }
    }
    report.exit_code() as u8
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
