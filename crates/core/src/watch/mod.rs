//! File watching (work in progress).
