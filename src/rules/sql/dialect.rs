//! What differs between the SQL engines the rules are translated for: string
//! literals, regular expressions, JSON, time parsing, the file a row came
//! from. Everything else in the generated SQL is common to the three.

/// An SQL engine the rules can be translated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Trino, and Amazon Athena (engine version 3 is Trino).
    Trino,
    /// Apache Spark SQL (tested with PySpark 4).
    Spark,
    /// DuckDB.
    Duckdb,
}

impl Dialect {
    /// The name `--dialect` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Trino => "trino",
            Dialect::Spark => "spark",
            Dialect::Duckdb => "duckdb",
        }
    }

    /// A string literal. Spark reads backslash escapes inside literals
    /// (`'\d'` would lose its backslash), the other two do not.
    pub fn lit(self, s: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// Whether `e` matches the regex `pattern` anywhere (NULL when `e` is).
    pub fn regex_like(self, e: &str, pattern: &str) -> String {
        let p = self.lit(pattern);
        match self {
            Dialect::Trino => format!("regexp_like({e}, {p})"),
            Dialect::Spark => format!("({e} RLIKE {p})"),
            Dialect::Duckdb => format!("regexp_matches({e}, {p})"),
        }
    }

    /// Capture group `group` of the first match of `pattern` in `e`; NULL
    /// when nothing matches (Spark and DuckDB answer `''` there, Trino
    /// NULL: an empty capture is NULL in all three).
    pub fn regex_extract(self, e: &str, pattern: &str, group: u8) -> String {
        format!(
            "NULLIF(regexp_extract({e}, {}, {group}), '')",
            self.lit(pattern)
        )
    }

    /// Whether `e` contains `needle` (NULL when `e` is).
    pub fn contains(self, e: &str, needle: &str) -> String {
        let n = self.lit(needle);
        match self {
            Dialect::Spark => format!("(instr({e}, {n}) > 0)"),
            _ => format!("(strpos({e}, {n}) > 0)"),
        }
    }

    /// The string member `key` of the JSON object text `e`.
    pub fn json_string(self, e: &str, key: &str) -> String {
        let path = self.lit(&format!("$.{key}"));
        match self {
            Dialect::Trino => format!("json_extract_scalar({e}, {path})"),
            Dialect::Spark => format!("get_json_object({e}, {path})"),
            Dialect::Duckdb => format!("json_extract_string({e}, {path})"),
        }
    }

    /// Epoch seconds of `YYYY-MM-DDTHH:MM:SS` (UTC); NULL when it is not one.
    pub fn epoch_of_iso(self, e: &str) -> String {
        match self {
            Dialect::Trino => {
                format!("CAST(to_unixtime(try(date_parse({e}, '%Y-%m-%dT%H:%i:%s'))) AS BIGINT)")
            }
            // Needs spark.sql.session.timeZone=UTC (the DDL sets it).
            Dialect::Spark => format!("unix_timestamp({e}, 'yyyy-MM-dd\\'T\\'HH:mm:ss')"),
            Dialect::Duckdb => {
                format!("CAST(epoch(try_strptime({e}, '%Y-%m-%dT%H:%M:%S')) AS BIGINT)")
            }
        }
    }

    /// Epoch seconds of a SigV4 time `YYYYMMDDTHHMMSSZ`; NULL when it is not one.
    pub fn epoch_of_amz(self, e: &str) -> String {
        match self {
            Dialect::Trino => {
                format!("CAST(to_unixtime(try(date_parse({e}, '%Y%m%dT%H%i%sZ'))) AS BIGINT)")
            }
            Dialect::Spark => format!("unix_timestamp({e}, 'yyyyMMdd\\'T\\'HHmmss\\'Z\\'')"),
            Dialect::Duckdb => {
                format!("CAST(epoch(try_strptime({e}, '%Y%m%dT%H%M%SZ')) AS BIGINT)")
            }
        }
    }

    /// A string holding an integer as BIGINT (NULL when it does not fit).
    pub fn to_bigint(self, e: &str) -> String {
        match self {
            Dialect::Trino => format!("try_cast({e} AS BIGINT)"),
            Dialect::Spark => format!("CAST({e} AS BIGINT)"),
            Dialect::Duckdb => format!("TRY_CAST({e} AS BIGINT)"),
        }
    }

    /// The file a row was read from: Trino's hidden `$path` column, the
    /// `input_file` column the DuckDB and Spark DDL add.
    pub fn input_file(self) -> &'static str {
        match self {
            Dialect::Trino => "\"$path\"",
            Dialect::Spark | Dialect::Duckdb => "input_file",
        }
    }
}
