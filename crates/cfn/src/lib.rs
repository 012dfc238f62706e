//! stackcraft-cfn (work in progress).
