//! Command-line flags, defined in one place.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};

use crate::formats::Format;
use crate::report::OutputFormat;

const EXAMPLES: &str = "\
Examples:
  aws s3 ls --debug 2>&1 | authsift          analyze a failing command as it runs
  authsift job.log                           analyze a saved log (plain or .gz)
  authsift logs/ --format json | jq .        every file under logs/, as JSON
  authsift logs/ --glob '*.log' --exclude old  only .log files, not under old/
  authsift --input-format aws-debug paste.txt
  authsift --rules team.rules job.log        add or override rules (authsift rules language)
  authsift explain SignatureDoesNotMatch     what a code means, its causes and fixes
  authsift sigv4 diff client.txt server.txt  compare two canonical requests
  AWS_SECRET_ACCESS_KEY=… authsift --secret-from-env AWS_SECRET_ACCESS_KEY job.log
                                             check a secret against the logged signature

Documentation, offline: authsift explain CODE_OR_RULE, authsift rules list,
authsift rules language, authsift schema json|jsonl, authsift man.

Exit status: 0 no failure found, 1 a failure was classified, 2 usage error or unreadable input.";

const RULES_EXAMPLES: &str = "\
Examples:
  authsift rules list                        the built-in rules
  authsift rules list --rules team.rules     with a team's rules added
  authsift rules check team.rules            does the file load?
  authsift rules test team.rules             do its examples hold?";

const RULES_LIST_EXAMPLES: &str = "\
Examples:
  authsift rules list
  authsift rules list --rules team.rules
  authsift rules list --no-default-rules --rules team.rules";

