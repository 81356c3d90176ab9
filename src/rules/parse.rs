//! The rule-file grammar (nom) → a raw syntax tree that still points into
//! the source, so every later error can name its line and column.
//!
//! ```text
//! file     = { list | code | rule }
//! list     = "list" NAME "=" "[" literal { "," literal } "]"
//! code     = "code" NAME STRING
//! rule     = "rule" ID "{" { field } "}"
//! field    = "title" STRING | "cause" ID | "severity" ("low"|"medium"|"high") | "priority" INT
//!          | "when" expr | "explain" STRING [ "if" expr ] | "fix" STRING [ "if" expr ] | "see" STRING
//!          | "group" "by" FACT { "," FACT } "within" DURATION "count" ">=" INT
//!          | "example" ("match" | "no-match") ( STRING | "{" FACT "=" literal { "," … } "}" )
//! expr     = and { "or" and }        and = not { "and" not }
//! not      = "not" not | atom
//! atom     = "(" expr ")" | "exists" "(" FACT ")" | operand [ cmp operand | "in" list | "=~" STRING ]
//! operand  = FACT | "abs" "(" FACT ")" | literal
//! literal  = STRING | INT | "true" | "false"
//! ```
//! Comments run from `#` to the end of the line.
//!
//! Length: about 590 lines of parser and 60 of tests: one grammar, kept
//! whole so its rules read top to bottom.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_while, take_while1},
    character::complete::{char, digit1, multispace1, not_line_ending},
    combinator::{opt, recognize},
    error::{ErrorKind, ParseError},
    multi::many0,
    sequence::pair,
};

/// A parse failure: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure<'a> {
    pub at: &'a str,
    pub expected: String,
}

