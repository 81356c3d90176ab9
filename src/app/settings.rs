//! The flags, resolved once into plain settings (ripgrep's `hiargs.rs` is
//! the model).
//!
//! `cli` says what the user may type; this module says what they asked
//! for, in types the commands use directly: an output [`Destination`], a
//! colour decision already taken, the rule files to load. It is the only
//! module besides `main.rs` and the dispatch in [`super::run`] that knows
//! the clap definitions, so no library module ever sees a flag. (The
//! commands that print the definitions themselves, `completions` and
//! `man`, get them from here as a `clap::Command`.)

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::CommandFactory;

use super::output::{ColorWhen, Destination, use_color};
use crate::cli::{self, Cli};
use crate::config;
use crate::formats::Format;
use crate::input::Limits;
use crate::report::OutputFormat;
use crate::sigv4::verify::SecretSource;

/// One command, with everything it needs to run.
#[derive(Debug)]
pub enum Command {
    /// Analyze logs (no subcommand).
    Analyze(Analyze),
    /// `rules list`.
    RulesList(RuleSources),
    /// `rules check [--sql] FILE…`.
    RulesCheck {
        /// The rule files.
        files: Vec<PathBuf>,
        /// Say which rules translate to SQL.
        sql: bool,
    },
    /// `rules to-sql`.
    RulesToSql(ToSql),
    /// `rules test FILE…`.
    RulesTest(Vec<PathBuf>),
    /// `explain CODE_OR_RULE`.
    Explain {
        /// An error code or a rule id.
        what: String,
        /// The rules to explain it with.
        rules: RuleSources,
    },
    /// `config`.
    Config(Config),
    /// `merge PART…`.
    Merge(Merge),
    /// `sigv4 diff A B`.
    Sigv4Diff {
        /// The client's side.
        a: PathBuf,
        /// The other side.
        b: PathBuf,
    },
    /// `completions SHELL`: a script generated from the flag definitions.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
        /// The whole command line, as clap defines it.
        definition: clap::Command,
    },
    /// `man`: the manual page, generated from the flag definitions.
    Man(clap::Command),
    /// `schema FORMAT`: the JSON Schema of an output format.
    Schema(Schema),
    /// `rules language`: the rule language's reference.
    RulesLanguage,
    /// No input named and stdin is a terminal: nobody is piping a log in,
    /// so say how to, rather than wait silently.
    Hint,
}

/// The output formats that follow a JSON Schema (`schema FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `--format json`.
    Json,
    /// `--format jsonl`.
    Jsonl,
}

/// Which rules are in force.
#[derive(Debug, Clone, Default)]
pub struct RuleSources {
    /// The built-in rules first (off with `--no-default-rules`).
    pub defaults: bool,
    /// Rule files, in order.
    pub files: Vec<PathBuf>,
}

/// `rules to-sql`: what to print.
#[derive(Debug, Clone)]
pub struct ToSql {
    /// The engine.
    pub dialect: crate::rules::sql::Dialect,
    /// The table read or defined.
    pub table: String,
    /// One query (`events` or a batch rule id), or all.
    pub query: Option<String>,
    /// The table definition instead of the queries.
    pub ddl: bool,
    /// What the table definition reads.
    pub paths: Vec<String>,
    /// The rules translated.
    pub rules: RuleSources,
}

impl RuleSources {
    /// The built-in rules and one file (`rules check`, `rules test`).
    pub fn with_file(file: &std::path::Path) -> RuleSources {
        RuleSources {
            defaults: true,
            files: vec![file.to_path_buf()],
        }
    }
}

/// `--progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressWhen {
    /// For a person watching a terminal, when there is something to count.
    Auto,
    /// Always draw it.
    Always,
    /// Never draw it.
    Never,
}

