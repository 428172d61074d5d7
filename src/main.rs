//! The `kms-exposure` binary: parses the command line and hands it to the library.

// The engine allocates many small strings per policy; mimalloc makes that about 1.5x faster
// than the system allocator (see benches/engine.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kms_exposure::cli::main()
}