impl<'a> ParseError<&'a str> for Failure<'a> {
    fn from_error_kind(input: &'a str, kind: ErrorKind) -> Self {
        Failure {
            at: input,
            expected: format!("{kind:?}").to_lowercase(),
        }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a str, T, Failure<'a>>;

/// A token: its text is a slice of the source, which gives its position.
pub type Tok<'a> = &'a str;

#[derive(Debug, Clone)]
pub enum Item<'a> {
    List { name: Tok<'a>, values: Vec<Lit<'a>> },
    Code { code: Tok<'a>, text: String },
    Rule(Rule<'a>),
}

#[derive(Debug, Clone)]
pub struct Rule<'a> {
    pub id: Tok<'a>,
    pub fields: Vec<Field<'a>>,
}

#[derive(Debug, Clone)]
pub enum Field<'a> {
    Title(Tok<'a>, String),
    /// The root cause the rule's findings name, when it is not the rule's id.
    Cause(Tok<'a>),
    Severity(Tok<'a>),
    Priority(Tok<'a>, i64),
    When(Tok<'a>, Expr<'a>),
    Explain(Tok<'a>, String, Option<Expr<'a>>),
    Fix(Tok<'a>, String, Option<Expr<'a>>),
    See(Tok<'a>, String),
    Group {
        by: Vec<Tok<'a>>,
        window: (Tok<'a>, i64),
        count: i64,
    },
    Example {
        matches: bool,
        input: Example<'a>,
    },
}

#[derive(Debug, Clone)]
pub enum Example<'a> {
    File(Tok<'a>, String),
    Facts(Vec<(Tok<'a>, Lit<'a>)>),
}

#[derive(Debug, Clone)]
pub enum Expr<'a> {
    Or(Vec<Expr<'a>>),
    And(Vec<Expr<'a>>),
    Not(Box<Expr<'a>>),
    Exists(Tok<'a>),
    /// A bare operand used as a condition (a boolean fact).
    Truthy(Operand<'a>),
    Cmp(Operand<'a>, CmpOp, Operand<'a>),
    In(Operand<'a>, ListRef<'a>),
    Matches(Operand<'a>, Tok<'a>, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub enum Operand<'a> {
    Fact(Tok<'a>),
    Abs(Tok<'a>),
    Lit(Lit<'a>),
}

#[derive(Debug, Clone)]
pub enum Lit<'a> {
    Str(Tok<'a>, String),
    Int(Tok<'a>, i64),
    Bool(Tok<'a>, bool),
}

#[derive(Debug, Clone)]
pub enum ListRef<'a> {
    Items(Vec<Lit<'a>>),
    Named(Tok<'a>),
}

/// Parses a whole rule file.
pub fn file(input: &str) -> Result<Vec<Item<'_>>, Failure<'_>> {
    let (rest, items) = many0(preceded_ws(item)).parse(input).map_err(unwrap)?;
    let (rest, _) = ws(rest).map_err(unwrap)?;
    if !rest.is_empty() {
        return Err(Failure {
            at: rest,
            expected: "`rule`, `list` or `code`".into(),
        });
    }
    Ok(items)
}

fn unwrap(e: nom::Err<Failure<'_>>) -> Failure<'_> {
    match e {
        nom::Err::Error(f) | nom::Err::Failure(f) => f,
        nom::Err::Incomplete(_) => Failure {
            at: "",
            expected: "more input".into(),
        },
    }
}

fn fail<'a, T>(at: &'a str, expected: &str) -> Res<'a, T> {
    Err(nom::Err::Failure(Failure {
        at,
        expected: expected.to_string(),
    }))
}

/// Turns a recoverable error into a fatal one with a clear expectation.
fn expect<'a, T>(
    mut p: impl Parser<&'a str, Output = T, Error = Failure<'a>>,
    expected: &'static str,
) -> impl FnMut(&'a str) -> Res<'a, T> {
    move |input: &'a str| {
        let (input, _) = ws(input)?;
        match p.parse(input) {
            Ok(ok) => Ok(ok),
            Err(nom::Err::Error(_)) => fail(input, expected),
            Err(e) => Err(e),
        }
    }
}

fn ws(input: &str) -> Res<'_, ()> {
    let (rest, _) = many0(alt((
        multispace1,
        recognize(pair(char('#'), not_line_ending)),
    )))
    .parse(input)?;
    Ok((rest, ()))
}

fn preceded_ws<'a, T>(
    mut p: impl Parser<&'a str, Output = T, Error = Failure<'a>>,
) -> impl FnMut(&'a str) -> Res<'a, T> {
    move |input: &'a str| {
        let (input, _) = ws(input)?;
        p.parse(input)
    }
}

/// A keyword: the word, not the prefix of a longer one.
fn keyword<'a>(word: &'static str) -> impl FnMut(&'a str) -> Res<'a, &'a str> {
    move |input: &'a str| {
        let (input, _) = ws(input)?;
        let (rest, w) = tag(word)(input)?;
        match rest.chars().next() {
            Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' => Err(
                nom::Err::Error(Failure::from_error_kind(input, ErrorKind::Tag)),
            ),
            _ => Ok((rest, w)),
        }
    }
}

fn symbol<'a>(s: &'static str) -> impl FnMut(&'a str) -> Res<'a, &'a str> {
    move |input: &'a str| {
        let (input, _) = ws(input)?;
        tag(s)(input)
    }
}

/// Dotted names: facts (`error.code`), rule ids (`clock.skew`), list names.
fn name(input: &str) -> Res<'_, &str> {
    let (input, _) = ws(input)?;
    recognize(pair(
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        take_while(|c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')),
    ))
    .parse(input)
}

fn string(input: &str) -> Res<'_, (Tok<'_>, String)> {
    let (input, _) = ws(input)?;
    let start = input;
    let (mut rest, _) = char('"')(input)?;
    let mut out = String::new();
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            None | Some('\n') => return fail(start, "a closing `\"`"),
            Some('"') => {
                let consumed = start.len() - chars.as_str().len();
                return Ok((chars.as_str(), (&start[..consumed], out)));
            }
            Some('\\') => {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c @ ('"' | '\\')) => out.push(c),
                    // Other escapes are kept as written (regexes use `\d`, `\s`).
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => return fail(start, "a closing `\"`"),
                }
            }
            Some(c) => out.push(c),
        }
        rest = chars.as_str();
    }
}

fn integer(input: &str) -> Res<'_, (Tok<'_>, i64)> {
    let (input, _) = ws(input)?;
    let (rest, text) = recognize(pair(opt(char('-')), digit1)).parse(input)?;
    match text.parse::<i64>() {
        Ok(n) => Ok((rest, (text, n))),
        Err(_) => fail(input, "a number that fits in 64 bits"),
    }
}

fn literal(input: &str) -> Res<'_, Lit<'_>> {
    alt((
        |i| string(i).map(|(r, (t, s))| (r, Lit::Str(t, s))),
        |i| integer(i).map(|(r, (t, n))| (r, Lit::Int(t, n))),
        |i| keyword("true")(i).map(|(r, t)| (r, Lit::Bool(t, true))),
        |i| keyword("false")(i).map(|(r, t)| (r, Lit::Bool(t, false))),
    ))
    .parse(input)
}

fn list_items(input: &str) -> Res<'_, Vec<Lit<'_>>> {
    let (mut input, _) = symbol("[")(input)?;
    let mut items = Vec::new();
    if let Ok((rest, _)) = symbol("]")(input) {
        return Ok((rest, items));
    }
    loop {
        let (rest, lit) = expect(literal, "a string, number or boolean")(input)?;
        items.push(lit);
        if let Ok((rest, _)) = symbol(",")(rest) {
            // A trailing comma before `]` is fine.
            if let Ok((rest, _)) = symbol("]")(rest) {
                return Ok((rest, items));
            }
            input = rest;
            continue;
        }
        let (rest, _) = expect(symbol("]"), "`,` or `]`")(rest)?;
        return Ok((rest, items));
    }
}

fn item(input: &str) -> Res<'_, Item<'_>> {
    alt((list_def, code_def, rule)).parse(input)
}

fn list_def(input: &str) -> Res<'_, Item<'_>> {
    let (input, _) = keyword("list")(input)?;
    let (input, name) = expect(name, "a list name")(input)?;
    let (input, _) = expect(symbol("="), "`=`")(input)?;
    let (input, values) = expect(list_items, "a list `[ … ]`")(input)?;
    Ok((input, Item::List { name, values }))
}

fn code_def(input: &str) -> Res<'_, Item<'_>> {
    let (input, _) = keyword("code")(input)?;
    let (input, code) = expect(name, "an error code")(input)?;
    let (input, (_, text)) = expect(string, "a quoted description")(input)?;
    Ok((input, Item::Code { code, text }))
}

fn rule(input: &str) -> Res<'_, Item<'_>> {
    let (input, _) = keyword("rule")(input)?;
    let (input, id) = expect(name, "a rule id such as `clock.skew`")(input)?;
    let (mut input, _) = expect(symbol("{"), "`{`")(input)?;
    let mut fields = Vec::new();
    loop {
        if let Ok((rest, _)) = symbol("}")(input) {
            return Ok((rest, Item::Rule(Rule { id, fields })));
        }
        let (rest, f) = expect(
            field,
            "a field (title, cause, severity, priority, when, explain, fix, see, group, example) or `}`",
        )(input)?;
        fields.push(f);
        input = rest;
    }
}

fn field(input: &str) -> Res<'_, Field<'_>> {
    let (input, _) = ws(input)?;
    let start = input;
    let (input, word) = name(input)?;
    match word {
        "title" => {
            let (rest, (t, s)) = expect(string, "a quoted title")(input)?;
            Ok((rest, Field::Title(t, s)))
        }
        "cause" => {
            let (rest, id) = expect(name, "a rule id such as `config.malformed`")(input)?;
            Ok((rest, Field::Cause(id)))
        }
        "severity" => {
            let (rest, s) = expect(
                alt((keyword("low"), keyword("medium"), keyword("high"))),
                "`low`, `medium` or `high`",
            )(input)?;
            Ok((rest, Field::Severity(s)))
        }
        "priority" => {
            let (rest, (t, n)) = expect(integer, "a number")(input)?;
            Ok((rest, Field::Priority(t, n)))
        }
        "when" => {
            let (rest, e) = expect(expr, "a condition")(input)?;
            Ok((rest, Field::When(start, e)))
        }
        "explain" => {
            let (rest, (t, s)) = expect(string, "a quoted explanation")(input)?;
            let (rest, cond) = condition(rest)?;
            Ok((rest, Field::Explain(t, s, cond)))
        }
        "fix" => {
            let (rest, (t, s)) = expect(string, "a quoted fix step")(input)?;
            let (rest, cond) = condition(rest)?;
            Ok((rest, Field::Fix(t, s, cond)))
        }
        "see" => {
            let (rest, (t, s)) = expect(string, "a quoted reference (URL)")(input)?;
            Ok((rest, Field::See(t, s)))
        }
        "group" => group(input),
        "example" => example(input),
        _ => Err(nom::Err::Error(Failure::from_error_kind(
            start,
            ErrorKind::Tag,
        ))),
    }
}

fn group(input: &str) -> Res<'_, Field<'_>> {
    let (input, _) = expect(keyword("by"), "`by`")(input)?;
    let (mut input, first) = expect(name, "a fact name")(input)?;
    let mut by = vec![first];
    while let Ok((rest, _)) = symbol(",")(input) {
        let (rest, f) = expect(name, "a fact name")(rest)?;
        by.push(f);
        input = rest;
    }
    let (input, _) = expect(keyword("within"), "`within`")(input)?;
    let (input, window) = expect(duration, "a duration such as `10m`, `1h` or `30s`")(input)?;
    let (input, _) = expect(keyword("count"), "`count`")(input)?;
    let (input, _) = expect(symbol(">="), "`>=`")(input)?;
    let (input, (_, count)) = expect(integer, "a number")(input)?;
    Ok((input, Field::Group { by, window, count }))
}

fn duration(input: &str) -> Res<'_, (Tok<'_>, i64)> {
    let (input, _) = ws(input)?;
    let (rest, text) =
        recognize(pair(digit1, take_while1(|c: char| "smhd".contains(c)))).parse(input)?;
    let (digits, unit) = text.split_at(text.len() - 1);
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return fail(input, "a unit s, m, h or d"),
    };
    match digits.parse::<i64>() {
        Ok(n) => Ok((rest, (text, n * scale))),
        Err(_) => fail(input, "a duration such as `10m`"),
    }
}

