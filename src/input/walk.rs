//! Which files a directory input stands for: the walk, as ripgrep walks.
//!
//! The `ignore` crate (ripgrep's walker) does the walking: hidden entries
//! are skipped unless `--hidden`; `.gitignore` (inside a git repository),
//! `.ignore`, `.git/info/exclude` and the global git excludes are honoured
//! unless `--no-ignore`, parents' ignore files included, exactly as `rg`
//! reads them. What it adds here: `--glob`/`--exclude` matched against the
//! path under the directory named on the command line, each directory and
//! file visited once by device and inode (two `-> .` links would otherwise
//! multiply the walk), a depth limit that is reported, and FIFOs, sockets
//! and devices left unread.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{InputError, MAX_FILES, MAX_WALK_DEPTH, Source, file_id};

/// Expands command-line inputs in order: `-` is stdin, directories are
/// walked recursively in name order (hidden entries skipped). A problem with
/// one argument is an `Err` in its place; the others are still expanded.
///
/// Walks are symlink-safe: every directory and every file found by walking
/// is visited once, by device and inode, whatever path leads to it; a link
/// back to a directory being walked is reported once, as a loop. Files named
/// on the command line are taken as given.
pub fn expand(args: &[PathBuf]) -> Vec<Result<Source, InputError>> {
    expand_filtered(args, &Filter::default())
}

/// [`expand`], walking only what `filter` lets through (files named on the
/// command line are always taken).
pub fn expand_filtered(args: &[PathBuf], filter: &Filter) -> Vec<Result<Source, InputError>> {
    let mut out = Vec::new();
    if args.is_empty() {
        out.push(Ok(Source::Stdin));
    }
    // Shared by the walks of every argument: a directory named twice, or
    // reached again from another argument, is read once.
    let seen = Arc::new(Mutex::new(HashSet::new()));
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Ok(Source::Stdin));
            continue;
        }
        // An S3 URL is not a path: saying "no such file" would send the
        // user looking for a typo.
        let shown = arg.display().to_string();
        if shown.starts_with("s3://") && !arg.exists() {
            out.push(Err(InputError::Remote { path: shown }));
            continue;
        }
        match fs::metadata(arg) {
            Ok(m) if m.is_dir() => {
                // Named twice, or reached already from another argument.
                if file_id(&m).is_none_or(|id| lock(&seen).insert(id)) {
                    walk(arg, filter, &seen, &mut out);
                }
            }
            Ok(_) => out.push(Ok(Source::File(arg.clone()))),
            Err(e) => out.push(Err(InputError::from_io(&arg.display().to_string(), e))),
        }
    }
    out
}

/// Which files a directory walk takes: `--glob` and `--exclude`, in
/// ripgrep's glob syntax, matched against a path relative to the directory
/// named on the command line. A glob without `/` matches a name at any
/// depth (`*.log`); one with `/` the whole relative path (`2024/**/*.gz`,
/// where `*` stays within a directory and `**` crosses them). Hidden
/// entries and ignore files are ripgrep's (`--hidden`, `--no-ignore`).
#[derive(Debug, Clone)]
pub struct Filter {
    /// When any is given, only files matching one are taken.
    include: Option<Globs>,
    /// Files and directories matching one are skipped.
    exclude: Option<Globs>,
    /// `--hidden`: walk into hidden files and directories too.
    pub hidden: bool,
    /// `--no-ignore`: no `.gitignore`, `.ignore` or git exclude files.
    pub no_ignore: bool,
    /// `--max-files`: files taken from one walk at most.
    pub max_files: usize,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            include: None,
            exclude: None,
            hidden: false,
            no_ignore: false,
            max_files: MAX_FILES,
        }
    }
}

/// Globs split by what they match: a file name, or a relative path.
#[derive(Debug, Clone)]
struct Globs {
    names: globset::GlobSet,
    paths: globset::GlobSet,
}

