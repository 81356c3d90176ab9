use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = authsift::cli::Cli::parse();
    ExitCode::from(authsift::run(&cli))
}
