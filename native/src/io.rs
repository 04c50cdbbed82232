//! Positional I/O probes for bench/accel/segment-io.bench.ts: one pwritev(2) of several buffers,
//! one pread(2) into a caller's buffer, on the calling thread. They exist to be measured against
//! node:fs (see the benchmark for the numbers and the decision); storage does not use them.

use std::io;

#[cfg(unix)]
mod sys {
    use std::ffi::{c_int, c_void};
    #[repr(C)]
    pub struct IoVec {
        pub base: *const c_void,
        pub len: usize,
    }
    extern "C" {
        pub fn pwritev(fd: c_int, iov: *const IoVec, iovcnt: c_int, offset: i64) -> isize;
        pub fn pread(fd: c_int, buf: *mut c_void, count: usize, offset: i64) -> isize;
    }
}

/// Writes every byte of `bufs` at `position`, retrying short writes and EINTR. Unix only.
#[cfg(unix)]
pub fn pwritev_all(fd: i32, bufs: &[&[u8]], mut position: u64) -> io::Result<u64> {
    const IOV_MAX: usize = 1024;
    let mut iov: Vec<sys::IoVec> = bufs.iter().filter(|b| !b.is_empty()).map(|b| sys::IoVec { base: b.as_ptr().cast(), len: b.len() }).collect();
    let total: u64 = iov.iter().map(|v| v.len as u64).sum();
    let mut first = 0;
    while first < iov.len() {
        let n = (iov.len() - first).min(IOV_MAX);
        // SAFETY: iov[first..first + n] describe live slices borrowed for this call.
        let r = unsafe { sys::pwritev(fd, iov[first..].as_ptr(), n as i32, position as i64) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let mut done = r as usize;
        position += done as u64;
        while first < iov.len() && done >= iov[first].len {
            done -= iov[first].len;
            first += 1;
        }
        if done > 0 {
            // A short write inside one buffer: continue after what went out.
            let v = &mut iov[first];
            // SAFETY: done < v.len, so the advanced pointer stays inside the same slice.
            v.base = unsafe { (v.base as *const u8).add(done) }.cast();
            v.len -= done;
        }
    }
    Ok(total)
}

/// Reads up to `buf.len()` bytes at `position` (fewer only at end of file). Unix only.
#[cfg(unix)]
pub fn pread(fd: i32, buf: &mut [u8], position: u64) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        let rest = &mut buf[got..];
        // SAFETY: `rest` is a live, writable slice of rest.len() bytes.
        let r = unsafe { sys::pread(fd, rest.as_mut_ptr().cast(), rest.len(), (position + got as u64) as i64) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if r == 0 {
            break;
        }
        got += r as usize;
    }
    Ok(got)
}

#[cfg(not(unix))]
pub fn pwritev_all(_fd: i32, _bufs: &[&[u8]], _position: u64) -> io::Result<u64> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "not available on this platform"))
}

#[cfg(not(unix))]
pub fn pread(_fd: i32, _buf: &mut [u8], _position: u64) -> io::Result<usize> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "not available on this platform"))
}
