// Link settings for a Node-API addon that links against no import library.
//
// The napi_* functions live in the node executable (or libnode). The addon declares them with
// `extern "C"` and leaves them undefined; they are resolved when Node loads the .node file:
// - Linux: a shared object may have undefined symbols by default; the dynamic loader binds them
//   to the ones the node binary exports. Nothing to do, except `-z nodelete` (as napi-build does
//   on glibc): the object is never unmapped, so thread-local destructors registered by std cannot
//   run after an unload (glibc bugs 21031/21032).
// - macOS: ld64 refuses undefined symbols unless told to look them up at load time.
// - Windows: the MSVC linker needs every symbol at link time. Like napi-rs (napi-sys on msvc), the
//   crate does not link them at all: src/napi/sys.rs looks each one up in the host process with
//   GetProcAddress when the module registers (see README.md).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match os.as_str() {
        "macos" | "ios" => {
            println!("cargo:rustc-cdylib-link-arg=-undefined");
            println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
        }
        "linux" if env == "gnu" => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
        }
        _ => {}
    }
}
