//! The `authsift` binary: parse the flags, run the command, exit with its
//! status. Everything else is in the library (`authsift::app`).

use clap::Parser;

// glibc malloc spends a measurable share of a big-log run growing per-thread
// arenas (mprotect, page faults); mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> authsift::app::Exit {
    let cli = authsift::cli::Cli::parse();
    authsift::app::run(&cli)
}
