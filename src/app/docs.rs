//! The commands that document authsift itself, offline (`cargo install`
//! installs no docs): `completions` (a shell's completion script) and
//! `man` (the manual page), both generated from the flag definitions so
//! they never drift from them; `schema` and `rules language`, the
//! documents built into the binary; and the hint for a bare `authsift` at
//! a terminal.

use super::exit::{Error, Exit};
use super::output::{self, Destination};
use super::settings::Schema;

/// What a bare `authsift` at a terminal says (one screen).
const HINT: &str = "\
no input: authsift reads a log on stdin, or the files and directories named.

  aws s3 ls --debug 2>&1 | authsift          a failing command, as it runs
  authsift job.log                           a saved log (plain or .gz)
  authsift logs/                             every file under a directory
  authsift -                                 a log you paste here (end with Ctrl-D)
  authsift config                            check ~/.aws before anything fails

More: authsift --help, authsift explain CODE_OR_RULE, authsift rules list, authsift man";

/// The rule language's reference, as the repository keeps it.
const RULES_LANGUAGE: &str = include_str!("../../rules/README.md");

/// `authsift` alone at a terminal: the hint on stderr, status 2 (a usage
/// error, as for any missing argument).
pub fn hint() -> Result<Exit, Error> {
    output::warn(HINT);
    Ok(Exit::Error)
}

/// `schema FORMAT`: the JSON Schema the format's output follows.
pub fn schema(format: Schema) -> Result<Exit, Error> {
    let text = match format {
        Schema::Json => include_str!("../../docs/schema/authsift.schema.json"),
        Schema::Jsonl => include_str!("../../docs/schema/authsift-jsonl.schema.json"),
    };
    output::write(&Destination::Stdout, text)?;
    Ok(Exit::Clean)
}

/// `rules language`: the reference of the rule language (Markdown).
pub fn rules_language() -> Result<Exit, Error> {
    output::write(&Destination::Stdout, RULES_LANGUAGE)?;
    Ok(Exit::Clean)
}

/// `completions SHELL`: the completion script for `shell`.
pub fn completions(
    shell: clap_complete::Shell,
    mut definition: clap::Command,
) -> Result<Exit, Error> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut definition, "authsift", &mut script);
    output::write(&Destination::Stdout, &String::from_utf8_lossy(&script))?;
    Ok(Exit::Clean)
}

/// `man`: the manual page, in roff.
pub fn man(definition: clap::Command) -> Result<Exit, Error> {
    output::write(&Destination::Stdout, &man_page(definition))?;
    Ok(Exit::Clean)
}

/// The page clap_mangen makes, except that the examples after `--help`
/// keep their columns (clap_mangen would fill them into a paragraph).
fn man_page(definition: clap::Command) -> String {
    let examples = definition.get_after_help().map(|h| h.to_string());
    let man = clap_mangen::Man::new(definition);
    let mut page = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);
    let _ = man.render_subcommands_section(&mut page);
    let mut page = String::from_utf8_lossy(&page).into_owned();
    if let Some(text) = examples {
        let text = text.strip_prefix("Examples:\n").unwrap_or(&text);
        page.push_str(".SH EXAMPLES\n.nf\n");
        for line in text.lines() {
            page.push_str(&roff_line(line));
            page.push('\n');
        }
        page.push_str(".fi\n");
    }
    let mut version = Vec::new();
    let _ = man.render_version_section(&mut version);
    page.push_str(&String::from_utf8_lossy(&version));
    page
}

/// One line of text as roff shows it literally: backslashes and hyphens
/// escaped, a leading `.` or `'` (a request) defused.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_lines_are_literal() {
        assert_eq!(roff_line("a-b \\n"), "a\\-b \\en");
        assert_eq!(roff_line(".TH x"), "\\&.TH x");
        assert_eq!(roff_line("'x"), "\\&'x");
    }
}
