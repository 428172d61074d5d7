//! Writes sample output files (OCSF, ASFF, CSV) for PASS, FAIL, MANUAL and muted findings
//! into the directory given as the first argument. `make test` runs it and hands the files
//! to independent validators (py-ocsf-models, botocore).

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/common/samples.rs"]
mod samples;

use kms_exposure::output::{self, AsffProduct, Format, Options};

fn main() -> Result<(), String> {
    let dir = std::env::args().nth(1).ok_or("usage: sample_findings DIR")?;
    let options = Options {
        directory: dir.into(),
        filename: Some("sample".into()),
        formats: Format::ALL.to_vec(),
        asff_product: AsffProduct::Custom,
    };
    output::prepare_directory(&options.directory)?;
    let mut findings = samples::samples();
    output::sort_findings(&mut findings);
    for path in output::write_files(&findings, &options, samples::ACCOUNT, samples::context().scan_time)? {
        println!("{}", path.display());
    }
    Ok(())
}
