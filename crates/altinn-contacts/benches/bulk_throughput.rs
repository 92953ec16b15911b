//! Placeholder until the sandbox lands; the real benchmark follows.

fn main() {}
