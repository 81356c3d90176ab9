//! Compiled conditions and their evaluation: a walk over a small tree
//! that borrows the facts it compares, never cloning or allocating.

use std::sync::Arc;

use regex::Regex;

use super::parse::CmpOp;
use crate::facts::{Fact, Facts, Value};

/// A compiled condition.
#[derive(Debug, Clone)]
pub(super) enum Cond {
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
pub(super) enum Operand {
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
    pub(super) fn eval(&self, facts: &Facts) -> bool {
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
    pub(super) fn atoms(&self) -> usize {
        match self {
            Cond::Or(p) | Cond::And(p) => p.iter().map(Cond::atoms).sum(),
            Cond::Not(c) => c.atoms(),
            _ => 1,
        }
    }

    pub(super) fn facts(&self, out: &mut Vec<Fact>) {
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

    /// The facts that make this (true) condition hold, for the evidence of
    /// a finding: of an `or`, only the branches that hold, so a line is
    /// quoted because it proves the verdict, not because the rule could
    /// have looked at it. A negation quotes what it reads (when present).
    pub(super) fn witnesses(&self, facts: &Facts, out: &mut Vec<Fact>) {
        match self {
            Cond::Or(p) => p
                .iter()
                .filter(|c| c.eval(facts))
                .for_each(|c| c.witnesses(facts, out)),
            Cond::And(p) => p.iter().for_each(|c| c.witnesses(facts, out)),
            _ => self.facts(out),
        }
    }

    /// String literals compared with `error.code` (for `authsift explain`).
    pub(super) fn codes(&self, out: &mut Vec<String>) {
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
