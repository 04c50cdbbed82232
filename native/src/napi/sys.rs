//! The few Node-API C functions this addon calls, declared by hand (js_native_api.h /
//! node_api.h, stable since Node-API 1-6; Node 20 has version 9). No crates.
//!
//! How the symbols are found:
//! - default (Linux, macOS): plain `extern "C"` declarations left undefined in the .node file;
//!   the dynamic loader binds them to the node executable's exports at load time (build.rs).
//! - `dyn-symbols` (always on Windows, a cargo feature elsewhere): every function is a pointer in
//!   a table filled once by `load()` from the host process (GetProcAddress on the module of the
//!   running executable; dlsym elsewhere), which is what napi-rs does on Windows. The table is
//!   filled in `napi_register_module_v1`, before any other call; a call before that returns
//!   `napi_generic_failure` instead of jumping through a null pointer.
#![allow(non_camel_case_types, dead_code)]

use std::ffi::{c_char, c_void};

pub type napi_env = *mut c_void;
pub type napi_value = *mut c_void;
pub type napi_callback_info = *mut c_void;
pub type napi_status = i32;
pub type napi_callback = unsafe extern "C" fn(env: napi_env, info: napi_callback_info) -> napi_value;

pub const NAPI_OK: napi_status = 0;
pub const NAPI_GENERIC_FAILURE: napi_status = 9;

// napi_typedarray_type
pub const UINT8_ARRAY: i32 = 1;
pub const UINT8_CLAMPED_ARRAY: i32 = 2;

macro_rules! napi_functions {
    ($(fn $name:ident($($arg:ident: $ty:ty),* $(,)?);)*) => {
        #[cfg(not(any(windows, feature = "dyn-symbols")))]
        extern "C" {
            $(pub fn $name($($arg: $ty),*) -> napi_status;)*
        }

        #[cfg(any(windows, feature = "dyn-symbols"))]
        struct Table {
            $($name: unsafe extern "C" fn($($ty),*) -> napi_status,)*
        }

        #[cfg(any(windows, feature = "dyn-symbols"))]
        static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();

        $(
            #[cfg(any(windows, feature = "dyn-symbols"))]
            #[inline]
            pub unsafe fn $name($($arg: $ty),*) -> napi_status {
                match TABLE.get() {
                    Some(t) => (t.$name)($($arg),*),
                    None => NAPI_GENERIC_FAILURE,
                }
            }
        )*

        /// Fills the table from the host process. Idempotent; Err names a missing function.
        #[cfg(any(windows, feature = "dyn-symbols"))]
        pub fn load() -> Result<(), &'static str> {
            if TABLE.get().is_some() {
                return Ok(());
            }
            let host = host::this_process();
            let table = Table {
                $($name: {
                    let p = host::symbol(host, concat!(stringify!($name), "\0"));
                    if p.is_null() {
                        return Err(stringify!($name));
                    }
                    // SAFETY: the host exports this Node-API function with exactly the C
                    // signature declared above (node_api.h); a non-null address is that function.
                    unsafe { std::mem::transmute::<*mut c_void, unsafe extern "C" fn($($ty),*) -> napi_status>(p) }
                },)*
            };
            let _ = TABLE.set(table);
            Ok(())
        }

        #[cfg(not(any(windows, feature = "dyn-symbols")))]
        pub fn load() -> Result<(), &'static str> {
            Ok(())
        }
    };
}

napi_functions! {
    fn napi_get_cb_info(env: napi_env, info: napi_callback_info, argc: *mut usize, argv: *mut napi_value, this_arg: *mut napi_value, data: *mut *mut c_void);
    fn napi_create_function(env: napi_env, name: *const c_char, length: usize, cb: napi_callback, data: *mut c_void, result: *mut napi_value);
    fn napi_set_named_property(env: napi_env, object: napi_value, name: *const c_char, value: napi_value);
    fn napi_get_typedarray_info(env: napi_env, value: napi_value, kind: *mut i32, length: *mut usize, data: *mut *mut c_void, arraybuffer: *mut napi_value, byte_offset: *mut usize);
    fn napi_get_arraybuffer_info(env: napi_env, value: napi_value, data: *mut *mut c_void, byte_length: *mut usize);
    fn napi_get_value_double(env: napi_env, value: napi_value, result: *mut f64);
    fn napi_get_value_int32(env: napi_env, value: napi_value, result: *mut i32);
    fn napi_create_uint32(env: napi_env, value: u32, result: *mut napi_value);
    fn napi_create_int32(env: napi_env, value: i32, result: *mut napi_value);
    fn napi_create_double(env: napi_env, value: f64, result: *mut napi_value);
    fn napi_create_string_utf8(env: napi_env, s: *const c_char, length: usize, result: *mut napi_value);
    fn napi_get_undefined(env: napi_env, result: *mut napi_value);
    fn napi_is_array(env: napi_env, value: napi_value, result: *mut bool);
    fn napi_get_array_length(env: napi_env, value: napi_value, result: *mut u32);
    fn napi_get_element(env: napi_env, object: napi_value, index: u32, result: *mut napi_value);
    fn napi_throw_error(env: napi_env, code: *const c_char, msg: *const c_char);
    fn napi_throw_type_error(env: napi_env, code: *const c_char, msg: *const c_char);
    fn napi_throw_range_error(env: napi_env, code: *const c_char, msg: *const c_char);
    fn napi_is_exception_pending(env: napi_env, result: *mut bool);
}

#[cfg(windows)]
mod host {
    use std::ffi::{c_char, c_void};

    #[link(name = "kernel32")]
    extern "system" {
        fn GetModuleHandleW(name: *const u16) -> *mut c_void;
        fn GetProcAddress(module: *mut c_void, name: *const c_char) -> *mut c_void;
    }

    /// The module of the running executable (node.exe, or electron.exe and the like). Node-API
    /// is exported by it, never by a DLL named node.dll, so no import library can name it for
    /// every host; looking it up at run time works for all of them.
    pub fn this_process() -> *mut c_void {
        // SAFETY: a null name asks for the handle of the executable; nothing is retained.
        unsafe { GetModuleHandleW(std::ptr::null()) }
    }

    /// `name` ends with a NUL byte.
    pub fn symbol(module: *mut c_void, name: &str) -> *mut c_void {
        if module.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: `name` is NUL-terminated (the macro appends "\0"); `module` is a live module.
        unsafe { GetProcAddress(module, name.as_ptr() as *const c_char) }
    }
}

#[cfg(all(not(windows), feature = "dyn-symbols"))]
mod host {
    use std::ffi::{c_char, c_int, c_void};

    #[cfg_attr(all(target_os = "linux", target_env = "gnu"), link(name = "dl"))]
    extern "C" {
        fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }
    const RTLD_LAZY: c_int = 1;

    /// The global symbol scope of the process (the node executable and what it loaded).
    pub fn this_process() -> *mut c_void {
        // SAFETY: dlopen(NULL) returns a handle to the main program; it is never closed.
        unsafe { dlopen(std::ptr::null(), RTLD_LAZY) }
    }

    /// `name` ends with a NUL byte.
    pub fn symbol(handle: *mut c_void, name: &str) -> *mut c_void {
        if handle.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: `name` is NUL-terminated (the macro appends "\0"); `handle` came from dlopen.
        unsafe { dlsym(handle, name.as_ptr() as *const c_char) }
    }
}
