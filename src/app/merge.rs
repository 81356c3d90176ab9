//! `authsift merge PART…`: partial summaries ([`crate::report::partial`])
//! combined into the report one run over all their inputs gives, in any
//! output format.
//!
//! Each part is checked before anything is merged: a file that is no
//! partial summary of this version, or was classified by other rules, ends
//! the command with a message naming it (exit 2); a merge that silently
//! skipped a shard would report an archive smaller than it is.

use std::io::Write;

use super::exit::{Error, Exit};
use super::output;
use super::settings::Merge;
use crate::input::{self, Source};
use crate::report::terminal::sanitize;
use crate::report::{self, OutputFormat, RenderOptions, RulesInfo, partial, redact::Redactor};

/// Runs the command.
pub fn run(settings: &Merge) -> Result<Exit, Error> {
    match settings.format {
        OutputFormat::Jsonl => return Err(Error::MergeFormat("jsonl")),
        OutputFormat::Ocsf => return Err(Error::MergeFormat("ocsf")),
        _ => {}
    }
    settings.output.refuse_clash(&settings.parts)?;
    let rules = super::rules::load(&settings.rules)?;
    let info = RulesInfo::new(&rules, settings.rules.defaults, &settings.rules.files);
    let version = info.version();
    let mut parts = Vec::with_capacity(settings.parts.len());
    for path in &settings.parts {
        let source = match path.as_os_str() == "-" {
            true => Source::Stdin,
            false => Source::File(path.clone()),
        };
        let refused = |why: String| Error::Part {
            path: path.clone(),
            why,
        };
        let text = input::read(&source).map_err(|e| refused(e.to_string()))?;
        let text = std::str::from_utf8(&text).map_err(|e| refused(format!("not UTF-8: {e}")))?;
        parts.push(partial::parse(text, &version).map_err(|e| refused(e.to_string()))?);
    }
    let (report, sizes) = partial::merge(parts, settings.format == OutputFormat::Json);
    let redactor = Redactor {
        mask_key_ids: settings.mask_key_ids,
    };
    if !settings.quiet {
        let stderr = std::io::stderr();
        let mut err = stderr.lock();
        for e in report.inputs.iter().flat_map(|i| &i.errors) {
            let _ = writeln!(err, "authsift: {}", sanitize(&redactor.text(e)));
        }
    }
    let render = RenderOptions {
        redactor,
        color: settings.color,
        now: settings.timestamp.then(report::now),
        events: false,
        limit: settings.limit,
        width: report::table::width(settings.output.is_file()),
        rules: info,
        sizes,
    };
    let text = report::render(&report, settings.format, &render);
    output::write(&settings.output, &text)?;
    Ok(Exit::from(report.status()))
}