/// What an analysis run was asked to do.
#[derive(Debug)]
pub struct Analyze {
    /// Files and directories (none: stdin).
    pub inputs: Vec<PathBuf>,
    /// `--glob`: in directories, only files matching one of these.
    pub globs: Vec<String>,
    /// `--exclude`: in directories, skip what matches one of these.
    pub excludes: Vec<String>,
    /// `--hidden`: walk hidden entries too.
    pub hidden: bool,
    /// `--no-ignore`: walk what ignore files name too.
    pub no_ignore: bool,
    /// Skip sniffing and read every input as this format.
    pub input_format: Option<Format>,
    /// How results are rendered.
    pub format: OutputFormat,
    /// Where results go.
    pub output: Destination,
    /// Colour in human output.
    pub color: bool,
    /// Stamp reports with the time of the run.
    pub timestamp: bool,
    /// `--events`: a record per failed event too (`--format ocsf`: the
    /// event as OCSF; `--format jsonl`: its verdict; `--format summary`:
    /// its findings, for `merge --format json`).
    pub events: bool,
    /// `--limit`: grouped findings shown (`Some(0)`: all).
    pub limit: Option<usize>,
    /// `--max-line-bytes`: longest line of a text log kept.
    pub max_line_bytes: Option<usize>,
    /// `--max-input-bytes`, `--max-inflate-ratio`, `--max-files`, or their
    /// defaults.
    pub limits: Limits,
    /// Mask access key ids (off with `--no-redact`).
    pub mask_key_ids: bool,
    /// When to draw the progress line.
    pub progress: ProgressWhen,
    /// Nothing on stderr.
    pub quiet: bool,
    /// Where the secret to check signatures with is kept.
    pub secret: Option<SecretSource>,
    /// `--since`, as typed: parsed when the run starts (relative forms
    /// count back from then).
    pub since: Option<String>,
    /// `--until`, as typed.
    pub until: Option<String>,
    /// The rules in force.
    pub rules: RuleSources,
}

/// What `authsift merge` was asked to do.
#[derive(Debug)]
pub struct Merge {
    /// The partial summaries, in order.
    pub parts: Vec<PathBuf>,
    /// How results are rendered.
    pub format: OutputFormat,
    /// Where results go.
    pub output: Destination,
    /// Colour in human output.
    pub color: bool,
    /// Stamp reports with the time of the run.
    pub timestamp: bool,
    /// `--limit`: grouped findings shown (`Some(0)`: all).
    pub limit: Option<usize>,
    /// Mask access key ids (off with `--no-redact`).
    pub mask_key_ids: bool,
    /// Nothing on stderr.
    pub quiet: bool,
    /// The rules the parts were classified with.
    pub rules: RuleSources,
}

/// What `authsift config` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Which files to read and which profile to check.
    pub request: config::Request,
    /// Say which credential provider wins.
    pub explain_chain: bool,
    /// How results are rendered.
    pub format: OutputFormat,
    /// Where results go.
    pub output: Destination,
    /// Colour in human output.
    pub color: bool,
    /// Nothing on stderr.
    pub quiet: bool,
}

impl Command {
    /// Resolves the parsed flags. Colour is decided here, once, for
    /// whichever command runs.
    pub fn from_cli(cli: &Cli) -> Command {
        match &cli.command {
            Some(cli::Command::Rules(cli::RulesCommand::List { rules })) => {
                Command::RulesList(rule_sources(rules))
            }
            Some(cli::Command::Rules(cli::RulesCommand::Check { files, sql })) => {
                Command::RulesCheck {
                    files: files.clone(),
                    sql: *sql,
                }
            }
            Some(cli::Command::Rules(cli::RulesCommand::ToSql {
                dialect,
                table,
                query,
                ddl,
                paths,
                rules,
            })) => Command::RulesToSql(ToSql {
                dialect: *dialect,
                table: table.clone(),
                query: query.clone(),
                ddl: *ddl,
                paths: paths.clone(),
                rules: rule_sources(rules),
            }),
            Some(cli::Command::Rules(cli::RulesCommand::Test { files })) => {
                Command::RulesTest(files.clone())
            }
            Some(cli::Command::Explain { what, rules }) => Command::Explain {
                what: what.clone(),
                rules: rule_sources(rules),
            },
            Some(cli::Command::Config(args)) => Command::Config(config_settings(args)),
            Some(cli::Command::Merge(args)) => {
                let report = &args.report;
                let output = Destination::from_flag(report.output.as_deref());
                Command::Merge(Merge {
                    parts: args.parts.clone(),
                    format: args.format,
                    color: use_color(color_when(report.color), &output),
                    output,
                    timestamp: args.timestamp,
                    limit: args.limit,
                    mask_key_ids: !report.no_redact,
                    quiet: report.quiet,
                    rules: rule_sources(&args.rules),
                })
            }
            Some(cli::Command::Sigv4(cli::Sigv4Command::Diff { a, b })) => Command::Sigv4Diff {
                a: a.clone(),
                b: b.clone(),
            },
            Some(cli::Command::Completions { shell }) => Command::Completions {
                shell: *shell,
                definition: Cli::command(),
            },
            Some(cli::Command::Man) => Command::Man(Cli::command()),
            Some(cli::Command::Schema { format }) => Command::Schema(match format {
                cli::SchemaFormat::Json => Schema::Json,
                cli::SchemaFormat::Jsonl => Schema::Jsonl,
            }),
            Some(cli::Command::Rules(cli::RulesCommand::Language)) => Command::RulesLanguage,
            None if wants_hint(&cli.inputs, std::io::stdin().is_terminal()) => Command::Hint,
            None => Command::Analyze(analyze_settings(cli)),
        }
    }
}

