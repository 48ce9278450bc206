//! Work cut into pieces that the jobs of a run take in turn: a job that finishes its
//! piece early takes the next one instead of idling while another still works.

use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug)]
pub struct Pieces<T> {
    next: AtomicUsize,
    all: Vec<T>,
}

impl<T: Copy> Pieces<T> {
    pub fn new(all: Vec<T>) -> Self {
        Self {
            next: AtomicUsize::new(0),
            all,
        }
    }

    /// The next piece nobody has taken, if any is left.
    pub fn take(&self) -> Option<T> {
        self.all
            .get(self.next.fetch_add(1, Ordering::SeqCst))
            .copied()
    }

    /// Every piece has been taken (some may still be in work).
    pub fn exhausted(&self) -> bool {
        self.next.load(Ordering::SeqCst) >= self.all.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Pieces;

    #[test]
    fn each_piece_is_taken_once() {
        let pieces = Pieces::new(vec![1, 2, 3]);
        assert!(!pieces.exhausted());
        let taken: Vec<i32> = std::iter::from_fn(|| pieces.take()).collect();
        assert_eq!(taken, vec![1, 2, 3]);
        assert!(pieces.exhausted());
        assert_eq!(pieces.take(), None);
    }
}
