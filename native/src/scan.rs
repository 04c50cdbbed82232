//! RecordBatch v2 scan, stamp and LogAppendTime: a line-by-line port of `scanBatches`,
//! `stampBatch` and `setLogAppendTime` in src/accel/js-scan.ts and src/protocol/records/stamp.ts, with the same checks in
//! the same order, so every backend gives the same answer for every input (test/accel/).
//!
//! Layout, big-endian: baseOffset int64 @0 | batchLength int32 @8 | partitionLeaderEpoch int32 @12
//! | magic int8 @16 | crc uint32 @17 (CRC-32C of @21 .. end) | attributes int16 @21
//! | lastOffsetDelta int32 @23 | baseTimestamp int64 @27 | maxTimestamp int64 @35
//! | producerId int64 @43 | producerEpoch int16 @51 | baseSequence int32 @53 | recordCount int32 @57
//! | records @61.
//!
//! Numbers follow the TypeScript reference exactly: int64 fields become f64 as `hi * 2^32 + lo`,
//! varlongs are summed in f64, and timestamps are compared in f64, so error messages built from
//! the values returned here match the reference digit for digit.
//!
//! No `unsafe` in this file; every read is bounds-checked (a bad input can only give an error).

use crate::crc32c;

pub const CORRUPT_MESSAGE: i32 = 2;
pub const MESSAGE_TOO_LARGE: i32 = 10;
pub const INVALID_TIMESTAMP: i32 = 32;
pub const UNSUPPORTED_COMPRESSION_TYPE: i32 = 76;
pub const INVALID_RECORD: i32 = 87;

const LOG_OVERHEAD: usize = 12;
const BATCH_HEADER_SIZE: usize = 61;
const MIN_BATCH_LENGTH: i32 = (BATCH_HEADER_SIZE - LOG_OVERHEAD) as i32;
const LEGACY_MIN_LENGTH: i32 = 14;
const HEADER_SIZE_UP_TO_MAGIC: usize = 17;

/// What went wrong, with up to four numbers for the message. The TypeScript side
/// (src/accel/scan-errors.ts) holds the message text for each; keep the two lists in step. The
/// numbers are those of the wasm build (wasm/assembly/scan.ts), so one table serves both: 1-21
/// batch level, 30-33 record walk, 40-49 one record that does not parse (a = record index,
/// b = its byte position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Detail {
    Empty = 1,
    TooFewBytes = 2,             // a = bytes left
    BelowLegacyMin = 3,          // a = batchLength
    InvalidMagic = 4,            // a = magic
    PastEnd = 5,                 // a = batchLength, b = bytes left after the log overhead
    NotMagic2 = 6,               // a = magic
    NotSingleBatch = 7,          //
    NonZeroBaseOffset = 8,       // a = baseOffset
    TooLarge = 9,                // a = size
    BelowV2Header = 10,          // a = size
    CrcMismatch = 11,            // a = stored, b = computed
    UnknownCompression = 12,     // a = codec id
    NegativeLastOffsetDelta = 13, // a = lastOffsetDelta
    BadCount = 14,               // a = recordCount
    InconsistentCount = 15,      // a = lastOffsetDelta, b = recordCount
    ControlFromClient = 16,      //
    MissingSequence = 17,        // a = baseSequence, b = producerId
    LogAppendTimeFromClient = 18, //
    NegativeCount = 19,          // a = recordCount
    BaseTimestampRange = 20,     // a = baseTimestamp
    MaxTimestampRange = 21,      // a = maxTimestamp
    PrematureEof = 30,           // a = recordCount, b = records read
    RecordLengthVarint = 40,     // a = record, b = byte
    RecordSize = 41,             // a = record, b = byte, c = length, d = bytes left
    TimestampDelta = 42,         // a = record, b = byte
    OffsetDeltaVarint = 43,      // a = record, b = byte
    KeyLength = 44,              // a = record, b = byte
    ValueLength = 45,            // a = record, b = byte
    HeaderCount = 46,            // a = record, b = byte
    HeaderKeyLength = 47,        // a = record, b = byte, c = header
    HeaderValueLength = 48,      // a = record, b = byte, c = header
    PayloadSize = 49,            // a = record, b = byte, c = length, d = bytes read
    OffsetDeltaOrder = 33,       // a = record, b = byte, c = offsetDelta
    BytesRemain = 31,            // a = recordCount, b = bytes left
    RecordTimestampRange = 32,   // a = record, b = timestamp
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanError {
    pub code: i32,
    pub detail: Detail,
    /// Batch index and byte position of the batch that failed.
    pub index: usize,
    pub position: usize,
    pub args: [f64; 4],
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub max_message_bytes: f64,
    pub verify_crc: bool,
    pub create_time: bool,
    pub validate_records: bool,
    pub single_batch: bool,
    pub internal: bool,
    pub now: f64,
    pub before_max_ms: f64,
    pub after_max_ms: f64,
}

