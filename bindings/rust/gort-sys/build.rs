//! Finds libgort with pkg-config (the program, not a crate: there are no
//! crates.io dependencies) and tells cargo how to link it.
//!
//! Search order:
//!   1. GORT_LIB_DIR (and optionally GORT_INCLUDE_DIR): no pkg-config at all;
//!   2. `pkg-config gort-uninstalled`: the file meson writes in
//!      <build>/meson-uninstalled/ (set PKG_CONFIG_PATH to that folder);
//!   3. `pkg-config gort`: an installed gort.
//!
//! GORT_PKG_CONFIG_NAME forces one pkg-config name; PKG_CONFIG picks the
//! program. The library directories are exported to dependent crates as
//! DEP_GORT_LIBDIR (':'-separated) so that their tests and examples get an
//! rpath and run from an uninstalled build tree without LD_LIBRARY_PATH.
use std::env;
use std::process::Command;

struct Found {
    libdirs: Vec<String>,
    libs: Vec<String>,
    incdirs: Vec<String>,
    prefix: String,
}

fn pkg_config(args: &[&str]) -> Option<String> {
    let prog = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let out = Command::new(&prog).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn probe(name: &str) -> Option<Found> {
    let libs = pkg_config(&["--libs", name])?;
    let cflags = pkg_config(&["--cflags", name]).unwrap_or_default();
    let prefix = pkg_config(&["--variable=prefix", name]).unwrap_or_default();
    let mut f = Found { libdirs: Vec::new(), libs: Vec::new(), incdirs: Vec::new(), prefix };
    for tok in libs.split_whitespace() {
        if let Some(d) = tok.strip_prefix("-L") {
            f.libdirs.push(d.to_string());
        } else if let Some(l) = tok.strip_prefix("-l") {
            f.libs.push(l.to_string());
        }
    }
    for tok in cflags.split_whitespace() {
        if let Some(d) = tok.strip_prefix("-I") {
            f.incdirs.push(d.to_string());
        }
    }
    if !f.libs.iter().any(|l| l == "gort") {
        f.libs.push("gort".to_string());
    }
    Some(f)
}

fn main() {
    for v in [
        "PKG_CONFIG",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_LIBDIR",
        "PKG_CONFIG_SYSROOT_DIR",
        "GORT_PKG_CONFIG_NAME",
        "GORT_LIB_DIR",
        "GORT_INCLUDE_DIR",
    ] {
        println!("cargo:rerun-if-env-changed={}", v);
    }

    let found = if let Ok(dir) = env::var("GORT_LIB_DIR") {
        Found {
            libdirs: vec![dir],
            libs: vec!["gort".to_string()],
            incdirs: env::var("GORT_INCLUDE_DIR").into_iter().collect(),
            prefix: String::new(),
        }
    } else {
        let names: Vec<String> = match env::var("GORT_PKG_CONFIG_NAME") {
            Ok(n) => vec![n],
            Err(_) => vec!["gort-uninstalled".to_string(), "gort".to_string()],
        };
        match names.iter().find_map(|n| probe(n)) {
            Some(f) => f,
            None => panic!(
                "gort-sys: pkg-config found neither {} (set PKG_CONFIG_PATH=<meson build>/meson-uninstalled \
                 for a build tree, or install gort; or set GORT_LIB_DIR)",
                names.join(" nor ")
            ),
        }
    };

    for d in &found.libdirs {
        println!("cargo:rustc-link-search=native={}", d);
        // This package's own tests; dependents add theirs from DEP_GORT_LIBDIR.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", d);
    }
    for l in &found.libs {
        if l == "pthread" {
            continue;
        }
        println!("cargo:rustc-link-lib=dylib={}", l);
    }
    println!("cargo:libdir={}", found.libdirs.join(":"));
    println!("cargo:include={}", found.incdirs.join(":"));
    println!("cargo:prefix={}", found.prefix);
    // For the layout test, which compiles a C program against the headers.
    println!("cargo:rustc-env=GORT_SYS_INCLUDE_DIRS={}", found.incdirs.join(":"));
}
