//! The one way results leave the process: stdout or `-o FILE`, and the one
//! colour decision.
//!
//! Every command writes its results through [`write`] (or [`write_stdout`]
//! for a line at a time), so a closed pipe (`authsift … | head`) and a full
//! disk (`> /dev/full`) are handled the same everywhere: the first ends the
//! output quietly, the second is an [`Error`] with a message. Nothing here
//! panics, unlike `println!`.

use std::ffi::OsStr;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::exit::Error;

/// Where results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (the default).
    Stdout,
    /// `-o FILE`: written whole, then renamed into place.
    File(PathBuf),
}

impl Destination {
    /// `-o FILE` when given, else stdout.
    pub fn from_flag(output: Option<&Path>) -> Destination {
        match output {
            Some(path) => Destination::File(path.to_path_buf()),
            None => Destination::Stdout,
        }
    }

    /// Whether results go to a file rather than stdout.
    pub fn is_file(&self) -> bool {
        matches!(self, Destination::File(_))
    }

    /// Refuses, before any work, to write the report over one of `inputs`
    /// (the files analyzed, or the files `config` checks).
    pub fn refuse_clash(&self, inputs: &[PathBuf]) -> Result<(), Error> {
        let Destination::File(path) = self else {
            return Ok(());
        };
        match crate::input::output_clash(path, inputs) {
            Some(why) => Err(Error::OutputClash {
                path: path.clone(),
                why,
            }),
            None => Ok(()),
        }
    }
}

/// Writes `text` whole to `destination`.
pub fn write(destination: &Destination, text: &str) -> Result<(), Error> {
    match destination {
        Destination::Stdout => write_stdout(text),
        Destination::File(path) => write_whole(path, text).map_err(|source| Error::File {
            path: path.clone(),
            source,
        }),
    }
}

/// Writes `text` to stdout and flushes it. A closed pipe counts as written:
/// whoever closed it has read all they wanted.
pub fn write_stdout(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Stdout(e)),
    }
}

/// Writes `text` to a temporary file beside `path` and renames it into
/// place once complete ([`Streamed`]).
fn write_whole(path: &Path, text: &str) -> io::Result<()> {
    let mut file = Target::file(path)?;
    file.write_all(text.as_bytes())?;
    file.finish()
}

/// Results written piece by piece, as they are made: to stdout at once, or
/// to a temporary file beside `-o FILE` renamed into place once complete,
/// so an interrupted run, or a full disk, never leaves a half report over
/// an old one. Devices and pipes (`/dev/stdout`, a FIFO) cannot be renamed
/// over and are written in place. A replaced file keeps its permissions; a
/// new one gets the usual 0644. The first error stops the writing and is
/// what [`Streamed::finish`] returns; a closed stdout pipe ends it quietly.
pub struct Streamed {
    destination: Destination,
    target: Option<Target>,
    error: Option<Error>,
}

impl Streamed {
    /// Starts writing to `destination`.
    pub fn open(destination: &Destination) -> Streamed {
        let (target, error) = match destination {
            Destination::Stdout => (Some(Target::Stdout), None),
            Destination::File(path) => match Target::file(path) {
                Ok(target) => (Some(target), None),
                Err(source) => (
                    None,
                    Some(Error::File {
                        path: path.clone(),
                        source,
                    }),
                ),
            },
        };
        Streamed {
            destination: destination.clone(),
            target,
            error,
        }
    }

    /// Writes `text`, unless writing has stopped.
    pub fn write(&mut self, text: &str) {
        let Some(target) = self.target.as_mut() else {
            return;
        };
        if let Err(e) = target
            .write_all(text.as_bytes())
            .and_then(|()| match target {
                Target::Stdout => io::stdout().flush(),
                _ => Ok(()),
            })
        {
            self.stop(e);
        }
    }

    fn stop(&mut self, e: io::Error) {
        self.target = None;
        self.error = match (&self.destination, e.kind()) {
            (Destination::Stdout, io::ErrorKind::BrokenPipe) => None,
            (Destination::Stdout, _) => Some(Error::Stdout(e)),
            (Destination::File(path), _) => Some(Error::File {
                path: path.clone(),
                source: e,
            }),
        };
    }

