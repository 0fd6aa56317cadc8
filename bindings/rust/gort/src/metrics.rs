//! Runtime metrics read by name (gort/metrics.h), as Go's `runtime/metrics`.
//!
//! ```
//! use gort::metrics::{self, Value};
//! let m = metrics::read(&["/sched/goroutines:goroutines", "/sched/latencies:seconds", "/no/such:thing"]);
//! assert!(matches!(m[0].value, Value::U64(_)));
//! if let Value::Histogram(h) = &m[1].value {
//!     assert_eq!(h.bounds.len(), h.counts.len() + 1);
//! }
//! assert!(matches!(m[2].value, Value::Bad));     // unknown: not an error
//! for d in metrics::all() {
//!     println!("{} ({:?}): {}", d.name, d.kind, d.description);
//! }
//! ```
//!
//! Names are Go's where Go has the metric (`/sched/goroutines:goroutines`,
//! `/sched/latencies:seconds`, `/sched/goroutines/waiting:goroutines`...),
//! gort's own under `/gort/`; `docs/metrics.md` lists them. A name never
//! changes meaning; a name the loaded library does not know reads as
//! [`Value::Bad`], so code written for a newer gort runs on an older one.
//! Reading never blocks the calling goroutine and works from any thread.
use gort_sys as sys;
use std::ffi::{CStr, CString};

/// The kind of a metric's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A count or a gauge ([`Value::U64`]).
    U64,
    /// A real number ([`Value::F64`]).
    F64,
    /// A distribution ([`Value::Histogram`]).
    Histogram,
    /// Not a metric of the loaded library.
    Bad,
}

impl Kind {
    fn from_c(k: i32) -> Kind {
        match k {
            sys::GO_METRIC_UINT64 => Kind::U64,
            sys::GO_METRIC_FLOAT64 => Kind::F64,
            sys::GO_METRIC_HISTOGRAM => Kind::Histogram,
            _ => Kind::Bad,
        }
    }
}

/// One metric of the loaded library ([`all`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Description {
    /// `/path:unit`.
    pub name: &'static str,
    /// What it measures.
    pub description: &'static str,
    pub kind: Kind,
    /// A count since the runtime started (never decreases), not a reading
    /// of now.
    pub cumulative: bool,
}

/// A histogram: `counts[i]` values fell in `[bounds[i], bounds[i + 1])`.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub counts: Vec<u64>,
    /// `counts.len() + 1` increasing boundaries, in the metric's unit; the
    /// last may be infinite.
    pub bounds: &'static [f64],
    /// The sum of `counts`.
    pub total: u64,
}

/// A metric's value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    U64(u64),
    F64(f64),
    Histogram(Histogram),
    /// The loaded library has no metric of that name (or the name holds a
    /// NUL byte).
    Bad,
}

impl Value {
    /// The value of a [`Value::U64`], else `None`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::U64(v) => Some(*v),
            _ => None,
        }
    }
}

/// A metric read by [`read`]: its name, as asked, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub value: Value,
}

fn static_str(p: *const sys::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: the library's descriptions are static NUL-terminated strings
    // (libgort is never unloaded: it is linked with -z nodelete).
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
}

/// Every metric the loaded library supports, in its order.
pub fn all() -> Vec<Description> {
    // SAFETY: plain queries of static data, any thread, any time.
    let n = unsafe { sys::go_metrics_count() };
    (0..n)
        .filter_map(|i| {
            // SAFETY: as above; null past the end.
            let d = unsafe { sys::go_metrics_desc(i).as_ref() }?;
            Some(Description {
                name: static_str(d.name),
                description: static_str(d.description),
                kind: Kind::from_c(d.kind),
                cumulative: d.cumulative != 0,
            })
        })
        .collect()
}

