//! stackcraft-data (work in progress).
