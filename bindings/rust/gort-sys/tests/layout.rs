//! The #[repr(C)] types and constants of gort-sys against the C headers:
//! a C program compiled against the same headers (found by build.rs) prints
//! sizes, offsets and values, and each must equal the Rust side's.
use gort_sys::*;
use std::mem::{align_of, size_of};
use std::process::Command;

macro_rules! offset_of {
    ($t:ty, $f:ident) => {{
        let u = std::mem::MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        // SAFETY: only the address of the field is taken, nothing is read.
        let field = unsafe { std::ptr::addr_of!((*base).$f) };
        field as usize - base as usize
    }};
}

const C_SRC: &str = r#"
#include <gort.h>
#include <stdio.h>
#include <stddef.h>
#define S(t) printf(#t " size %zu align %zu\n", sizeof(t), _Alignof(t))
#define O(t, f) printf(#t "." #f " %zu\n", offsetof(t, f))
#define V(c) printf(#c " %lld\n", (long long)(c))
int main(void) {
    S(go_attr_t); O(go_attr_t, size); O(go_attr_t, stack_size); O(go_attr_t, name); O(go_attr_t, arg_size);
    S(go_select_case_t); O(go_select_case_t, chan); O(go_select_case_t, dir); O(go_select_case_t, ok); O(go_select_case_t, value);
    S(go_recovered_t); O(go_recovered_t, value); O(go_recovered_t, type); O(go_recovered_t, message); O(go_recovered_t, is_runtime_error);
    S(go_panic_type_t); O(go_panic_type_t, size); O(go_panic_type_t, name); O(go_panic_type_t, format); O(go_panic_type_t, destroy);
    S(go_pinned_hooks_t); O(go_pinned_hooks_t, size); O(go_pinned_hooks_t, thread_start); O(go_pinned_hooks_t, thread_exit); O(go_pinned_hooks_t, ctx);
    S(go_sched_stats_t); O(go_sched_stats_t, syscalls); O(go_sched_stats_t, sysmon_wakeups); O(go_sched_stats_t, threads); O(go_sched_stats_t, in_syscall);
    V(GO_EINVAL); V(GO_ENOMEM); V(GO_EAGAIN); V(GO_EOVERFLOW); V(GO_ESHUTDOWN); V(GO_EPERM); V(GO_EALREADY);
    V(GO_ECLOSED); V(GO_ERANGE); V(GO_EBUSY);
    V(GO_STACK_SIZE_DEFAULT); V(GO_MAIN_STACK_SIZE); V(GO_STACK_SIZE_MIN); V(GO_STACK_SIZE_MAX);
    V(GO_CHAN_ELEM_MAX); V(GO_SELECT_RECV); V(GO_SELECT_SEND); V(GO_SELECT_DEFAULT); V(GO_SELECT_MAX);
    V(GO_RECOVERED); V(GO_PINNED_IDLE_MAX); V(GORT_VERSION_NUMBER);
    printf("sockaddr size %zu align %zu\n", sizeof(struct sockaddr), _Alignof(struct sockaddr));
    printf("sockaddr.sa_family %zu\n", offsetof(struct sockaddr, sa_family));
    printf("sockaddr.sa_data %zu\n", offsetof(struct sockaddr, sa_data));
    printf("socklen_t size %zu\n", sizeof(socklen_t));
    printf("ssize_t size %zu\n", sizeof(ssize_t));
    printf("SOCKADDR_STORAGE_SIZE %zu align %zu\n", sizeof(struct sockaddr_storage), _Alignof(struct sockaddr_storage));
    V(GO_POLL_IN); V(GO_POLL_OUT); V(GO_POLL_ERR); V(GO_POLL_HUP);
    V(GO_DEADLINE_READ); V(GO_DEADLINE_WRITE); V(GO_DEADLINE_BOTH); V(GO_NO_DEADLINE);
    V(GO_ADDR_STRLEN); V(SHUT_RD); V(SHUT_WR); V(SHUT_RDWR);
    S(go_metric_desc_t); O(go_metric_desc_t, name); O(go_metric_desc_t, description);
    O(go_metric_desc_t, kind); O(go_metric_desc_t, cumulative);
    S(go_metric_hist_t); O(go_metric_hist_t, counts); O(go_metric_hist_t, ncounts);
    O(go_metric_hist_t, nbuckets); O(go_metric_hist_t, bounds); O(go_metric_hist_t, total);
    S(go_metric_sample_t); O(go_metric_sample_t, name); O(go_metric_sample_t, kind);
    O(go_metric_sample_t, value);
    V(GO_METRIC_BAD); V(GO_METRIC_UINT64); V(GO_METRIC_FLOAT64); V(GO_METRIC_HISTOGRAM);
    V(GO_METRIC_HIST_MAX);
    S(go_goroutine_t); O(go_goroutine_t, parent); O(go_goroutine_t, wait_reason);
    O(go_goroutine_t, wait_ns); O(go_goroutine_t, created_at); O(go_goroutine_t, name);
    O(go_goroutine_t, nframes); O(go_goroutine_t, frames);
    V(GO_GSTATE_RUNNING); V(GO_GSTATE_RUNNABLE); V(GO_GSTATE_WAITING); V(GO_GSTATE_SYSCALL);
    V(GO_GSTACK_MAX); V(GO_SNAPSHOT_STACKS);
    return 0;
}
"#;

