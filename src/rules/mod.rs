//! Facts → findings, decided by rule files.
//!
//! Rules are data: `rules/default.rules` is embedded in the binary, and users
//! add or override rules with `--rules FILE`. A file is parsed ([`parse`]),
//! then compiled here: fact names are resolved to table slots, types are
//! checked, regexes are compiled once. Evaluating a rule is then a walk over
//! a small tree with no allocation, cheap enough for millions of events.

pub mod examples;
pub mod parse;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;

use crate::facts::{Fact, Facts, Incident, Kind, Value};
use crate::finding::{Batch, Finding, Severity};
use crate::model::EvidenceLine;
use parse::{CmpOp, Field, Item, ListRef, Lit};

/// The rule set shipped inside the binary.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.rules");
pub const DEFAULT_RULES_NAME: &str = "<built-in>/default.rules";

/// Compiled regexes are capped so a rule file cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule file problem, located: `file:line:column: message` and a caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        write!(f, "  {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

impl std::error::Error for RuleError {}

/// Locates `at` (a slice of `source`) for an error message.
fn locate(file: &str, source: &str, at: &str, message: String) -> RuleError {
    let offset = (at.as_ptr() as usize)
        .checked_sub(source.as_ptr() as usize)
        .filter(|o| *o <= source.len())
        .unwrap_or(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    RuleError {
        file: file.to_string(),
        line,
        column: source[line_start..offset].chars().count() + 1,
        message,
        source_line: source[line_start..line_end].to_string(),
    }
}

/// A compiled condition.
#[derive(Debug, Clone)]
enum Cond {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Exists(Fact),
    True(Fact),
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Arc<[Value]>),
    Matches(Fact, Regex),
}

#[derive(Debug, Clone)]
enum Operand {
    Fact(Fact),
    Abs(Fact),
    Lit(Value),
}

/// A borrowed view of a value, so evaluation never clones.
#[derive(PartialEq, PartialOrd)]
enum View<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
}

fn view(v: &Value) -> View<'_> {
    match v {
        Value::Str(s) => View::Str(s),
        Value::Int(i) => View::Int(*i),
        Value::Bool(b) => View::Bool(*b),
    }
}

impl Operand {
    fn resolve<'a>(&'a self, facts: &'a Facts) -> Option<View<'a>> {
        match self {
            Operand::Fact(f) => facts.get(*f).map(view),
            Operand::Abs(f) => facts.int(*f).map(|i| View::Int(i.abs())),
            Operand::Lit(v) => Some(view(v)),
        }
    }
}

impl Cond {
    fn eval(&self, facts: &Facts) -> bool {
        match self {
            Cond::Or(parts) => parts.iter().any(|c| c.eval(facts)),
            Cond::And(parts) => parts.iter().all(|c| c.eval(facts)),
            Cond::Not(c) => !c.eval(facts),
            Cond::Exists(f) => facts.has(*f),
            Cond::True(f) => facts.bool(*f) == Some(true),
            // A missing fact makes a comparison false, whatever the operator.
            Cond::Cmp(l, op, r) => match (l.resolve(facts), r.resolve(facts)) {
                (Some(a), Some(b)) => match op {
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                    CmpOp::Lt => a < b,
                    CmpOp::Le => a <= b,
                    CmpOp::Gt => a > b,
                    CmpOp::Ge => a >= b,
                },
                _ => false,
            },
            Cond::In(o, set) => o
                .resolve(facts)
                .is_some_and(|v| set.iter().any(|s| view(s) == v)),
            Cond::Matches(f, re) => facts.str(*f).is_some_and(|s| re.is_match(s)),
        }
    }

    /// Leaf conditions: more of them means a more specific rule.
    fn atoms(&self) -> usize {
        match self {
            Cond::Or(p) | Cond::And(p) => p.iter().map(Cond::atoms).sum(),
            Cond::Not(c) => c.atoms(),
            _ => 1,
        }
    }

