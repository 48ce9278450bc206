//! Changing many rows safely: the engine that runs batches (each its own transaction,
//! synchronous, at most once per row), the walks that feed it, and the signals that stop it.

pub mod ctid;
pub mod dedup_walk;
pub mod engine;
pub mod keyset;
pub mod pace;
pub mod pieces;
pub mod signals;
pub mod tree;
