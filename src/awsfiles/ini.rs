//! The AWS CLI's INI dialect, read the way the CLI reads it.
//!
//! The CLI (botocore `configloader.raw_config_parse`) hands each file to
//! Python's `configparser.RawConfigParser` with its defaults: `=` and `:`
//! delimit keys, `#` and `;` start comments only at the start of a line (no
//! inline comments), keys are lower-cased, an indented line continues the
//! previous value, duplicate sections and duplicate keys are fatal (`strict`),
//! a line that is neither is collected and fatal at the end of the file, and
//! the text is decoded as UTF-8 with universal newlines (a byte-order mark is
//! *not* removed). A value that starts on the next line (`s3 =` followed by
//! indented `key = value` lines) is a sub-section; a sub-section line without
//! `=` is fatal too. This reader mirrors those rules and records every
//! problem with its line, plus the one error the CLI would stop at.

/// Which of the two files: they name profiles differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile x]`, `[sso-session x]`, `[services x]`.
    Config,
    /// `~/.aws/credentials`: `[x]`, every section a profile.
    Credentials,
}

impl FileKind {
    /// `config` or `credentials`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

/// What a section is to the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionKind {
    /// A profile, by name (`[default]`, `[profile x]`, or any section of the credentials file).
    Profile(String),
    /// `[sso-session x]`.
    SsoSession(String),
    /// `[services x]`: endpoint overrides.
    Services(String),
    /// configparser's `[DEFAULT]`: its keys are added to every section.
    ParserDefault,
    /// A section the CLI does not read as any of the above.
    Other,
}

/// One `key = value` line and its continuation lines.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1-based line of the key.
    pub line: usize,
    /// The key as written (before lower-casing), trimmed like configparser.
    pub raw_key: String,
    /// Lower-cased, as the CLI looks it up.
    pub key: String,
    /// The value's first line as written after the delimiter (untrimmed).
    pub raw_value: String,
    /// The value as the CLI sees it (first line, trimmed).
    pub value: String,
    /// Indented lines that continue the value: (line, trimmed text).
    pub continuation: Vec<(usize, String)>,
}

impl Entry {
    /// A sub-section (`s3 =` then indented `key = value` lines).
    pub fn is_subsection(&self) -> bool {
        self.value.is_empty() && !self.continuation.is_empty()
    }
}

/// One `[section]` and its entries.
#[derive(Debug, Clone)]
pub struct Section {
    /// 1-based line of the header.
    pub line: usize,
    /// The text between the brackets, exactly as configparser takes it.
    pub header: String,
    /// What the section is to the CLI.
    pub kind: SectionKind,
    /// Its keys, in file order.
    pub entries: Vec<Entry>,
}

impl Section {
    /// A key's entry (lower-case name); the last wins, as in configparser.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// A line the CLI's parser refuses (or, for `Continuation`, reads
/// differently from what it looks like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The first content line is not a section header (`[default` without
    /// its `]`, a byte-order mark, a key before any section).
    MissingSectionHeader,
    /// Neither a section header nor `key = value`.
    NotKeyValue,
    /// `= value` with nothing before the delimiter.
    EmptyKey,
    /// A section header seen before (configparser refuses it).
    DuplicateSection {
        /// Where it first appears.
        first: usize,
    },
    /// A key seen before in the same section (configparser refuses it).
    DuplicateKey {
        /// Where it first appears.
        first: usize,
        /// The section.
        section: String,
    },
    /// A sub-section line without `=`.
    SubsectionNotKeyValue,
    /// An indented `key = value` that the parser glues onto the previous
    /// key's value instead of reading it as a key.
    Continuation {
        /// The key the line is glued onto.
        of: String,
        /// That key's line.
        of_line: usize,
    },
}

/// A problem and the line it is on.
#[derive(Debug, Clone)]
pub struct LineProblem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub problem: Problem,
}

/// Where and why the CLI stops reading the file (`Unable to parse config
/// file: <path>`, exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// 1-based line where the parser stops.
    pub line: usize,
    /// The underlying configparser error, in its words.
    pub error: String,
}

