//! authsift: explains AWS authentication and authorization failures from
//! the logs people already have, offline.
//!
//! # Data flow
//!
//! One plain function per arrow; each stage knows only the types of the
//! stages before it:
//!
//! ```text
//! input::read ─► formats::sniff/parse ─► model::Run ─► facts::incident
//!             ─► rules::RuleSet::evaluate ─► finding::Finding ─► outcome::Report
//!             ─► report::render ─► app (output, exit status)
//! ```
//!
//! [`analyze`] drives the first five arrows for any number of inputs, in
//! parallel, and is the one place that fans work out; [`app`] is everything
//! a command does around it.
//!
//! # Import graph
//!
//! Modules import only modules above them in this list, so the graph has
//! no cycle (`tests/architecture.rs` checks it, and that only `app` and
//! `main.rs` import `cli`):
//!
//! ```text
//! text, time, chunk, model, response, input, progress   (leaves: import no module)
//! formats  → model, text, time, chunk
//! sigv4    → model, response, time
//! facts    → formats, model, response, sigv4, time
//! finding  → facts, model, sigv4
//! rules    → facts, finding, model, text
//! trail    → facts, formats, time
//! outcome  → finding, formats, model, trail
//! analyze  → input, chunk, formats, model, facts, sigv4, rules, finding, trail, outcome, progress, time
//! report   → outcome, finding, facts, formats, rules, sigv4, trail, time
//! config   → facts, finding, formats, model, outcome, report, text
//! cli      → formats, report, sigv4
//! app      → analyze, config, report, rules, outcome, trail, input, progress, sigv4, formats, time, cli
//! main.rs  → app, cli
//! ```

pub mod analyze;
pub mod app;
pub mod chunk;
pub mod cli;
pub mod config;
pub mod facts;
pub mod finding;
pub mod formats;
pub mod input;
pub mod model;
pub mod outcome;
pub mod progress;
pub mod report;
pub mod response;
pub mod rules;
pub mod sigv4;
pub mod text;
pub mod time;
pub mod trail;

pub use analyze::{Options, analyze, analyze_bytes, analyze_text};
