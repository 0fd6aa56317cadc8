/* gort.hpp - gort for C++17: lambdas, RAII and typed channels over the C ABI.
 *
 * Header-only: everything here is an inline layer over <gort.h>, so a C++
 * program links the same libgort and keeps its stable ABI. The C headers
 * say what each operation does; this file says what the C++ layer adds.
 *
 *     #include <gort.hpp>
 *     int main() {
 *         return gort::main([] {
 *             gort::WaitGroup wg;
 *             gort::Chan<std::string> ch(10);
 *             for (int i = 0; i < 10; i++) {
 *                 wg.add(1);
 *                 gort::go([&wg, ch, i] { ch.send("hello " + std::to_string(i)); wg.done(); });
 *             }
 *             wg.wait();
 *             ch.close();
 *             for (std::string s : ch) std::puts(s.c_str());
 *         }) < 0;
 *     }
 *
 * GOROUTINES. gort::go(f, args...) starts f(args...) as a goroutine. f and
 * the arguments are copied (or moved) when go is called, as Go evaluates a
 * go statement's function value and arguments there; a lambda reads its
 * by-reference captures when it runs, as a Go closure does. The copy
 * belongs to the goroutine and is destroyed when it ends: by returning, by
 * gort::exit() (Goexit) or after a recovered panic. A small trivially
 * copyable callable (a lambda capturing a few pointers or integers, up to
 * 32 bytes) travels inside the goroutine with no allocation.
 *
 * ERRORS. Where the C API returns an error code for a failure a program can
 * meet (out of memory, out of stacks, the program is over: GO_ENOMEM,
 * GO_EAGAIN, GO_ESHUTDOWN), the C++ layer throws gort::error (a
 * std::system_error holding the errno value). Misuse that Go answers with
 * a panic is the same panic here ("send on closed channel", "sync: negative
 * WaitGroup counter", ...), with the runtime's exact value.
 *
 * PANICS AND EXCEPTIONS. gort::panic starts a Go panic: the goroutine's
 * deferred calls run on top of the panicking stack, nothing is unwound, and
 * a recovery JUMPS to the frame that deferred the recovering call. That jump
 * skips the C++ frames in between: their destructors do not run (see "THE
 * JUMP" in gort/defer.h). So within code that may panic, keep owning
 * objects in the goroutine's callable, in a gort::defer, or in frames the
 * jump does not cross. A C++ exception that escapes a goroutine, a
 * gort::call function or a deferred call becomes a panic carrying its
 * what() (exceptions unwind normally up to that point, destructors
 * included). gort::call(f) is Go's function call boundary: it runs f as a
 * frame and returns true when a deferred call in it recovered a panic.
 *
 * gort::defer(f) is a scope guard that is also a Go deferred call: f runs
 * when the guard's scope is left (normally, or by a C++ exception), and
 * when a panic or Goexit passes it (before the scope is discarded; then
 * not again). A gort::recover() inside f stops the panic; control lands
 * where Go's would: the frame that holds the guard (the goroutine's body,
 * or the gort::call) returns normally, and gort::call returns true. A C++
 * exception is not a panic while it unwinds: the guards it passes run as
 * plain scope guards (their recover() finds nothing), and it becomes a
 * panic where it leaves the frame's function; a guard of an enclosing frame
 * (an outer gort::call, or the goroutine's body around a gort::call) can
 * recover it.
 *
 * CHANNELS. gort::Chan<T> carries any movable T. A trivially copyable T
 * travels by value inside the channel (at most GO_CHAN_ELEM_MAX bytes; an
 * empty struct takes none, as Go's chan struct{});
 * any other T is moved into a heap box whose pointer travels, and every
 * value is destroyed exactly once: by its receiver, or, for values still
 * buffered when the last handle goes, by the channel. A Chan is a shared
 * handle, like Go's channel values: copies name the same channel (an
 * atomic reference count), and the channel is freed with the last one. A
 * default-constructed Chan is Go's nil channel. Copying a handle costs two
 * atomic operations (the first copy of a handle also allocates the shared
 * count): pass it by reference where lifetimes nest (a parent waiting for
 * its children), by value where they do not.
 *
 * Threads: as in C, every call here works from goroutines, pinned
 * goroutines and plain threads alike (a blocking call blocks a plain
 * thread).
 *
 * ERRNO AND THREAD_LOCAL. A goroutine that blocks may resume on another OS
 * thread, and compilers keep the address of errno (and of any thread_local
 * variable) in a register across calls: the rules of gort/runtime.h hold
 * in C++ too, and reach further, since standard functions use errno behind
 * the scenes. std::stol, std::stoi, std::strtol and their kin save and
 * restore errno: called in a loop that also blocks (a range-for over a
 * Chan), the saved address may be the previous thread's, and the write a
 * data race on it. Keep such calls out of loops that block, or in a
 * function of their own marked noinline; never keep a reference to a
 * thread_local object across a blocking call. Since 0.5.0.
 */
