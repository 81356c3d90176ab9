//! The HTML report's charts, as inline SVG: no script, no font or image
//! from anywhere, so the page draws the same offline and under a
//! `default-src 'none'` policy. Colours are CSS classes (`c0`…`c9` by the
//! root cause's rank, `cx` for failures no rule explains), so the legend,
//! the stacks and the root-cause bars agree.

use std::fmt::Write;

use super::super::fields::iso;
use super::super::overview::{Timeline, Top};
use crate::text::Thousands;
use crate::trail::summary::NO_CAUSE;

/// Input-derived text made safe for the page (redacted, sanitised,
/// escaped).
pub type Text<'a> = &'a dyn Fn(&str) -> String;

/// The colour class of the root cause ranked `i`.
pub fn cause_class(i: usize, cause: &str) -> String {
    match cause {
        NO_CAUSE => "cx".to_string(),
        _ => format!("c{}", i % 10),
    }
}

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// Failures per column stacked by root cause, with the axes' end values,
/// then the legend. Each stack has a tooltip (`<title>`).
pub fn timeline(t: &Timeline<'_>, text: Text<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg role="img" aria-label="auth failures over time by root cause" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">"#
    );
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let peak = t.peak.max(1) as f64;
    for value in [t.peak, t.peak / 2] {
        let y = y1 - (y1 - y0) * value as f64 / peak;
        let _ = writeln!(
            out,
            r#"<line class="grid" x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x0 - 6.0,
            y + 4.0,
            Thousands(value)
        );
    }
    let column = (x1 - x0) / t.columns.len() as f64;
    let gap = if column > 4.0 { 1.0 } else { 0.0 };
    for (c, counts) in t.columns.iter().enumerate() {
        let x = x0 + column * c as f64;
        let start = t.start + c as i64 * t.hours * 3600;
        let mut y = y1;
        for (i, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            let h = (y1 - y0) * n as f64 / peak;
            y -= h;
            let _ = writeln!(
                out,
                r#"<rect class="{}" x="{x:.2}" y="{y:.2}" width="{:.2}" height="{h:.2}"><title>{}: {} {}</title></rect>"#,
                cause_class(i, t.causes[i]),
                (column - gap).max(0.5),
                iso(start),
                Thousands(n),
                text(t.causes[i])
            );
        }
    }
    let _ = writeln!(
        out,
        r#"<line class="axis" x1="{x0}" x2="{x1}" y1="{y1}" y2="{y1}"/><line class="axis" x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}"/>"#
    );
    let _ = writeln!(
        out,
        r#"<text x="{x0}" y="{:.1}">{}</text><text x="{x1}" y="{:.1}" text-anchor="end">{}</text>"#,
        y1 + 18.0,
        iso(t.start),
        y1 + 18.0,
        iso(t.end())
    );
    out.push_str("</svg>\n<ul class=\"legend\">\n");
    for (i, cause) in t.causes.iter().enumerate() {
        let total: u64 = t.columns.iter().map(|c| c[i]).sum();
        let _ = writeln!(
            out,
            r#"<li><span class="swatch {}"></span><code>{}</code> {}</li>"#,
            cause_class(i, cause),
            text(cause),
            Thousands(total)
        );
    }
    out.push_str("</ul>\n");
    out
}

/// Longest label beside a bar, in characters; the whole value is its
/// tooltip.
const LABEL_CHARS: usize = 34;
const ROW: f64 = 24.0;
const BARS_WIDTH: f64 = 480.0;
const LABEL_WIDTH: f64 = 250.0;

/// One breakdown as horizontal bars, busiest first. The root causes take
/// the timeline's colours; an ARN is cut at its start (its end, the role
/// or user, says the most), anything else at its end.
pub fn bars(top: &Top<'_>, text: Text<'_>) -> String {
    let rows = top.values.len() + usize::from(top.more > 0);
    let height = ROW * rows as f64 + 4.0;
    let most = top.values.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg role="img" aria-label="{}" viewBox="0 0 {BARS_WIDTH} {height}" width="{BARS_WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">"#,
        top.label
    );
    let room = BARS_WIDTH - LABEL_WIDTH - 70.0;
    for (i, (value, n)) in top.values.iter().enumerate() {
        let y = ROW * i as f64 + 2.0;
        let class = match top.label {
            "root causes" => cause_class(i, value),
            _ => "bar".to_string(),
        };
        let w = (room * *n as f64 / most).max(1.0);
        let _ = writeln!(
            out,
            r#"<g><title>{}: {}</title><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="{class}" x="{LABEL_WIDTH}" y="{:.1}" width="{w:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            text(value),
            Thousands(*n),
            LABEL_WIDTH - 8.0,
            y + 15.0,
            text(&cut(value, top.label == "principals")),
            y + 3.0,
            ROW - 6.0,
            LABEL_WIDTH + w + 6.0,
            y + 15.0,
            Thousands(*n)
        );
    }
    if top.more > 0 {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">… {} more</text>"#,
            LABEL_WIDTH - 8.0,
            ROW * top.values.len() as f64 + 17.0,
            Thousands(top.more as u64)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// `value` cut to [`LABEL_CHARS`], at its start or its end.
fn cut(value: &str, keep_end: bool) -> String {
    let n = value.chars().count();
    if n <= LABEL_CHARS {
        return value.to_string();
    }
    if keep_end {
        let tail: String = value.chars().skip(n - (LABEL_CHARS - 1)).collect();
        format!("…{tail}")
    } else {
        let head: String = value.chars().take(LABEL_CHARS - 1).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_where_they_say_least() {
        let arn = "arn:aws:iam::123456789012:role/service-role/DeployFromCI";
        assert!(cut(arn, true).ends_with("DeployFromCI"));
        assert_eq!(cut(arn, true).chars().count(), LABEL_CHARS);
        assert!(cut(arn, false).starts_with("arn:aws:iam"));
        assert_eq!(cut("short", true), "short");
    }

    #[test]
    fn stacks_are_as_tall_as_their_column_and_coloured_by_cause() {
        let t = Timeline {
            start: 0,
            hours: 1,
            causes: vec!["role.assume-denied", NO_CAUSE],
            columns: vec![vec![4, 0], vec![1, 3]],
            peak: 4,
        };
        let plain = |s: &str| s.to_string();
        let svg = timeline(&t, &plain);
        assert_eq!(svg.matches("<rect class=\"c0\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("<rect class=\"cx\"").count(), 1, "{svg}");
        // The peak column's stack fills the plot's height.
        let full = HEIGHT - BOTTOM - TOP;
        assert!(svg.contains(&format!("height=\"{full:.2}\"")), "{svg}");
        assert!(svg.contains("1970-01-01T02:00:00Z"), "{svg}");
    }
}
