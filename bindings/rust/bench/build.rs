//! An rpath to libgort for this package's tests, so that they run from an
//! uninstalled meson build tree (gort-sys found it with pkg-config).
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_GORT_LIBDIR");
    if let Ok(dirs) = std::env::var("DEP_GORT_LIBDIR") {
        for d in dirs.split(':').filter(|d| !d.is_empty()) {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", d);
        }
    }
}