fn example(input: &str) -> Res<'_, Field<'_>> {
    let (input, kind) = expect(
        alt((keyword("match"), keyword("no-match"))),
        "`match` or `no-match`",
    )(input)?;
    let matches = kind == "match";
    if let Ok((rest, (t, path))) = string(input) {
        return Ok((
            rest,
            Field::Example {
                matches,
                input: Example::File(t, path),
            },
        ));
    }
    let (mut input, _) =
        expect(symbol("{"), "a quoted log path or `{ fact = value, … }`")(input)?;
    let mut facts = Vec::new();
    loop {
        if let Ok((rest, _)) = symbol("}")(input) {
            return Ok((
                rest,
                Field::Example {
                    matches,
                    input: Example::Facts(facts),
                },
            ));
        }
        let (rest, fact) = expect(name, "a fact name or `}`")(input)?;
        let (rest, _) = expect(symbol("="), "`=`")(rest)?;
        let (rest, value) = expect(literal, "a string, number or boolean")(rest)?;
        facts.push((fact, value));
        input = match symbol(",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) => rest,
        };
    }
}

pub fn expr(input: &str) -> Res<'_, Expr<'_>> {
    joined(input, "or", and_expr, Expr::Or)
}

fn and_expr(input: &str) -> Res<'_, Expr<'_>> {
    joined(input, "and", not_expr, Expr::And)
}