/// Whether a run with these inputs shows the hint instead of analyzing:
/// none named (so stdin would be read) and stdin is a terminal. An
/// explicit `-` still reads the terminal, for a paste ended with Ctrl-D.
fn wants_hint(inputs: &[PathBuf], stdin_is_terminal: bool) -> bool {
    inputs.is_empty() && stdin_is_terminal
}

fn analyze_settings(cli: &Cli) -> Analyze {
    let output = Destination::from_flag(cli.output.as_deref());
    Analyze {
        inputs: cli.inputs.clone(),
        globs: cli.globs.clone(),
        excludes: cli.excludes.clone(),
        hidden: cli.hidden,
        no_ignore: cli.no_ignore,
        input_format: cli.input_format.0,
        format: cli.format,
        color: use_color(color_when(cli.color), &output),
        output,
        timestamp: cli.timestamp,
        events: cli.events
            && matches!(
                cli.format,
                OutputFormat::Ocsf | OutputFormat::Jsonl | OutputFormat::Summary
            ),
        limit: cli.limit,
        max_line_bytes: cli.max_line_bytes,
        limits: limits(cli),
        mask_key_ids: !cli.no_redact,
        progress: match cli.progress {
            cli::ProgressChoice::Auto => ProgressWhen::Auto,
            cli::ProgressChoice::Always => ProgressWhen::Always,
            cli::ProgressChoice::Never => ProgressWhen::Never,
        },
        quiet: cli.quiet,
        secret: cli.secret_source(),
        since: cli.since.clone(),
        until: cli.until.clone(),
        rules: rule_sources(&cli.rules),
    }
}

/// The input limits the flags ask for, the defaults for the others.
fn limits(cli: &Cli) -> Limits {
    let default = Limits::default();
    Limits {
        input_bytes: cli.max_input_bytes.unwrap_or(default.input_bytes),
        inflate_ratio: cli.max_inflate_ratio.unwrap_or(default.inflate_ratio),
        files: cli
            .max_files
            .map_or(default.files, |n| usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

fn config_settings(args: &cli::ConfigArgs) -> Config {
    let report = &args.report;
    let output = Destination::from_flag(report.output.as_deref());
    Config {
        request: config::Request {
            config_file: args.config_file.clone(),
            credentials_file: args.credentials_file.clone(),
            profile: args.profile.clone(),
            mask_key_ids: !report.no_redact,
        },
        explain_chain: args.explain_chain,
        format: args.format,
        color: use_color(color_when(report.color), &output),
        output,
        quiet: report.quiet,
    }
}

fn rule_sources(args: &cli::RuleArgs) -> RuleSources {
    RuleSources {
        defaults: !args.no_default_rules,
        files: args.files.clone(),
    }
}

fn color_when(choice: cli::ColorChoice) -> ColorWhen {
    match choice {
        cli::ColorChoice::Auto => ColorWhen::Auto,
        cli::ColorChoice::Always => ColorWhen::Always,
        cli::ColorChoice::Never => ColorWhen::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_is_for_a_terminal_with_no_input_named() {
        assert!(wants_hint(&[], true));
        // Piped or redirected stdin is read, even when empty.
        assert!(!wants_hint(&[], false));
        // `-` asks for the terminal itself; a file needs no stdin.
        assert!(!wants_hint(&[PathBuf::from("-")], true));
        assert!(!wants_hint(&[PathBuf::from("job.log")], true));
    }
}