fn rust_side() -> String {
    let mut s = String::new();
    macro_rules! S {
        ($t:ident) => {
            s += &format!("{} size {} align {}\n", stringify!($t), size_of::<$t>(), align_of::<$t>());
        };
    }
    macro_rules! O {
        ($t:ident, $f:ident, $cf:expr) => {
            s += &format!("{}.{} {}\n", stringify!($t), $cf, offset_of!($t, $f));
        };
    }
    macro_rules! V {
        ($c:ident) => {
            s += &format!("{} {}\n", stringify!($c), $c as i64);
        };
    }
    S!(go_attr_t); O!(go_attr_t, size, "size"); O!(go_attr_t, stack_size, "stack_size");
    O!(go_attr_t, name, "name"); O!(go_attr_t, arg_size, "arg_size");
    S!(go_select_case_t); O!(go_select_case_t, chan, "chan"); O!(go_select_case_t, dir, "dir");
    O!(go_select_case_t, ok, "ok"); O!(go_select_case_t, value, "value");
    S!(go_recovered_t); O!(go_recovered_t, value, "value"); O!(go_recovered_t, type_, "type");
    O!(go_recovered_t, message, "message"); O!(go_recovered_t, is_runtime_error, "is_runtime_error");
    S!(go_panic_type_t); O!(go_panic_type_t, size, "size"); O!(go_panic_type_t, name, "name");
    O!(go_panic_type_t, format, "format"); O!(go_panic_type_t, destroy, "destroy");
    S!(go_pinned_hooks_t); O!(go_pinned_hooks_t, size, "size");
    O!(go_pinned_hooks_t, thread_start, "thread_start"); O!(go_pinned_hooks_t, thread_exit, "thread_exit");
    O!(go_pinned_hooks_t, ctx, "ctx");
    S!(go_sched_stats_t); O!(go_sched_stats_t, syscalls, "syscalls");
    O!(go_sched_stats_t, sysmon_wakeups, "sysmon_wakeups"); O!(go_sched_stats_t, threads, "threads");
    O!(go_sched_stats_t, in_syscall, "in_syscall");
    V!(GO_EINVAL); V!(GO_ENOMEM); V!(GO_EAGAIN); V!(GO_EOVERFLOW); V!(GO_ESHUTDOWN); V!(GO_EPERM);
    V!(GO_EALREADY); V!(GO_ECLOSED); V!(GO_ERANGE); V!(GO_EBUSY);
    V!(GO_STACK_SIZE_DEFAULT); V!(GO_MAIN_STACK_SIZE); V!(GO_STACK_SIZE_MIN); V!(GO_STACK_SIZE_MAX);
    V!(GO_CHAN_ELEM_MAX); V!(GO_SELECT_RECV); V!(GO_SELECT_SEND); V!(GO_SELECT_DEFAULT); V!(GO_SELECT_MAX);
    V!(GO_RECOVERED); V!(GO_PINNED_IDLE_MAX); V!(GORT_VERSION_NUMBER);
    S!(sockaddr); O!(sockaddr, sa_family, "sa_family"); O!(sockaddr, sa_data, "sa_data");
    s += &format!("socklen_t size {}\n", size_of::<socklen_t>());
    s += &format!("ssize_t size {}\n", size_of::<isize>());
    // The buffer the safe crate passes as a sockaddr_storage: [u64; 16].
    s += &format!("SOCKADDR_STORAGE_SIZE {} align {}\n", SOCKADDR_STORAGE_SIZE, align_of::<[u64; 16]>());
    assert_eq!(size_of::<[u64; 16]>(), SOCKADDR_STORAGE_SIZE);
    V!(GO_POLL_IN); V!(GO_POLL_OUT); V!(GO_POLL_ERR); V!(GO_POLL_HUP);
    V!(GO_DEADLINE_READ); V!(GO_DEADLINE_WRITE); V!(GO_DEADLINE_BOTH); V!(GO_NO_DEADLINE);
    V!(GO_ADDR_STRLEN); V!(SHUT_RD); V!(SHUT_WR); V!(SHUT_RDWR);
    S!(go_metric_desc_t); O!(go_metric_desc_t, name, "name");
    O!(go_metric_desc_t, description, "description");
    O!(go_metric_desc_t, kind, "kind"); O!(go_metric_desc_t, cumulative, "cumulative");
    S!(go_metric_hist_t); O!(go_metric_hist_t, counts, "counts");
    O!(go_metric_hist_t, ncounts, "ncounts"); O!(go_metric_hist_t, nbuckets, "nbuckets");
    O!(go_metric_hist_t, bounds, "bounds"); O!(go_metric_hist_t, total, "total");
    S!(go_metric_sample_t); O!(go_metric_sample_t, name, "name");
    O!(go_metric_sample_t, kind, "kind"); O!(go_metric_sample_t, value, "value");
    V!(GO_METRIC_BAD); V!(GO_METRIC_UINT64); V!(GO_METRIC_FLOAT64); V!(GO_METRIC_HISTOGRAM);
    V!(GO_METRIC_HIST_MAX);
    S!(go_goroutine_t); O!(go_goroutine_t, parent, "parent"); O!(go_goroutine_t, wait_reason, "wait_reason");
    O!(go_goroutine_t, wait_ns, "wait_ns"); O!(go_goroutine_t, created_at, "created_at");
    O!(go_goroutine_t, name, "name"); O!(go_goroutine_t, nframes, "nframes");
    O!(go_goroutine_t, frames, "frames");
    V!(GO_GSTATE_RUNNING); V!(GO_GSTATE_RUNNABLE); V!(GO_GSTATE_WAITING); V!(GO_GSTATE_SYSCALL);
    V!(GO_GSTACK_MAX); V!(GO_SNAPSHOT_STACKS);
    s
}

