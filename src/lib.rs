//! authsift: explains AWS authentication and authorization failures from
//! the logs people already have, offline.
//!
//! The pipeline, one plain function per arrow:
//!
//! ```text
//! input::read ─► formats::sniff/parse ─► model::Run ─► facts::incident
//!             ─► rules::RuleSet::evaluate ─► finding::Finding ─► report::render
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
