//! What `cargo xtask` (src/main.rs) and its benchmarks (the `xtask-bench` crate in bench/)
//! share: running commands ([`command`]), installing the tools ([`tools`]), the release build
//! ([`release`], [`split`], [`start`], [`minify`], [`precache`],
//! [`precompress`]), the one-file server's bundle ([`bundle`]), the release server on a free port
//! ([`server`]) and throwaway PostgreSQL clusters ([`postgres`]). A library, so that the
//! benchmarks can live in a crate of their own without the xtask depending on them.

pub mod api_test;
pub mod bundle;
pub mod command;
pub mod fuzz;
pub mod import_names;
pub mod minify;
pub mod postgres;
pub mod precache;
pub mod precompress;
pub mod release;
pub mod server;
pub mod split;
pub mod start;
pub mod tools;