#[test]
fn layout_and_constants_match_the_c_headers() {
    let dir = std::env::temp_dir().join(format!("gort-sys-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, C_SRC).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut cmd = Command::new(&cc);
    for inc in env!("GORT_SYS_INCLUDE_DIRS").split(':').filter(|d| !d.is_empty()) {
        cmd.arg(format!("-I{}", inc));
    }
    let st = cmd.arg("-std=c11").arg("-o").arg(&exe).arg(&src).status().expect("run the C compiler");
    assert!(st.success(), "the layout program did not compile");
    let out = Command::new(&exe).output().unwrap();
    let c_side = String::from_utf8(out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(rust_side(), c_side);
}

#[test]
fn the_loaded_library_is_the_headers_version() {
    // SAFETY: plain queries, callable from any thread at any time.
    let (n, s) = unsafe { (go_version_number(), std::ffi::CStr::from_ptr(go_version())) };
    assert_eq!(n, GORT_VERSION_NUMBER);
    assert_eq!(s.to_str().unwrap(), GORT_VERSION_STRING);
}

#[test]
fn error_twins_return_codes_instead_of_panicking() {
    // SAFETY: handles are made and freed here; every call is a _err twin.
    unsafe {
        let ch = chan_new(8, 1);
        assert!(!ch.is_null());
        let v: i64 = 7;
        assert_eq!(chan_close_err(ch), 0);
        assert_eq!(chan_close_err(ch), GO_ECLOSED);
        assert_eq!(chan_send_err(ch, &v as *const i64 as *const c_void), GO_ECLOSED);
        assert_eq!(chan_close_err(std::ptr::null_mut()), GO_EINVAL);
        chan_free(ch);
        let wg = wg_new();
        assert_eq!(wg_done_err(wg), GO_ERANGE);
        assert_eq!(wg_wait_err(wg), 0);
        wg_free(wg);
        let mu = mutex_new();
        assert_eq!(mutex_unlock_err(mu), GO_EPERM);
        mutex_free(mu);
        assert!(go_ticker_new_err(0).is_null());
    }
}

#[test]
fn io_and_net_follow_the_errno_convention() {
    use std::ffi::CStr;
    const EINVAL: c_int = 22;
    const EBADF: c_int = 9;
    let buf_len = GO_ADDR_STRLEN;
    // SAFETY: every pointer is NULL, a live buffer of the length given, or a
    // handle go_listen/go_dial returned; handles are not used after close.
    unsafe {
        assert_eq!(go_fd_read(std::ptr::null_mut(), std::ptr::null_mut(), 0), -1);
        assert_eq!(go_errno(), EINVAL);
        assert!(go_fd_open(-1).is_null());
        assert_eq!(go_errno(), EBADF);

        let ln = go_listen(b"tcp\0".as_ptr() as *const c_char, b"127.0.0.1:0\0".as_ptr() as *const c_char);
        assert!(!ln.is_null(), "go_listen: errno {}", go_errno());
        let mut addr = [0 as c_char; GO_ADDR_STRLEN];
        let n = go_fd_local_addr(ln, addr.as_mut_ptr(), buf_len);
        assert!(n > 0);
        let c = go_dial(b"tcp\0".as_ptr() as *const c_char, addr.as_ptr(), GO_NO_DEADLINE);
        assert!(!c.is_null(), "go_dial: errno {}", go_errno());
        let mut ss = [0u64; 16];
        let mut len = SOCKADDR_STORAGE_SIZE as socklen_t;
        let s = go_fd_accept(ln, ss.as_mut_ptr() as *mut sockaddr, &mut len);
        assert!(!s.is_null());
        assert_eq!(len, 16, "a sockaddr_in");
        assert_eq!((*(ss.as_ptr() as *const sockaddr)).sa_family, 2, "AF_INET");
        assert_eq!(go_fd_write(c, b"ping".as_ptr() as *const c_void, 4), 4);
        let mut got = [0u8; 4];
        assert_eq!(go_fd_read(s, got.as_mut_ptr() as *mut c_void, 4), 4);
        assert_eq!(&got, b"ping");
        let mut peer = [0 as c_char; GO_ADDR_STRLEN];
        assert!(go_fd_peer_addr(c, peer.as_mut_ptr(), buf_len) > 0);
        assert_eq!(CStr::from_ptr(peer.as_ptr()), CStr::from_ptr(addr.as_ptr()));
        assert_eq!(go_fd_set_deadline(s, GO_DEADLINE_READ, 0), 0);
        assert_eq!(go_fd_read(s, got.as_mut_ptr() as *mut c_void, 4), -1);
        assert_eq!(go_errno(), 110, "ETIMEDOUT");
        assert_eq!(go_fd_shutdown(c, SHUT_WR), 0);
        assert_eq!(go_fd_set_deadline(s, GO_DEADLINE_BOTH, GO_NO_DEADLINE), 0);
        assert_eq!(go_fd_read(s, got.as_mut_ptr() as *mut c_void, 4), 0, "EOF");
        assert!(go_poll_fd(go_fd_fileno(s), GO_POLL_OUT, GO_NO_DEADLINE) & GO_POLL_OUT != 0);
        assert_eq!(go_fd_wait(s, GO_POLL_OUT), 0);
        for h in [s, c, ln] {
            assert_eq!(go_fd_close(h), 0);
            assert_eq!(go_fd_close(h), -1);
            assert_eq!(go_errno(), EBADF);
        }
    }
}
