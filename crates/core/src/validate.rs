//! Checks a record before it is saved and reports every problem at once.
