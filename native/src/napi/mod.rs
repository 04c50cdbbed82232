//! The JavaScript face of the addon: argument checks, the scan state buffer, and registration.
//! Every entry point catches panics and turns bad arguments into TypeError / RangeError; none of
//! them can crash the process on any input.
//!
//! Exports (src/accel/native.ts wraps them into the Accel interface):
//!   crc32c(buf: Uint8Array, start?: number, end?: number, init?: number): number
//!   scanBatches(buf: Uint8Array, state: ArrayBuffer): number   0 | Kafka error code | -1 (grow)
//!   stampBatch(buf: Uint8Array, position, baseOffset, partitionLeaderEpoch): undefined
//!   setLogAppendTime(buf: Uint8Array, position, timestamp): undefined
//!   pwritev(fd, buffers: Uint8Array[], position): number        (bench/accel only; not Windows)
//!   pread(fd, buf: Uint8Array, offset, length, position): number (bench/accel only; not Windows)
//!   crc32cImplementation: string, version: string, scanLayout: number

mod sys;

use crate::{crc32c, io, scan};
use std::ffi::{c_char, c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null_mut;
use sys::*;

/// Version of the scan state layout below; src/accel/scan-state.ts refuses any other.
pub const SCAN_LAYOUT: u32 = 1;
/// The state ArrayBuffer: 16 f64 of call parameters and results, then for capacity C:
/// baseTimestamp, maxTimestamp, producerId (f64 × C each), position, size, lastOffsetDelta,
/// recordCount, baseSequence (i32 × C each), attributes, producerEpoch (i16 × C each), all in
/// the platform's byte order (they are read through typed arrays).
const HEADER_BYTES: usize = 128;
const ENTRY_BYTES: usize = 48;
// Header slots (f64 index).
const IO_POSITION: usize = 0; // in/out: where to start; where it stopped (the failing batch)
const IO_COUNT: usize = 1; // in/out: batches so far
const IO_RECORDS: usize = 2; // in/out: records so far
const IO_MAX_MESSAGE_BYTES: usize = 3;
const IO_FLAGS: usize = 4;
const IO_NOW: usize = 5;
const IO_BEFORE_MAX_MS: usize = 6;
const IO_AFTER_MAX_MS: usize = 7;
const IO_DETAIL: usize = 8; // out: scan::Detail of an error
const IO_ARGS: usize = 9; // out: 4 numbers for the message
const FLAG_VERIFY_CRC: u32 = 1;
const FLAG_CREATE_TIME: u32 = 2;
const FLAG_VALIDATE_RECORDS: u32 = 4;
const FLAG_SINGLE_BATCH: u32 = 8;
const FLAG_INTERNAL: u32 = 16;

enum JsError {
    Type(String),
    Range(String),
    Plain(String),
}

type JsResult = Result<napi_value, JsError>;

unsafe fn throw(env: napi_env, e: JsError) {
    let mut pending = false;
    if napi_is_exception_pending(env, &mut pending) == NAPI_OK && pending {
        return;
    }
    let (kind, msg) = match e {
        JsError::Type(m) => (0, m),
        JsError::Range(m) => (1, m),
        JsError::Plain(m) => (2, m),
    };
    let msg = CString::new(msg.replace('\0', " ")).unwrap_or_default();
    match kind {
        0 => napi_throw_type_error(env, std::ptr::null(), msg.as_ptr()),
        1 => napi_throw_range_error(env, std::ptr::null(), msg.as_ptr()),
        _ => napi_throw_error(env, std::ptr::null(), msg.as_ptr()),
    };
}

/// Runs an entry point: errors become exceptions, a panic becomes an Error (never an abort).
unsafe fn entry(env: napi_env, f: impl FnOnce() -> JsResult) -> napi_value {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            throw(env, e);
            null_mut()
        }
        Err(_) => {
            throw(env, JsError::Plain("samsa-native: internal error (a Rust panic was caught); please report it".into()));
            null_mut()
        }
    }
}

