//! The cross-language example: goroutines written in C (libgort_producer,
//! examples/crosslang/producer.c) send int64 values i*i on a gort channel;
//! this Rust program receives them until the channel is closed. Expected
//! output (as the C consumer's): "received 100 values, sum 328350".
#[cfg(not(gort_no_producer))]
mod producer {
    use gort::sys::{c_int, go_chan_t};
    extern "C" {
        /// A channel (element size 8, unbuffered) that n C goroutines send
        /// on and that is closed once all have; NULL with errno on failure.
        pub fn producer_start(n: c_int) -> *mut go_chan_t;
    }
}

#[cfg(not(gort_no_producer))]
fn main() {
    gort::main(|| {
        // SAFETY: producer_start hands over a live channel of int64 values;
        // the Chan frees it when dropped.
        let raw = unsafe { producer::producer_start(100) };
        if raw.is_null() {
            eprintln!("producer_start: {}", std::io::Error::last_os_error());
            std::process::exit(1);
        }
        let ch = unsafe { gort::Chan::<i64>::from_raw(raw) }.expect("a channel of int64");
        let (mut count, mut sum) = (0, 0i64);
        for v in &ch {
            sum += v;
            count += 1;
        }
        println!("received {} values, sum {}", count, sum);
    });
}

#[cfg(gort_no_producer)]
fn main() {
    eprintln!("crosslang: built without libgort_producer (set GORT_PRODUCER_DIR to <build>/examples/crosslang)");
    std::process::exit(1);
}