#ifndef GORT_HPP
#define GORT_HPP

#include <gort.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#if __cplusplus < 201703L
#error "gort.hpp needs C++17"
#endif

namespace gort {

/* ------------------------------------------------------------------ errors */

/* A gort error code as an exception: code() is std::errc-compatible
 * (EINVAL, ENOMEM, EAGAIN, ESHUTDOWN...), gort_code() the C API's value. */
class error : public std::system_error {
public:
    error(int gort_code, const char *what)
        : std::system_error(-gort_code, std::generic_category(), what) {}
    int gort_code() const noexcept { return -code().value(); }
};

namespace detail {

[[noreturn]] inline void throw_error(int rc, const char *what) { throw error(rc, what); }

inline long long check(long long rc, const char *what) {
    if (rc < 0) throw_error(static_cast<int>(rc), what);
    return rc;
}

template <class T>
T *check_handle(T *h, const char *what) {
    if (h == nullptr) {
        if (errno == ENOMEM) throw std::bad_alloc();
        throw_error(-(errno != 0 ? errno : EINVAL), what);
    }
    return h;
}

// Calls the callable at p: the goroutine bodies, frames and deferred calls
// handed to the C API (C++ exceptions that escape them become panics in
// the runtime).
template <class F>
void call_at(void *p) {
    (*static_cast<F *>(p))();
}

template <class F>
void delete_at(void *p) {
    delete static_cast<F *>(p);
}

// A goroutine's callable on the heap: the deferred delete runs when the
// body ends, however it ends (return, Goexit, a panic recovered or not).
template <class F>
void run_owned(void *p) {
    if (defer_push(&delete_at<F>, p) != 0) {
        // No memory for the record: the callable is still released on a
        // return or an exception; a Goexit would leak it.
        std::unique_ptr<F> own(static_cast<F *>(p));
        (*own)();
        return;
    }
    (*static_cast<F *>(p))();
}

// A callable the goroutine carries inline (go_spawn_copy's bytes).
template <class F>
constexpr bool travels_inline = std::is_trivially_copyable_v<F> &&
                                std::is_trivially_destructible_v<F> && sizeof(F) <= 32 &&
                                alignof(F) <= 8;

template <class F, class... Args>
auto bind_args(F &&f, Args &&...args) {
    return [fn = std::decay_t<F>(std::forward<F>(f)),
            tup = std::make_tuple(std::decay_t<Args>(std::forward<Args>(args))...)]() mutable {
        // Runs once: the arguments move into the call (a move-only
        // argument, a std::unique_ptr say, is fine).
        std::apply(std::move(fn), std::move(tup));
    };
}

inline void attr_fill(go_attr_t &a, std::size_t stack_size, const char *name) {
    go_attr_init(&a);
    a.stack_size = stack_size;
    a.name = name;
}

template <class F>
go_id_t spawn(const go_attr_t *attr, F &&f) {
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_v<Fn &>, "gort::go: the function must be callable with the given arguments");
    if constexpr (travels_inline<Fn>) {
        Fn copy(std::forward<F>(f));
        if (attr == nullptr)
            return check(go_spawn_copy(&call_at<Fn>, &copy, sizeof copy), "gort::go");
        go_attr_t a = *attr;
        a.arg_size = sizeof copy;
        return check(go_spawn_attr(&a, &call_at<Fn>, &copy), "gort::go");
    } else {
        auto owned = std::make_unique<Fn>(std::forward<F>(f));
        go_id_t id = attr == nullptr ? go_spawn(&run_owned<Fn>, owned.get())
                                     : go_spawn_attr(attr, &run_owned<Fn>, owned.get());
        check(id, "gort::go");
        owned.release();
        return id;
    }
}

}  // namespace detail

/* -------------------------------------------------------------- goroutines */

/* gort::go(f, args...) - Go's `go f(args...)`: f and args are copied now.
 * Returns the goroutine's id; throws gort::error (GO_ESHUTDOWN after main
 * returned, GO_EAGAIN out of stacks) or std::bad_alloc. */
template <class F, class... Args>
go_id_t go(F &&f, Args &&...args) {
    if constexpr (sizeof...(Args) == 0)
        return detail::spawn(nullptr, std::forward<F>(f));
    else
        return detail::spawn(nullptr, detail::bind_args(std::forward<F>(f), std::forward<Args>(args)...));
}

/* Spawn options (go_attr_t): a stack size (0: the default) and a name shown
 * in diagnostics. */