/// One scanned batch: the columns of the BatchScan struct-of-arrays.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Entry {
    pub position: usize,
    pub size: usize,
    pub last_offset_delta: i32,
    pub record_count: i32,
    pub attributes: i16,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub base_timestamp: f64,
    pub max_timestamp: f64,
    pub producer_id: f64,
}

pub trait Sink {
    fn capacity(&self) -> usize;
    /// Stores entry `n`; `n < capacity()`.
    fn put(&mut self, n: usize, e: &Entry);
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Ok,
    Error(ScanError),
    /// The sink is full: grow it and call `scan` again with the same `State`.
    NeedCapacity,
}

/// Where a scan is: `scan` can stop for capacity and resume without redoing any batch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct State {
    pub position: usize,
    pub count: usize,
    pub records: f64,
}

#[inline(always)]
fn be32(b: &[u8], p: usize) -> i32 {
    i32::from_be_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]])
}
#[inline(always)]
fn be16(b: &[u8], p: usize) -> i16 {
    i16::from_be_bytes([b[p], b[p + 1]])
}
/// int64 as the reference reads it: hi * 2^32 + (lo >>> 0), in f64.
#[inline(always)]
fn be64f(b: &[u8], p: usize) -> f64 {
    be32(b, p) as f64 * 4294967296.0 + be32(b, p + 4) as u32 as f64
}

/// Zig-zag varint, at most 5 bytes, not past the end of `b` (the reference's `varint`, whose
/// `end` is `b.len()` here: one comparison covers both the end and the slice bounds).
#[inline(always)]
fn varint(b: &[u8], cur: &mut usize) -> Option<i32> {
    let end = b.len();
    let mut p = *cur;
    if p >= end {
        return None;
    }
    let mut x = b[p];
    p += 1;
    let mut r = (x & 0x7f) as u32;
    if x >= 0x80 {
        let mut shift = 7;
        loop {
            if p >= end {
                return None;
            }
            x = b[p];
            p += 1;
            if shift == 28 {
                if x >= 0x80 {
                    return None;
                }
                r |= (x as u32) << 28;
                break;
            }
            r |= ((x & 0x7f) as u32) << shift;
            if x < 0x80 {
                break;
            }
            shift += 7;
        }
    }
    *cur = p;
    Some(((r >> 1) ^ 0u32.wrapping_sub(r & 1)) as i32)
}

/// Zig-zag varlong, at most 10 bytes, not past the end of `b`, summed in f64 exactly as the
/// reference does.
#[inline(always)]
fn varlong(b: &[u8], cur: &mut usize) -> Option<f64> {
    let end = b.len();
    // Fast path: up to 7 bytes (49 bits) every partial sum is an integer below 2^53, so the f64
    // arithmetic below is exact and integer arithmetic gives the same value (and no fmod).
    let mut p = *cur;
    let mut r = 0u64;
    let mut shift = 0;
    while p < end && shift < 49 {
        let x = b[p];
        p += 1;
        r |= ((x & 0x7f) as u64) << shift;
        if x < 0x80 {
            *cur = p;
            let half = (r >> 1) as f64;
            return Some(if r & 1 == 1 { -half - 1.0 } else { half });
        }
        shift += 7;
    }
    varlong_f64(b, cur)
}

/// The reference's varlong, operation for operation in f64 (values of 8 to 10 bytes).
#[cold]
fn varlong_f64(b: &[u8], cur: &mut usize) -> Option<f64> {
    let end = b.len();
    let mut p = *cur;
    let mut r = 0f64;
    let mut mul = 1f64;
    for _ in 0..10 {
        if p >= end {
            break;
        }
        let x = b[p];
        p += 1;
        r += (x & 0x7f) as f64 * mul;
        if x < 0x80 {
            *cur = p;
            return Some(if r % 2.0 == 1.0 { -(r + 1.0) / 2.0 } else { r / 2.0 });
        }
        mul *= 128.0;
    }
    None
}

struct Parsed {
    timestamp_delta: f64,
    offset_delta: i32,
}

/// A record problem: detail plus its extra numbers (c, d).
type Problem = (Detail, f64, f64);