/// The first N arguments (missing ones are `undefined`) and how many were passed.
unsafe fn args_n<const N: usize>(env: napi_env, info: napi_callback_info) -> Result<([napi_value; N], usize), JsError> {
    let mut argv = [null_mut(); N];
    let mut argc = N;
    if napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), null_mut(), null_mut()) != NAPI_OK {
        return Err(JsError::Plain("samsa-native: napi_get_cb_info failed".into()));
    }
    Ok((argv, argc))
}

unsafe fn args<const N: usize>(env: napi_env, info: napi_callback_info) -> Result<[napi_value; N], JsError> {
    Ok(args_n::<N>(env, info)?.0)
}

/// A number argument; None for anything else (undefined included).
unsafe fn number(env: napi_env, v: napi_value) -> Option<f64> {
    let mut x = 0f64;
    (napi_get_value_double(env, v, &mut x) == NAPI_OK).then_some(x)
}

/// The bytes of a Uint8Array (or Buffer). The slice lives as long as the call: JS cannot run
/// while native code does, and nothing here keeps it.
unsafe fn bytes<'a>(env: napi_env, v: napi_value, what: &str) -> Result<&'a mut [u8], JsError> {
    let mut kind = -1i32;
    let mut len = 0usize;
    let mut data: *mut c_void = null_mut();
    if napi_get_typedarray_info(env, v, &mut kind, &mut len, &mut data, null_mut(), null_mut()) != NAPI_OK || (kind != UINT8_ARRAY && kind != UINT8_CLAMPED_ARRAY) {
        return Err(JsError::Type(format!("{what} must be a Uint8Array or Buffer")));
    }
    if len == 0 || data.is_null() {
        // Empty or detached: no pointer to make a slice from.
        return Ok(&mut []);
    }
    // SAFETY: V8 guarantees `data` points to `len` bytes of the view's backing store, alive for
    // this call (the view is on the JS stack as an argument). Only a SharedArrayBuffer written by
    // another thread could change them meanwhile, which can only give a wrong answer here.
    Ok(std::slice::from_raw_parts_mut(data as *mut u8, len))
}

unsafe fn arraybuffer<'a>(env: napi_env, v: napi_value, what: &str) -> Result<&'a mut [u8], JsError> {
    let mut len = 0usize;
    let mut data: *mut c_void = null_mut();
    if napi_get_arraybuffer_info(env, v, &mut data, &mut len) != NAPI_OK {
        return Err(JsError::Type(format!("{what} must be an ArrayBuffer")));
    }
    if len == 0 || data.is_null() {
        return Ok(&mut []);
    }
    // SAFETY: as in `bytes`: `len` bytes at `data`, alive for this call.
    Ok(std::slice::from_raw_parts_mut(data as *mut u8, len))
}

fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let (a0, b0) = (a.as_ptr() as usize, b.as_ptr() as usize);
    !a.is_empty() && !b.is_empty() && a0 < b0 + b.len() && b0 < a0 + a.len()
}

unsafe fn undefined(env: napi_env) -> JsResult {
    let mut v = null_mut();
    napi_get_undefined(env, &mut v);
    Ok(v)
}

unsafe fn uint32(env: napi_env, x: u32) -> JsResult {
    let mut v = null_mut();
    napi_create_uint32(env, x, &mut v);
    Ok(v)
}

unsafe fn int32(env: napi_env, x: i32) -> JsResult {
    let mut v = null_mut();
    napi_create_int32(env, x, &mut v);
    Ok(v)
}

unsafe fn double(env: napi_env, x: f64) -> JsResult {
    let mut v = null_mut();
    napi_create_double(env, x, &mut v);
    Ok(v)
}

/// ToIntegerOrInfinity, then clamped to [0, len].
fn index_arg(x: f64, len: usize) -> usize {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= len as f64 {
        len
    } else {
        x.trunc() as usize
    }
}