    /// Ends the writing: the file is put in place.
    pub fn finish(mut self) -> Result<(), Error> {
        if let Some(target) = self.target.take()
            && let Err(e) = target.finish()
        {
            self.stop(e);
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Where [`Streamed`] writes.
enum Target {
    Stdout,
    /// A device or pipe, written in place.
    InPlace(std::fs::File),
    /// A temporary file, then `path`, keeping an existing file's permissions.
    Temporary {
        file: tempfile::NamedTempFile,
        path: PathBuf,
        existing: Option<Box<std::fs::Metadata>>,
    },
}

impl Target {
    fn file(path: &Path) -> io::Result<Target> {
        let existing = std::fs::metadata(path).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            return Ok(Target::InPlace(
                std::fs::OpenOptions::new().write(true).open(path)?,
            ));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let file = tempfile::Builder::new()
            .prefix(".authsift-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(Target::Temporary {
            file,
            path: path.to_path_buf(),
            existing: existing.map(Box::new),
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Target::Stdout => io::stdout().lock().write_all(bytes),
            Target::InPlace(file) => file.write_all(bytes),
            Target::Temporary { file, .. } => file.write_all(bytes),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Target::Stdout => io::stdout().flush(),
            Target::InPlace(mut file) => file.flush(),
            Target::Temporary {
                mut file,
                path,
                existing,
            } => {
                file.flush()?;
                match existing {
                    Some(meta) => file.as_file().set_permissions(meta.permissions())?,
                    None => set_new_file_mode(file.as_file())?,
                }
                file.persist(path).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn set_new_file_mode(file: &std::fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_: &std::fs::File) -> io::Result<()> {
    Ok(())
}

/// A message on stderr, `authsift: ` first. `message` must already be
/// safe for a terminal (sanitised where it quotes input). A closed stderr
/// is ignored: there is nowhere left to complain to.
pub fn warn(message: &str) {
    let _ = writeln!(io::stderr().lock(), "authsift: {message}");
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// Colour for a person at a terminal, unless the environment says no.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Whether human output gets colour: the one decision, for every command.
pub fn use_color(when: ColorWhen, destination: &Destination) -> bool {
    match when {
        ColorWhen::Always => {
            console_takes_escapes();
            true
        }
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            auto_color(
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("CLICOLOR_FORCE").as_deref(),
                std::env::var_os("TERM").as_deref(),
                !destination.is_file() && io::stdout().is_terminal(),
            ) && console_takes_escapes()
        }
    }
}

/// Whether the console shows escape codes as colour. A Windows console
/// does once virtual-terminal processing is turned on, which this does;
/// consoles older than Windows 10 refuse, and get no colour rather than
/// raw escapes. Elsewhere terminals always take them.
fn console_takes_escapes() -> bool {
    anstyle_query::windows::enable_ansi_colors().unwrap_or(true)
}

/// `--color auto`, from the environment and whether results reach a
/// terminal: `NO_COLOR` (set and not empty, no-color.org) turns colour off
/// whatever else is set; `CLICOLOR_FORCE` (set and not `0`) turns it on
/// even off a terminal; a `dumb` terminal gets none.
fn auto_color(
    no_color: Option<&OsStr>,
    clicolor_force: Option<&OsStr>,
    term: Option<&OsStr>,
    to_terminal: bool,
) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if clicolor_force.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    to_terminal && term.is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(windows))]
    #[test]
    fn terminals_other_than_windows_consoles_take_escapes() {
        assert!(console_takes_escapes());
    }

    fn auto(no_color: Option<&str>, force: Option<&str>, term: Option<&str>, tty: bool) -> bool {
        auto_color(
            no_color.map(OsStr::new),
            force.map(OsStr::new),
            term.map(OsStr::new),
            tty,
        )
    }

    #[test]
    fn colour_on_a_terminal_only() {
        assert!(auto(None, None, Some("xterm-256color"), true));
        assert!(auto(None, None, None, true));
        assert!(!auto(None, None, Some("xterm"), false));
    }

    #[test]
    fn no_color_wins_over_everything() {
        assert!(!auto(Some("1"), None, Some("xterm"), true));
        assert!(!auto(Some("1"), Some("1"), Some("xterm"), true));
        // An empty NO_COLOR is as if unset.
        assert!(auto(Some(""), None, Some("xterm"), true));
    }

    #[test]
    fn clicolor_force_colours_off_a_terminal() {
        assert!(auto(None, Some("1"), None, false));
        assert!(auto(None, Some("1"), Some("dumb"), false));
        assert!(!auto(None, Some("0"), None, false));
        assert!(!auto(None, Some(""), None, false));
    }

    #[test]
    fn a_dumb_terminal_gets_no_colour() {
        assert!(!auto(None, None, Some("dumb"), true));
    }
}
