//! `authsift rules list | check | test`, and loading the rules in force for
//! every other command.

use std::path::{Path, PathBuf};

use super::exit::{Error, Exit};
use super::output::{self, Destination};
use super::settings::RuleSources;
use crate::analyze::Options;
use crate::input::Source;
use crate::rules::{self, RuleSet};

/// Loads the rules in force; a broken rule file is an [`Error`] that names
/// file, line and column and shows a caret.
pub fn load(sources: &RuleSources) -> Result<RuleSet, Error> {
    Ok(RuleSet::load(sources.defaults, &sources.files)?)
}

/// `rules list`: the rules in force as a table.
pub fn list(sources: &RuleSources) -> Result<Exit, Error> {
    let set = load(sources)?;
    output::write(&Destination::Stdout, &table(&set))?;
    Ok(Exit::Clean)
}

/// `rules check`: each file loaded with the built-in rules. Every file is
/// checked (a broken one is reported and the next one checked), so one run
/// lists every broken file; any broken file makes the status 2.
pub fn check(files: &[PathBuf], sql: bool) -> Result<Exit, Error> {
    let mut failed = false;
    for file in files {
        match load(&RuleSources::with_file(file)) {
            // A line at a time, so it is seen in order with the errors on stderr.
            Ok(set) => {
                output::write_stdout(&format!(
                    "{}: ok ({} in force)\n",
                    file.display(),
                    crate::text::counted(set.rules().len(), "rule")
                ))?;
                if sql {
                    output::write_stdout(&sql_report(&set))?;
                }
            }
            Err(e) => {
                output::warn(&e.to_string());
                failed = true;
            }
        }
    }
    Ok(if failed { Exit::Error } else { Exit::Clean })
}

/// `rules check --sql`: whether each rule translates to SQL, and why not.
fn sql_report(set: &RuleSet) -> String {
    let mut out = String::new();
    for rule in set.rules() {
        let line = match rules::sql::translates(rule) {
            Ok(()) => format!("  {}: translates to SQL", rule.id),
            Err(why) => format!("  {}: not translated to SQL: {why}", rule.id),
        };
        out.push_str(&crate::report::terminal::sanitize(&line));
        out.push('\n');
    }
    out
}

/// `rules to-sql`: the rules as SQL, or the table's definition.
pub fn to_sql(settings: &super::settings::ToSql) -> Result<Exit, Error> {
    use rules::sql::{self, Query};
    let text = if settings.ddl {
        sql::ddl(settings.dialect, &settings.table, &settings.paths)?
    } else {
        let set = load(&settings.rules)?;
        let query = match settings.query.as_deref() {
            None => Query::All,
            Some("events") => Query::Events,
            Some(id) => Query::Batch(id.to_string()),
        };
        sql::to_sql(&set, settings.dialect, &settings.table, &query)?
    };
    output::write(&Destination::Stdout, &text)?;
    Ok(Exit::Clean)
}

/// `rules test`: the examples each file carries; status 1 when one fails.
pub fn test(files: &[PathBuf]) -> Result<Exit, Error> {
    let mut outcome = rules::examples::Outcome::default();
    for file in files {
        let set = load(&RuleSources::with_file(file))?;
        let run = |path: &Path| {
            let sources = [Ok(Source::File(path.to_path_buf()))];
            let input = crate::analyze::analyze(&sources, &set, &Options::default(), None)
                .inputs
                .remove(0);
            match input.errors.into_iter().next() {
                Some(error) => Err(error),
                None => Ok(input.findings),
            }
        };
        outcome.merge(rules::examples::run(&set, file, &run));
    }
    output::write(&Destination::Stdout, &outcome.report())?;
    Ok(Exit::found_if(outcome.failed > 0))
}

/// The rules in force as a terminal table, fitting the terminal (or
/// `COLUMNS`). Below [`COMPACT_BELOW`](crate::report::table::COMPACT_BELOW)
/// columns it leaves out priority (the rows are in priority order) and
/// where each rule is defined.
fn table(set: &RuleSet) -> String {
    use crate::report::fit::{self, Column, Cut};
    let width = crate::report::table::width(false);
    let compact = width.is_some_and(|w| w < crate::report::table::COMPACT_BELOW);
    let columns = [
        Column::new("rule", Cut::Never),
        Column::new("severity", Cut::Never),
        Column::number("priority"),
        Column::new("title", Cut::End),
        Column::new("defined in", Cut::Start),
    ];
    // Compact: rule, severity, title.
    let shown: &[usize] = if compact {
        &[0, 1, 3]
    } else {
        &[0, 1, 2, 3, 4]
    };
    let rows = set
        .rules()
        .iter()
        .map(|r| {
            let row = [
                r.id.clone(),
                r.severity.as_str().to_string(),
                r.priority.to_string(),
                r.title.clone(),
                format!("{}:{}", r.origin.file, r.origin.line),
            ];
            shown.iter().map(|&i| row[i].clone()).collect()
        })
        .collect();
    let columns: Vec<Column<'_>> = shown.iter().map(|&i| columns[i]).collect();
    format!("{}\n", fit::table(&columns, rows, width))
}