unsafe extern "C" fn crc32c_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let ([b, s, e, i], argc) = args_n::<4>(env, info)?;
        let buf = bytes(env, b, "crc32c: buf")?;
        // crc32c(buf) is the common call: skip the lookups of arguments that were not passed.
        let start = if argc > 1 { number(env, s).map_or(0, |x| index_arg(x, buf.len())) } else { 0 };
        let end = if argc > 2 { number(env, e).map_or(buf.len(), |x| index_arg(x, buf.len())) } else { buf.len() };
        let init = if argc > 3 { number(env, i).map_or(0, scan::to_uint32) } else { 0 };
        let crc = if start < end { crc32c::crc32c(init, &buf[start..end]) } else { init };
        uint32(env, crc)
    })
}

/// The BatchScan columns inside the state buffer.
struct PackedSink<'a> {
    mem: &'a mut [u8],
    cap: usize,
}

impl PackedSink<'_> {
    #[inline(always)]
    fn put_bytes<const N: usize>(&mut self, column: usize, width: usize, n: usize, v: [u8; N]) {
        let at = HEADER_BYTES + column * self.cap + n * width;
        self.mem[at..at + N].copy_from_slice(&v);
    }
}

impl scan::Sink for PackedSink<'_> {
    fn capacity(&self) -> usize {
        self.cap
    }
    #[inline]
    fn put(&mut self, n: usize, e: &scan::Entry) {
        // Column offsets in units of capacity: 3 f64 columns, 5 i32 columns, 2 i16 columns.
        self.put_bytes(0, 8, n, e.base_timestamp.to_ne_bytes());
        self.put_bytes(8, 8, n, e.max_timestamp.to_ne_bytes());
        self.put_bytes(16, 8, n, e.producer_id.to_ne_bytes());
        // Int32Array stores wrap modulo 2^32, as the reference's stores do.
        self.put_bytes(24, 4, n, (e.position as u32).to_ne_bytes());
        self.put_bytes(28, 4, n, (e.size as u32).to_ne_bytes());
        self.put_bytes(32, 4, n, e.last_offset_delta.to_ne_bytes());
        self.put_bytes(36, 4, n, e.record_count.to_ne_bytes());
        self.put_bytes(40, 4, n, e.base_sequence.to_ne_bytes());
        self.put_bytes(44, 2, n, e.attributes.to_ne_bytes());
        self.put_bytes(46, 2, n, e.producer_epoch.to_ne_bytes());
    }
}

fn io_get(state: &[u8], slot: usize) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&state[slot * 8..slot * 8 + 8]);
    f64::from_ne_bytes(b)
}

fn io_set(state: &mut [u8], slot: usize, v: f64) {
    state[slot * 8..slot * 8 + 8].copy_from_slice(&v.to_ne_bytes());
}

fn whole(x: f64) -> bool {
    x >= 0.0 && x.fract() == 0.0 && x < 9007199254740992.0
}

