//! The progress line on stderr while inputs are analyzed (`--progress`).
//!
//! Rayon workers only add to relaxed atomics when an input finishes: no
//! lock, no I/O and no clock on the analysis path, so the bar costs nothing
//! measurable. One drawing thread reads the counters about ten times a
//! second and rewrites a single line (`\r`, text, clear to end of line);
//! when the work ends it draws the final counts once and clears the line,
//! so the messages that follow start on a clean line. Only stderr is
//! touched: stdout stays byte for byte what the input alone decides.
//!
//! Hand-rolled rather than `indicatif`: the line shows several counters
//! bumped from many threads, which indicatif would need a locked message
//! string for (its lock-free part is one position), and it would add
//! `console`, `portable-atomic` and unit crates for what is one `format!`
//! and one thread here. Terminal width comes from `crossterm`, already
//! built for comfy-table.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often the line is redrawn at most.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// Counters shared by the workers and the drawing thread.
#[derive(Debug, Default)]
pub struct Progress {
    files_total: AtomicU64,
    bytes_total: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
    unpacked: AtomicU64,
    events: AtomicU64,
}

/// One reading of the counters; what [`line()`] draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Inputs finished (read and analyzed, or failed).
    pub files: u64,
    /// Inputs that will be read.
    pub files_total: u64,
    /// Bytes of finished inputs as stored (a gzip file's compressed size).
    pub bytes: u64,
    /// Stored bytes of all inputs that will be read (0: unknown, e.g. stdin only).
    pub bytes_total: u64,
    /// Bytes of finished inputs once decompressed.
    pub unpacked: u64,
    /// Records of finished inputs (events of CloudTrail and S3 access logs).
    pub events: u64,
}

impl Progress {
    /// Says how much work is coming; called once before the workers start.
    pub fn plan(&self, files: u64, bytes: u64) {
        // Relaxed everywhere: the counters are independent figures for a
        // display, and the final reading happens after the workers joined.
        self.files_total.store(files, Ordering::Relaxed);
        self.bytes_total.store(bytes, Ordering::Relaxed);
    }

    /// Counts one finished input.
    pub fn input_done(&self, bytes: u64, unpacked: u64, events: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.unpacked.fetch_add(unpacked, Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters as they stand now.
    pub fn counts(&self) -> Counts {
        Counts {
            files: self.files.load(Ordering::Relaxed),
            files_total: self.files_total.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            unpacked: self.unpacked.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
        }
    }
}

/// The progress text for `counts` after `elapsed`, cut to `width` columns
/// when known (a wrapped line could no longer be overwritten with `\r`):
///
/// `[0:12] 1200/3400 files · 1.2M events (98.8k/s) · 41.2/310.0 MB (1.2 GB unpacked)`
pub fn line(counts: &Counts, elapsed: Duration, width: Option<usize>) -> String {
    let seconds = elapsed.as_secs();
    let clock = if seconds >= 3600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{}:{:02}", seconds / 60, seconds % 60)
    };
    let rate = counts.events as f64 / elapsed.as_secs_f64().max(1e-3);
    let mut text = format!(
        "[{clock}] {}/{} files · {} events ({}/s) · ",
        counts.files,
        counts.files_total,
        count(counts.events as f64),
        count(rate),
    );
    if counts.bytes_total >= counts.bytes && counts.bytes_total > 0 {
        // One unit for both figures, chosen by the total, so they compare.
        let (scale, unit) = unit(counts.bytes_total);
        text += &format!(
            "{}/{} {unit}",
            scaled(counts.bytes, scale),
            scaled(counts.bytes_total, scale)
        );
    } else {
        text += &bytes(counts.bytes);
    }
    if counts.unpacked > counts.bytes {
        text += &format!(" ({} unpacked)", bytes(counts.unpacked));
    }
    match width {
        // One column spare: some terminals wrap when the last one is written.
        Some(width) if text.chars().count() >= width => {
            text.chars().take(width.saturating_sub(1)).collect()
        }
        _ => text,
    }
}

/// A count in at most five characters: `999`, `12.3k`, `1.2M`.
fn count(n: f64) -> String {
    if n < 1e3 {
        format!("{n:.0}")
    } else if n < 1e6 {
        format!("{:.1}k", n / 1e3)
    } else if n < 1e9 {
        format!("{:.1}M", n / 1e6)
    } else {
        format!("{:.1}G", n / 1e9)
    }
}

/// The decimal unit that suits `n` bytes (the end-of-run line uses MB too).
fn unit(n: u64) -> (f64, &'static str) {
    match n {
        0..1_000 => (1.0, "B"),
        1_000..1_000_000 => (1e3, "kB"),
        1_000_000..1_000_000_000 => (1e6, "MB"),
        _ => (1e9, "GB"),
    }
}

/// `n` bytes in units of `scale`: whole bytes, else one decimal.
fn scaled(n: u64, scale: f64) -> String {
    if scale == 1.0 {
        n.to_string()
    } else {
        format!("{:.1}", n as f64 / scale)
    }
}

fn bytes(n: u64) -> String {
    let (scale, unit) = unit(n);
    format!("{} {unit}", scaled(n, scale))
}

/// Runs `work` while a thread redraws the progress line of `progress` on
/// `out`; with `None`, just runs `work`. The line is cleared before this
/// returns. Drawing errors (a closed stderr) are ignored: the bar is never
/// worth failing the analysis for, and neither is a thread that cannot start.
pub fn show_while<T>(
    progress: Option<&Progress>,
    out: impl Write + Send,
    width: impl Fn() -> Option<usize> + Send,
    work: impl FnOnce() -> T,
) -> T {
    let Some(progress) = progress else {
        return work();
    };
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let drawer = std::thread::Builder::new()
            .name("authsift-progress".to_string())
            .spawn_scoped(scope, || draw(progress, &done, out, width));
        let result = work();
        done.store(true, Ordering::Release);
        if let Ok(drawer) = drawer {
            drawer.thread().unpark();
            let _ = drawer.join();
        }
        result
    })
}