const RULES_CHECK_EXAMPLES: &str = "\
Examples:
  authsift rules check team.rules
  authsift rules check rules/*.rules         every file is checked, each error shown";

const RULES_TEST_EXAMPLES: &str = "\
Examples:
  authsift rules test team.rules
  authsift rules test rules/*.rules          ends with 'N passed, M failed'";

const RULES_TO_SQL_EXAMPLES: &str = "\
Examples:
  authsift rules to-sql --dialect duckdb --ddl trail/ > table.sql
  authsift rules to-sql --dialect duckdb --query events > classify.sql
  duckdb -c \"$(cat table.sql classify.sql)\"    one row per classified event
  authsift rules to-sql --dialect trino --ddl s3://BUCKET/AWSLogs/111122223333/CloudTrail/
  authsift rules to-sql --dialect spark --ddl trail/    PySpark code defining the table";

const RULES_LANGUAGE_EXAMPLES: &str = "\
Examples:
  authsift rules language | less
  authsift rules language > rules-language.md";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  authsift explain SignatureDoesNotMatch     an error code: its causes, most likely first
  authsift explain accessdenied              in any case
  authsift explain clock-skew                a rule id, or a piece of one (skew)
  authsift explain --rules team.rules team.s3-outside-vpce";

const SIGV4_EXAMPLES: &str = "\
Examples:
  authsift sigv4 diff client.txt server.txt
  pbpaste | authsift sigv4 diff client.txt -";

const CONFIG_EXAMPLES: &str = "\
Examples:
  authsift config                            ~/.aws and the AWS_* environment
  authsift config --profile ci --explain-chain
  authsift config --config-file ./aws-config --credentials-file /dev/null
  authsift config --format markdown -o config-check.md";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  authsift completions bash > ~/.local/share/bash-completion/completions/authsift
  authsift completions zsh > ~/.zfunc/_authsift
  authsift completions fish > ~/.config/fish/completions/authsift.fish
  authsift completions powershell | Out-String | Invoke-Expression";

const MAN_EXAMPLES: &str = "\
Examples:
  man -l <(authsift man)                     read it without installing
  authsift man > ~/.local/share/man/man1/authsift.1";

const MERGE_EXAMPLES: &str = "\
Examples:
  authsift --format summary -o part-1.json trail/2024/05/01/   one part per shard of files
  authsift merge part-*.json                 the report of one run over every shard
  authsift merge --format json part-*.json | jq .summary.findings
  authsift merge --format summary -o day.json part-*.json   a part of a larger merge";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  authsift schema json > authsift.schema.json
  authsift schema jsonl | jq '.properties | keys'";

/// Explains AWS authentication and authorization failures from the logs you
/// already have: the root cause, the lines that prove it, and the fix.
/// Works offline; never calls AWS.
#[derive(Debug, Parser)]
#[command(
    name = "authsift",
    version,
    about,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Other jobs than analyzing logs. (A log file named like a subcommand
    /// is analyzed as `./name`.)
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to analyze (`-` for stdin; none reads stdin,
    /// a pipe as it arrives: a run's finding shows once the run ends).
    /// Directories are walked recursively as ripgrep walks them (hidden
    /// entries and what `.gitignore`/`.ignore` name skipped); gzip is
    /// detected by content.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// In directories, read only files matching GLOB (repeatable; ripgrep's
    /// syntax: `*.log` matches a name at any depth, `2024/**/*.gz` a path
    /// under the directory). Files named as inputs are always read.
    #[arg(long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// In directories, skip files and directories matching GLOB
    /// (repeatable; same syntax as --glob).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,

    /// In directories, read hidden files and walk hidden directories too
    /// (as `rg --hidden`).
    #[arg(long)]
    pub hidden: bool,

    /// In directories, ignore `.gitignore`, `.ignore` and git's exclude
    /// files (as `rg --no-ignore`); they are honoured by default.
    #[arg(long)]
    pub no_ignore: bool,

    /// Output format: human, json (one document), jsonl (one finding a
    /// line, ECS 9.4.0), ocsf (OCSF 1.1.0 Detection Findings, one a line),
    /// table, markdown (a ticket attachment), or summary (a partial summary
    /// of event inputs for `authsift merge`). JSON Schemas: `authsift
    /// schema json|jsonl`; OCSF follows the official 1.1.0 definitions.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Write the results to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Stamp reports with the time of the run (otherwise output depends on
    /// the input alone, byte for byte; a jsonl or ocsf record whose input
    /// has no time of its own carries the run's, or SOURCE_DATE_EPOCH's).
    #[arg(long)]
    pub timestamp: bool,

    /// One record per failed event of event inputs too, after its input's
    /// findings: with `--format jsonl` the event's verdict (without it,
    /// event inputs give one line per group of failures); with `--format
    /// ocsf` the CloudTrail event as an OCSF 1.1.0 event, Authentication
    /// (3002) for console sign-ins, API Activity (6003) for other calls;
    /// with `--format summary` each failed event's findings, so that
    /// `merge --format json` lists them (held in memory until the end).
    /// Accepted and ignored by the other formats.
    #[arg(long)]
    pub events: bool,

    /// Human, Markdown and HTML reports of event inputs (CloudTrail, S3
    /// access logs): show at most N grouped findings, most important first (0:
    /// all). Default: 12.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Text logs: keep at most N bytes of a line (at least 1024); the rest
    /// of a longer line is not read, the line marked and named in a note.
    /// Default: 1048576 (1 MiB).
    #[arg(long, value_name = "N")]
    pub max_line_bytes: Option<usize>,

    /// Read at most N bytes of an input, once decompressed: a text log's
    /// first N bytes are analysed and the rest is not read; an input read
    /// whole (CloudTrail, CI logs) is refused. Either way it is named and
    /// the run exits 2. Default: 2147483648 (2 GiB).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_input_bytes: Option<u64>,

    /// Refuse gzip data inflating to more than N times the compressed bytes
    /// read (checked past 64 MiB inflated): a likely decompression bomb.
    /// Default: 100 (real logs compress 4-50:1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_inflate_ratio: Option<u64>,

    /// Take at most N files from each directory named (in name order); the
    /// rest are not read, the directory named in an error. Default: 200000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_files: Option<u64>,

    /// Input format; `auto` sniffs each input's content.
    #[arg(long, value_enum, default_value_t = InputFormat::AUTO)]
    pub input_format: InputFormat,

    /// When to use colour in human output. `auto`: on a terminal, unless
    /// NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE turns it on anywhere.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Show access key ids unmasked. Secrets, tokens and signatures stay hidden.
    #[arg(long)]
    pub no_redact: bool,

    /// A progress line on stderr while inputs are read: files done, events
    /// (records) and events/s, bytes read (decompressed in brackets),
    /// elapsed time. `auto` draws it when stderr is a terminal, more than
    /// one input is read and --quiet is not given; `always` draws it
    /// anyway. Never on stdout; cleared when the run ends.
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,

    /// Print nothing on stderr (warnings, unreadable inputs); results still go to stdout.
    #[arg(short, long)]
    pub quiet: bool,

    /// Check whether the secret access key in this environment variable
    /// reproduces the logged signature (fact `signature.secret_verified`).
    /// The secret is never printed.
    #[arg(long, value_name = "VAR", conflicts_with = "credentials_file")]
    pub secret_from_env: Option<String>,

    /// Like --secret-from-env, reading aws_secret_access_key of --profile
    /// from this AWS credentials file.
    #[arg(long, value_name = "PATH", requires = "profile")]
    pub credentials_file: Option<PathBuf>,

    /// The profile of --credentials-file whose secret to check.
    #[arg(long, value_name = "NAME", requires = "credentials_file")]
    pub profile: Option<String>,

    /// Event inputs (CloudTrail, S3 access logs): only events at or after
    /// this time (2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00,
    /// or back from now: 90m, 12h, 7d). CloudTrail files delivered before
    /// it are not opened.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Event inputs: only events before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Which rules classify failures.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleArgs {
    /// A rule file to add (repeatable): a rule with an existing id replaces
    /// it, a new id adds one. The language: `authsift rules language`.
    #[arg(long = "rules", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Use only the rules given with --rules.
    #[arg(long)]
    pub no_default_rules: bool,
}