/// One config or credentials file as the CLI's parser reads it, every
/// line kept and numbered.
#[derive(Debug, Clone)]
pub struct IniFile {
    /// As the report names it.
    pub path: String,
    /// Config or credentials.
    pub kind: FileKind,
    /// Decoded lines without their line ending (index 0 is line 1).
    pub lines: Vec<String>,
    /// It starts with a UTF-8 byte-order mark (configparser chokes on it).
    pub bom: bool,
    /// Lines that end with CRLF (or a lone CR).
    pub crlf_lines: Vec<usize>,
    /// The first line holding bytes that are not UTF-8.
    pub invalid_utf8_line: Option<usize>,
    /// Sections in file order.
    pub sections: Vec<Section>,
    /// Lines the parser refuses or misreads.
    pub problems: Vec<LineProblem>,
    /// Where the CLI would stop with `Unable to parse config file`.
    pub cli_error: Option<CliError>,
}

/// Python's `str.isspace` (what `strip()` removes), near enough.
pub fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

impl IniFile {
    /// Line `n` (1-based) as decoded; empty past the end.
    pub fn line(&self, n: usize) -> &str {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map_or("", String::as_str)
    }

    /// Sections that are profiles, with their profile names.
    pub fn profiles(&self) -> impl Iterator<Item = (&str, &Section)> {
        self.sections.iter().filter_map(|s| match &s.kind {
            SectionKind::Profile(name) => Some((name.as_str(), s)),
            _ => None,
        })
    }

    /// Reads a file's bytes the way the AWS CLI's configparser does.
    pub fn parse(path: &str, kind: FileKind, bytes: &[u8]) -> IniFile {
        let bom = bytes.starts_with(b"\xef\xbb\xbf");
        let (lines, crlf_lines, invalid_utf8_line) = split_lines(bytes);
        let mut file = IniFile {
            path: path.to_string(),
            kind,
            lines,
            bom,
            crlf_lines,
            invalid_utf8_line,
            sections: Vec::new(),
            problems: Vec::new(),
            cli_error: None,
        };
        file.read();
        file
    }

