//! How a run ends: the exit status, and the errors that end a run early.
//!
//! The status is decided here and nowhere else (jaq's `main.rs` is the
//! model): commands return an [`Exit`] or an [`Error`], and [`super::run`]
//! turns an error into its message on stderr and [`Exit::Error`]. A closed
//! stdout (`| head`) is not an error at all: the output module treats it as
//! a write that went well, so the run ends quietly with the status its
//! results call for.

use std::fmt;
use std::path::PathBuf;
use std::process::{ExitCode, Termination};

use crate::outcome::Status;
use crate::report::terminal::sanitize;
use crate::rules::RuleError;
use crate::sigv4::verify::SecretError;

/// The process's exit status (DESIGN: "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command ran and found nothing wrong.
    Clean,
    /// 1: the command ran and found something: a classified failure, a
    /// config finding of medium or high severity, two SigV4 blocks that
    /// differ, a rule example that does not hold.
    Found,
    /// 2: a usage error, an unreadable input, or output that could not be
    /// written.
    Error,
}

impl Exit {
    /// The number the shell sees.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Found => 1,
            Exit::Error => 2,
        }
    }

    /// `Found` when `found`, else `Clean`.
    pub fn found_if(found: bool) -> Exit {
        if found { Exit::Found } else { Exit::Clean }
    }
}

impl From<Status> for Exit {
    fn from(status: Status) -> Exit {
        match status {
            Status::Clean => Exit::Clean,
            Status::Found => Exit::Found,
            Status::Unreadable => Exit::Error,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// What ends a command before it has results to show (exit status 2).
///
/// `Display` gives the message as it is written to stderr after
/// `authsift: `: every part that comes from outside (a path, a rule file's
/// line, text from a log) is sanitised there, so no escape sequence
/// reaches the user's terminal.
#[derive(Debug)]
pub enum Error {
    /// `-o FILE` names one of the inputs (or the files `config` checks).
    OutputClash {
        /// The output path as given.
        path: PathBuf,
        /// Which input it is, in words.
        why: String,
    },
    /// A rule file that does not load: file, line, column and a caret.
    Rules(RuleError),
    /// The secret given to check signatures with cannot be read.
    Secret(SecretError),
    /// `--since` / `--until` do not make a window.
    Window(String),
    /// A `--glob` or `--exclude` that does not compile.
    Glob(String),
    /// `explain` was given something the rules do not know.
    UnknownTopic {
        /// What was asked, as typed.
        what: String,
        /// The closest rule id or code, when one is close.
        suggestion: Option<String>,
    },
    /// `explain` was given a piece of several rule ids.
    AmbiguousTopic {
        /// What was asked, as typed.
        what: String,
        /// The rule ids it is a piece of.
        candidates: Vec<String>,
    },
    /// `rules to-sql` was asked for something it cannot print.
    Sql(crate::rules::sql::SqlError),
    /// `sigv4 diff` cannot compare its two sides.
    Sigv4Diff(super::sigv4::DiffError),
    /// `merge` was asked for a format that lists every failed event,
    /// which parts do not hold.
    MergeFormat(&'static str),
    /// `merge` was given a file that is no partial summary it can merge.
    Part {
        /// The file as given.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// Writing results to stdout failed (other than a closed pipe).
    Stdout(std::io::Error),
    /// Writing results to `-o FILE` failed.
    File {
        /// The output path as given.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::OutputClash { path, why } => write!(
                f,
                "refusing to write the report to {}: {}",
                sanitize(&path.display().to_string()),
                sanitize(why)
            ),
            // Three lines (location and message, source line, caret): each
            // is sanitised on its own so the layout survives.
            Error::Rules(e) => {
                let shown: Vec<String> = e
                    .to_string()
                    .lines()
                    .map(|l| sanitize(l).into_owned())
                    .collect();
                f.write_str(&shown.join("\n"))
            }
            Error::Secret(e) => f.write_str(&sanitize(&e.to_string())),
            Error::Window(e) => f.write_str(&sanitize(e)),
            Error::Glob(e) => write!(f, "--glob/--exclude: {}", sanitize(e)),
            Error::UnknownTopic { what, suggestion } => {
                write!(
                    f,
                    "`{}` is neither a rule id nor an error code the rules know",
                    sanitize(what)
                )?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{}`?", sanitize(s)),
                    None => f.write_str(" (see: authsift rules list)"),
                }
            }
            Error::AmbiguousTopic { what, candidates } => write!(
                f,
                "`{}` is part of several rule ids: {}",
                sanitize(what),
                sanitize(&candidates.join(", "))
            ),
            Error::Sigv4Diff(e) => f.write_str(&sanitize(&e.to_string())),
            Error::Sql(e) => write!(f, "rules to-sql: {}", sanitize(&e.to_string())),
            Error::MergeFormat(format) => write!(
                f,
                "merge: --format {format} prints each failed event, which partial summaries do not hold; use human, table, json, markdown or summary"
            ),
            Error::Part { path, why } => write!(
                f,
                "merge: {}: {}",
                sanitize(&path.display().to_string()),
                sanitize(why)
            ),
            Error::Stdout(e) => write!(f, "writing output: {e}"),
            Error::File { path, source } => write!(
                f,
                "writing {}: {source}",
                sanitize(&path.display().to_string())
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::rules::sql::SqlError> for Error {
    fn from(e: crate::rules::sql::SqlError) -> Error {
        Error::Sql(e)
    }
}

impl From<RuleError> for Error {
    fn from(e: RuleError) -> Error {
        Error::Rules(e)
    }
}