/// One record at `cur` of `b`, which ends where the batch ends (Kafka's DefaultRecord.readFrom
/// rules), leaving `cur` after it.
#[inline(always)]
fn parse_record(b: &[u8], cur: &mut usize) -> Result<Parsed, Problem> {
    let len = varint(b, cur).ok_or((Detail::RecordLengthVarint, 0.0, 0.0))?;
    let left = (b.len() - *cur) as i64;
    if len <= 0 || len as i64 > left {
        return Err((Detail::RecordSize, len as f64, left as f64));
    }
    let body_start = *cur;
    // The record's own bytes: every read below stops at its end.
    let body = &b[..*cur + len as usize];
    *cur += 1; // attributes: unused in v2
    let timestamp_delta = varlong(body, cur).ok_or((Detail::TimestampDelta, 0.0, 0.0))?;
    let offset_delta = varint(body, cur).ok_or((Detail::OffsetDeltaVarint, 0.0, 0.0))?;
    match varint(body, cur) {
        Some(kl) if kl as i64 <= (body.len() - *cur) as i64 => {
            if kl > 0 {
                *cur += kl as usize;
            }
        }
        _ => return Err((Detail::KeyLength, 0.0, 0.0)),
    }
    match varint(body, cur) {
        Some(vl) if vl as i64 <= (body.len() - *cur) as i64 => {
            if vl > 0 {
                *cur += vl as usize;
            }
        }
        _ => return Err((Detail::ValueLength, 0.0, 0.0)),
    }
    let count = match varint(body, cur) {
        Some(n) if n >= 0 && n as i64 <= (body.len() - *cur) as i64 => n,
        _ => return Err((Detail::HeaderCount, 0.0, 0.0)),
    };
    for h in 0..count {
        match varint(body, cur) {
            Some(kl) if kl >= 0 && kl as i64 <= (body.len() - *cur) as i64 => *cur += kl as usize,
            _ => return Err((Detail::HeaderKeyLength, h as f64, 0.0)),
        }
        match varint(body, cur) {
            Some(vl) if vl as i64 <= (body.len() - *cur) as i64 => {
                if vl > 0 {
                    *cur += vl as usize;
                }
            }
            _ => return Err((Detail::HeaderValueLength, h as f64, 0.0)),
        }
    }
    if *cur != body.len() {
        return Err((Detail::PayloadSize, len as f64, (*cur - body_start) as f64));
    }
    Ok(Parsed { timestamp_delta, offset_delta })
}

/// Record-level failure: (code, detail, a, b, c, d).
type RecordFailure = (i32, Detail, [f64; 4]);

/// Walks the records of an uncompressed batch, [start, end) (the reference's checkRecords).
/// Returns the largest record timestamp (-1 when none is larger), as Kafka's LogValidator sets
/// the batch's maxTimestamp from its records.
#[allow(clippy::too_many_arguments)]
fn check_records(b: &[u8], start: usize, end: usize, count: i32, base_ts: f64, ts_check: bool, lo: f64, hi: f64) -> Result<f64, RecordFailure> {
    // The batch's bytes: records are parsed against its end.
    let b = &b[..end];
    let mut cur = start;
    let mut bad_ts: i64 = -1;
    let mut bad_timestamp = 0f64;
    let mut max_ts = -1f64;
    let mut i: i32 = 0;
    while i < count {
        let at = cur;
        if at >= end {
            return Err((INVALID_RECORD, Detail::PrematureEof, [count as f64, i as f64, 0.0, 0.0]));
        }
        let r = match parse_record(b, &mut cur) {
            Ok(r) => r,
            Err((d, c, dd)) => return Err((INVALID_RECORD, d, [i as f64, at as f64, c, dd])),
        };
        if r.offset_delta != i {
            return Err((INVALID_RECORD, Detail::OffsetDeltaOrder, [i as f64, at as f64, r.offset_delta as f64, 0.0]));
        }
        if base_ts + r.timestamp_delta > max_ts {
            max_ts = base_ts + r.timestamp_delta;
        }
        if ts_check && bad_ts < 0 {
            let ts = base_ts + r.timestamp_delta;
            if ts != -1.0 && (ts < lo || ts > hi) {
                bad_ts = i as i64;
                bad_timestamp = ts;
            }
        }
        i += 1;
    }
    if cur != end {
        return Err((INVALID_RECORD, Detail::BytesRemain, [count as f64, (end - cur) as f64, 0.0, 0.0]));
    }
    if bad_ts >= 0 {
        return Err((INVALID_TIMESTAMP, Detail::RecordTimestampRange, [bad_ts as f64, bad_timestamp, 0.0, 0.0]));
    }
    Ok(max_ts)
}

