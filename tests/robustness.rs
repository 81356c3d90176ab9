//! Bad input never panics: real fixtures, truncated and sprinkled with
//! bytes that matter to the parsers, go through analysis and every renderer.

use std::sync::OnceLock;

use authsift::report::{OutputFormat, Report, render};
use authsift::rules::RuleSet;
use proptest::prelude::*;

fn fixtures() -> &'static Vec<Vec<u8>> {
    static ALL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut out = Vec::new();
        for dir in ["aws-debug", "sdk"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "log") {
                    out.push(std::fs::read(path).unwrap());
                }
            }
        }
        out.sort();
        out
    })
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::builtin)
}

/// Bytes the parsers give meaning to, plus invalid UTF-8.
const SPICE: &[u8] = b"\n\r'\"\\{}[]()<>:=-,# \x1b\xff\xc3\xe2\x80";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..1000,
        cut in 0.0f64..1.0,
        edits in prop::collection::vec((0.0f64..1.0, 0usize..SPICE.len()), 0..40),
    ) {
        let all = fixtures();
        let original = &all[which % all.len()];
        let mut bytes = original[..((original.len() as f64 * cut) as usize).max(1)].to_vec();
        for (at, spice) in edits {
            let i = ((bytes.len() as f64) * at) as usize % bytes.len();
            bytes[i] = SPICE[spice];
        }
        let input = authsift::analyze_bytes("mutated.log", &bytes, rules(), &authsift::Options::default());
        let report = Report {
            inputs: vec![input],
            not_opened: 0,
        merged: None,
        };
        let options = authsift::report::RenderOptions::default();
        for format in [OutputFormat::Human, OutputFormat::Json, OutputFormat::Jsonl, OutputFormat::Ocsf, OutputFormat::Table, OutputFormat::Markdown] {
            let _ = render(&report, format, &options);
        }
    }
}
