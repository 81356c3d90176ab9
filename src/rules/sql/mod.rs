//! The rules as SQL over the standard CloudTrail table, for engines that
//! already hold an organisation's trail (Athena/Trino, Spark, DuckDB).
//!
//! Generated from the compiled rules, never written by hand: each rule's
//! `when` becomes a boolean expression over the facts of a failed event,
//! and those facts are computed from the table's columns
//! ([`cloudtrail`]) the way the native pipeline computes them. The rule
//! language's logic is two-valued (a comparison with an unknown fact is
//! false), so every comparison is wrapped in `COALESCE(…, FALSE)`. A rule
//! that reads a fact SQL cannot compute is not translated; the query says
//! which and why at the top.

pub mod cloudtrail;
mod ddl;
mod dialect;

use std::fmt::Write as _;

use super::eval::{Cond, Operand};
use super::parse::CmpOp;
use super::{Rule, RuleSet};
use crate::facts::{Fact, Value};
use cloudtrail::name;

pub use ddl::ddl;
pub use dialect::Dialect;

/// The table name queries read when none is given.
pub const DEFAULT_TABLE: &str = "cloudtrail";

/// Which of the generated queries to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Every query: the per-event one, then one per batch rule.
    All,
    /// The per-event classification alone.
    Events,
    /// One batch rule's query.
    Batch(String),
}

/// A problem with the request, not with the rules.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// `--query` named no batch rule of the set.
    #[error("no batch rule `{0}` in the rules in force (batch rules: {1})")]
    NoBatchRule(String, String),
    /// A table name that is not a plain (optionally qualified) identifier.
    #[error("table name `{0}`: use letters, digits, `_` and `.` (catalog.schema.table)")]
    BadTable(String),
    /// The DDL needs something the arguments do not give.
    #[error("{0}")]
    Ddl(String),
}

/// Whether a rule translates: `Err` names why not.
pub fn translates(rule: &Rule) -> Result<(), String> {
    condition(&rule.when, Dialect::Duckdb).map(|_| ())
}

/// The queries classifying a CloudTrail table with `set`, for `dialect`.
pub fn to_sql(
    set: &RuleSet,
    dialect: Dialect,
    table: &str,
    query: &Query,
) -> Result<String, SqlError> {
    check_table(table)?;
    let d = dialect;
    let mut event_rules: Vec<(&Rule, String)> = Vec::new();
    let mut batch_rules: Vec<(&Rule, String)> = Vec::new();
    let mut skipped: Vec<(&Rule, String)> = Vec::new();
    for rule in set.rules() {
        match condition(&rule.when, d) {
            Ok(sql) if rule.group.is_some() => batch_rules.push((rule, sql)),
            Ok(sql) => event_rules.push((rule, sql)),
            Err(why) => skipped.push((rule, why)),
        }
    }
    if let Query::Batch(id) = query
        && !batch_rules.iter().any(|(r, _)| &r.id == id)
    {
        let ids: Vec<&str> = batch_rules.iter().map(|(r, _)| r.id.as_str()).collect();
        return Err(SqlError::NoBatchRule(
            id.clone(),
            if ids.is_empty() {
                "none".to_string()
            } else {
                ids.join(", ")
            },
        ));
    }
    let mut out = header(set, d, table, &event_rules, &batch_rules, &skipped);
    if matches!(query, Query::All | Query::Events) {
        out.push_str("\n-- query: events\n");
        out.push_str(&events_query(d, table, &event_rules));
    }
    for (rule, when) in &batch_rules {
        if matches!(query, Query::Batch(id) if id != &rule.id) || *query == Query::Events {
            continue;
        }
        let _ = write!(out, "\n-- query: batch {}\n", rule.id);
        out.push_str(&batch_query(d, table, rule, when));
    }
    Ok(out)
}

fn check_table(table: &str) -> Result<(), SqlError> {
    let ok = !table.is_empty()
        && table.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(SqlError::BadTable(table.to_string()))
    }
}

