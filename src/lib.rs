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
    /// A secret access key to check logged signatures against.
    pub secret: Option<sigv4::verify::Secret>,
}

/// Inputs larger than this are cut into chunks that are analyzed in
/// parallel. Cuts depend only on the text, never on the thread count, so
/// the output is the same however many threads run.
const CHUNK_BYTES: usize = 4 << 20;

/// What one chunk of an input yielded.
#[derive(Default)]
struct ChunkResult {
    records: usize,
    incidents: usize,
    findings: Vec<finding::Finding>,
    unclassified: Vec<model::EvidenceLine>,
}

/// Analyzes one input's text.
pub fn analyze_text(path: &str, text: &str, options: &Options) -> InputReport {
    analyze_bytes(path, text.as_bytes(), options)
}

/// Analyzes one input's bytes; invalid UTF-8 is decoded lossily, chunk by
/// chunk (chunks start at line starts, which are character boundaries).
pub fn analyze_bytes(path: &str, text: &[u8], options: &Options) -> InputReport {
    let format = options.input_format.unwrap_or_else(|| {
        let head = &text[..text.len().min(formats::SNIFF_BYTES)];
        formats::sniff(&String::from_utf8_lossy(head))
    });
    let cuts = chunk_starts(text);
    let bounds: Vec<(usize, usize)> = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain([&text.len()]))
        .map(|(a, b)| (*a, *b))
        .collect();
    // Line numbers continue across chunks: count each chunk's lines first.
    let newlines: Vec<usize> = bounds
        .par_iter()
        .map(|(a, b)| memchr::memchr_iter(b'\n', &text[*a..*b]).count())
        .collect();
    let first_lines = newlines.iter().scan(1, |line, n| {
        let first = *line;
        *line += n;
        Some(first)
    });
    let jobs: Vec<(&[u8], usize)> = bounds
        .iter()
        .map(|(a, b)| &text[*a..*b])
        .zip(first_lines)
        .collect();
    let results: Vec<ChunkResult> = jobs
        .par_iter()
        .map(|(chunk, first_line)| {
            analyze_chunk(
                &String::from_utf8_lossy(chunk),
                *first_line,
                format,
                options.secret.as_ref(),
            )
        })
        .collect();

    let mut report = InputReport {
        path: path.to_string(),
        format: Some(format),
        records: 0,
        findings: Vec::new(),
        unclassified: Vec::new(),
        errors: Vec::new(),
    };
    report
        .findings
        .reserve(results.iter().map(|c| c.findings.len()).sum());
    let mut incidents = 0;
    for mut chunk in results {
        for f in &mut chunk.findings {
            f.incident += incidents;
        }
        incidents += chunk.incidents;
        report.records += chunk.records;
        report.findings.append(&mut chunk.findings);
        report.unclassified.append(&mut chunk.unclassified);
    }
    report
}

fn analyze_chunk(
    text: &str,
    first_line: usize,
    format: Format,
    secret: Option<&sigv4::verify::Secret>,
) -> ChunkResult {
    let mut out = ChunkResult::default();
    for run in formats::runs(text, first_line, format) {
        out.records += run.records;
        let Some(incident) = facts::incident_with_secret(&run, secret) else {
            continue;
        };
        let classified = classify::classify(&incident, out.incidents);
        if classified.is_empty() {
            out.unclassified.extend(incident.headline);
        }
        out.findings.extend(classified);
        out.incidents += 1;
    }
    out
}

/// Where chunks start: the first line of a client run (`CLI version:`)
/// after every `CHUNK_BYTES`, so no run is split between two chunks.
fn chunk_starts(bytes: &[u8]) -> Vec<usize> {
    let finder = memchr::memmem::Finder::new(b"CLI version: ");
    let mut starts = vec![0];
    let mut from = CHUNK_BYTES;
    while from < bytes.len() {
        let Some(i) = finder.find(&bytes[from..]) else {
            break;
        };
        let at = from + i;
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |j| j + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |j| at + j);
        let line = std::str::from_utf8(&bytes[line_start..line_end]).unwrap_or("");
        let line = line.trim_end_matches('\r');
        if line_start > *starts.last().unwrap_or(&0) && formats::logrecord::is_header_line(line) {
            starts.push(line_start);
            from = line_start + CHUNK_BYTES;
        } else {
            from = line_end;
        }
    }
    starts
}

/// Reads and analyzes every source in parallel; results keep input order,
/// so output is the same whatever the thread count.
pub fn analyze(sources: &[Result<Source, input::InputError>], options: &Options) -> Report {
    let inputs = sources
        .par_iter()
        .map(|source| match source {
            Ok(source) => match input::read(source) {
                Ok(text) => analyze_bytes(&source.label(), &text, options),
                Err(e) => InputReport::failed(source.label(), e.to_string()),
            },
            Err(e) => InputReport::failed(e.path().to_string(), e.to_string()),
        })
        .collect();
    Report { inputs }
}

/// The binary's whole job; returns the exit code.
pub fn run(cli: &cli::Cli) -> u8 {
    match &cli.command {
        Some(cli::Command::Rules(cli::RulesCommand::List)) => {
            write_stdout(&classify::rules_table())
        }
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

fn run_analysis(cli: &cli::Cli) -> u8 {
    let secret = match cli.secret_source().map(|s| sigv4::verify::Secret::load(&s)) {
        None => None,
        Some(Ok(secret)) => Some(secret),
        Some(Err(e)) => {
            eprintln!("authsift: {}", report::terminal::sanitize(&e.to_string()));
            return 2;
        }
    };
    let options = Options {
        input_format: cli.input_format.forced(),
        secret,
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
    match write_stdout(&text) {
        0 => report.exit_code() as u8,
        failed => failed,
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