struct options {
    std::size_t stack_size = 0;
    const char *name = nullptr;
};

/* gort::go_with(opts, f, args...) - gort::go with options. */
template <class F, class... Args>
go_id_t go_with(const options &opts, F &&f, Args &&...args) {
    go_attr_t a;
    detail::attr_fill(a, opts.stack_size, opts.name);
    if constexpr (sizeof...(Args) == 0)
        return detail::spawn(&a, std::forward<F>(f));
    else
        return detail::spawn(&a, detail::bind_args(std::forward<F>(f), std::forward<Args>(args)...));
}

/* gort::go_pinned(f, args...) - a pinned goroutine (gort/pinned.h): the body
 * runs on a pool thread's own stack, for code that needs a real thread. */
template <class F, class... Args>
go_id_t go_pinned(F &&f, Args &&...args) {
    if constexpr (sizeof...(Args) > 0) {
        return go_pinned(detail::bind_args(std::forward<F>(f), std::forward<Args>(args)...));
    } else {
        using Fn = std::decay_t<F>;
        auto owned = std::make_unique<Fn>(std::forward<F>(f));
        go_id_t id = detail::check(go_spawn_pinned(&detail::run_owned<Fn>, owned.get()), "gort::go_pinned");
        owned.release();
        return id;
    }
}

/* gort::main(f) - go_main: run f() as the program's main goroutine; when it
 * returns the program is over (other goroutines never run again). Returns
 * go_main's result: 0, or a negative code (GO_EPERM from a goroutine,
 * GO_EALREADY on a second call). */
template <class F>
int main(F &&f) {
    using Fn = std::remove_reference_t<F>;
    return go_main(&detail::call_at<Fn>, const_cast<void *>(static_cast<const void *>(std::addressof(f))));
}

/* gort::call(f) - go_call: run f() as one Go function call (a frame) whose
 * gort::defer guards and deferred calls may recover a panic. Returns true
 * when a panic was recovered in it, false when f returned. */
template <class F>
bool call(F &&f) {
    using Fn = std::remove_reference_t<F>;
    int rc = ::go_call(&detail::call_at<Fn>, const_cast<void *>(static_cast<const void *>(std::addressof(f))));
    detail::check(rc, "gort::call");
    return rc == GO_RECOVERED;
}

/* gort::go_call(f) - the same as gort::call, named after the C function. */
template <class F>
bool go_call(F &&f) {
    return call(std::forward<F>(f));
}

inline void yield() noexcept { go_yield(); }
inline go_id_t id() noexcept { return go_id(); }
inline int num_goroutine() noexcept { return go_num_goroutine(); }
inline int num_cpu() noexcept { return go_num_cpu(); }
/* gomaxprocs(n): n < 1 queries; otherwise sets and returns the previous value. */
inline int gomaxprocs(int n = 0) noexcept { return go_maxprocs(n); }

/* gort::exit() - runtime.Goexit: run every deferred call of the goroutine,
 * then end it. Throws gort::error(GO_EPERM) on a thread that is not a
 * goroutine. */
[[noreturn]] inline void exit() {
    int rc = go_exit();
    detail::throw_error(rc, "gort::exit");
}

/* ------------------------------------------------------------------ time */

using nanoseconds = std::chrono::nanoseconds;

template <class Rep, class Period>
constexpr std::int64_t to_ns(std::chrono::duration<Rep, Period> d) {
    return std::chrono::duration_cast<nanoseconds>(d).count();
}

/* gort::sleep(d) - time.Sleep. */
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d) noexcept {
    go_sleep(to_ns(d));
}

/* gort::nanotime() - the monotonic clock the timers use. */
inline std::int64_t nanotime() noexcept { return go_nanotime(); }

/* ---------------------------------------------------- panic and recover */

namespace detail {

inline std::string demangle(const char *name) {
    int status = 0;
    char *d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string s = status == 0 && d != nullptr ? d : name;
    std::free(d);
    return s;
}

template <class T, class = void>
struct has_what : std::false_type {};
template <class T>
struct has_what<T, std::void_t<decltype(std::declval<const T &>().what())>> : std::true_type {};

template <class T>
int format_value(const void *v, char *buf, std::size_t len) {
    const T &t = *static_cast<const T *>(v);
    std::string s;
    if constexpr (has_what<T>::value)
        s = t.what();
    else if constexpr (std::is_same_v<T, std::string>)
        s = t;
    else if constexpr (std::is_same_v<T, bool>)
        s = t ? "true" : "false";
    else
        s = std::to_string(t);
    if (len > 0) {
        std::size_t n = s.size() < len - 1 ? s.size() : len - 1;
        std::memcpy(buf, s.data(), n);
        buf[n] = 0;
    }
    return static_cast<int>(s.size());
}

template <class T, class = void>
struct formattable : std::false_type {};
template <class T>
struct formattable<T, std::void_t<decltype(std::to_string(std::declval<const T &>()))>>
    : std::true_type {};

// One go_panic_type_t per panic value type: recover's value_as<T>() compares
// against its address.
template <class T>
struct panic_type {
    static const go_panic_type_t *get() {
        static const std::string name = demangle(typeid(T).name());
        static const go_panic_type_t desc = {
            sizeof(go_panic_type_t), name.c_str(),
            has_what<T>::value || formattable<T>::value || std::is_same_v<T, std::string> ||
                    std::is_same_v<T, bool>
                ? &format_value<T>
                : nullptr,
            &delete_at<T>};
        return &desc;
    }
};

}  // namespace detail