fn header(
    set: &RuleSet,
    d: Dialect,
    table: &str,
    events: &[(&Rule, String)],
    batch: &[(&Rule, String)],
    skipped: &[(&Rule, String)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- authsift {}: failed CloudTrail events classified by the rules in force ({} rules), {} dialect.",
        env!("CARGO_PKG_VERSION"),
        set.rules().len(),
        d.as_str()
    );
    let _ = writeln!(
        out,
        "-- Table `{table}`: the standard CloudTrail table (`authsift rules to-sql --ddl --dialect {}` creates it).",
        d.as_str()
    );
    let _ = writeln!(
        out,
        "-- Translated: {} per-event rules (query `events`: one row per classified event), {} batch rules (one query each).",
        events.len(),
        batch.len()
    );
    if skipped.is_empty() {
        out.push_str("-- Not translated: none.\n");
    } else {
        out.push_str(
            "-- Not translated (an event such a rule would classify natively gets the next rule here, or none):\n",
        );
        for (rule, why) in skipped {
            let _ = writeln!(out, "--   {}: {}", rule.id, one_line(why));
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The facts of every failed event: stage 1 from the table, stage 2 from
/// stage 1.
fn facts_ctes(d: Dialect, table: &str) -> String {
    let mut out = String::from("WITH ct_stage1 AS (\n  SELECT\n");
    let _ = write!(out, "    {} AS input_file", d.input_file());
    for c in cloudtrail::stage1(d) {
        let _ = write!(out, ",\n    {} AS {}", c.expr, c.name);
    }
    let _ = write!(
        out,
        "\n  FROM {table}\n  WHERE {}\n),\nct_facts AS (\n  SELECT\n    ct_stage1.*",
        cloudtrail::failed_event(d)
    );
    for c in cloudtrail::stage2(d) {
        let _ = write!(out, ",\n    {} AS {}", c.expr, c.name);
    }
    out.push_str("\n  FROM ct_stage1\n)");
    out
}

fn events_query(d: Dialect, table: &str, rules: &[(&Rule, String)]) -> String {
    let mut out = facts_ctes(d, table);
    out.push_str(",\nct_classified AS (\n  SELECT\n    ct_facts.*,\n    CASE");
    for (i, (rule, when)) in rules.iter().enumerate() {
        let _ = write!(
            out,
            "\n      -- {}\n      WHEN {when} THEN {}",
            rule.id,
            i + 1
        );
    }
    if rules.is_empty() {
        out.push_str(" WHEN FALSE THEN 0");
    }
    out.push_str(
        "\n    END AS verdict\n  FROM ct_facts\n)\nSELECT\n    event_id,\n    CASE verdict",
    );
    for (i, (rule, _)) in rules.iter().enumerate() {
        let _ = write!(out, " WHEN {} THEN {}", i + 1, d.lit(rule.cause()));
    }
    out.push_str(" END AS rule_id,\n    CASE verdict");
    for (i, (rule, _)) in rules.iter().enumerate() {
        let _ = write!(
            out,
            " WHEN {} THEN {}",
            i + 1,
            d.lit(rule.severity.as_str())
        );
    }
    out.push_str(" END AS severity,\n    input_file,\n    event_time");
    for fact in used_facts(rules.iter().map(|(r, _)| *r)) {
        let _ = write!(out, ",\n    {}", name(fact));
    }
    out.push_str("\nFROM ct_classified\nWHERE verdict IS NOT NULL;\n");
    out
}

/// The facts rules' conditions read that SQL computes: the columns the
/// per-event query shows beside the verdict.
fn used_facts<'a>(rules: impl Iterator<Item = &'a Rule>) -> Vec<Fact> {
    let mut facts = Vec::new();
    for rule in rules {
        rule.when.facts(&mut facts);
    }
    facts.retain(|f| cloudtrail::in_sql(*f) && !matches!(f, Fact::EventId | Fact::EventTime));
    facts.sort_unstable();
    facts.dedup();
    facts
}

fn batch_query(d: Dialect, table: &str, rule: &Rule, when: &str) -> String {
    let group = rule.group.as_ref().expect("a batch rule");
    let by: Vec<String> = group.by.iter().map(|f| name(*f)).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- {}: group by {} within {}s count >= {} (per input file, as natively)",
        rule.id,
        group
            .by
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", "),
        group.window_seconds,
        group.min_count
    );
    out.push_str(&facts_ctes(d, table));
    let keys = by.join(", ");
    let not_null: String = by.iter().map(|c| format!(" AND {c} IS NOT NULL")).collect();
    let partition = format!("PARTITION BY input_file, {keys}");
    let frame = format!(
        "({partition} ORDER BY event_time RANGE BETWEEN CURRENT ROW AND {} FOLLOWING)",
        group.window_seconds
    );
    let _ = write!(
        out,
        ",\nct_hits AS (\n  SELECT input_file, {keys}, event_time FROM ct_facts\n  WHERE ({when}){not_null} AND event_time IS NOT NULL\n),\n\
         ct_windows AS (\n  SELECT input_file, {keys}, event_time AS first_seen,\n    \
         COUNT(*) OVER {frame} AS event_count,\n    MAX(event_time) OVER {frame} AS last_seen\n  FROM ct_hits\n),\n\
         ct_densest AS (\n  SELECT ct_windows.*,\n    ROW_NUMBER() OVER ({partition} ORDER BY event_count DESC, first_seen) AS densest\n  FROM ct_windows\n)\n\
         SELECT {} AS rule_id, {} AS severity, input_file, {keys}, event_count, first_seen, last_seen\n\
         FROM ct_densest\nWHERE densest = 1 AND event_count >= {}\nORDER BY input_file, {keys};\n",
        d.lit(rule.cause()),
        d.lit(rule.severity.as_str()),
        group.min_count
    );
    out
}

