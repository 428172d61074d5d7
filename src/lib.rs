//! kms-exposure: finds AWS KMS customer-managed keys whose key policy lets anyone use them.
//!
//! The library holds every part of the tool so that tests can call it directly:
//! [`policy`] is the pure policy engine; [`cli`] wires the command line to it.

pub mod cli;
pub mod policy;