/// Read the metrics named in `names`, in one call to the library (Go's
/// `metrics.Read`): one [`Metric`] per name, in order; an unknown name
/// gives [`Value::Bad`]. Starts the runtime if it is not running.
pub fn read<S: AsRef<str>>(names: &[S]) -> Vec<Metric> {
    let kinds = all();
    let cnames: Vec<Option<CString>> = names.iter().map(|n| CString::new(n.as_ref()).ok()).collect();
    // A buffer for each name that is a histogram of this library.
    let mut bufs: Vec<Vec<u64>> = names
        .iter()
        .map(|n| {
            let hist = kinds.iter().any(|d| d.name == n.as_ref() && d.kind == Kind::Histogram);
            if hist { vec![0; sys::GO_METRIC_HIST_MAX] } else { Vec::new() }
        })
        .collect();
    loop {
        let mut samples: Vec<sys::go_metric_sample_t> = cnames
            .iter()
            .zip(bufs.iter_mut())
            .map(|(c, buf)| sys::go_metric_sample_t {
                name: c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                kind: sys::GO_METRIC_BAD,
                reserved_: 0,
                value: sys::go_metric_value_t {
                    hist: sys::go_metric_hist_t {
                        counts: if buf.is_empty() { std::ptr::null_mut() } else { buf.as_mut_ptr() },
                        ncounts: buf.len(),
                        nbuckets: 0,
                        bounds: std::ptr::null(),
                        total: 0,
                    },
                },
            })
            .collect();
        // SAFETY: samples is a valid array of samples.len() entries; each
        // name is NUL-terminated or null; each counts points to ncounts u64.
        let rc = unsafe { sys::go_metrics_read(samples.as_mut_ptr(), samples.len()) };
        assert_eq!(rc, 0, "gort: go_metrics_read: {}", crate::Error::from_code(rc));
        // A histogram with more buckets than this binding expected (a newer
        // library): read again with room for all of them.
        let mut again = false;
        for (s, buf) in samples.iter().zip(bufs.iter_mut()) {
            if s.kind == sys::GO_METRIC_HISTOGRAM {
                // SAFETY: kind says hist is the member written.
                let nb = unsafe { s.value.hist.nbuckets };
                if nb > buf.len() {
                    *buf = vec![0; nb];
                    again = true;
                }
            }
        }
        if again {
            continue;
        }
        return samples
            .iter()
            .zip(bufs.iter())
            .zip(names.iter())
            .map(|((s, buf), name)| {
                // SAFETY: kind says which member of the union was written.
                let value = unsafe {
                    match s.kind {
                        sys::GO_METRIC_UINT64 => Value::U64(s.value.u64),
                        sys::GO_METRIC_FLOAT64 => Value::F64(s.value.f64),
                        sys::GO_METRIC_HISTOGRAM => {
                            let h = s.value.hist;
                            let bounds = if h.bounds.is_null() {
                                &[][..]
                            } else {
                                // nbuckets + 1 boundaries in static storage.
                                std::slice::from_raw_parts(h.bounds, h.nbuckets + 1)
                            };
                            Value::Histogram(Histogram { counts: buf[..h.nbuckets].to_vec(), bounds, total: h.total })
                        }
                        _ => Value::Bad,
                    }
                };
                Metric { name: name.as_ref().to_string(), value }
            })
            .collect();
    }
}

/// Read one metric of kind [`Kind::U64`] by name; `None` when the loaded
/// library has no such metric (or it is of another kind).
pub fn read_u64(name: &str) -> Option<u64> {
    read(&[name]).pop().and_then(|m| m.value.as_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_reads_with_its_kind() {
        let all = all();
        assert!(all.len() >= 20);
        let names: Vec<&str> = all.iter().map(|d| d.name).collect();
        let got = read(&names);
        for (d, m) in all.iter().zip(got.iter()) {
            assert_eq!(d.name, m.name);
            match (&m.value, d.kind) {
                (Value::U64(_), Kind::U64) | (Value::F64(_), Kind::F64) => {}
                (Value::Histogram(h), Kind::Histogram) => {
                    assert_eq!(h.bounds.len(), h.counts.len() + 1);
                    assert!(h.bounds.windows(2).all(|w| w[0] < w[1]), "{}: bounds not increasing", d.name);
                    assert_eq!(h.counts.iter().sum::<u64>(), h.total);
                }
                (v, k) => panic!("{}: read {:?}, described as {:?}", d.name, v, k),
            }
        }
    }

    #[test]
    fn unknown_names_are_bad_not_errors() {
        let m = read(&["/no/such:metric", "/sched/gomaxprocs:threads", "nul\0inside"]);
        assert_eq!(m[0].value, Value::Bad);
        assert_eq!(m[1].value.as_u64(), Some(crate::gomaxprocs(0) as u64));
        assert_eq!(m[2].value, Value::Bad);
        assert_eq!(read_u64("/no/such:metric"), None);
        assert!(read::<&str>(&[]).is_empty());
    }
}
