//! The `kms-exposure` binary: parses the command line and hands it to the library.

fn main() -> std::process::ExitCode {
    kms_exposure::cli::main()
}
