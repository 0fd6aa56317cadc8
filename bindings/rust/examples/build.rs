//! An rpath to libgort (from gort-sys's pkg-config probe), and for the
//! cross-language example, libgort_producer: the C library built by meson
//! in <build>/examples/crosslang. It is found through GORT_PRODUCER_DIR, or
//! next to the uninstalled library (pkg-config's prefix of
//! gort-uninstalled is the meson build directory). Without it the
//! crosslang binary is built as a stub that says so and exits with 1.
//!
//! For echo_client, the meson build directory (pkg-config's prefix of
//! gort-uninstalled) as GORT_MESON_BUILD_DIR: its default C echo server is
//! <build>/examples/net/echo, looked up when it runs.
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_GORT_LIBDIR");
    println!("cargo:rerun-if-env-changed=DEP_GORT_PREFIX");
    println!("cargo:rerun-if-env-changed=GORT_PRODUCER_DIR");
    if rustc_minor() >= 80 {
        // Declares the cfg to newer toolchains (older cargo warns about the key).
        println!("cargo:rustc-check-cfg=cfg(gort_no_producer)");
    }
    if let Ok(dirs) = std::env::var("DEP_GORT_LIBDIR") {
        for d in dirs.split(':').filter(|d| !d.is_empty()) {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", d);
        }
    }
    let prefix = std::env::var("DEP_GORT_PREFIX").unwrap_or_default();
    println!("cargo:rustc-env=GORT_MESON_BUILD_DIR={}", prefix);
    let dir = std::env::var("GORT_PRODUCER_DIR").ok().or_else(|| {
        std::env::var("DEP_GORT_PREFIX")
            .ok()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{}/examples/crosslang", p))
    });
    match dir {
        Some(d) if Path::new(&d).join("libgort_producer.so").exists() => {
            println!("cargo:rerun-if-changed={}/libgort_producer.so", d);
            println!("cargo:rustc-link-arg-bin=crosslang=-L{}", d);
            println!("cargo:rustc-link-arg-bin=crosslang=-lgort_producer");
            println!("cargo:rustc-link-arg-bin=crosslang=-Wl,-rpath,{}", d);
        }
        _ => {
            println!("cargo:warning=libgort_producer.so not found (set GORT_PRODUCER_DIR): crosslang is a stub");
            println!("cargo:rustc-cfg=gort_no_producer");
        }
    }
}

/// The minor version of the rustc that cargo uses (1.63 -> 63).
fn rustc_minor() -> u32 {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().nth(1).and_then(|x| x.split('.').nth(1)).and_then(|m| m.parse().ok()))
        .unwrap_or(0)
}
