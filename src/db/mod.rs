//! Talking to PostgreSQL: connection parameters the libpq way, TLS, the session every
//! statement runs in, catalog reads, bind parameters, and the wire types outboxctl reads.

pub mod catalog;
pub mod connect;
pub mod conninfo;
pub mod errors;
pub mod ident;
pub mod jsonb;
pub mod lockwait;
pub mod pgtime;
pub mod session;
pub mod socket;
pub mod sql;
pub mod sql_guard;
pub mod tls;
pub mod wire;