impl Globs {
    fn new(globs: &[String]) -> Result<Option<Globs>, String> {
        if globs.is_empty() {
            return Ok(None);
        }
        let mut names = globset::GlobSetBuilder::new();
        let mut paths = globset::GlobSetBuilder::new();
        for glob in globs {
            let compiled = globset::GlobBuilder::new(glob.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{glob}` is not a glob: {}", e.kind()))?;
            if glob.contains('/') {
                paths.add(compiled);
            } else {
                names.add(compiled);
            }
        }
        let built = |b: globset::GlobSetBuilder| b.build().map_err(|e| e.to_string());
        Ok(Some(Globs {
            names: built(names)?,
            paths: built(paths)?,
        }))
    }

    fn matches(&self, relative: &Path) -> bool {
        relative
            .file_name()
            .is_some_and(|name| self.names.is_match(name))
            || self.paths.is_match(relative)
    }
}

impl Filter {
    /// `--glob` and `--exclude`; a glob that does not compile is an error
    /// naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, String> {
        Ok(Filter {
            include: Globs::new(include)?,
            exclude: Globs::new(exclude)?,
            ..Filter::default()
        })
    }

    /// Whether a walked file, at `relative` under its directory, is read.
    fn takes_file(&self, relative: &Path) -> bool {
        !self.excludes(relative) && self.include.as_ref().is_none_or(|g| g.matches(relative))
    }

    /// Whether a walked file or directory is skipped.
    fn excludes(&self, relative: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.matches(relative))
    }
}

/// Walks one directory named on the command line, appending what it finds.
fn walk(
    root: &Path,
    filter: &Filter,
    seen: &Arc<Mutex<HashSet<(u64, u64)>>>,
    out: &mut Vec<Result<Source, InputError>>,
) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .standard_filters(!filter.no_ignore)
        .hidden(!filter.hidden)
        .follow_links(true)
        .max_depth(Some(MAX_WALK_DEPTH))
        // `authsift logs/ > logs/report.txt`: the shell has created the
        // report before the walk; it is output, not input.
        .skip_stdout(true)
        .sort_by_file_name(|a, b| a.cmp(b));
    // Runs on every entry before the walk descends: excluded directories
    // are pruned, and a directory already walked under another name (or
    // from another argument) is not walked again.
    let (prune_root, prune_filter, prune_seen) = (root.to_path_buf(), filter.clone(), seen.clone());
    builder.filter_entry(move |entry| {
        let relative = entry
            .path()
            .strip_prefix(&prune_root)
            .unwrap_or(entry.path());
        if prune_filter.excludes(relative) {
            return false;
        }
        !entry.file_type().is_some_and(|t| t.is_dir()) || first_visit(&prune_seen, entry)
    });
    let taken = out.len();
    let mut files = 0;
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.push(Err(walk_error(e)));
                continue;
            }
        };
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if entry.depth() >= MAX_WALK_DEPTH {
                out.push(Err(InputError::TooDeep {
                    path: entry.path().display().to_string(),
                    limit: MAX_WALK_DEPTH,
                }));
            }
            continue;
        }
        // FIFOs, sockets and devices found by walking are not read: one
        // would block the run, another never end.
        if !kind.is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if !filter.takes_file(relative) {
            continue;
        }
        // The same file through a link, or from another argument, is read
        // once.
        if let Ok(meta) = entry.metadata()
            && file_id(&meta).is_some_and(|id| !lock(seen).insert(id))
        {
            continue;
        }
        if files == filter.max_files {
            // Sorted by name: the first ones are taken, the directory named.
            out.push(Err(InputError::TooManyFiles {
                path: root.display().to_string(),
                limit: filter.max_files,
            }));
            break;
        }
        files += 1;
        out.push(Ok(Source::File(entry.into_path())));
    }
    // A directory whose every log is gitignored (`*.log` is a common line)
    // would otherwise read as "no failure": it is said instead.
    let took_none = !out[taken..].iter().any(Result::is_ok);
    if took_none && !filter.no_ignore && holds_a_file(root, filter) {
        out.push(Err(InputError::AllSkipped {
            path: root.display().to_string(),
        }));
    }
}

/// Whether a walk of `root` that did not skip what ignore files name would
/// take a file (it stops at the first).
fn holds_a_file(root: &Path, filter: &Filter) -> bool {
    let (prune_root, prune_filter) = (root.to_path_buf(), filter.clone());
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(!filter.hidden)
        .follow_links(true)
        .max_depth(Some(MAX_WALK_DEPTH))
        .filter_entry(move |entry| {
            let relative = entry
                .path()
                .strip_prefix(&prune_root)
                .unwrap_or(entry.path());
            !prune_filter.excludes(relative)
        })
        .build()
        .filter_map(Result::ok)
        .any(|entry| {
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            entry.file_type().is_some_and(|t| t.is_file()) && filter.takes_file(relative)
        })
}

/// Whether this is the first time the walk meets this directory (by device
/// and inode). Where identity is unknown, every visit is the first.
fn first_visit(seen: &Mutex<HashSet<(u64, u64)>>, entry: &ignore::DirEntry) -> bool {
    let id = entry.metadata().ok().as_ref().and_then(file_id);
    id.is_none_or(|id| lock(seen).insert(id))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The walker's error as an input error naming the path.
fn walk_error(e: ignore::Error) -> InputError {
    let mut path = None;
    let mut e = e;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert(p);
                e = *err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = *err;
            }
            ignore::Error::Loop { ancestor, child } => {
                return InputError::Loop {
                    path: child.display().to_string(),
                    target: ancestor.display().to_string(),
                };
            }
            ignore::Error::Io(io) => {
                let shown = path.map_or_else(String::new, |p| p.display().to_string());
                return InputError::from_io(&shown, io);
            }
            other => {
                let shown = path.map_or_else(String::new, |p| p.display().to_string());
                return InputError::Io {
                    path: shown,
                    source: std::io::Error::other(other.to_string()),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_walks_directories_in_order_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("b.log"), "b").unwrap();
        fs::write(dir.path().join("sub/a.log"), "a").unwrap();
        fs::write(dir.path().join(".hidden"), "h").unwrap();
        let out = expand(&[dir.path().to_path_buf(), PathBuf::from("/no/such")]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[0].as_ref().unwrap(),
            &Source::File(dir.path().join("b.log"))
        );
        assert_eq!(
            out[1].as_ref().unwrap(),
            &Source::File(dir.path().join("sub/a.log"))
        );
        assert!(matches!(out[2], Err(InputError::NotFound { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_end_and_each_file_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/x.log"), "x").unwrap();
        std::os::unix::fs::symlink("..", root.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink(".", root.join("a/self1")).unwrap();
        std::os::unix::fs::symlink(".", root.join("a/self2")).unwrap();
        std::os::unix::fs::symlink("b/x.log", root.join("a/same.log")).unwrap();
        let out = expand(&[root.to_path_buf()]);
        let files: Vec<_> = out.iter().filter_map(|s| s.as_ref().ok()).collect();
        assert_eq!(files, [&Source::File(root.join("a/b/x.log"))]);
        let loops = out
            .iter()
            .filter(|s| matches!(s, Err(InputError::Loop { .. })))
            .count();
        assert_eq!(loops, 3, "{out:?}");
    }

    /// The files a walk of `root` takes, relative to it.
    fn taken(root: &Path, filter: &Filter) -> Vec<String> {
        expand_filtered(&[root.to_path_buf()], filter)
            .into_iter()
            .filter_map(|s| match s {
                Ok(Source::File(p)) => Some(p.strip_prefix(root).unwrap().display().to_string()),
                _ => None,
            })
            .collect()
    }

    fn tree(root: &Path, files: &[&str]) {
        for file in files {
            let path = root.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
    }

    #[test]
    fn ignore_files_and_hidden_entries_as_ripgrep_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        tree(
            root,
            &[
                "a.log",
                "b.tmp",
                "old/c.log",
                "keep/d.log",
                ".cache/e.log",
                ".f.log",
            ],
        );
        // `.ignore` counts anywhere; `.gitignore` only inside a git
        // repository (ripgrep's --no-require-git is not the default).
        fs::write(root.join(".ignore"), "*.tmp\n").unwrap();
        fs::write(root.join(".gitignore"), "old/\n").unwrap();
        let default = Filter::default();
        assert_eq!(taken(root, &default), ["a.log", "keep/d.log", "old/c.log"]);
        fs::create_dir(root.join(".git")).unwrap();
        assert_eq!(taken(root, &default), ["a.log", "keep/d.log"]);
        let hidden = Filter {
            hidden: true,
            ..Filter::default()
        };
        let with_hidden = taken(root, &hidden);
        assert!(
            with_hidden.contains(&".cache/e.log".to_string()),
            "{with_hidden:?}"
        );
        assert!(
            with_hidden.contains(&".f.log".to_string()),
            "{with_hidden:?}"
        );
        assert!(
            !with_hidden.contains(&"old/c.log".to_string()),
            "{with_hidden:?}"
        );
        let no_ignore = Filter {
            no_ignore: true,
            ..Filter::default()
        };
        assert_eq!(
            taken(root, &no_ignore),
            ["a.log", "b.tmp", "keep/d.log", "old/c.log"]
        );
        // A negation re-includes, as in git.
        fs::write(root.join(".ignore"), "*.log\n!keep/*.log\n").unwrap();
        assert_eq!(taken(root, &default), ["b.tmp", "keep/d.log"]);
    }

    #[test]
    fn a_tree_deeper_than_the_limit_is_reported_and_the_rest_taken() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut deep = root.to_path_buf();
        for _ in 0..MAX_WALK_DEPTH + 2 {
            deep.push("d");
        }
        fs::create_dir_all(&deep).unwrap();
        fs::write(deep.join("lost.log"), "x").unwrap();
        fs::write(root.join("top.log"), "x").unwrap();
        let out = expand(&[root.to_path_buf()]);
        let too_deep = out
            .iter()
            .filter(|s| matches!(s, Err(InputError::TooDeep { .. })))
            .count();
        assert_eq!(too_deep, 1, "{out:?}");
        let files: Vec<_> = out.iter().filter_map(|s| s.as_ref().ok()).collect();
        assert_eq!(files, [&Source::File(root.join("top.log"))]);
    }

    #[test]
    fn a_directory_named_twice_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), &["a.log"]);
        let root = dir.path().to_path_buf();
        let out = expand(&[root.clone(), root.join("."), root.clone()]);
        assert_eq!(out.len(), 1, "{out:?}");
    }
}
