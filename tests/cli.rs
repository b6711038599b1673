//! End-to-end tests of the `gleaner` binary (filled in below).
