//! Top-1 accuracy on the wild corpus (`fixtures/wild/`), against the naive
//! baseline in the same run. Run with `cargo bench --bench accuracy`.
//!
//! Prints both parts of the corpus (development and held-out), the
//! false-all-clear rate (failure cases answered `ok`) and accuracy per root
//! cause. `-- --misses` lists the development part's misses; the held-out
//! part's are listed only with `-- --held-out-misses`, for the closing
//! report after tuning is over.

#[path = "../tests/common/wild.rs"]
mod wild;

use authsift::rules::RuleSet;
use wild::{Score, percent};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    let show_held_out = args.iter().any(|a| a == "--held-out-misses");
    let rules = RuleSet::load(true, &[]).expect("built-in rules load");
    let options = authsift::Options::default();
    let cases = wild::load();
    let mut dev = Score::default();
    let mut held = Score::default();
    let mut misses = Vec::new();
    let started = std::time::Instant::now();
    for case in &cases {
        let report = authsift::analyze_text(&case.name, &case.text, &rules, &options);
        let answer = wild::verdict(&report);
        if case.held_out {
            held.add(case, &answer);
        } else {
            dev.add(case, &answer);
        }
        let listed = if case.held_out {
            show_held_out
        } else {
            show_misses
        };
        if answer != case.label && listed {
            misses.push((case.held_out, case.name.clone(), case.label.clone(), answer));
        }
    }
    let elapsed = started.elapsed();
    let projects: std::collections::BTreeSet<&str> =
        cases.iter().map(|c| c.project.as_str()).collect();
    println!(
        "wild corpus: {} cases from {} projects (development {}, held-out {}); analysed in {:.0} ms",
        cases.len(),
        projects.len(),
        dev.cases,
        held.cases,
        elapsed.as_secs_f64() * 1e3
    );
    println!();
    println!("{:<34} {:>18} {:>18}", "", "development", "held-out");
    let row = |name: &str, f: &dyn Fn(&Score) -> String| {
        println!("{:<34} {:>18} {:>18}", name, f(&dev), f(&held));
    };
    row("authsift top-1", &|s| {
        format!("{}/{} {:5.1}%", s.right, s.cases, s.accuracy())
    });
    row("naive baseline top-1", &|s| {
        format!("{}/{} {:5.1}%", s.naive_right, s.cases, s.naive_accuracy())
    });
    row("authsift ahead by (points)", &|s| {
        format!("{:+.1}", s.accuracy() - s.naive_accuracy())
    });
    row("authsift false all-clears", &|s| {
        format!(
            "{}/{} {:5.1}%",
            s.false_all_clear,
            s.failures,
            s.false_all_clear_rate()
        )
    });
    row("naive false all-clears", &|s| {
        format!(
            "{}/{} {:5.1}%",
            s.naive_false_all_clear,
            s.failures,
            percent(s.naive_false_all_clear, s.failures)
        )
    });
    println!();
    println!(
        "{:<32} {:>24} {:>24}",
        "per root cause (right/cases)", "development: authsift naive", "held-out: authsift naive"
    );
    for label in &wild::labels() {
        let cell = |s: &Score| match s.per_label.get(label) {
            Some((n, right, naive)) => format!(
                "{right:>3}/{n:<3} {:>4.0}%  {:>4.0}%",
                percent(*right, *n),
                percent(*naive, *n)
            ),
            None => "-".to_string(),
        };
        println!("{:<32} {:>24} {:>24}", label, cell(&dev), cell(&held));
    }
    if !misses.is_empty() {
        println!();
        println!("misses (case: expected → answered):");
        for (held_out, name, label, answer) in misses {
            let part = if held_out { "held-out" } else { "dev" };
            println!("  [{part}] {name}: {label} → {answer}");
        }
    }
}