    fn read(&mut self) {
        let mut fatal: Option<CliError> = None;
        let mut deferred: Option<CliError> = None;
        let mut problems = Vec::new();
        let mut sections: Vec<Section> = Vec::new();
        // Current section (index) and whether a key is open for continuation.
        let mut current: Option<usize> = None;
        let mut open_key = false;
        let mut indent_level = 0usize;
        let mut seen_sections: Vec<(String, usize)> = Vec::new();
        let fail = |slot: &mut Option<CliError>, line: usize, error: String| {
            if slot.is_none() {
                *slot = Some(CliError { line, error });
            }
        };
        for (i, raw) in self.lines.iter().enumerate() {
            let n = i + 1;
            let stripped = py_strip(raw);
            if stripped.starts_with('#') || stripped.starts_with(';') || stripped.is_empty() {
                // Comment and blank lines never close a value (the CLI keeps
                // blank lines inside multi-line values).
                continue;
            }
            let indent = raw
                .find(|c: char| !py_space(c))
                .map_or(0, |b| raw[..b].chars().count());
            if let Some(s) = current
                && open_key
                && indent > indent_level
            {
                let entry = sections[s].entries.last_mut().expect("an open key");
                entry.continuation.push((n, stripped.to_string()));
                continue;
            }
            indent_level = indent;
            if let Some(header) = section_header(stripped) {
                open_key = false;
                if let Some((_, first)) = seen_sections.iter().find(|(h, _)| *h == header) {
                    problems.push(LineProblem {
                        line: n,
                        problem: Problem::DuplicateSection { first: *first },
                    });
                    if fatal.is_none() {
                        fail(
                            &mut fatal,
                            n,
                            format!("DuplicateSectionError: section '{header}' already exists"),
                        );
                    }
                } else if header != "DEFAULT" {
                    seen_sections.push((header.to_string(), n));
                }
                sections.push(Section {
                    line: n,
                    header: header.to_string(),
                    kind: section_kind(self.kind, header),
                    entries: Vec::new(),
                });
                current = Some(sections.len() - 1);
                continue;
            }
            let Some(s) = current else {
                problems.push(LineProblem {
                    line: n,
                    problem: Problem::MissingSectionHeader,
                });
                fail(
                    &mut fatal,
                    n,
                    "MissingSectionHeaderError: File contains no section headers.".into(),
                );
                // configparser stops here; keep reading as if a section had
                // started, to find the other problems.
                sections.push(Section {
                    line: n,
                    header: String::new(),
                    kind: SectionKind::Other,
                    entries: Vec::new(),
                });
                current = Some(sections.len() - 1);
                open_key = false;
                continue;
            };
            match stripped.find(['=', ':']) {
                Some(at) => {
                    let raw_key = py_strip(&stripped[..at]).to_string();
                    let raw_value = stripped[at + 1..].to_string();
                    if raw_key.is_empty() {
                        problems.push(LineProblem {
                            line: n,
                            problem: Problem::EmptyKey,
                        });
                        fail(
                            &mut deferred,
                            n,
                            "ParsingError: Source contains parsing errors".into(),
                        );
                    }
                    let key = raw_key.to_lowercase();
                    let same_name: Vec<usize> = sections
                        .iter()
                        .filter(|x| x.header == sections[s].header)
                        .map(|x| x.line)
                        .collect();
                    let first = sections
                        .iter()
                        .filter(|x| same_name.contains(&x.line))
                        .flat_map(|x| &x.entries)
                        .find(|e| e.key == key)
                        .map(|e| e.line);
                    if let Some(first) = first {
                        problems.push(LineProblem {
                            line: n,
                            problem: Problem::DuplicateKey {
                                first,
                                section: sections[s].header.clone(),
                            },
                        });
                        fail(
                            &mut fatal,
                            n,
                            format!(
                                "DuplicateOptionError: option '{key}' in section '{}' already exists",
                                sections[s].header
                            ),
                        );
                    }
                    sections[s].entries.push(Entry {
                        line: n,
                        value: py_strip(&raw_value).to_string(),
                        raw_key,
                        key,
                        raw_value,
                        continuation: Vec::new(),
                    });
                    open_key = true;
                }
                None => {
                    problems.push(LineProblem {
                        line: n,
                        problem: Problem::NotKeyValue,
                    });
                    fail(
                        &mut deferred,
                        n,
                        "ParsingError: Source contains parsing errors".into(),
                    );
                }
            }
        }
        // Values that continue on indented lines: sub-sections when the
        // first line is empty (fatal without `=`), otherwise text glued onto
        // the value.
        let mut nested: Option<CliError> = None;
        for section in &sections {
            for e in &section.entries {
                for (line, text) in &e.continuation {
                    if e.is_subsection() {
                        if !text.contains('=') {
                            problems.push(LineProblem {
                                line: *line,
                                problem: Problem::SubsectionNotKeyValue,
                            });
                            fail(
                                &mut nested,
                                *line,
                                "ValueError: not enough values to unpack (expected 2, got 1)"
                                    .into(),
                            );
                        }
                    } else if text.contains(['=', ':']) {
                        problems.push(LineProblem {
                            line: *line,
                            problem: Problem::Continuation {
                                of: e.key.clone(),
                                of_line: e.line,
                            },
                        });
                    }
                }
            }
        }
        problems.sort_by_key(|p| p.line);
        self.cli_error = match self.invalid_utf8_line {
            Some(line) => Some(CliError {
                line,
                error: "UnicodeDecodeError: 'utf-8' codec can't decode the file".into(),
            }),
            None => fatal.or(deferred).or(nested),
        };
        self.sections = sections;
        self.problems = problems;
    }
}

