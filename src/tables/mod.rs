//! The library's contract: the two tables' DDL and names, the queries on the outbox and
//! dedup tables, and the time arguments their filters take.

pub mod dedup;
pub mod dedup_columns;
pub mod drift;
pub mod error_class;
pub mod outbox;
pub mod partitions;
pub mod rates;
pub mod repair;
pub mod schema;
pub mod timearg;
