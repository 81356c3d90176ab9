//! `authsift config`: the command around [`crate::config`] — which files,
//! where the report goes, what is said on stderr, the exit status.

use super::exit::{Error, Exit};
use super::output;
use super::settings::Config;
use crate::config::{self, Env, chain, checks};
use crate::report::terminal::sanitize;
use crate::report::{self, OutputFormat, RenderOptions, redact::Redactor};
use crate::rules::RuleSet;

/// Runs the command.
pub fn run(settings: &Config) -> Result<Exit, Error> {
    let (setup, errors) = config::load(&settings.request, Env::from_process());
    // The report must never replace the files it checks.
    let checked: Vec<std::path::PathBuf> = [&setup.config_path, &setup.credentials_path]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    settings.output.refuse_clash(&checked)?;
    if !settings.quiet {
        for (_, e) in &errors {
            output::warn(&sanitize(e));
        }
    }
    let nothing = setup.config.is_none()
        && setup.credentials.is_none()
        && errors.is_empty()
        && setup.env.listing().is_empty();
    if nothing {
        let msg = format!(
            "no AWS configuration found (no {}, no {}, no AWS_* variables)",
            setup
                .config_path
                .as_ref()
                .map_or("config file".into(), |p| p.display().to_string()),
            setup
                .credentials_path
                .as_ref()
                .map_or("credentials file".into(), |p| p.display().to_string()),
        );
        // For a person, that is the whole answer; machine formats still get
        // their (empty) document.
        if settings.format == OutputFormat::Human {
            output::write(&settings.output, &format!("{}\n", sanitize(&msg)))?;
            return Ok(Exit::Clean);
        }
        if !settings.quiet {
            output::warn(&sanitize(&msg));
        }
    }
    let issues = checks::run(&setup);
    let report = config::build_report(&setup, &issues, &errors, &RuleSet::config());
    let options = RenderOptions {
        redactor: Redactor {
            mask_key_ids: settings.request.mask_key_ids,
        },
        color: settings.color,
        ..Default::default()
    };
    let mut text = report::render(&report, settings.format, &options);
    if settings.explain_chain {
        let steps = chain::explain(&setup);
        text = chain::attach(text, settings.format, &setup, &steps, &options.redactor);
    }
    output::write(&settings.output, &text)?;
    Ok(config::status(&report).into())
}
