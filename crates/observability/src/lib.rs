//! stackcraft-observability (work in progress).
