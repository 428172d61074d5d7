//! kms-exposure: finds AWS KMS customer-managed keys whose key policy lets anyone use them.
//!
//! The library holds every part of the tool so that tests can call it directly:
//! [`policy`] is the pure policy engine; [`metadata`] the embedded check metadata;
//! [`finding`] the one finding model; [`output`] the file formats; [`validate`] the bundled
//! schemas; [`cli`] wires the command line to them.

#![cfg_attr(test, allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod finding;
pub mod inventory;
pub mod metadata;
pub mod mutelist;
pub mod output;
pub mod policy;
pub mod remediate;
pub mod scan;
pub mod securityhub;
pub mod validate;