/// configparser's section regex `\[(?P<header>.+)\]`, matched at the start
/// of the stripped line (greedy: the last `]` closes it; text after it is
/// ignored).
fn section_header(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

/// botocore's `build_profile_map` (config) or the credentials file's
/// every-section-is-a-profile rule.
fn section_kind(kind: FileKind, header: &str) -> SectionKind {
    if header == "DEFAULT" {
        return SectionKind::ParserDefault;
    }
    if kind == FileKind::Credentials {
        return SectionKind::Profile(header.to_string());
    }
    let second = || {
        let parts = shell_words(header)?;
        (parts.len() == 2).then(|| parts[1].clone())
    };
    if header.starts_with("profile") {
        second().map_or(SectionKind::Other, SectionKind::Profile)
    } else if header.starts_with("sso-session") {
        second().map_or(SectionKind::Other, SectionKind::SsoSession)
    } else if header.starts_with("services") {
        second().map_or(SectionKind::Other, SectionKind::Services)
    } else if header == "default" {
        SectionKind::Profile("default".into())
    } else {
        SectionKind::Other
    }
}

/// Python's `shlex.split` for the simple cases section headers use: words
/// split on whitespace, `'…'` and `"…"` quoting; `None` on an unclosed quote.
pub fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        q if q == c => break,
                        '\\' if c == '"' => word.push(chars.next()?),
                        other => word.push(other),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// Universal newlines (`\n`, `\r\n`, lone `\r`), decoding each line as
/// UTF-8 (lossily, noting the first line that is not).
fn split_lines(bytes: &[u8]) -> (Vec<String>, Vec<usize>, Option<usize>) {
    let mut lines = Vec::new();
    let mut crlf = Vec::new();
    let mut invalid = None;
    let mut start = 0;
    let mut i = 0;
    let mut push = |slice: &[u8], lines: &mut Vec<String>| {
        let text = match std::str::from_utf8(slice) {
            Ok(t) => t.to_string(),
            Err(_) => {
                invalid.get_or_insert(lines.len() + 1);
                String::from_utf8_lossy(slice).into_owned()
            }
        };
        lines.push(text);
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                push(&bytes[start..i], &mut lines);
                start = i + 1;
            }
            b'\r' => {
                push(&bytes[start..i], &mut lines);
                crlf.push(lines.len());
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        push(&bytes[start..], &mut lines);
    }
    (lines, crlf, invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: FileKind, text: &str) -> IniFile {
        IniFile::parse("f", kind, text.as_bytes())
    }

    #[test]
    fn sections_keys_and_subsections() {
        let f = parse(
            FileKind::Config,
            "# c\n[default]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n[profile dev]\nRegion: us-east-1\n[sso-session corp]\nsso_region=eu-west-1\n[services x]\n[preview]\n",
        );
        assert!(f.cli_error.is_none(), "{:?}", f.cli_error);
        let kinds: Vec<&SectionKind> = f.sections.iter().map(|s| &s.kind).collect();
        assert_eq!(
            kinds,
            [
                &SectionKind::Profile("default".into()),
                &SectionKind::Profile("dev".into()),
                &SectionKind::SsoSession("corp".into()),
                &SectionKind::Services("x".into()),
                &SectionKind::Other
            ]
        );
        assert!(f.sections[0].get("s3").unwrap().is_subsection());
        assert_eq!(f.sections[1].get("region").unwrap().value, "us-east-1");
    }

    #[test]
    fn errors_stop_where_configparser_stops() {
        // A missing `]` inside a section is collected; the duplicate key
        // after it is raised at once, so the CLI names line 5.
        let f = parse(
            FileKind::Config,
            "[default]\nregion = eu-west-1\n\n[profile prod\nregion = eu-west-1\n",
        );
        assert_eq!(f.cli_error.as_ref().unwrap().line, 5);
        assert_eq!(f.problems[0].line, 4);
        let f = parse(FileKind::Credentials, "\u{feff}[default]\na = b\n");
        assert_eq!(f.cli_error.unwrap().line, 1);
        let f = parse(FileKind::Credentials, "[a]\nx = 1\njunk\n[b]\n");
        assert_eq!(f.cli_error.unwrap().line, 3);
    }

    #[test]
    fn crlf_is_read_like_lf() {
        let f = parse(FileKind::Credentials, "[a]\r\nx = 1\r\n");
        assert_eq!(f.crlf_lines, [1, 2]);
        assert_eq!(f.sections[0].get("x").unwrap().value, "1");
        assert!(f.cli_error.is_none());
    }
}