impl Cli {
    /// Where the user keeps the secret to verify signatures with, if anywhere.
    pub fn secret_source(&self) -> Option<crate::sigv4::verify::SecretSource> {
        use crate::sigv4::verify::SecretSource;
        match (&self.secret_from_env, &self.credentials_file, &self.profile) {
            (Some(var), _, _) => Some(SecretSource::Env(var.clone())),
            (None, Some(path), Some(profile)) => Some(SecretSource::CredentialsFile {
                path: path.clone(),
                profile: profile.clone(),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect, check and test the rules that classify failures.
    #[command(subcommand, after_help = RULES_EXAMPLES)]
    Rules(RulesCommand),
    /// What an AWS error code or a rule id means: causes and fixes.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain {
        /// An error code (`SignatureDoesNotMatch`) or a rule id (`clock.skew`),
        /// in any case; punctuation does not matter, and a piece of a rule id
        /// is enough when it names one rule.
        #[arg(value_name = "CODE_OR_RULE")]
        what: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// SigV4 tools that work on text you already have.
    #[command(subcommand, after_help = SIGV4_EXAMPLES)]
    Sigv4(Sigv4Command),
    /// Check ~/.aws/config, ~/.aws/credentials and the AWS_* environment
    /// offline, the way the AWS CLI reads them (exit 1 on a medium or high
    /// finding).
    #[command(after_help = CONFIG_EXAMPLES)]
    Config(ConfigArgs),
    /// Print a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout.
    #[command(after_help = MAN_EXAMPLES)]
    Man,
    /// Combine partial summaries (`authsift --format summary` over shards of
    /// an archive) into the report one run over all their inputs gives:
    /// totals, breakdowns, grouped findings and findings across files, each
    /// eventID counted once. Exit 2 on a file that is no partial summary of
    /// this version.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Print the JSON Schema of a machine-readable output format (built
    /// into the binary).
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema {
        /// The output format whose schema to print.
        #[arg(value_enum, default_value_t = SchemaFormat::Json)]
        format: SchemaFormat,
    },
}

/// `schema FORMAT`: the output formats that have a JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    /// `--format json`: one document, schema `authsift/1`.
    Json,
    /// `--format jsonl`: one finding a line, ECS 9.4.0.
    Jsonl,
}

/// `authsift config`: files default to AWS_CONFIG_FILE /
/// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// The config file to check.
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
    /// The credentials file to check.
    #[arg(long, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
    /// The profile to check as the chosen one (like the CLI's --profile).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Say which credential provider would win for the profile, and why.
    #[arg(long)]
    pub explain_chain: bool,
    /// Output format (human, json and markdown are the useful ones here).
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Where and how a command other than analysis writes its report: the
/// flags `config` and `merge` share, meaning what they mean for analysis.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Write the results to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// When to use colour in human output (`auto` as for analysis).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show access key ids unmasked (secrets and tokens stay hidden).
    #[arg(long)]
    pub no_redact: bool,
    /// Print nothing on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `authsift merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// Partial summaries, written by `authsift --format summary` (`-` for
    /// stdin).
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Output format, as for analysis (`summary`: a partial summary again,
    /// to merge with others).
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Show at most N grouped findings (0: all), as for analysis.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Stamp reports with the time of the run.
    #[arg(long)]
    pub timestamp: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Subcommand)]
pub enum Sigv4Command {
    /// Compare two canonical requests or two strings to sign (files, or `-`
    /// for stdin) and name the parts that differ. Exit 0 when equal, 1 when
    /// they differ, 2 on error.
    #[command(after_help = SIGV4_EXAMPLES)]
    Diff {
        /// The client's side (e.g. botocore's `CanonicalRequest:` block).
        a: PathBuf,
        /// The other side (e.g. the server's `<CanonicalRequest>`).
        b: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in force: id, severity, priority, title.
    #[command(after_help = RULES_LIST_EXAMPLES)]
    List {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Validate rule files (with the built-in rules); exit 2 on an error.
    #[command(after_help = RULES_CHECK_EXAMPLES)]
    Check {
        /// Rule files to load, each with the built-in rules; an error shows
        /// file, line, column and a caret.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Also say, rule by rule, whether `rules to-sql` translates it
        /// (and why not).
        #[arg(long)]
        sql: bool,
    },
    /// Print the rules as SQL over the standard CloudTrail table (Athena /
    /// Trino, Spark, DuckDB): one query classifying every failed event
    /// (columns event_id, rule_id, severity, input_file, event_time and the
    /// facts the rules read), then one query per batch rule. Rules that do
    /// not translate are listed at the top, with the reason. With --ddl,
    /// print the table definition instead.
    #[command(after_help = RULES_TO_SQL_EXAMPLES)]
    ToSql {
        /// The SQL engine.
        #[arg(long, value_enum)]
        dialect: crate::rules::sql::Dialect,
        /// The table the queries read, or the DDL defines.
        #[arg(long, value_name = "NAME", default_value = crate::rules::sql::DEFAULT_TABLE)]
        table: String,
        /// Print one query: `events` (the per-event classification) or a
        /// batch rule's id. Default: all of them.
        #[arg(long, value_name = "NAME", conflicts_with = "ddl")]
        query: Option<String>,
        /// Print the table definition over PATHs: a DuckDB view over
        /// read_json_objects, PySpark code for a Spark view, or (trino) Athena's
        /// CREATE TABLE with partition projection over one s3:// location.
        #[arg(long)]
        ddl: bool,
        /// With --ddl: CloudTrail files or directories (.json, .jsonl, gzipped),
        /// or for trino s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/.
        #[arg(value_name = "PATH", requires = "ddl")]
        paths: Vec<String>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Run the examples that rule files carry (`example match …` /
    /// `example no-match …`); exit 1 when one fails.
    #[command(after_help = RULES_TEST_EXAMPLES)]
    Test {
        /// Rule files whose examples to run (an example log's path is
        /// relative to its rule file).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the reference of the rule language (Markdown).
    #[command(after_help = RULES_LANGUAGE_EXAMPLES)]
    Language,
}

/// `--input-format`: `auto` (sniff each input), or one of the formats
/// sniffing tells, named as reports name them ([`Format::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputFormat(pub Option<Format>);

impl InputFormat {
    /// Sniff each input's content.
    pub const AUTO: InputFormat = InputFormat(None);
}

impl ValueEnum for InputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: LazyLock<Vec<InputFormat>> = LazyLock::new(|| {
            std::iter::once(InputFormat::AUTO)
                .chain(Format::ALL.iter().map(|f| InputFormat(Some(*f))))
                .collect()
        });
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.map_or("auto", Format::as_str)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// When to draw the progress line (`--progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    Auto,
    Always,
    Never,
}