/// A fact as SQL: its column, `None` when a CloudTrail event never has
/// it, an error when it has it but SQL cannot compute it.
fn fact(f: Fact) -> Result<Option<String>, String> {
    if cloudtrail::in_sql(f) {
        Ok(Some(name(f)))
    } else if let Some(why) = cloudtrail::not_in_sql(f) {
        Err(format!("reads `{}`, {why}", f.name()))
    } else {
        Ok(None)
    }
}

fn operand(o: &Operand, d: Dialect) -> Result<Option<String>, String> {
    Ok(match o {
        Operand::Fact(f) => fact(*f)?,
        Operand::Abs(f) => fact(*f)?.map(|c| format!("abs({c})")),
        Operand::Lit(v) => Some(literal(v, d)),
    })
}

fn literal(v: &Value, d: Dialect) -> String {
    match v {
        Value::Str(s) => d.lit(s),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
    }
}

/// A condition as a two-valued SQL boolean.
fn condition(c: &Cond, d: Dialect) -> Result<String, String> {
    let join = |parts: &[Cond], op: &str| -> Result<String, String> {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| condition(p, d))
            .collect::<Result<_, _>>()?;
        Ok(format!("({})", parts.join(op)))
    };
    Ok(match c {
        Cond::Or(parts) => join(parts, " OR ")?,
        Cond::And(parts) => join(parts, " AND ")?,
        Cond::Not(inner) => format!("(NOT {})", condition(inner, d)?),
        Cond::Exists(f) => match fact(*f)? {
            Some(col) => format!("({col} IS NOT NULL)"),
            None => "FALSE".to_string(),
        },
        Cond::True(f) => match fact(*f)? {
            Some(col) => format!("COALESCE({col}, FALSE)"),
            None => "FALSE".to_string(),
        },
        Cond::Cmp(l, op, r) => match (operand(l, d)?, operand(r, d)?) {
            (Some(a), Some(b)) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                format!("COALESCE({a} {op} {b}, FALSE)")
            }
            _ => "FALSE".to_string(),
        },
        Cond::In(o, set) => match operand(o, d)? {
            Some(a) if !set.is_empty() => {
                let items: Vec<String> = set.iter().map(|v| literal(v, d)).collect();
                format!("COALESCE({a} IN ({}), FALSE)", items.join(", "))
            }
            _ => "FALSE".to_string(),
        },
        Cond::Matches(f, re) => match fact(*f)? {
            Some(col) => format!("COALESCE({}, FALSE)", d.regex_like(&col, re.as_str())),
            None => "FALSE".to_string(),
        },
    })
}