/* gort::panic(msg) - panic("msg"); gort::panic(nullptr) is panic(nil). */
[[noreturn]] inline void panic(const char *msg) noexcept { panic_raise(msg); }
[[noreturn]] inline void panic(const std::string &msg) noexcept { panic_raise(msg.c_str()); }
[[noreturn]] inline void panic(std::nullptr_t) noexcept { panic_raise(nullptr); }

/* gort::panic_value(v) - panic(v) with a typed value, moved to the heap and
 * destroyed when the panic is over. An unrecovered one prints what() for
 * exception-like types, the text of a string, bool or number, else
 * "(TYPE) 0xADDR"; recover's value_as<T>() gives it back. */
template <class T>
[[noreturn]] void panic_value(T &&v) {
    using V = std::decay_t<T>;
    V *p = new V(std::forward<T>(v));
    panic_raise_value(p, detail::panic_type<V>::get());
}

/* What gort::recover() returns: Go's recovered value. */
struct recovered {
    const char *message = nullptr;  // the text (see go_recovered_t); null for panic(nil)
    void *value = nullptr;          // panic_value's value
    const go_panic_type_t *type = nullptr;
    bool runtime_error = false;     // a runtime.Error (nil dereference, closed channel...)

    bool is_nil() const noexcept { return message == nullptr && value == nullptr && type == nullptr; }
    /* The value of gort::panic_value<T>, or null for any other panic. */
    template <class T>
    T *value_as() const {
        return type == detail::panic_type<T>::get() ? static_cast<T *>(value) : nullptr;
    }
    /* The text Go's print would show: message, or "nil". */
    std::string text() const { return message != nullptr ? message : "nil"; }
};

/* gort::recover() - Go's recover(): inside a deferred call run by a panic
 * (a gort::defer's function, or a defer_push'ed call), stop the panic and
 * return its value; otherwise std::nullopt. Call it in the deferred
 * function itself (plain C++ helpers between are fine; a gort::call between
 * hides the panic, as a Go function call does). */
inline std::optional<recovered> recover() noexcept {
    go_recovered_t r;
    if (panic_recover(&r) == 0) return std::nullopt;
    recovered out;
    out.message = r.message;
    out.value = r.value;
    out.type = r.type;
    out.runtime_error = r.is_runtime_error != 0;
    return out;
}

/* gort::defer(f) - a scope guard that is also a deferred call (see the top
 * of this file): `auto d = gort::defer([&] { ... });`. Outside any frame
 * (a plain thread not inside gort::call) it is a plain scope guard. */
template <class F>
class [[nodiscard]] defer_guard {
public:
    explicit defer_guard(F f) : f_(std::move(f)) { pushed_ = defer_push(&run, this) == 0; }
    defer_guard(const defer_guard &) = delete;
    defer_guard &operator=(const defer_guard &) = delete;
    ~defer_guard() {
        if (pushed_)
            defer_run(&run, this);  // 0: a panic or Goexit ran it already
        else
            f_();
    }

private:
    static void run(void *self) { static_cast<defer_guard *>(self)->f_(); }
    F f_;
    bool pushed_;
};

template <class F>
defer_guard<std::decay_t<F>> defer(F &&f) {
    return defer_guard<std::decay_t<F>>(std::forward<F>(f));
}

/* ------------------------------------------------------------------ sync */

/* sync.WaitGroup. May be destroyed as soon as wait() returned. */
class WaitGroup {
public:
    WaitGroup() : wg_(detail::check_handle(wg_new(), "gort::WaitGroup")) {}
    ~WaitGroup() { wg_free(wg_); }
    WaitGroup(const WaitGroup &) = delete;
    WaitGroup &operator=(const WaitGroup &) = delete;
    /* Add and Done panic as Go's on a negative counter. */
    void add(std::int64_t delta) noexcept { wg_add(wg_, delta); }
    void done() noexcept { wg_done(wg_); }
    void wait() noexcept { wg_wait(wg_); }
    go_wg_t *native_handle() const noexcept { return wg_; }

private:
    go_wg_t *wg_;
};

