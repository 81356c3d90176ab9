//! A rule file's syntax tree → rules: names resolved, types checked, the
//! values of enum-valued facts checked, regexes compiled, every problem
//! located with a caret.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::eval::{Cond, Operand};
use super::parse::{self, CmpOp, Field, Item, ListRef, Lit};
use super::{Example, Group, Origin, Rule, RuleError};
use crate::facts::table::Domain;
use crate::facts::{Fact, Facts, Kind, Value};
use crate::finding::Severity;

/// Compiled regexes are capped so a rule file cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Locates `at` (a slice of `source`) for an error message.
pub(super) fn locate(file: &str, source: &str, at: &str, message: String) -> RuleError {
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

/// Turns one file's syntax tree into rules, checking names and types.
pub(super) struct Compiler<'a> {
    name: &'a str,
    text: &'a str,
    base: Option<&'a Path>,
    /// Named lists: their values, and where each is written.
    lists: HashMap<&'a str, (Arc<[Value]>, Vec<&'a str>)>,
    /// Lines counted so far: (byte offset, its line). Rules come in source
    /// order, so each rule's line is counted on from the previous one (a
    /// count from the start per rule was quadratic in the file's size).
    counted: std::cell::Cell<(usize, usize)>,
}

impl<'a> Compiler<'a> {
    /// A compiler for one file's text; `base` resolves example paths.
    pub(super) fn new(name: &'a str, text: &'a str, base: Option<&'a Path>) -> Self {
        Compiler {
            name,
            text,
            base,
            lists: HashMap::new(),
            counted: std::cell::Cell::new((0, 1)),
        }
    }

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

    pub(super) fn err(&self, at: &str, message: impl Into<String>) -> RuleError {
        locate(self.name, self.text, at, message.into())
    }

    pub(super) fn compile(
        mut self,
        items: Vec<Item<'a>>,
    ) -> Result<(Vec<Rule>, BTreeMap<String, String>), RuleError> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut ids: HashSet<&'a str> = HashSet::new();
        let mut codes = BTreeMap::new();
        for item in items {
            match item {
                Item::List { name, values } => {
                    let at = values.iter().map(lit_tok).collect();
                    let values = self.literals(&values)?;
                    self.lists.insert(name, (values, at));
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
        let mut cause = None;
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
                Field::Title(t, s) => title = Some((self.template(t, &s)?, s)),
                Field::Cause(id) => cause = Some(id.to_string()),
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
                Field::Fix(t, s, cond) => {
                    let cond = cond.map(|c| self.cond(&c)).transpose()?;
                    fix.push((self.template(t, &s)?, cond));
                }
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
        let (title_text, title) = title.ok_or_else(|| missing("title"))?;
        Ok(Rule {
            id: raw.id.to_string(),
            title,
            title_text,
            cause,
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
                    self.value_of(fact, &value, lit_tok(&lit))?;
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

    /// A string `fact` is compared with (or set to, in an example) must be
    /// one the fact can take: a condition on any other could never hold.
    fn value_of(&self, fact: Fact, value: &Value, at: &'a str) -> Result<(), RuleError> {
        let (Some(domain), Some(s)) = (fact.domain(), value.as_str()) else {
            return Ok(());
        };
        if domain.admits(s) {
            return Ok(());
        }
        let hint = match nearest_value(domain, s) {
            Some(near) => format!("did you mean \"{near}\"?"),
            None => format!("its values: {}", shown_values(domain)),
        };
        Err(self.err(at, format!("`{}` is never \"{s}\" ({hint})", fact.name())))
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
                let (ro, rk, rat) = self.operand(r)?;
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
                match (&lo, &ro) {
                    (Operand::Fact(f), Operand::Lit(v)) => self.value_of(*f, v, rat)?,
                    (Operand::Lit(v), Operand::Fact(f)) => self.value_of(*f, v, lat)?,
                    _ => {}
                }
                Cond::Cmp(lo, *op, ro)
            }
            E::In(o, list) => {
                let (op, kind, at) = self.operand(o)?;
                let (values, written) = match list {
                    ListRef::Items(items) => {
                        (self.literals(items)?, items.iter().map(lit_tok).collect())
                    }
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
                if let Operand::Fact(f) = op {
                    for (value, at) in values.iter().zip(written) {
                        self.value_of(f, value, at)?;
                    }
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
}

pub(super) fn literal(l: &Lit<'_>) -> Value {
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

/// The value of a closed set nearest to one it does not hold, if any is
/// close: a misspelt name (`sso-tokn`), a family member (`heder:host`), or
/// a set written out of order (`signature,access_key_id`).
fn nearest_value(domain: Domain, value: &str) -> Option<String> {
    let nearest = |part: &str| -> Option<String> {
        domain
            .names()
            .iter()
            .map(|n| match (n.strip_suffix(':'), part.split_once(':')) {
                (Some(_), Some((_, rest))) if !rest.is_empty() => format!("{n}{rest}"),
                (Some(_), _) => format!("{n}<name>"),
                _ => n.to_string(),
            })
            .map(|n| (crate::text::edit_distance(part, &n), n))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, n)| n)
    };
    match domain {
        Domain::OneOf(_) => nearest(value),
        Domain::SetOf(names) => {
            let mut parts = value
                .split(',')
                .map(|p| {
                    if names.contains(&p) {
                        Some(p.to_string())
                    } else {
                        nearest(p)
                    }
                })
                .collect::<Option<Vec<String>>>()?;
            parts.sort_by_key(|p| names.iter().position(|n| n == p));
            parts.dedup();
            Some(parts.join(",")).filter(|near| near != value)
        }
    }
}

/// A closed set's values, for a message: `a, b, header:<name>`.
fn shown_values(domain: Domain) -> String {
    let names: Vec<String> = domain
        .names()
        .iter()
        .map(|n| match n.strip_suffix(':') {
            Some(_) => format!("{n}<name>"),
            None => n.to_string(),
        })
        .collect();
    match domain {
        Domain::OneOf(_) => names.join(", "),
        Domain::SetOf(_) => format!("{}, comma-separated in that order", names.join(", ")),
    }
}

/// The known fact nearest to a misspelt name, if any is close.
pub(super) fn closest_fact(name: &str) -> Option<&'static str> {
    Fact::ALL
        .iter()
        .map(|f| (crate::text::edit_distance(name, f.name()), f.name()))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n)
}