unsafe extern "C" fn scan_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let [b, s] = args::<2>(env, info)?;
        let buf = bytes(env, b, "scanBatches: buf")?;
        let state = arraybuffer(env, s, "scanBatches: state")?;
        if state.len() < HEADER_BYTES {
            return Err(JsError::Range(format!("scanBatches: the state buffer has {} bytes, fewer than the {HEADER_BYTES}-byte header", state.len())));
        }
        if overlaps(buf, state) {
            return Err(JsError::Range("scanBatches: buf must not share memory with the scan state".into()));
        }
        let cap = (state.len() - HEADER_BYTES) / ENTRY_BYTES;
        let (position, count, records) = (io_get(state, IO_POSITION), io_get(state, IO_COUNT), io_get(state, IO_RECORDS));
        if !whole(position) || position > buf.len() as f64 || !whole(count) || count > cap as f64 || !records.is_finite() {
            return Err(JsError::Range(format!("scanBatches: bad resume point (position {position}, count {count}, records {records})")));
        }
        let flags = scan::to_uint32(io_get(state, IO_FLAGS));
        let o = scan::Options {
            max_message_bytes: io_get(state, IO_MAX_MESSAGE_BYTES),
            verify_crc: flags & FLAG_VERIFY_CRC != 0,
            create_time: flags & FLAG_CREATE_TIME != 0,
            validate_records: flags & FLAG_VALIDATE_RECORDS != 0,
            single_batch: flags & FLAG_SINGLE_BATCH != 0,
            internal: flags & FLAG_INTERNAL != 0,
            now: io_get(state, IO_NOW),
            before_max_ms: io_get(state, IO_BEFORE_MAX_MS),
            after_max_ms: io_get(state, IO_AFTER_MAX_MS),
        };
        let mut st = scan::State { position: position as usize, count: count as usize, records };
        let outcome = scan::scan(buf, &o, &mut st, &mut PackedSink { mem: state, cap });
        io_set(state, IO_POSITION, st.position as f64);
        io_set(state, IO_COUNT, st.count as f64);
        io_set(state, IO_RECORDS, st.records);
        match outcome {
            scan::Outcome::Ok => int32(env, 0),
            scan::Outcome::NeedCapacity => int32(env, -1),
            scan::Outcome::Error(e) => {
                io_set(state, IO_DETAIL, e.detail as u8 as f64);
                for (k, a) in e.args.iter().enumerate() {
                    io_set(state, IO_ARGS + k, *a);
                }
                int32(env, e.code)
            }
        }
    })
}

unsafe extern "C" fn stamp_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let [b, p, o, e] = args::<4>(env, info)?;
        let buf = bytes(env, b, "stampBatch: buf")?;
        let position = number(env, p).unwrap_or(f64::NAN);
        let base_offset = number(env, o).unwrap_or(f64::NAN);
        let epoch = number(env, e).unwrap_or(f64::NAN);
        scan::stamp(buf, position, base_offset, epoch).map_err(|_| JsError::Range(format!("stampBatch: no batch header at position {position} of a {}-byte buffer", buf.len())))?;
        undefined(env)
    })
}

unsafe extern "C" fn log_append_time_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let [b, p, t] = args::<3>(env, info)?;
        let buf = bytes(env, b, "setLogAppendTime: buf")?;
        let position = number(env, p).unwrap_or(f64::NAN);
        let timestamp = number(env, t).unwrap_or(f64::NAN);
        scan::set_log_append_time(buf, position, timestamp).map_err(|_| JsError::Range(format!("setLogAppendTime: no whole batch at position {position} of a {}-byte buffer", buf.len())))?;
        undefined(env)
    })
}

unsafe fn fd_arg(env: napi_env, v: napi_value, what: &str) -> Result<i32, JsError> {
    match number(env, v) {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= i32::MAX as f64 => Ok(x as i32),
        _ => Err(JsError::Type(format!("{what}: fd must be a file descriptor (a non-negative integer)"))),
    }
}

unsafe fn position_arg(env: napi_env, v: napi_value, what: &str) -> Result<u64, JsError> {
    match number(env, v) {
        Some(x) if whole(x) => Ok(x as u64),
        _ => Err(JsError::Range(format!("{what}: position must be a non-negative integer"))),
    }
}