/* sync.Mutex: Lockable, for std::lock_guard and std::unique_lock. Unlocking
 * an unlocked Mutex is Go's fatal error. */
class Mutex {
public:
    Mutex() : mu_(detail::check_handle(mutex_new(), "gort::Mutex")) {}
    ~Mutex() { mutex_free(mu_); }
    Mutex(const Mutex &) = delete;
    Mutex &operator=(const Mutex &) = delete;
    void lock() noexcept { mutex_lock(mu_); }
    bool try_lock() noexcept { return mutex_trylock(mu_) == 1; }
    void unlock() noexcept { mutex_unlock(mu_); }
    go_mutex_t *native_handle() const noexcept { return mu_; }

private:
    go_mutex_t *mu_;
};

/* sync.RWMutex: also SharedLockable, for std::shared_lock. */
class RWMutex {
public:
    RWMutex() : rw_(detail::check_handle(rwmutex_new(), "gort::RWMutex")) {}
    ~RWMutex() { rwmutex_free(rw_); }
    RWMutex(const RWMutex &) = delete;
    RWMutex &operator=(const RWMutex &) = delete;
    void lock() noexcept { rwmutex_lock(rw_); }
    bool try_lock() noexcept { return rwmutex_trylock(rw_) == 1; }
    void unlock() noexcept { rwmutex_unlock(rw_); }
    void lock_shared() noexcept { rwmutex_rlock(rw_); }
    bool try_lock_shared() noexcept { return rwmutex_tryrlock(rw_) == 1; }
    void unlock_shared() noexcept { rwmutex_runlock(rw_); }
    go_rwmutex_t *native_handle() const noexcept { return rw_; }

private:
    go_rwmutex_t *rw_;
};

/* sync.Once: call(f) runs f() exactly once; a panic in f counts as done. */
class Once {
public:
    Once() : o_(detail::check_handle(once_new(), "gort::Once")) {}
    ~Once() { once_free(o_); }
    Once(const Once &) = delete;
    Once &operator=(const Once &) = delete;
    template <class F>
    void call(F &&f) {
        using Fn = std::remove_reference_t<F>;
        once_do(o_, &detail::call_at<Fn>, const_cast<void *>(static_cast<const void *>(std::addressof(f))));
    }
    go_once_t *native_handle() const noexcept { return o_; }

private:
    go_once_t *o_;
};

/* sync.Cond over a gort::Mutex (which must outlive it). wait() unlocks the
 * mutex, which the caller holds, and locks it again before returning. */
class Cond {
public:
    explicit Cond(Mutex &mu) : c_(detail::check_handle(cond_new(mu.native_handle()), "gort::Cond")) {}
    ~Cond() { cond_free(c_); }
    Cond(const Cond &) = delete;
    Cond &operator=(const Cond &) = delete;
    void wait() noexcept { cond_wait(c_); }
    /* Wait until pred() holds (checked with the mutex held). */
    template <class Pred>
    void wait(Pred pred) {
        while (!pred()) cond_wait(c_);
    }
    void signal() noexcept { cond_signal(c_); }
    void broadcast() noexcept { cond_broadcast(c_); }
    go_cond_t *native_handle() const noexcept { return c_; }

private:
    go_cond_t *c_;
};

/* --------------------------------------------------------------- channels */

template <class T>
class Chan;

namespace detail {

// The count of the handles of a shared channel. A handle that was never
// copied has none: its channel is its own (see Chan::share).
struct chan_ref {
    std::atomic<long> refs;
};

template <class T>
constexpr bool chan_direct = std::is_trivially_copyable_v<T> && sizeof(T) <= GO_CHAN_ELEM_MAX;

// What travels in the channel: T itself, or a pointer to a heap box.
template <class T>
using chan_slot = std::conditional_t<chan_direct<T>, T, T *>;

// The C channel's element size: 0 for an empty T (Go's chan struct{}).
template <class T>
constexpr std::size_t chan_elem_size = chan_direct<T> && std::is_empty_v<T> ? 0 : sizeof(chan_slot<T>);

// Uninitialised room for a slot (T need not be default-constructible).
template <class T>
union slot_buf {
    slot_buf() {}
    chan_slot<T> v;
    unsigned char bytes[sizeof(chan_slot<T>)];
};

template <class T>
void drain_boxes(go_chan_t *ch) {
    T *box;
    int ok = 0;
    while (chan_try_recv(ch, &box, &ok) == 1 && ok) delete box;
}

// Raise the runtime's own "send on closed channel" panic: a send on a
// channel known to be closed (chan_send_err said so; a channel never
// reopens) panics before it reads the value.
[[noreturn]] inline void send_on_closed(go_chan_t *ch) noexcept {
    static const unsigned char zero[1] = {0};
    chan_send(ch, zero);
    std::abort();  // not reached
}

}  // namespace detail