/// The drawing loop: a frame every [`INTERVAL`], one last frame with the
/// final counts once `done` is set (so even a short run shows its totals to
/// whoever records stderr), then the line cleared.
fn draw(
    progress: &Progress,
    done: &AtomicBool,
    mut out: impl Write,
    width: impl Fn() -> Option<usize>,
) {
    let started = Instant::now();
    loop {
        let last = done.load(Ordering::Acquire);
        let counts = progress.counts();
        // Until the work is planned there is no total worth showing.
        if counts.files_total > 0 || last {
            let text = line(&counts, started.elapsed(), width());
            // One write a frame, so a frame is never seen half drawn.
            let _ = out.write_all(format!("\r{text}\x1b[K").as_bytes());
            let _ = out.flush();
        }
        if last {
            break;
        }
        // Woken early when the work ends; a spurious wake only redraws.
        std::thread::park_timeout(INTERVAL);
    }
    let _ = out.write_all(b"\r\x1b[K");
    let _ = out.flush();
}

/// The width of the terminal stderr is on: `COLUMNS` when set (as for
/// tables), else what the terminal says; `None` when there is none.
pub fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c >= 20)
        .or_else(|| {
            crossterm::terminal::size()
                .ok()
                .map(|(columns, _)| usize::from(columns))
                .filter(|c| *c > 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> Counts {
        Counts {
            files: 1200,
            files_total: 3400,
            bytes: 41_200_000,
            bytes_total: 310_000_000,
            unpacked: 1_234_000_000,
            events: 1_185_600,
        }
    }

    #[test]
    fn line_shows_files_events_rate_bytes_and_elapsed() {
        assert_eq!(
            line(&counts(), Duration::from_secs(12), None),
            "[0:12] 1200/3400 files · 1.2M events (98.8k/s) · 41.2/310.0 MB (1.2 GB unpacked)"
        );
    }

    #[test]
    fn plain_inputs_show_no_unpacked_figure() {
        let c = Counts {
            files: 3,
            files_total: 3,
            bytes: 5_000,
            bytes_total: 5_000,
            unpacked: 5_000,
            events: 42,
        };
        assert_eq!(
            line(&c, Duration::from_millis(500), None),
            "[0:00] 3/3 files · 42 events (84/s) · 5.0/5.0 kB"
        );
    }

    #[test]
    fn unknown_total_shows_bytes_read_only() {
        let c = Counts {
            files: 0,
            files_total: 1,
            ..Counts::default()
        };
        assert_eq!(
            line(&c, Duration::ZERO, None),
            "[0:00] 0/1 files · 0 events (0/s) · 0 B"
        );
    }

    #[test]
    fn long_runs_show_hours() {
        let text = line(&counts(), Duration::from_secs(3 * 3600 + 62), None);
        assert!(text.starts_with("[3:01:02] "), "{text}");
    }

    #[test]
    fn line_is_cut_to_the_terminal_width() {
        let text = line(&counts(), Duration::from_secs(12), Some(40));
        assert_eq!(text.chars().count(), 39);
        assert!(text.starts_with("[0:12] 1200/3400 files"), "{text}");
    }

    #[test]
    fn drawing_ends_with_the_final_counts_and_a_cleared_line() {
        let progress = Progress::default();
        let mut out = Vec::new();
        let answer = show_while(
            Some(&progress),
            &mut out,
            || None,
            || {
                progress.plan(2, 10);
                progress.input_done(4, 4, 1);
                progress.input_done(6, 6, 2);
                7
            },
        );
        assert_eq!(answer, 7);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("\r\x1b[K"), "{text:?}");
        let frames: Vec<&str> = text.split('\r').filter(|f| !f.is_empty()).collect();
        let last_frame = frames[frames.len() - 2];
        assert!(last_frame.contains("2/2 files · 3 events"), "{text:?}");
        assert!(last_frame.ends_with("10/10 B\x1b[K"), "{text:?}");
    }

    #[test]
    fn without_progress_nothing_is_drawn() {
        let mut out = Vec::new();
        assert_eq!(show_while(None, &mut out, || None, || 1), 1);
        assert!(out.is_empty());
    }
}