    fn facts(&self, out: &mut Vec<Fact>) {
        let mut operand = |o: &Operand| {
            if let Operand::Fact(f) | Operand::Abs(f) = o {
                out.push(*f);
            }
        };
        match self {
            Cond::Or(p) | Cond::And(p) => p.iter().for_each(|c| c.facts(out)),
            Cond::Not(c) => c.facts(out),
            Cond::Exists(f) | Cond::True(f) | Cond::Matches(f, _) => out.push(*f),
            Cond::Cmp(l, _, r) => {
                operand(l);
                operand(r);
            }
            Cond::In(o, _) => operand(o),
        }
    }

    /// String literals compared with `error.code` (for `authsift explain`).
    fn codes(&self, out: &mut Vec<String>) {
        let is_code = |o: &Operand| matches!(o, Operand::Fact(Fact::ErrorCode));
        match self {
            Cond::Or(p) | Cond::And(p) => p.iter().for_each(|c| c.codes(out)),
            Cond::Cmp(l, CmpOp::Eq, Operand::Lit(Value::Str(s))) if is_code(l) => {
                out.push(s.clone())
            }
            Cond::In(o, set) if is_code(o) => {
                out.extend(set.iter().filter_map(|v| v.as_str().map(str::to_string)))
            }
            _ => {}
        }
    }
}

/// Text with `{fact.name}` placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    source: String,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Fact(Fact),
}

impl Template {
    pub fn render(&self, facts: &Facts) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Fact(f) => match facts.get(*f) {
                    Some(Value::Str(s)) => out.push_str(s),
                    Some(Value::Int(i)) => out.push_str(&i.to_string()),
                    Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
                    None => out.push_str("(unknown)"),
                },
            }
        }
        out
    }

    /// The template as written, placeholders included.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// An aggregation over many incidents (archive inputs).
#[derive(Debug, Clone)]
pub struct Group {
    pub by: Vec<Fact>,
    pub window_seconds: i64,
    pub min_count: usize,
}

/// An input that a rule must (or must not) match.
#[derive(Debug, Clone)]
pub enum Example {
    File { path: PathBuf, matches: bool },
    Facts { facts: Facts, matches: bool },
}

/// Where a rule was defined.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub priority: i64,
    when: Cond,
    explain: Vec<(Template, Option<Cond>)>,
    pub fix: Vec<Template>,
    pub see: Vec<String>,
    pub group: Option<Group>,
    pub examples: Vec<Example>,
    pub origin: Origin,
    uses: Vec<Fact>,
    specificity: usize,
}

impl Rule {
    pub fn matches(&self, facts: &Facts) -> bool {
        self.when.eval(facts)
    }

    pub fn explanation(&self, facts: &Facts) -> String {
        self.explain
            .iter()
            .find(|(_, cond)| cond.as_ref().is_none_or(|c| c.eval(facts)))
            .map(|(t, _)| t.render(facts))
            .unwrap_or_default()
    }

    /// The explanation templates as written (for `authsift explain`).
    pub fn explain_sources(&self) -> impl Iterator<Item = &str> {
        self.explain.iter().map(|(t, _)| t.source())
    }

    /// Error codes the rule's condition names.
    pub fn codes(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.when.codes(&mut out);
        out
    }

    fn finding(&self, incident: &Incident, facts: &Arc<Facts>, index: usize) -> Finding {
        let mut evidence = incident.facts.evidence(&self.uses);
        if let Some(h) = &incident.headline
            && !evidence.iter().any(|l| l.line == h.line)
        {
            evidence.push(h.clone());
            evidence.sort_by_key(|l| l.line);
        }
        Finding {
            incident: index,
            rule: self.id.clone(),
            title: self.title.clone(),
            severity: self.severity,
            priority: self.priority,
            explanation: self.explanation(&incident.facts),
            fix: self.fix.iter().map(|t| t.render(&incident.facts)).collect(),
            evidence,
            facts: facts.clone(),
            signature_diff: incident.signature_diff.clone(),
            not_checked: crate::facts::not_checked(&incident.facts),
            headline: incident.headline.clone(),
            batch: None,
        }
    }
}

/// The rules in force, in evaluation order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    codes: BTreeMap<String, String>,
}