/* chan T. */
template <class T>
class Chan {
    static_assert(std::is_move_constructible_v<T>, "gort::Chan<T>: T must be movable");
    static_assert(!std::is_reference_v<T> && !std::is_const_v<T>, "gort::Chan<T>: T must be a plain object type");
    static constexpr bool direct = detail::chan_direct<T>;
    using slot = detail::chan_slot<T>;

public:
    using value_type = T;

    /* The nil channel. */
    Chan() noexcept = default;
    /* make(chan T, cap). Throws gort::error (EINVAL: cap out of range) or
     * std::bad_alloc. */
    explicit Chan(std::size_t cap)
        : ch_(detail::check_handle(chan_new(detail::chan_elem_size<T>, cap), "gort::Chan")), owned_(true) {}
    /* Adopt a C channel whose element size is sizeof(T) for a trivially
     * copyable T (go_after's, say). own: free it with the last handle. */
    static Chan adopt(go_chan_t *ch, bool own) {
        static_assert(direct, "gort::Chan::adopt: only for trivially copyable T");
        Chan c;
        if (ch == nullptr) return c;
        if (chan_elem_size(ch) != static_cast<int>(detail::chan_elem_size<T>)) {
            if (own) chan_free(ch);
            detail::throw_error(GO_EINVAL, "gort::Chan::adopt: element size");
        }
        c.ch_ = ch;
        c.owned_ = own;
        return c;
    }

    /* Another handle of the same channel (the first copy of a handle
     * allocates the shared count: a channel that is only ever passed by
     * reference needs none). Throws std::bad_alloc. */
    Chan(const Chan &o) : ch_(o.ch_), ref_(o.share()), owned_(o.owned_) {}
    Chan(Chan &&o) noexcept
        : ch_(o.ch_), ref_(o.ref_.load(std::memory_order_relaxed)), owned_(o.owned_) {
        o.ch_ = nullptr;
        o.ref_.store(nullptr, std::memory_order_relaxed);
    }
    Chan &operator=(Chan o) noexcept {
        std::swap(ch_, o.ch_);
        detail::chan_ref *r = ref_.load(std::memory_order_relaxed);
        ref_.store(o.ref_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        o.ref_.store(r, std::memory_order_relaxed);
        std::swap(owned_, o.owned_);
        return *this;
    }
    ~Chan() { release(); }

    /* ch <- v. Blocks; panics "send on closed channel" as Go. */
    void send(T v) const {
        go_chan_t *ch = handle();
        if constexpr (direct) {
            check_rc(chan_send(ch, &v));
        } else {
            T *box = new T(std::move(v));
            int rc = chan_send_err(ch, &box);
            if (rc < 0) {
                delete box;
                if (rc == GO_ECLOSED) detail::send_on_closed(ch);
                check_rc(rc);
            }
        }
    }
    /* v, ok := <-ch: the value, or std::nullopt once closed and drained. */
    std::optional<T> recv() const {
        detail::slot_buf<T> b;
        int rc = chan_recv(handle(), &b.v);
        check_rc(rc);
        if (rc == 0) return std::nullopt;
        return take(b);
    }
    /* select { case ch <- v: return true; default: return false }. */
    bool try_send(T v) const {
        go_chan_t *ch = handle();
        if constexpr (direct) {
            return check_rc(chan_try_send(ch, &v)) == 1;
        } else {
            T *box = new T(std::move(v));
            int rc = chan_try_send_err(ch, &box);
            if (rc == 1) return true;
            delete box;
            if (rc == GO_ECLOSED) detail::send_on_closed(ch);
            check_rc(rc);
            return false;
        }
    }
    /* select { case v, ok := <-ch: ...; default: }: the value; std::nullopt
     * when none was ready or the channel is closed and drained (*closed,
     * when given, tells which). */
    std::optional<T> try_recv(bool *closed = nullptr) const {
        detail::slot_buf<T> b;
        int ok = 0;
        int rc = check_rc(chan_try_recv(handle(), &b.v, &ok));
        if (closed != nullptr) *closed = rc == 1 && !ok;
        if (rc == 0 || !ok) return std::nullopt;
        return take(b);
    }
    /* close(ch): panics as Go's on a closed or nil channel. */
    void close() const { check_rc(chan_close(handle())); }
    int len() const { return ch_ != nullptr ? chan_len(ch_) : 0; }
    int cap() const { return ch_ != nullptr ? chan_cap(ch_) : 0; }
    bool is_nil() const noexcept { return ch_ == nullptr; }
    go_chan_t *native_handle() const noexcept { return handle(); }
    friend bool operator==(const Chan &a, const Chan &b) noexcept { return a.handle() == b.handle(); }
    friend bool operator!=(const Chan &a, const Chan &b) noexcept { return !(a == b); }

    /* for (T v : ch) - Go's `for v := range ch`: receives until closed. */
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = T *;
        using reference = T &;
        iterator() = default;
        explicit iterator(const Chan *c) : c_(c) { ++*this; }
        T &operator*() { return *v_; }
        iterator &operator++() {
            v_ = c_->recv();
            if (!v_) c_ = nullptr;
            return *this;
        }
        bool operator==(const iterator &o) const { return c_ == o.c_; }
        bool operator!=(const iterator &o) const { return c_ != o.c_; }

    private:
        const Chan *c_ = nullptr;
        std::optional<T> v_;
    };
    iterator begin() const { return iterator(this); }
    iterator end() const { return iterator(); }