unsafe extern "C" fn pwritev_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let [f, list, p] = args::<3>(env, info)?;
        let fd = fd_arg(env, f, "pwritev")?;
        let position = position_arg(env, p, "pwritev")?;
        let mut is_array = false;
        if napi_is_array(env, list, &mut is_array) != NAPI_OK || !is_array {
            return Err(JsError::Type("pwritev: buffers must be an array of Uint8Array".into()));
        }
        let mut n = 0u32;
        napi_get_array_length(env, list, &mut n);
        let mut slices: Vec<&[u8]> = Vec::with_capacity(n as usize);
        for i in 0..n {
            let mut el = null_mut();
            if napi_get_element(env, list, i, &mut el) != NAPI_OK {
                return Err(JsError::Type("pwritev: buffers must be an array of Uint8Array".into()));
            }
            slices.push(bytes(env, el, "pwritev: each buffer")?);
        }
        let written = io::pwritev_all(fd, &slices, position).map_err(|e| JsError::Plain(format!("pwritev: {e}")))?;
        double(env, written as f64)
    })
}

unsafe extern "C" fn pread_cb(env: napi_env, info: napi_callback_info) -> napi_value {
    entry(env, || {
        let [f, b, o, l, p] = args::<5>(env, info)?;
        let fd = fd_arg(env, f, "pread")?;
        let buf = bytes(env, b, "pread: buf")?;
        let offset = number(env, o).unwrap_or(0.0);
        let length = number(env, l).unwrap_or(buf.len() as f64 - offset);
        if !whole(offset) || !whole(length) || offset + length > buf.len() as f64 {
            return Err(JsError::Range(format!("pread: offset {offset} and length {length} do not fit a {}-byte buffer", buf.len())));
        }
        let position = position_arg(env, p, "pread")?;
        let (offset, length) = (offset as usize, length as usize);
        let n = io::pread(fd, &mut buf[offset..offset + length], position).map_err(|e| JsError::Plain(format!("pread: {e}")))?;
        double(env, n as f64)
    })
}

unsafe fn set(env: napi_env, exports: napi_value, name: &str, value: napi_value) -> bool {
    let Ok(cname) = CString::new(name) else { return false };
    napi_set_named_property(env, exports, cname.as_ptr(), value) == NAPI_OK
}

unsafe fn define(env: napi_env, exports: napi_value, name: &str, cb: napi_callback) -> bool {
    let mut f = null_mut();
    napi_create_function(env, name.as_ptr() as *const c_char, name.len(), cb, null_mut(), &mut f) == NAPI_OK && set(env, exports, name, f)
}

unsafe fn define_string(env: napi_env, exports: napi_value, name: &str, s: &str) -> bool {
    let mut v = null_mut();
    napi_create_string_utf8(env, s.as_ptr() as *const c_char, s.len(), &mut v) == NAPI_OK && set(env, exports, name, v)
}

/// Node calls this when the .node file is loaded (once per JS environment: the main thread and
/// every worker thread that loads it).
///
/// # Safety
/// Called by Node with a valid env and exports object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    let ok = catch_unwind(AssertUnwindSafe(|| {
        if sys::load().is_err() {
            // No Node-API in this process: nothing can be reported through it. The loader in
            // src/accel/native.ts sees an object without `crc32c` and says so.
            return false;
        }
        let mut layout = null_mut();
        define(env, exports, "crc32c", crc32c_cb)
            && define(env, exports, "scanBatches", scan_cb)
            && define(env, exports, "stampBatch", stamp_cb)
            && define(env, exports, "setLogAppendTime", log_append_time_cb)
            && define(env, exports, "pwritev", pwritev_cb)
            && define(env, exports, "pread", pread_cb)
            && define_string(env, exports, "crc32cImplementation", crc32c::implementation())
            && define_string(env, exports, "version", env!("CARGO_PKG_VERSION"))
            && napi_create_uint32(env, SCAN_LAYOUT, &mut layout) == NAPI_OK
            && set(env, exports, "scanLayout", layout)
    }));
    match ok {
        Ok(true) => exports,
        _ => null_mut(),
    }
}

/// The Node-API version this addon is written against (node_api.h's NAPI_MODULE_INIT exports
/// the same symbol). 8 is in every Node from 12.22 / 14.17 / 16 on.
#[no_mangle]
pub extern "C" fn node_api_module_get_api_version_v1() -> i32 {
    8
}