impl RuleSet {
    /// The built-in rules, plus `files` in order (a rule whose id already
    /// exists replaces it; a new id adds a rule).
    pub fn load(defaults: bool, files: &[PathBuf]) -> Result<RuleSet, RuleError> {
        let mut set = RuleSet::default();
        if defaults {
            set.add_source(DEFAULT_RULES_NAME, DEFAULT_RULES, None)?;
        }
        for path in files {
            let text = std::fs::read_to_string(path).map_err(|e| RuleError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read rule file: {e}"),
                source_line: String::new(),
            })?;
            set.add_source(&path.display().to_string(), &text, path.parent())?;
        }
        Ok(set)
    }

    /// The built-in rule set alone.
    pub fn builtin() -> RuleSet {
        RuleSet::load(true, &[]).expect("the built-in rules compile (tested)")
    }

    /// Adds the rules of one file's text; `base` resolves example paths.
    pub fn add_source(
        &mut self,
        name: &str,
        text: &str,
        base: Option<&Path>,
    ) -> Result<(), RuleError> {
        let items = parse::file(text)
            .map_err(|f| locate(name, text, f.at, format!("expected {}", f.expected)))?;
        let compiler = Compiler {
            name,
            text,
            base,
            lists: HashMap::new(),
            counted: std::cell::Cell::new((0, 1)),
        };
        let (rules, codes) = compiler.compile(items)?;
        // Where each id is, looked up once per new rule (a search per rule
        // was quadratic in the number of rules).
        let mut at: HashMap<String, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for rule in rules {
            match at.get(&rule.id) {
                Some(&i) => self.rules[i] = rule,
                None => {
                    at.insert(rule.id.clone(), self.rules.len());
                    self.rules.push(rule);
                }
            }
        }
        self.codes.extend(codes);
        self.sort();
        Ok(())
    }

    /// Priority first, then specificity, then id (deterministic).
    fn sort(&mut self) {
        self.rules.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.specificity.cmp(&a.specificity))
                .then(a.id.cmp(&b.id))
        });
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// What an error code means, from the rule files' `code` entries.
    pub fn code_description(&self, code: &str) -> Option<&str> {
        self.codes.get(code).map(String::as_str)
    }

    pub fn has_batch_rules(&self) -> bool {
        self.rules.iter().any(|r| r.group.is_some())
    }

    /// Per-incident rules that hold for these facts, most likely first.
    pub fn matching<'a>(&'a self, facts: &'a Facts) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.group.is_none() && r.matches(facts))
    }

    /// The rule id of the most likely cause, without building findings.
    pub fn verdict(&self, facts: &Facts) -> Option<&str> {
        self.rules
            .iter()
            .find(|r| r.group.is_none() && r.matches(facts))
            .map(|r| r.id.as_str())
    }

    /// Every finding an incident supports, most likely cause first.
    pub fn evaluate(&self, incident: &Incident, index: usize) -> Vec<Finding> {
        self.matching(&incident.facts)
            .map(|r| r.finding(incident, &incident.facts, index))
            .collect()
    }

    /// Batch rules over all incidents of an input: per group, the densest
    /// window; a finding when it holds at least the rule's count.
    pub fn evaluate_batch(&self, incidents: &[(Arc<Facts>, Option<EvidenceLine>)]) -> Vec<Finding> {
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.group.is_some()) {
            let group = rule.group.as_ref().expect("filtered on group");
            let mut groups: BTreeMap<Vec<String>, Vec<(i64, usize)>> = BTreeMap::new();
            for (i, (facts, _)) in incidents.iter().enumerate() {
                if !rule.matches(facts) {
                    continue;
                }
                let key: Option<Vec<String>> = group
                    .by
                    .iter()
                    .map(|f| facts.get(*f).map(value_text))
                    .collect();
                if let (Some(key), Some(time)) = (key, facts.int(Fact::EventTime)) {
                    groups.entry(key).or_default().push((time, i));
                }
            }
            for (key, mut events) in groups {
                events.sort_unstable();
                let Some((start, end)) = densest_window(&events, group.window_seconds) else {
                    continue;
                };
                let count = end - start + 1;
                if count < group.min_count {
                    continue;
                }
                let (first, last) = (events[start], events[end]);
                let (facts, first_line) = &incidents[first.1];
                let mut evidence: Vec<EvidenceLine> = [first_line, &incidents[last.1].1]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                evidence.dedup_by_key(|l| l.line);
                out.push(Finding {
                    incident: first.1,
                    rule: rule.id.clone(),
                    title: rule.title.clone(),
                    severity: rule.severity,
                    priority: rule.priority,
                    explanation: rule.explanation(facts),
                    fix: rule.fix.iter().map(|t| t.render(facts)).collect(),
                    evidence,
                    facts: facts.clone(),
                    signature_diff: Vec::new(),
                    not_checked: Vec::new(),
                    headline: first_line.clone(),
                    batch: Some(Batch {
                        group: group
                            .by
                            .iter()
                            .map(|f| f.name().to_string())
                            .zip(key)
                            .collect(),
                        count,
                        first_seen: first.0,
                        last_seen: last.0,
                    }),
                });
            }
        }
        out
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
    }
}