/// `part { word part }`: one part alone, or all of them combined.
fn joined<'a>(
    input: &'a str,
    word: &'static str,
    part: fn(&'a str) -> Res<'a, Expr<'a>>,
    combine: fn(Vec<Expr<'a>>) -> Expr<'a>,
) -> Res<'a, Expr<'a>> {
    let (mut input, first) = part(input)?;
    let mut parts = vec![first];
    while let Ok((rest, _)) = keyword(word)(input) {
        let what = if word == "or" {
            "a condition after `or`"
        } else {
            "a condition after `and`"
        };
        let (rest, e) = expect(part, what)(rest)?;
        parts.push(e);
        input = rest;
    }
    Ok((
        input,
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            combine(parts)
        },
    ))
}

/// How deep conditions may nest (parentheses and `not`s together): deep
/// enough for any rule a person writes, shallow enough that parsing,
/// compiling and evaluating (all recursive) never exhaust the stack.
pub const MAX_NESTING: usize = 64;

thread_local! {
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of nesting, given back when dropped (on errors too).
struct Nested;

impl Nested {
    fn enter(at: &str) -> Result<Nested, nom::Err<Failure<'_>>> {
        let depth = NESTING.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let level = Nested;
        if depth > MAX_NESTING {
            return Err(nom::Err::Failure(Failure {
                at,
                expected: format!(
                    "a condition nested at most {MAX_NESTING} levels deep (parentheses and `not`)"
                ),
            }));
        }
        Ok(level)
    }
}