/// Validates whole v2 batches covering `buf` exactly, from `st` on; fills `out`. Never panics.
pub fn scan(buf: &[u8], o: &Options, st: &mut State, out: &mut dyn Sink) -> Outcome {
    let end = buf.len();
    let client = !o.internal;
    let lo = o.now - o.before_max_ms;
    let hi = o.now + o.after_max_ms;
    let cap = out.capacity();
    let mut n = st.count;
    let mut p = st.position;
    let mut records = st.records;
    macro_rules! fail {
        ($code:expr, $detail:expr) => { fail!($code, $detail, 0.0, 0.0) };
        ($code:expr, $detail:expr, $a:expr) => { fail!($code, $detail, $a, 0.0) };
        ($code:expr, $detail:expr, $a:expr, $b:expr) => {{
            *st = State { position: p, count: n, records };
            return Outcome::Error(ScanError { code: $code, detail: $detail, index: n, position: p, args: [$a as f64, $b as f64, 0.0, 0.0] });
        }};
    }
    if end == 0 {
        fail!(INVALID_RECORD, Detail::Empty);
    }
    while p < end {
        if n >= cap {
            *st = State { position: p, count: n, records };
            return Outcome::NeedCapacity;
        }
        let remaining = end - p;
        if remaining < LOG_OVERHEAD {
            fail!(INVALID_RECORD, Detail::TooFewBytes, remaining);
        }
        let length = be32(buf, p + 8);
        if length < LEGACY_MIN_LENGTH {
            fail!(CORRUPT_MESSAGE, Detail::BelowLegacyMin, length);
        }
        if remaining < HEADER_SIZE_UP_TO_MAGIC {
            fail!(INVALID_RECORD, Detail::TooFewBytes, remaining);
        }
        let magic = buf[p + 16] as i8;
        if !(0..=2).contains(&magic) {
            fail!(CORRUPT_MESSAGE, Detail::InvalidMagic, magic);
        }
        if length as i64 > (remaining - LOG_OVERHEAD) as i64 {
            fail!(INVALID_RECORD, Detail::PastEnd, length, remaining - LOG_OVERHEAD);
        }
        if magic != 2 {
            fail!(INVALID_RECORD, Detail::NotMagic2, magic);
        }
        if n > 0 && o.single_batch {
            fail!(INVALID_RECORD, Detail::NotSingleBatch);
        }
        // length >= 14 and fits in what is left: the whole batch is inside `buf`.
        let size = length as usize + LOG_OVERHEAD;
        if client && (be32(buf, p) | be32(buf, p + 4)) != 0 {
            fail!(INVALID_RECORD, Detail::NonZeroBaseOffset, be64f(buf, p));
        }
        if size as f64 > o.max_message_bytes {
            fail!(MESSAGE_TOO_LARGE, Detail::TooLarge, size);
        }
        if length < MIN_BATCH_LENGTH {
            fail!(CORRUPT_MESSAGE, Detail::BelowV2Header, size);
        }
        // From here the 61-byte header is inside `buf` (size >= 61).
        if o.verify_crc {
            let stored = be32(buf, p + 17) as u32;
            let computed = crc32c::crc32c(0, &buf[p + 21..p + size]);
            if stored != computed {
                fail!(CORRUPT_MESSAGE, Detail::CrcMismatch, stored, computed);
            }
        }
        let attributes = be16(buf, p + 21);
        let compression = attributes & 0x07;
        if compression > 4 {
            fail!(UNSUPPORTED_COMPRESSION_TYPE, Detail::UnknownCompression, compression);
        }
        let last_offset_delta = be32(buf, p + 23);
        let count = be32(buf, p + 57);
        let producer_id = be64f(buf, p + 43);
        let base_sequence = be32(buf, p + 53);
        if client {
            if last_offset_delta < 0 {
                fail!(INVALID_RECORD, Detail::NegativeLastOffsetDelta, last_offset_delta);
            }
            if count <= 0 {
                fail!(INVALID_RECORD, Detail::BadCount, count);
            }
            if count as i64 != last_offset_delta as i64 + 1 {
                fail!(INVALID_RECORD, Detail::InconsistentCount, last_offset_delta, count);
            }
            if attributes & 0x20 != 0 {
                fail!(INVALID_RECORD, Detail::ControlFromClient);
            }
            if producer_id >= 0.0 && base_sequence < 0 {
                fail!(INVALID_RECORD, Detail::MissingSequence, base_sequence, producer_id);
            }
            if attributes & 0x08 != 0 {
                fail!(INVALID_TIMESTAMP, Detail::LogAppendTimeFromClient);
            }
        } else if count < 0 {
            fail!(INVALID_RECORD, Detail::NegativeCount, count);
        }
        let base_timestamp = be64f(buf, p + 27);
        let max_timestamp = be64f(buf, p + 35);
        let ts_check = o.create_time && client;
        // With validate_records the entry's maxTimestamp is the records' (the caller rewrites
        // the header), and compressed batches are left to the caller's record validation.
        let mut entry_max_timestamp = max_timestamp;
        if compression == 0 && o.validate_records {
            match check_records(buf, p + BATCH_HEADER_SIZE, p + size, count, base_timestamp, ts_check, lo, hi) {
                Ok(m) => entry_max_timestamp = m,
                Err((code, detail, args)) => {
                    *st = State { position: p, count: n, records };
                    return Outcome::Error(ScanError { code, detail, index: n, position: p, args });
                }
            }
        } else if ts_check && !o.validate_records {
            if base_timestamp != -1.0 && (base_timestamp < lo || base_timestamp > hi) {
                fail!(INVALID_TIMESTAMP, Detail::BaseTimestampRange, base_timestamp);
            }
            if max_timestamp != -1.0 && (max_timestamp < lo || max_timestamp > hi) {
                fail!(INVALID_TIMESTAMP, Detail::MaxTimestampRange, max_timestamp);
            }
        }
        out.put(
            n,
            &Entry {
                position: p,
                size,
                last_offset_delta,
                record_count: count,
                attributes,
                producer_epoch: be16(buf, p + 51),
                base_sequence,
                base_timestamp,
                max_timestamp: entry_max_timestamp,
                producer_id,
            },
        );
        n += 1;
        records += count as f64;
        p += size;
    }
    *st = State { position: p, count: n, records };
    Outcome::Ok
}

