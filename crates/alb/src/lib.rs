//! stackcraft-alb (work in progress).