impl Drop for Nested {
    fn drop(&mut self) {
        NESTING.with(|d| d.set(d.get() - 1));
    }
}

fn not_expr(input: &str) -> Res<'_, Expr<'_>> {
    if let Ok((rest, _)) = keyword("not")(input) {
        let _level = Nested::enter(input)?;
        let (rest, e) = expect(not_expr, "a condition after `not`")(rest)?;
        return Ok((rest, Expr::Not(Box::new(e))));
    }
    atom(input)
}

fn atom(input: &str) -> Res<'_, Expr<'_>> {
    if let Ok((rest, _)) = symbol("(")(input) {
        let _level = Nested::enter(input)?;
        let (rest, e) = expect(expr, "a condition")(rest)?;
        let (rest, _) = expect(symbol(")"), "`)`")(rest)?;
        return Ok((rest, e));
    }
    if let Ok((rest, _)) = keyword("exists")(input) {
        let (rest, _) = expect(symbol("("), "`(`")(rest)?;
        let (rest, fact) = expect(name, "a fact name")(rest)?;
        let (rest, _) = expect(symbol(")"), "`)`")(rest)?;
        return Ok((rest, Expr::Exists(fact)));
    }
    let (input, left) = operand(input)?;
    if let Ok((rest, _)) = keyword("in")(input) {
        let (rest, list) = expect(list_ref, "a list `[ … ]` or `$name`")(rest)?;
        return Ok((rest, Expr::In(left, list)));
    }
    if let Ok((rest, _)) = symbol("=~")(input) {
        let (rest, (t, re)) = expect(string, "a quoted regular expression")(rest)?;
        return Ok((rest, Expr::Matches(left, t, re)));
    }
    if let Ok((rest, op)) = cmp_op(input) {
        let (rest, right) = expect(operand, "a fact or a value")(rest)?;
        return Ok((rest, Expr::Cmp(left, op, right)));
    }
    Ok((input, Expr::Truthy(left)))
}

fn cmp_op(input: &str) -> Res<'_, CmpOp> {
    let (rest, op) = alt((
        symbol("=="),
        symbol("!="),
        symbol("<="),
        symbol(">="),
        symbol("<"),
        symbol(">"),
    ))
    .parse(input)?;
    let op = match op {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<=" => CmpOp::Le,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        _ => CmpOp::Gt,
    };
    Ok((rest, op))
}

fn list_ref(input: &str) -> Res<'_, ListRef<'_>> {
    if let Ok((rest, _)) = symbol("$")(input) {
        let (rest, n) = expect(name, "a list name")(rest)?;
        return Ok((rest, ListRef::Named(n)));
    }
    let (rest, items) = list_items(input)?;
    Ok((rest, ListRef::Items(items)))
}