/// ECMAScript ToUint32: what a JS number becomes when the reference writes it with `>>>` and
/// byte stores (NaN and infinities give 0, otherwise truncate and wrap modulo 2^32).
pub fn to_uint32(x: f64) -> u32 {
    if !x.is_finite() {
        return 0;
    }
    let mut m = x.trunc() % 4294967296.0;
    if m < 0.0 {
        m += 4294967296.0;
    }
    m as u32
}

/// The reference's w64: hi = floor(v / 2^32) and lo = v - hi * 2^32, each written as ToUint32.
fn write64(buf: &mut [u8], p: usize, v: f64) {
    let hi = (v / 4294967296.0).floor();
    buf[p..p + 4].copy_from_slice(&to_uint32(hi).to_be_bytes());
    buf[p + 4..p + 8].copy_from_slice(&to_uint32(v - hi * 4294967296.0).to_be_bytes());
}

/// `stamp` or `set_log_append_time` found no (whole) batch at the position given.
#[derive(Debug)]
pub struct NoBatchThere;

/// A 61-byte header at an integer `position` inside `len` bytes (the accel wrapper checks the
/// same in JS).
pub fn check_header(len: usize, position: f64) -> Result<usize, NoBatchThere> {
    if !(position >= 0.0 && position.fract() == 0.0 && position + BATCH_HEADER_SIZE as f64 <= len as f64) {
        return Err(NoBatchThere);
    }
    Ok(position as usize)
}

/// Writes baseOffset and partitionLeaderEpoch in place (both outside the CRC).
pub fn stamp(buf: &mut [u8], position: f64, base_offset: f64, epoch: f64) -> Result<(), NoBatchThere> {
    let p = check_header(buf.len(), position)?;
    write64(buf, p, base_offset);
    buf[p + 12..p + 16].copy_from_slice(&to_uint32(epoch).to_be_bytes());
    Ok(())
}

