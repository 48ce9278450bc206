//! Changing many rows safely: the engine that runs batches (each its own transaction,
//! synchronous, at most once per row), the walks that feed it, and the signals that stop it.

pub mod ctid;
pub mod dedup_walk;
pub mod engine;
pub mod keyset;
pub mod pace;
pub mod pieces;
pub mod plan;
pub mod retention;
pub mod signals;
pub mod tree;

/// A lock shared by a run's jobs. A job that panicked while holding it has already
/// failed the run; the others still finish their batch in flight and report exactly what
/// committed, so the state is taken as it stands rather than panicking in turn.
pub fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
