//! Everything a command does around the library: flags resolved into
//! settings, the command run, its output written, its exit status decided.
//!
//! ```text
//! cli::Cli ─► settings::Command ─► analyze | rules | explain | config | sigv4 | docs
//!                                      │
//!                                      ├─► output (stdout or -o FILE; colour)
//!                                      └─► exit   (Exit 0/1/2, or an Error → stderr, 2)
//! ```
//!
//! Library modules never import this one, nor `cli`: they take plain
//! values and return plain values. Stdout is written only through
//! `output`, and the exit status is decided only by [`run`].

mod analyze;
mod config;
mod docs;
mod exit;
mod explain;
mod merge;
mod output;
mod rules;
mod settings;
mod sigv4;

pub use exit::{Error, Exit};

use crate::cli::Cli;
use settings::Command;

/// The binary's whole job: runs the command the flags ask for and says how
/// the process exits. An error is reported here, on stderr, and nowhere
/// else.
pub fn run(cli: &Cli) -> Exit {
    let result = match Command::from_cli(cli) {
        Command::Analyze(settings) => analyze::run(&settings),
        Command::RulesList(sources) => rules::list(&sources),
        Command::RulesCheck { files, sql } => rules::check(&files, sql),
        Command::RulesToSql(settings) => rules::to_sql(&settings),
        Command::RulesTest(files) => rules::test(&files),
        Command::Explain { what, rules } => explain::run(&what, &rules),
        Command::Config(settings) => config::run(&settings),
        Command::Merge(settings) => merge::run(&settings),
        Command::Sigv4Diff { a, b } => sigv4::run(&a, &b),
        Command::Completions { shell, definition } => docs::completions(shell, definition),
        Command::Man(definition) => docs::man(definition),
        Command::Schema(format) => docs::schema(format),
        Command::RulesLanguage => docs::rules_language(),
        Command::Hint => docs::hint(),
    };
    result.unwrap_or_else(|e| {
        output::warn(&e.to_string());
        Exit::Error
    })
}
