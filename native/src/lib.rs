//! samsa-native: the hot path of samsa's produce and fetch paths as a Node-API addon.
//! No crates.io dependencies: Node-API is declared by hand (src/napi/sys.rs).
//!
//! - crc32c: CRC-32C with SSE4.2 / ARMv8 CRC instructions (three interleaved streams), or
//!   slicing-by-8;
//! - scan: RecordBatch v2 scan (bounds, magic, CRC, counts, timestamps, producer fields, records),
//!   stamp and LogAppendTime, identical to src/accel/js-scan.ts and src/protocol/records/stamp.ts;
//! - io: pwritev / pread probes, measured in bench/accel/segment-io.bench.ts.
//!
//! `unsafe` lives only in napi/ (FFI), io.rs (syscalls) and the CPU-feature-gated CRC functions.

pub mod crc32c;
pub mod io;
pub mod scan;

// The Node-API glue references symbols that only a Node process provides, so unit tests (which
// link an executable) leave it out.
#[cfg(not(test))]
mod napi;

#[cfg(test)]
mod testutil;