    // For gort::select.
    static T take(detail::slot_buf<T> &b) {
        if constexpr (direct) {
            return b.v;
        } else {
            std::unique_ptr<T> box(b.v);
            return std::move(*box);
        }
    }

private:
    static int check_rc(int rc) { return static_cast<int>(detail::check(rc, "gort::Chan")); }
    go_chan_t *handle() const noexcept { return ch_; }

    // The count a copy joins: this handle's, or a new one of 2 (this handle
    // and the copy) installed with a CAS, as two threads may copy the same
    // handle at once (the loser joins the winner's count).
    detail::chan_ref *share() const {
        if (ch_ == nullptr) return nullptr;
        detail::chan_ref *r = ref_.load(std::memory_order_acquire);
        if (r == nullptr) {
            auto *fresh = new detail::chan_ref{{2}};
            if (ref_.compare_exchange_strong(r, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
                return fresh;
            delete fresh;
        }
        r->refs.fetch_add(1, std::memory_order_relaxed);
        return r;
    }

    // The last handle frees the channel (after destroying the boxed values
    // left in its buffer) when it owns it.
    void release() noexcept {
        if (ch_ == nullptr) return;
        detail::chan_ref *r = ref_.load(std::memory_order_acquire);
        if (r != nullptr) {
            if (r->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
            delete r;
        }
        if (owned_) {
            if constexpr (!direct) detail::drain_boxes<T>(ch_);
            chan_free(ch_);
        }
        ch_ = nullptr;
    }

    go_chan_t *ch_ = nullptr;
    mutable std::atomic<detail::chan_ref *> ref_{nullptr};
    bool owned_ = false;  // chan_free with the last handle (false: a timer's channel)
};

/* -------------------------------------------------------------- select */

/* gort::select(cases...) - Go's select over typed cases:
 *
 *     gort::select(
 *         gort::on_recv(jobs, [&](std::optional<Job> j) { ... }),  // nullopt: closed
 *         gort::on_send(out, result, [&] { ... }),
 *         gort::on_default([&] { ... }));
 *
 * Runs the chosen case's function after the select, and returns its index.
 * A send case's value is moved in when the case is made; if another case
 * is chosen it is destroyed unsent. A send case on a closed channel panics
 * "send on closed channel" as Go's. */
// The cases hold the channel's C handle, not a Chan: the caller's Chan
// outlives the select, and a copy would cost two atomic operations.
template <class T, class F>
struct recv_case {
    go_chan_t *ch;
    F f;
    detail::slot_buf<T> buf;
    void fill(go_select_case_t &c) {
        c.chan = ch;
        c.dir = GO_SELECT_RECV;
        c.value = &buf.v;
    }
    void chosen(go_select_case_t &c) {
        if (c.ok == 1)
            f(std::optional<T>(Chan<T>::take(buf)));
        else
            f(std::optional<T>());
    }
    void dropped() noexcept {}
};

template <class T, class F>
struct send_case {
    go_chan_t *ch;
    F f;
    detail::chan_slot<T> v;
    bool owns = true;
    send_case(go_chan_t *c, T &&value, F fn) : ch(c), f(std::move(fn)), v(make(std::move(value))) {}
    send_case(send_case &&o) : ch(o.ch), f(std::move(o.f)), v(o.v), owns(o.owns) { o.owns = false; }
    send_case(const send_case &) = delete;
    ~send_case() { dropped(); }
    static detail::chan_slot<T> make(T &&value) {
        if constexpr (detail::chan_direct<T>)
            return value;
        else
            return new T(std::move(value));
    }
    void fill(go_select_case_t &c) {
        c.chan = ch;
        c.dir = GO_SELECT_SEND;
        c.value = &v;
    }
    void chosen(go_select_case_t &) {
        owns = false;  // the receiver has it now
        f();
    }
    void dropped() noexcept {
        if constexpr (!detail::chan_direct<T>)
            if (owns) delete v;
        owns = false;
    }
};

template <class F>
struct default_case {
    F f;
    void fill(go_select_case_t &c) {
        c.chan = nullptr;
        c.dir = GO_SELECT_DEFAULT;
        c.value = nullptr;
    }
    void chosen(go_select_case_t &) { f(); }
    void dropped() noexcept {}
};

namespace detail {
struct nothing {
    template <class... A>
    void operator()(A &&...) const noexcept {}
};
}  // namespace detail

template <class T, class F = detail::nothing>
recv_case<T, std::decay_t<F>> on_recv(const Chan<T> &ch, F &&f = F()) {
    return {ch.native_handle(), std::forward<F>(f), {}};
}

template <class T, class U, class F = detail::nothing>
send_case<T, std::decay_t<F>> on_send(const Chan<T> &ch, U &&value, F &&f = F()) {
    return send_case<T, std::decay_t<F>>(ch.native_handle(), T(std::forward<U>(value)), std::forward<F>(f));
}

template <class F = detail::nothing>
default_case<std::decay_t<F>> on_default(F &&f = F()) {
    return {std::forward<F>(f)};
}

template <class... Cases>
int select(Cases &&...cases) {
    constexpr std::size_t n = sizeof...(Cases);
    go_select_case_t cs[n > 0 ? n : 1];
    {
        std::size_t i = 0;
        (cases.fill(cs[i++]), ...);
    }
    int rc = go_select_err(cs, static_cast<int>(n));
    if (rc == GO_ECLOSED) {
        go_chan_t *closed = nullptr;
        for (std::size_t i = 0; i < n; i++)
            if (cs[i].dir == GO_SELECT_SEND && cs[i].ok == GO_ECLOSED) closed = cs[i].chan;
        (cases.dropped(), ...);
        if (closed != nullptr) detail::send_on_closed(closed);
    }
    detail::check(rc, "gort::select");
    {
        int i = 0;
        ((i++ == rc ? cases.chosen(cs[rc]) : cases.dropped()), ...);
    }
    return rc;
}

/* ---------------------------------------------------------------- timers */

/* time.After(d): a channel that receives the monotonic time (ns) once. */
template <class Rep, class Period>
Chan<std::int64_t> after(std::chrono::duration<Rep, Period> d) {
    return Chan<std::int64_t>::adopt(detail::check_handle(go_after(to_ns(d)), "gort::after"), true);
}

/* time.Timer: c() receives the monotonic time (ns) when it fires. */
class Timer {
public:
    template <class Rep, class Period>
    explicit Timer(std::chrono::duration<Rep, Period> d)
        : t_(detail::check_handle(go_timer_new(to_ns(d)), "gort::Timer")),
          c_(Chan<std::int64_t>::adopt(go_timer_chan(t_), false)) {}
    ~Timer() { go_timer_free(t_); }
    Timer(const Timer &) = delete;
    Timer &operator=(const Timer &) = delete;
    /* Stop: true when this call stopped it before it fired. */
    bool stop() noexcept { return go_timer_stop(t_) == 1; }
    /* Reset: true when it had been active. */
    template <class Rep, class Period>
    bool reset(std::chrono::duration<Rep, Period> d) noexcept {
        return go_timer_reset(t_, to_ns(d)) == 1;
    }
    const Chan<std::int64_t> &c() const noexcept { return c_; }

private:
    go_timer_t *t_;
    Chan<std::int64_t> c_;
};

/* time.Ticker: c() receives the monotonic time (ns) every period (a slow
 * receiver misses ticks, as in Go). A period <= 0 panics as Go's. */
class Ticker {
public:
    template <class Rep, class Period>
    explicit Ticker(std::chrono::duration<Rep, Period> period)
        : t_(detail::check_handle(go_ticker_new(to_ns(period)), "gort::Ticker")),
          c_(Chan<std::int64_t>::adopt(go_ticker_chan(t_), false)) {}
    ~Ticker() { go_ticker_free(t_); }
    Ticker(const Ticker &) = delete;
    Ticker &operator=(const Ticker &) = delete;
    void stop() noexcept { go_ticker_stop(t_); }
    template <class Rep, class Period>
    void reset(std::chrono::duration<Rep, Period> period) noexcept {
        go_ticker_reset(t_, to_ns(period));
    }
    const Chan<std::int64_t> &c() const noexcept { return c_; }

private:
    go_ticker_t *t_;
    Chan<std::int64_t> c_;
};

}  // namespace gort

#endif /* GORT_HPP */