fn operand(input: &str) -> Res<'_, Operand<'_>> {
    if let Ok((rest, _)) = keyword("abs")(input) {
        let (rest, _) = expect(symbol("("), "`(`")(rest)?;
        let (rest, fact) = expect(name, "a fact name")(rest)?;
        let (rest, _) = expect(symbol(")"), "`)`")(rest)?;
        return Ok((rest, Operand::Abs(fact)));
    }
    if let Ok((rest, lit)) = literal(input) {
        return Ok((rest, Operand::Lit(lit)));
    }
    let (rest, n) = name(input)?;
    Ok((rest, Operand::Fact(n)))
}

/// An optional `if <condition>` after an explanation or a fix step.
fn condition(input: &str) -> Res<'_, Option<Expr<'_>>> {
    match keyword("if")(input) {
        Ok((rest, _)) => {
            let (rest, e) = expect(expr, "a condition")(rest)?;
            Ok((rest, Some(e)))
        }
        Err(_) => Ok((input, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_rule_with_every_field() {
        let src = r#"
# a comment
list codes = ["A", "B",]
code SignatureDoesNotMatch "the signature differs"
rule clock.skew {
  title "Clock"
  severity high
  priority 90
  when error.code in $codes or (abs(clock.skew_seconds) > 300 and not exists(x.y))
  explain "ahead {clock.skew_human}" if clock.skew_seconds > 0
  explain "behind"
  fix "timedatectl set-ntp true"
  see "https://example.com"
  group by credential.access_key_id, source.ip within 10m count >= 10
  example match "a.log"
  example no-match { error.code = "X", http.status = 403, flag = true }
}
"#;
        let items = file(src).unwrap();
        assert_eq!(items.len(), 3);
        let Item::Rule(r) = &items[2] else { panic!() };
        assert_eq!(r.id, "clock.skew");
        assert_eq!(r.fields.len(), 11);
        assert!(matches!(&r.fields[3], Field::When(_, Expr::Or(parts)) if parts.len() == 2));
        assert!(matches!(
            &r.fields[8],
            Field::Group {
                window: (_, 600),
                count: 10,
                ..
            }
        ));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let src = "rule a.b {\n  title \"x\"\n  when error.code ==\n}\n";
        let f = file(src).unwrap_err();
        assert_eq!(f.expected, "a fact or a value");
        assert!(
            f.at.starts_with("\n}") || f.at.starts_with('}'),
            "{:?}",
            f.at
        );
        let f = file("rule a.b {\n  colour red\n}").unwrap_err();
        assert!(f.expected.starts_with("a field"), "{}", f.expected);
        assert!(f.at.starts_with("colour"));
        let f = file("rule a.b { title \"unterminated\n}").unwrap_err();
        assert_eq!(f.expected, "a closing `\"`");
        assert!(file("nonsense").is_err());
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let (_, e) = expr("a == 1 or b == 2 and not c").unwrap();
        let Expr::Or(parts) = e else { panic!() };
        assert!(matches!(&parts[1], Expr::And(and) if matches!(and[1], Expr::Not(_))));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for (open, close) in [("(", ")"), ("not ", "")] {
            let deep = format!("{}a == 1{}", open.repeat(50_000), close.repeat(50_000));
            let e = expr(&deep).unwrap_err();
            let nom::Err::Failure(f) = e else {
                panic!("{e:?}")
            };
            assert!(f.expected.contains("nested at most"), "{}", f.expected);
            // Where the limit was passed: the 65th opening.
            assert_eq!(deep.len() - f.at.len(), MAX_NESTING * open.len());
        }
        let fine = format!(
            "{}a == 1{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(expr(&fine).is_ok());
        // The count is given back after a failure.
        assert!(expr("(a == 1").is_err());
        assert!(expr(&fine).is_ok());
    }
}