/// LogAppendTime: timestamp-type bit, maxTimestamp = `timestamp`, new CRC. The batch, as its
/// batchLength says, must lie inside `buf` and be at least a v2 header.
pub fn set_log_append_time(buf: &mut [u8], position: f64, timestamp: f64) -> Result<(), NoBatchThere> {
    let p = check_header(buf.len(), position)?;
    let length = be32(buf, p + 8);
    if length < MIN_BATCH_LENGTH || p as u64 + LOG_OVERHEAD as u64 + length as u64 > buf.len() as u64 {
        return Err(NoBatchThere);
    }
    let end = p + LOG_OVERHEAD + length as usize;
    buf[p + 22] |= 0x08;
    write64(buf, p + 35, timestamp);
    let crc = crc32c::crc32c(0, &buf[p + 21..end]);
    buf[p + 17..p + 21].copy_from_slice(&crc.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;

    const NOW: f64 = 1_700_000_000_000.0;

    struct VecSink {
        cap: usize,
        entries: Vec<Entry>,
    }
    impl Sink for VecSink {
        fn capacity(&self) -> usize {
            self.cap
        }
        fn put(&mut self, n: usize, e: &Entry) {
            assert!(n < self.cap, "put past capacity");
            if self.entries.len() <= n {
                self.entries.resize(n + 1, Entry::default());
            }
            self.entries[n] = *e;
        }
    }

    fn opts() -> Options {
        Options { max_message_bytes: 1_048_588.0, verify_crc: true, create_time: true, validate_records: true, single_batch: false, internal: false, now: NOW, before_max_ms: 3_600_000.0, after_max_ms: 3_600_000.0 }
    }

    /// Scans with a sink that starts tiny and doubles, resuming like the JS wrapper does.
    fn run(buf: &[u8], o: &Options) -> (Outcome, State, Vec<Entry>) {
        let mut sink = VecSink { cap: 1, entries: Vec::new() };
        let mut st = State::default();
        loop {
            match scan(buf, o, &mut st, &mut sink) {
                Outcome::NeedCapacity => sink.cap *= 2,
                r => return (r, st, sink.entries[..st.count].to_vec()),
            }
        }
    }

    fn sample(n: usize) -> Vec<u8> {
        let recs: Vec<Rec> = (0..n).map(|_| Rec { key: Some(b"k"), value: Some(b"value"), headers: vec![], timestamp_delta: 0 }).collect();
        build_batch(&recs, &BatchOpts::default())
    }

    fn err(r: Outcome) -> ScanError {
        match r {
            Outcome::Error(e) => e,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn scans_concatenated_batches_with_resume() {
        let parts: Vec<Vec<u8>> = (0..40).map(|i| sample(1 + i % 5)).collect();
        let all: Vec<u8> = parts.concat();
        let (r, st, entries) = run(&all, &opts());
        assert_eq!(r, Outcome::Ok);
        assert_eq!(st.count, 40);
        assert_eq!(st.position, all.len());
        assert_eq!(st.records, (0..40).map(|i| 1 + i % 5).sum::<usize>() as f64);
        let mut pos = 0;
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.position, pos);
            assert_eq!(e.size, parts[i].len());
            assert_eq!(e.record_count, 1 + (i % 5) as i32);
            assert_eq!(e.last_offset_delta, e.record_count - 1);
            assert_eq!(e.producer_id, -1.0);
            pos += e.size;
        }
        let single = Options { single_batch: true, ..opts() };
        let e = err(run(&all, &single).0);
        assert_eq!((e.code, e.detail, e.index), (INVALID_RECORD, Detail::NotSingleBatch, 1));
    }

    #[test]
    fn errors_match_the_reference_cases() {
        assert_eq!(err(run(&[], &opts()).0).detail, Detail::Empty);
        let b = sample(3);
        assert_eq!(err(run(&b[..10], &opts()).0).detail, Detail::TooFewBytes);
        assert_eq!(err(run(&b[..40], &opts()).0).detail, Detail::PastEnd);
        let mut c = b.clone();
        let last = c.len() - 1;
        c[last] ^= 1;
        let e = err(run(&c, &opts()).0);
        assert_eq!((e.code, e.detail), (CORRUPT_MESSAGE, Detail::CrcMismatch));
        let mut c = b.clone();
        c[17] ^= 0x80;
        assert_eq!(err(run(&c, &opts()).0).detail, Detail::CrcMismatch);
        assert_eq!(run(&c, &Options { verify_crc: false, ..opts() }).0, Outcome::Ok);
        let mut m = b.clone();
        m[16] = 0xff;
        assert_eq!(err(run(&m, &opts()).0).args[0], -1.0);
        let mut big = b.clone();
        big[8..12].copy_from_slice(&0x7fff_ffffi32.to_be_bytes());
        let e = err(run(&big, &opts()).0);
        assert_eq!((e.detail, e.args[0]), (Detail::PastEnd, 2147483647.0));
        big[8..12].copy_from_slice(&i32::MIN.to_be_bytes());
        assert_eq!(err(run(&big, &opts()).0).detail, Detail::BelowLegacyMin);
        let too_large = Options { max_message_bytes: (b.len() - 1) as f64, ..opts() };
        assert_eq!(err(run(&b, &too_large).0).code, MESSAGE_TOO_LARGE);
        // Out-of-order offset delta in record 0 (offsetDelta byte @64).
        let mut d = sample(2);
        d[64] = 2;
        fix_crc(&mut d, 0);
        let e = err(run(&d, &opts()).0);
        assert_eq!((e.detail, e.args[0], e.args[1], e.args[2]), (Detail::OffsetDeltaOrder, 0.0, 61.0, 1.0));
    }

    #[test]
    fn timestamps_are_checked_in_f64_like_the_reference() {
        let recs = [
            Rec { key: None, value: None, headers: vec![], timestamp_delta: 0 },
            Rec { key: None, value: None, headers: vec![], timestamp_delta: 2 * 3_600_000 },
        ];
        let b = build_batch(&recs, &BatchOpts { base_timestamp: NOW as i64, max_timestamp: NOW as i64 + 7_200_000, ..BatchOpts::default() });
        let e = err(run(&b, &opts()).0);
        assert_eq!((e.code, e.detail, e.args[0], e.args[1]), (INVALID_TIMESTAMP, Detail::RecordTimestampRange, 1.0, NOW + 7_200_000.0));
        let ok = Options { create_time: false, ..opts() };
        assert_eq!(run(&b, &ok).0, Outcome::Ok);
    }

    #[test]
    fn entry_max_timestamp_is_the_records_not_the_header() {
        let recs = [
            Rec { key: None, value: None, headers: vec![], timestamp_delta: 0 },
            Rec { key: None, value: None, headers: vec![], timestamp_delta: 5 },
        ];
        let b = build_batch(&recs, &BatchOpts { base_timestamp: NOW as i64, max_timestamp: i64::MAX, ..BatchOpts::default() });
        let (r, _, entries) = run(&b, &opts());
        assert_eq!(r, Outcome::Ok);
        assert_eq!(entries[0].max_timestamp, NOW + 5.0);
    }

    #[test]
    fn stamp_and_log_append_time() {
        let mut b = sample(3);
        let crc = be32(&b, 17);
        stamp(&mut b, 0.0, 1099511627781.0, 12.0).unwrap();
        assert_eq!(be32(&b, 17), crc);
        assert_eq!(be64f(&b, 0), 1099511627781.0);
        assert_eq!(be32(&b, 12), 12);
        stamp(&mut b, 0.0, -1.0, -1.0).unwrap();
        assert_eq!(be64f(&b, 0), -1.0);
        assert_eq!(be32(&b, 12), -1);
        stamp(&mut b, 0.0, f64::NAN, f64::INFINITY).unwrap();
        assert_eq!(be64f(&b, 0), 0.0);
        assert!(stamp(&mut b, 0.5, 0.0, 0.0).is_err());
        assert!(stamp(&mut b, -1.0, 0.0, 0.0).is_err());
        let len = b.len();
        assert!(stamp(&mut b[..60], 0.0, 0.0, 0.0).is_err());
        set_log_append_time(&mut b, 0.0, NOW + 99.0).unwrap();
        assert_eq!(be32(&b, 17) as u32, crc32c::crc32c(0, &b[21..]));
        assert_eq!(be64f(&b, 35), NOW + 99.0);
        assert!(set_log_append_time(&mut b[..len - 1], 0.0, NOW).is_err());
        assert_eq!(to_uint32(-1.0), 0xffff_ffff);
        assert_eq!(to_uint32(4294967297.5), 1);
        assert_eq!(to_uint32(-4294967297.0), 0xffff_ffff);
    }

    /// Invariants every scan result must satisfy, whatever the input.
    fn check_invariants(buf: &[u8], o: &Options, what: &str) -> Outcome {
        let (r, st, entries) = run(buf, o);
        let mut pos = 0;
        for e in &entries {
            assert_eq!(e.position, pos, "{what}: batches are contiguous");
            assert!(e.size >= 61 && e.position + e.size <= buf.len(), "{what}: batch inside the buffer");
            if o.verify_crc {
                assert_eq!(be32(buf, pos + 17) as u32, crc32c::crc32c(0, &buf[pos + 21..pos + e.size]), "{what}: passed with a bad CRC");
            }
            pos += e.size;
        }
        match r {
            Outcome::Ok => assert_eq!(pos, buf.len(), "{what}: ok covers the buffer"),
            Outcome::Error(e) => {
                assert_eq!(e.position, pos, "{what}: error at the first bad batch");
                assert_eq!(e.index, entries.len());
                assert!([CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP, UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD].contains(&e.code));
            }
            Outcome::NeedCapacity => unreachable!(),
        }
        assert_eq!(st.count, entries.len());
        r
    }

    #[test]
    fn fuzz_random_bytes() {
        let mut rng = XorShift::new(0xF0_22);
        let wide = Options { before_max_ms: 9e15, after_max_ms: 9e15, ..opts() };
        for i in 0..20_000 {
            let mut b = vec![0u8; rng.below(300)];
            rng.fill(&mut b);
            if b.len() > 17 && rng.chance(50) {
                // Plausible framing: a batchLength that fits and magic 2.
                let l = (b.len() - 12) as i32;
                b[8..12].copy_from_slice(&l.to_be_bytes());
                b[16] = 2;
                if rng.chance(50) {
                    b[0..8].fill(0);
                }
                if rng.chance(70) && b.len() >= 61 {
                    fix_crc(&mut b, 0);
                }
            }
            let o = Options { internal: rng.chance(30), single_batch: rng.chance(30), verify_crc: rng.chance(80), ..wide };
            check_invariants(&b, &o, &format!("random {i}"));
        }
    }

    #[test]
    fn fuzz_mutated_batches() {
        let mut rng = XorShift::new(0x5A45A);
        let mut seeds: Vec<Vec<u8>> = (0..30).map(|_| random_batch(&mut rng, 8, 40)).collect();
        seeds.push([sample(2), sample(3)].concat());
        let wide = Options { before_max_ms: 9e15, after_max_ms: 9e15, ..opts() };
        let mut codes = std::collections::BTreeMap::new();
        for s in &seeds {
            assert_eq!(run(s, &wide).0, Outcome::Ok, "seeds scan clean");
        }
        for i in 0..30_000 {
            let base = &seeds[rng.below(seeds.len())];
            let mut b = base.clone();
            let kind = rng.below(5);
            if kind != 1 {
                for _ in 0..1 + rng.below(4) {
                    let k = rng.below(b.len());
                    b[k] ^= 1 + rng.below(255) as u8;
                }
            }
            if kind == 1 || kind == 2 {
                b.truncate(rng.below(b.len() + 1));
            }
            if kind == 3 {
                b.extend_from_slice(&base[..rng.below(base.len())]);
            }
            if kind == 4 && b.len() >= 61 {
                // Past the CRC: reach the record parser.
                if rng.chance(30) {
                    b[57..61].copy_from_slice(&(rng.below(8) as i32).to_be_bytes());
                }
                let l = (b.len() - 12) as i32;
                b[8..12].copy_from_slice(&l.to_be_bytes());
                b[16] = 2;
                fix_crc(&mut b, 0);
            }
            let o = Options { internal: rng.chance(20), validate_records: rng.chance(90), ..wide };
            let r = check_invariants(&b, &o, &format!("mutation {i}"));
            let code = match r {
                Outcome::Error(e) => e.code,
                _ => 0,
            };
            *codes.entry(code).or_insert(0) += 1;
        }
        assert!(codes.get(&CORRUPT_MESSAGE).copied().unwrap_or(0) > 3000, "{codes:?}");
        assert!(codes.get(&INVALID_RECORD).copied().unwrap_or(0) > 3000, "{codes:?}");
        assert!(codes.get(&0).copied().unwrap_or(0) > 100, "{codes:?}");
    }

    #[test]
    fn varlong_fast_path_matches_the_f64_emulation() {
        let mut rng = XorShift::new(11);
        for _ in 0..200_000 {
            let mut b = [0u8; 12];
            rng.fill(&mut b);
            // Continuation bits on the first k bytes, so every length 1..=11 occurs.
            let k = rng.below(12);
            for (i, x) in b.iter_mut().enumerate() {
                if i < k { *x |= 0x80 } else { *x &= 0x7f }
            }
            let end = rng.below(13);
            let (mut c1, mut c2) = (0, 0);
            let (a, f) = (varlong(&b[..end], &mut c1), varlong_f64(&b[..end], &mut c2));
            assert_eq!(a.map(f64::to_bits), f.map(f64::to_bits), "{b:?} end {end}");
            assert_eq!(c1, c2);
        }
    }

    #[test]
    fn fuzz_stamp_never_panics() {
        let mut rng = XorShift::new(3);
        for _ in 0..20_000 {
            let mut b = vec![0u8; rng.below(200)];
            rng.fill(&mut b);
            let pos = rng.below(220) as f64 - 10.0;
            let _ = stamp(&mut b, pos, rng.next_u64() as f64 - 9e18, rng.next_u32() as f64);
            let _ = set_log_append_time(&mut b, pos, rng.next_u64() as f64);
        }
    }
}
