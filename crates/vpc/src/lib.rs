//! stackcraft-vpc (work in progress).
