//! What people and scripts see: formats, escaping, tables that fit the terminal.

pub mod export;
pub mod layout;
pub mod output;
pub mod prometheus;
pub mod stats;