/// The window of at most `seconds` holding the most events (sorted by time):
/// the indices of its first and last event.
fn densest_window(events: &[(i64, usize)], seconds: i64) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for end in 0..events.len() {
        while events[end].0 - events[start].0 > seconds {
            start += 1;
        }
        if best.is_none_or(|(s, e)| end - start > e - s) {
            best = Some((start, end));
        }
    }
    best
}

/// Turns one file's syntax tree into rules, checking names and types.
struct Compiler<'a> {
    name: &'a str,
    text: &'a str,
    base: Option<&'a Path>,
    lists: HashMap<&'a str, Arc<[Value]>>,
    /// Lines counted so far: (byte offset, its line). Rules come in source
    /// order, so each rule's line is counted on from the previous one (a
    /// count from the start per rule was quadratic in the file's size).
    counted: std::cell::Cell<(usize, usize)>,
}

impl<'a> Compiler<'a> {
    /// The 1-based line of `at`, a slice of the source.
    fn line_of(&self, at: &str) -> usize {
        let offset = (at.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len());
        let (mut from, mut line) = self.counted.get();
        if offset < from {
            (from, line) = (0, 1);
        }
        line += memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..offset]).count();
        self.counted.set((offset, line));
        line
    }

    fn err(&self, at: &str, message: impl Into<String>) -> RuleError {
        locate(self.name, self.text, at, message.into())
    }

    fn compile(
        mut self,
        items: Vec<Item<'a>>,
    ) -> Result<(Vec<Rule>, BTreeMap<String, String>), RuleError> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut ids: HashSet<&'a str> = HashSet::new();
        let mut codes = BTreeMap::new();
        for item in items {
            match item {
                Item::List { name, values } => {
                    let values = self.literals(&values)?;
                    self.lists.insert(name, values);
                }
                Item::Code { code, text } => {
                    codes.insert(code.to_string(), text);
                }
                Item::Rule(raw) => {
                    if !ids.insert(raw.id) {
                        return Err(self.err(
                            raw.id,
                            format!("duplicate rule id `{}` in this file", raw.id),
                        ));
                    }
                    rules.push(self.rule(raw)?);
                }
            }
        }
        Ok((rules, codes))
    }

    fn rule(&self, raw: parse::Rule<'a>) -> Result<Rule, RuleError> {
        let mut title = None;
        let mut severity = None;
        let mut priority = None;
        let mut when = None;
        let mut explain = Vec::new();
        let mut fix = Vec::new();
        let mut see = Vec::new();
        let mut group = None;
        let mut examples = Vec::new();
        for field in raw.fields {
            match field {
                Field::Title(_, t) => title = Some(t),
                Field::Severity(s) => {
                    severity = Some(match s {
                        "low" => Severity::Low,
                        "medium" => Severity::Medium,
                        _ => Severity::High,
                    })
                }
                Field::Priority(_, p) => priority = Some(p),
                Field::When(_, e) => when = Some(self.cond(&e)?),
                Field::Explain(t, s, cond) => {
                    let cond = cond.map(|c| self.cond(&c)).transpose()?;
                    explain.push((self.template(t, &s)?, cond));
                }
                Field::Fix(t, s) => fix.push(self.template(t, &s)?),
                Field::See(_, s) => see.push(s),
                Field::Group { by, window, count } => {
                    let by = by
                        .iter()
                        .map(|f| self.fact(f))
                        .collect::<Result<Vec<_>, _>>()?;
                    if count < 1 {
                        return Err(self.err(window.0, "the count must be at least 1"));
                    }
                    group = Some(Group {
                        by,
                        window_seconds: window.1,
                        min_count: count as usize,
                    });
                }
                Field::Example { matches, input } => examples.push(self.example(matches, input)?),
            }
        }
        let missing = |what: &str| self.err(raw.id, format!("rule `{}` has no `{what}`", raw.id));
        let when = when.ok_or_else(|| missing("when"))?;
        if explain.is_empty() {
            return Err(missing("explain"));
        }
        if fix.is_empty() {
            return Err(missing("fix"));
        }
        let mut uses = Vec::new();
        when.facts(&mut uses);
        uses.sort_unstable();
        uses.dedup();
        Ok(Rule {
            id: raw.id.to_string(),
            title: title.ok_or_else(|| missing("title"))?,
            severity: severity.ok_or_else(|| missing("severity"))?,
            priority: priority.ok_or_else(|| missing("priority"))?,
            specificity: when.atoms(),
            when,
            explain,
            fix,
            see,
            group,
            examples,
            origin: Origin {
                file: self.name.to_string(),
                line: self.line_of(raw.id),
            },
            uses,
        })
    }

    fn example(&self, matches: bool, input: parse::Example<'a>) -> Result<Example, RuleError> {
        Ok(match input {
            parse::Example::File(_, path) => {
                let path = PathBuf::from(path);
                let path = match self.base {
                    Some(base) if path.is_relative() => base.join(path),
                    _ => path,
                };
                Example::File { path, matches }
            }
            parse::Example::Facts(pairs) => {
                let mut facts = Facts::default();
                for (name, lit) in pairs {
                    let fact = self.fact(name)?;
                    let value = literal(&lit);
                    if value.kind() != fact.kind() {
                        return Err(self.err(
                            lit_tok(&lit),
                            format!(
                                "`{}` is {}, not {}",
                                fact.name(),
                                fact.kind().with_article(),
                                value.kind().with_article()
                            ),
                        ));
                    }
                    facts.set(fact, value, None);
                }
                Example::Facts { facts, matches }
            }
        })
    }

    fn fact(&self, name: &str) -> Result<Fact, RuleError> {
        Fact::from_name(name).ok_or_else(|| {
            let hint =
                closest_fact(name).map_or(String::new(), |f| format!(" (did you mean `{f}`?)"));
            self.err(name, format!("unknown fact `{name}`{hint}"))
        })
    }

    fn literals(&self, lits: &[Lit<'a>]) -> Result<Arc<[Value]>, RuleError> {
        let values: Vec<Value> = lits.iter().map(literal).collect();
        if let (Some(first), Some(odd)) = (
            values.first(),
            lits.iter().find(|l| literal(l).kind() != values[0].kind()),
        ) {
            return Err(self.err(
                lit_tok(odd),
                format!(
                    "a list holds one type; this list starts with {}",
                    first.kind().with_article()
                ),
            ));
        }
        Ok(values.into())
    }

    fn operand(&self, o: &parse::Operand<'a>) -> Result<(Operand, Kind, &'a str), RuleError> {
        Ok(match o {
            parse::Operand::Fact(n) => {
                let f = self.fact(n)?;
                (Operand::Fact(f), f.kind(), n)
            }
            parse::Operand::Abs(n) => {
                let f = self.fact(n)?;
                if f.kind() != Kind::Int {
                    return Err(self.err(
                        n,
                        format!(
                            "abs() needs an integer fact; `{n}` is {}",
                            f.kind().with_article()
                        ),
                    ));
                }
                (Operand::Abs(f), Kind::Int, n)
            }
            parse::Operand::Lit(l) => {
                let v = literal(l);
                let k = v.kind();
                (Operand::Lit(v), k, lit_tok(l))
            }
        })
    }

    fn cond(&self, e: &parse::Expr<'a>) -> Result<Cond, RuleError> {
        use parse::Expr as E;
        Ok(match e {
            E::Or(parts) => Cond::Or(
                parts
                    .iter()
                    .map(|p| self.cond(p))
                    .collect::<Result<_, _>>()?,
            ),
            E::And(parts) => Cond::And(
                parts
                    .iter()
                    .map(|p| self.cond(p))
                    .collect::<Result<_, _>>()?,
            ),
            E::Not(inner) => Cond::Not(Box::new(self.cond(inner)?)),
            E::Exists(n) => Cond::Exists(self.fact(n)?),
            E::Truthy(o) => match self.operand(o)? {
                (Operand::Fact(f), Kind::Bool, _) => Cond::True(f),
                (_, kind, at) => {
                    return Err(self.err(
                        at,
                        format!(
                            "{} is not a condition; compare it with something",
                            kind.with_article()
                        ),
                    ));
                }
            },
            E::Cmp(l, op, r) => {
                let (lo, lk, lat) = self.operand(l)?;
                let (ro, rk, _) = self.operand(r)?;
                if lk != rk {
                    return Err(self.err(
                        lat,
                        format!(
                            "cannot compare {} with {}",
                            lk.with_article(),
                            rk.with_article()
                        ),
                    ));
                }
                if lk != Kind::Int && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return Err(self.err(
                        lat,
                        format!(
                            "`<`, `<=`, `>`, `>=` compare integers, not {}",
                            lk.with_article()
                        ),
                    ));
                }
                Cond::Cmp(lo, *op, ro)
            }
            E::In(o, list) => {
                let (op, kind, at) = self.operand(o)?;
                let values = match list {
                    ListRef::Items(items) => self.literals(items)?,
                    ListRef::Named(n) => self.lists.get(n).cloned().ok_or_else(|| {
                        self.err(
                            n,
                            format!(
                                "unknown list `${n}` (define it with `list {n} = [ … ]` above)"
                            ),
                        )
                    })?,
                };
                if let Some(v) = values.first()
                    && v.kind() != kind
                {
                    return Err(self.err(
                        at,
                        format!(
                            "{} cannot be in a list of {}s",
                            kind.with_article(),
                            v.kind().as_str()
                        ),
                    ));
                }
                Cond::In(op, values)
            }
            E::Matches(o, at, pattern) => {
                let (fact, kind) = match self.operand(o)? {
                    (Operand::Fact(f), k, _) => (f, k),
                    (_, _, at) => return Err(self.err(at, "`=~` needs a fact on its left")),
                };
                if kind != Kind::Str {
                    return Err(self.err(
                        at,
                        format!(
                            "`=~` matches strings; `{}` is {}",
                            fact.name(),
                            kind.with_article()
                        ),
                    ));
                }
                let regex = regex::RegexBuilder::new(pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        self.err(
                            at,
                            format!(
                                "bad regular expression: {}",
                                e.to_string().lines().last().unwrap_or("")
                            ),
                        )
                    })?;
                Cond::Matches(fact, regex)
            }
        })
    }

    fn template(&self, at: &'a str, text: &str) -> Result<Template, RuleError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let is_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if !is_name {
                parts.push(Part::Text(rest[..open + 1].to_string()));
                rest = &rest[open + 1..];
                continue;
            }
            let fact = Fact::from_name(name).ok_or_else(|| {
                let hint =
                    closest_fact(name).map_or(String::new(), |f| format!(" (did you mean `{f}`?)"));
                self.err(at, format!("unknown fact `{{{name}}}` in text{hint}"))
            })?;
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            parts.push(Part::Fact(fact));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            parts,
            source: text.to_string(),
        })
    }
}

fn literal(l: &Lit<'_>) -> Value {
    match l {
        Lit::Str(_, s) => Value::Str(s.clone()),
        Lit::Int(_, i) => Value::Int(*i),
        Lit::Bool(_, b) => Value::Bool(*b),
    }
}

fn lit_tok<'a>(l: &Lit<'a>) -> &'a str {
    match l {
        Lit::Str(t, _) | Lit::Int(t, _) | Lit::Bool(t, _) => t,
    }
}

/// The known fact nearest to a misspelt name, if any is close.
fn closest_fact(name: &str) -> Option<&'static str> {
    Fact::ALL
        .iter()
        .map(|f| (crate::text::edit_distance(name, f.name()), f.name()))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests;
