//! Incidents that repeat: past the first few with the same causes and the
//! same failure line, an input's incidents are counted, not kept. A log
//! failing the same way a million times (a retry loop, a cron job's log)
//! then costs what a few failures do, and its report lists the few and
//! says how many more there were ([`Repeated`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::logs::ChunkResult;
use crate::finding::Finding;
use crate::outcome::Repeated;

/// Incidents of one kind kept in full per input; those after are counted.
pub const EXAMPLES: usize = 10;

/// What makes incidents alike: their findings' causes, in order, and the
/// text of the failure line.
type Kind = (Vec<String>, Option<Arc<str>>);

/// The kinds of incident an input showed so far, as its chunks come in.
#[derive(Default)]
pub(super) struct Repeats {
    /// Per kind: how many were kept, and the first one's chunk and number
    /// in that chunk.
    seen: HashMap<Kind, (usize, (usize, usize))>,
    /// Per first incident of a kind (chunk, number in it): those not kept.
    counted: HashMap<(usize, usize), Repeated>,
}

impl Repeats {
    /// Keeps `chunk`'s incidents (the `index`th chunk of its input) up to
    /// [`EXAMPLES`] of each kind, counting the rest.
    pub(super) fn keep(&mut self, index: usize, chunk: &mut ChunkResult) {
        let findings = std::mem::take(&mut chunk.findings);
        let mut kept = Vec::with_capacity(findings.len());
        let mut rest = findings.into_iter().peekable();
        while let Some(first) = rest.next() {
            let mut incident = vec![first];
            while let Some(f) = rest.next_if(|f| f.incident == incident[0].incident) {
                incident.push(f);
            }
            if self.is_example(index, &incident) {
                kept.extend(incident);
            }
        }
        chunk.findings = kept;
    }

    /// Whether `incident` (its findings) is kept; counted if not.
    fn is_example(&mut self, index: usize, incident: &[Finding]) -> bool {
        let first = &incident[0];
        let kind: Kind = (
            incident.iter().map(|f| f.rule.clone()).collect(),
            first.headline.as_ref().map(|h| h.text.clone()),
        );
        let (examples, at) = self
            .seen
            .entry(kind)
            .or_insert((0, (index, first.incident)));
        if *examples < EXAMPLES {
            *examples += 1;
            return true;
        }
        let counted = self.counted.entry(*at).or_insert(Repeated {
            incident: 0,
            more: 0,
            last_line: 0,
        });
        counted.more += 1;
        counted.last_line = first.headline.as_ref().map_or(0, |h| h.line);
        false
    }

    /// What was counted, the incidents numbered across the input
    /// (`offsets`: each chunk's first incident's number), in order.
    pub(super) fn counted(self, offsets: &[usize]) -> Vec<Repeated> {
        let mut out: Vec<Repeated> = self
            .counted
            .into_iter()
            .map(|((chunk, incident), r)| Repeated {
                incident: offsets[chunk] + incident,
                ..r
            })
            .collect();
        out.sort_by_key(|r| r.incident);
        out
    }
}
