//! Stored form of a record and the migrations from older formats.
