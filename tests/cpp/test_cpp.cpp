// test_cpp.cpp - the C++ API (include/gort.hpp): goroutines from lambdas,
// argument and capture rules, ownership of everything the layer allocates
// (each value destroyed exactly once, on every path: return, Goexit,
// recovered panic, C++ exception, values left in a channel), defer guards,
// panics <-> exceptions, typed channels and select, sync with the standard
// lock adaptors, and timers with std::chrono.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
extern "C" {
#include <cmocka.h>
}

#include <gort.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include "../gort_test.h"
}

using namespace std::chrono_literals;

namespace {

// An owning value: `live` counts the objects that own something (a
// moved-from one owns nothing, like a moved-from std::string), so "every
// value destroyed exactly once" is live == 0 at the end, and a double
// destruction shows as a negative count.
struct Counted {
    static std::atomic<int> live;
    int v;
    explicit Counted(int x) : v(x) { live++; }
    Counted(const Counted &o) : v(o.v) {
        if (v != -1) live++;
    }
    Counted(Counted &&o) noexcept : v(o.v) { o.v = -1; }
    Counted &operator=(const Counted &) = delete;
    ~Counted() {
        if (v != -1) live--;
    }
};
std::atomic<int> Counted::live{0};

// Run f in a goroutine and wait for it.
template <class F>
void in_goroutine(F f) {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
        f();
        wg.done();
    });
    wg.wait();
}

// ---------------------------------------------------------------- goroutines

void test_go_arguments_at_spawn_captures_at_run(void **) {
    in_goroutine([] {
        int x = 1;
        int by_arg = 0, by_ref = 0;
        gort::Chan<int> start(0);
        gort::WaitGroup wg;
        wg.add(1);
        // Go: `go func(a int) { <-start; by_arg = a; by_ref = x }(x)`
        gort::go([&](int a) {
            start.recv();
            by_arg = a;
            by_ref = x;
            wg.done();
        }, x);
        x = 2;
        start.send(0);
        wg.wait();
        assert_int_equal(by_arg, 1);
        assert_int_equal(by_ref, 2);
    });
}

void test_callables_destroyed_once_on_every_path(void **) {
    assert_int_equal(Counted::live.load(), 0);
    in_goroutine([] {
        gort::WaitGroup wg;
        std::atomic<int> ran{0};
        // normal return; a heap callable (a std::string and a Counted inside)
        wg.add(3);
        gort::go([&wg, &ran, s = std::string(100, 'x'), c = Counted(1)] {
            ran += s.size() == 100 && c.v == 1;
            wg.done();
        });
        // Goexit: the deferred calls run, the callable too is released
        gort::go([&wg, &ran, c = Counted(2)] {
            auto d = gort::defer([&] { wg.done(); });
            ran += c.v == 2;
            gort::exit();
        });
        // a panic recovered in the body: the body returns normally
        gort::go([&wg, &ran, c = Counted(3)] {
            auto d = gort::defer([&] {
                ran += gort::recover().has_value();
                wg.done();
            });
            gort::panic("in the body");
        });
        wg.wait();
        assert_int_equal(ran.load(), 3);
        // arguments are copies the goroutine owns
        wg.add(1);
        Counted arg(4);
        gort::go([&wg](const Counted &c) {
            assert_int_equal(c.v, 4);
            wg.done();
        }, arg);
        wg.wait();
    });
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
    assert_int_equal(Counted::live.load(), 0);
}

void test_go_move_only_argument(void **) {
    in_goroutine([] {
        gort::WaitGroup wg;
        int got = 0;
        wg.add(1);
        gort::go([&](std::unique_ptr<Counted> p, std::string s) {
            got = p->v + static_cast<int>(s.size());
            wg.done();
        }, std::make_unique<Counted>(40), std::string("ab"));
        wg.wait();
        assert_int_equal(got, 42);
    });
    // The body's parameters (the unique_ptr) die when the call returns,
    // after wg.done(): wait for the goroutine to end before counting.
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
    assert_int_equal(Counted::live.load(), 0);
}

void test_inline_callable_32_bytes(void **) {
    in_goroutine([] {
        gort::WaitGroup wg;
        long a = 1, b = 5;
        long sum = 0;
        wg.add(1);
        auto f = [&sum, a, b, &wg] {
            sum = a + b;
            wg.done();
        };
        static_assert(gort::detail::travels_inline<decltype(f)>, "32 trivially copyable bytes travel inline");
        gort::go(f);
        wg.wait();
        assert_int_equal(sum, 6);
    });
}

void test_go_with_name_and_stack(void **) {
    in_goroutine([] {
        gort::options o;
        o.name = "cpp-worker";
        o.stack_size = 256 * 1024;
        std::string seen;
        gort::WaitGroup wg;
        wg.add(1);
        gort::go_with(o, [&] {
            char big[128 * 1024];  // fits the larger stack
            big[0] = 1;
            seen = std::string(go_name()) + (big[0] == 1 ? "" : "?");
            wg.done();
        });
        wg.wait();
        assert_string_equal(seen.c_str(), "cpp-worker");
    });
}

void test_main_from_goroutine_is_eperm(void **) {
    in_goroutine([] { assert_int_equal(gort::main([] {}), GO_EPERM); });
}

void test_exit_outside_goroutine_throws(void **) {
    bool threw = false;
    try {
        gort::exit();
    } catch (const gort::error &e) {
        threw = e.gort_code() == GO_EPERM && e.code() == std::errc::operation_not_permitted;
    }
    assert_true(threw);
}

void test_pinned_goroutine_owns_its_callable(void **) {
    in_goroutine([] {
        gort::WaitGroup wg;
        wg.add(1);
        int pinned = 0;
        gort::go_pinned([&wg, &pinned, c = Counted(5)] {
            pinned = go_is_pinned() && c.v == 5;
            wg.done();
        });
        wg.wait();
        assert_int_equal(pinned, 1);
    });
    // the callable dies before the pinned goroutine stops counting
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
    assert_int_equal(Counted::live.load(), 0);
}

// ---------------------------------------------------------------- defer

void test_defer_guards_run_at_scope_exit_in_reverse(void **) {
    in_goroutine([] {
        std::string log;
        {
            auto a = gort::defer([&] { log += "a"; });
            {
                auto b = gort::defer([&] { log += "b"; });
                log += "1";
            }
            log += "2";
            auto c = gort::defer([&] { log += "c"; });
        }
        assert_string_equal(log.c_str(), "1b2ca");
    });
}

struct LogArg {
    std::string *log;
    const char *s;
};
void log_deferred(void *p) {
    auto *a = static_cast<LogArg *>(p);
    *a->log += a->s;
}

void test_defer_guard_beside_c_defers(void **) {
    in_goroutine([] {
        std::string log;
        LogArg late{&log, "C"};
        gort::call([&] {
            {
                auto g = gort::defer([&] { log += "g"; });
                defer_push(log_deferred, &late);  // frame-scoped: runs when the call ends
                log += "1";
            }
            log += "2";
        });
        assert_string_equal(log.c_str(), "1g2C");
    });
}

void test_defer_run_c_api(void **) {
    in_goroutine([] {
        std::string log;
        LogArg a{&log, "a"}, b{&log, "b"};
        gort::call([&] {
            assert_int_equal(defer_push(log_deferred, &a), 0);
            assert_int_equal(defer_push(log_deferred, &b), 0);
            assert_int_equal(defer_run(log_deferred, &a), 1);  // not the newest: b stays pending
            assert_string_equal(log.c_str(), "a");
            assert_int_equal(defer_run(log_deferred, &a), 0);  // ran already
            assert_int_equal(defer_run(nullptr, &a), GO_EINVAL);
            log += "|";
        });
        assert_string_equal(log.c_str(), "a|b");
    });
    // a thread with no frame has nothing to run
    LogArg x{nullptr, ""};
    assert_int_equal(defer_run(log_deferred, &x), 0);
}

void test_defer_guard_recovers_panic(void **) {
    in_goroutine([] {
        std::string log;
        std::string msg;
        bool recovered = gort::call([&] {
            auto outer = gort::defer([&] { log += "outer"; });
            auto r = gort::defer([&] {
                auto v = gort::recover();
                if (v) msg = v->text();
                log += "recover,";
            });
            log += "before,";
            gort::panic(std::string("boom"));
        });
        assert_true(recovered);
        assert_string_equal(log.c_str(), "before,recover,outer");
        assert_string_equal(msg.c_str(), "boom");
        // recover outside a panic: nothing
        assert_false(gort::recover().has_value());
    });
}

// After a recovery, the remaining guards of the frame still see the locals
// of the function that panicked: they run before the jump discards it, in
// order with the frame's other deferred calls.
void test_guards_after_recovery_see_live_locals(void **) {
    in_goroutine([] {
        static std::string log;
        log.clear();
        static LogArg c_call{&log, "C"};
        bool recovered = gort::call([] {
            defer_push(log_deferred, &c_call);  // static argument: runs after the landing
            std::string local = "local";
            Counted c(20);
            auto g1 = gort::defer([&] { log += local + "+" + std::to_string(c.v) + ","; });
            auto g2 = gort::defer([&] {
                auto r = gort::recover();
                log += r ? "recovered," : "none,";
            });
            std::string deeper = "deeper";
            auto inner = [&] {
                auto g3 = gort::defer([&] { log += deeper + ","; });
                gort::panic("p");
            };
            inner();
        });
        assert_true(recovered);
        assert_string_equal(log.c_str(), "deeper,recovered,local+20,C");
    });
    // the recovery skipped Counted's destructor (THE JUMP): its count stays
    Counted::live = 0;
}

void test_go_call_alias(void **) {
    in_goroutine([] {
        bool plain = gort::go_call([] {});
        bool recovered = gort::go_call([] {
            auto r = gort::defer([] { gort::recover(); });
            gort::panic("p");
        });
        assert_false(plain);
        assert_true(recovered);
    });
}

void test_defer_guard_runs_during_exception(void **) {
    in_goroutine([] {
        std::string log;
        try {
            auto g = gort::defer([&] { log += "guard,"; });
            Counted c(7);
            throw std::runtime_error("unwind");
        } catch (const std::runtime_error &e) {
            log += e.what();
        }
        assert_string_equal(log.c_str(), "guard,unwind");
        assert_int_equal(Counted::live.load(), 0);
    });
}

void test_defer_guard_on_plain_thread(void **) {
    // no frame: a plain scope guard
    int n = 0;
    {
        auto g = gort::defer([&] { n++; });
    }
    assert_int_equal(n, 1);
}

// -------------------------------------------------------- panics, exceptions

void test_exception_becomes_panic(void **) {
    in_goroutine([] {
        std::string msg, log;
        bool recovered = gort::call([&] {
            auto r = gort::defer([&] {
                auto v = gort::recover();
                if (v) msg = v->text();
            });
            // The exception unwinds the inner function (its guard runs, as
            // C++ unwinding runs it: no panic yet), then becomes a panic at
            // the gort::call boundary, which the outer guard recovers.
            gort::call([&] {
                auto g = gort::defer([&] { log += gort::recover() ? "recovered?" : "unwound"; });
                Counted c(8);
                throw std::runtime_error("bad input");
            });
            log += " not reached";
        });
        assert_true(recovered);
        assert_string_equal(msg.c_str(), "bad input");
        assert_string_equal(log.c_str(), "unwound");
        assert_int_equal(Counted::live.load(), 0);
    });
}

struct MyError {
    int code;
    Counted c;
    std::string what() const { return "my error " + std::to_string(code); }
};

void test_typed_panic_value(void **) {
    in_goroutine([] {
        int code = 0;
        bool other = true;
        std::string text;
        gort::call([&] {
            auto r = gort::defer([&] {
                auto v = gort::recover();
                if (!v) return;
                if (MyError *e = v->value_as<MyError>()) code = e->code;
                other = v->value_as<int>() != nullptr;
                text = v->text();
            });
            gort::panic_value(MyError{42, Counted(9)});
        });
        assert_int_equal(code, 42);
        assert_false(other);
        // recover runs no user code: Go's "(type) address" text
        assert_true(text.rfind("(MyError) 0x", 0) == 0 ||
                    text.rfind("((anonymous namespace)::MyError) 0x", 0) == 0);
        // the value was destroyed when the recovering frame ended
        assert_int_equal(Counted::live.load(), 0);
    });
}

void test_panic_nil(void **) {
    in_goroutine([] {
        bool nil = false;
        gort::call([&] {
            auto r = gort::defer([&] {
                auto v = gort::recover();
                nil = v && v->is_nil() && v->text() == "nil";
            });
            gort::panic(nullptr);
        });
        assert_true(nil);
    });
}

// ---------------------------------------------------------------- channels

void test_chan_values_destroyed_once(void **) {
    in_goroutine([] {
        {
            gort::Chan<Counted> ch(8);
            for (int i = 0; i < 5; i++) ch.send(Counted(i));
            assert_int_equal(ch.len(), 5);
            assert_int_equal(ch.cap(), 8);
            auto v = ch.recv();
            assert_true(v && v->v == 0);
            assert_int_equal(Counted::live.load(), 5);
            gort::Chan<Counted> copy = ch;  // the same channel
            assert_true(copy == ch);
        }  // 4 left in the buffer: destroyed with the last handle
        assert_int_equal(Counted::live.load(), 0);
    });
}

// The first copy of a handle installs the shared count with a CAS: many
// goroutines copying the same (so far unshared) handle at once must agree
// on one count, and the channel must live until the last copy is gone.
void test_chan_concurrent_first_copies(void **) {
    in_goroutine([] {
        for (int round = 0; round < 20; round++) {
            auto *ch = new gort::Chan<Counted>(64);  // never copied yet
            gort::WaitGroup wg;
            for (int g = 0; g < 8; g++) {
                wg.add(1);
                gort::go([ch, &wg, g] {
                    for (int i = 0; i < 50; i++) {
                        gort::Chan<Counted> copy(*ch);  // races with the others' first copies
                        if (i % 10 == 0) copy.send(Counted(g));
                        if (i % 7 == 0) gort::yield();
                    }
                    wg.done();
                });
            }
            wg.wait();
            gort::Chan<Counted> last(*ch);
            delete ch;  // `last` keeps the channel alive
            assert_int_equal(last.len(), 40);
            assert_true(last.recv().has_value());
        }  // each round's 39 buffered values die with its last handle
        assert_int_equal(Counted::live.load(), 0);
    });
}

void test_chan_move_only_and_range(void **) {
    in_goroutine([] {
        gort::Chan<std::unique_ptr<std::string>> ch(0);
        gort::go([ch] {
            for (int i = 0; i < 100; i++) ch.send(std::make_unique<std::string>(std::to_string(i)));
            ch.close();
        });
        long sum = 0;
        int n = 0;
        for (auto &p : ch) {
            // Not std::stol: it saves and restores errno, whose address the
            // compiler keeps across the loop's blocking receives, so after
            // a migration it would write another thread's errno (a race
            // TSan reports; see "errno and thread_local" in gort.hpp).
            long v = 0;
            for (char d : *p) v = v * 10 + (d - '0');
            sum += v;
            n++;
        }
        assert_int_equal(n, 100);
        assert_int_equal(sum, 4950);
        // closed and drained: nullopt, as Go's ok == false
        assert_false(ch.recv().has_value());
        bool closed = false;
        assert_false(ch.try_recv(&closed).has_value());
        assert_true(closed);
    });
}

void test_chan_direct_values(void **) {
    in_goroutine([] {
        struct Point {
            int x, y;
        };
        gort::Chan<Point> ch(2);
        assert_int_equal(chan_elem_size(ch.native_handle()), static_cast<int>(sizeof(Point)));
        assert_true(ch.try_send(Point{1, 2}));
        assert_true(ch.try_send(Point{3, 4}));
        assert_false(ch.try_send(Point{5, 6}));  // full
        Point p = *ch.recv();
        assert_int_equal(p.x + p.y, 3);
        bool closed = true;
        p = *ch.try_recv(&closed);
        assert_false(closed);
        assert_int_equal(p.x + p.y, 7);
        assert_false(ch.try_recv(&closed).has_value());  // empty, not closed
        assert_false(closed);
    });
}

void test_chan_send_on_closed_panics_as_go(void **) {
    in_goroutine([] {
        for (int boxed = 0; boxed < 2; boxed++) {
            std::string msg;
            bool runtime_error = false;
            gort::Chan<Counted> cc(1);
            gort::Chan<int> ci(1);
            bool recovered = gort::call([&] {
                auto r = gort::defer([&] {
                    auto v = gort::recover();
                    if (v) msg = v->text(), runtime_error = v->runtime_error;
                });
                if (boxed) {
                    cc.close();
                    cc.send(Counted(10));
                } else {
                    ci.close();
                    ci.send(1);
                }
            });
            assert_true(recovered);
            assert_string_equal(msg.c_str(), "send on closed channel");
            assert_true(runtime_error);
            assert_int_equal(Counted::live.load(), 0);
        }
        // close of a closed and of the nil channel
        std::string msgs;
        for (int nil = 0; nil < 2; nil++) {
            gort::Chan<int> ch = nil ? gort::Chan<int>() : gort::Chan<int>(0);
            if (!nil) ch.close();
            gort::call([&] {
                auto r = gort::defer([&] {
                    auto v = gort::recover();
                    if (v) msgs += v->text() + ";";
                });
                ch.close();
            });
        }
        assert_string_equal(msgs.c_str(), "close of closed channel;close of nil channel;");
    });
}

void test_chan_errors_throw(void **) {
    bool threw = false;
    try {
        gort::Chan<int> ch(static_cast<std::size_t>(INT32_MAX) + 1);
    } catch (const gort::error &e) {
        threw = e.code() == std::errc::invalid_argument;
    }
    assert_true(threw);
}

void test_select_typed_cases(void **) {
    in_goroutine([] {
        gort::Chan<Counted> in(1), out(0);
        gort::Chan<int> never;  // nil: never ready
        in.send(Counted(11));
        int got = 0;
        // ready receive; the unready send's value is destroyed unsent
        int idx = gort::select(gort::on_recv(never, [&](std::optional<int>) { got = -1; }),
                               gort::on_recv(in, [&](std::optional<Counted> v) { got = v ? v->v : -2; }),
                               gort::on_send(out, Counted(12), [&] { got = -3; }));
        assert_int_equal(idx, 1);
        assert_int_equal(got, 11);
        assert_int_equal(Counted::live.load(), 0);
        // nothing ready: default
        idx = gort::select(gort::on_recv(in), gort::on_send(out, Counted(13)), gort::on_default([&] { got = 99; }));
        assert_int_equal(idx, 2);
        assert_int_equal(got, 99);
        assert_int_equal(Counted::live.load(), 0);
        // a send case taken by a receiver in another goroutine
        gort::WaitGroup wg;
        wg.add(1);
        int received = 0;
        gort::go([&] {
            received = out.recv()->v;
            wg.done();
        });
        idx = gort::select(gort::on_recv(never), gort::on_send(out, Counted(14), [&] { got = 14; }));
        wg.wait();
        assert_int_equal(idx, 1);
        assert_int_equal(got, 14);
        assert_int_equal(received, 14);
        // a closed channel's receive case: nullopt
        in.close();
        bool closed = false;
        gort::select(gort::on_recv(in, [&](std::optional<Counted> v) { closed = !v; }));
        assert_true(closed);
        // a send case on a closed channel panics, its value destroyed
        std::string msg;
        out.close();
        gort::call([&] {
            auto r = gort::defer([&] {
                auto v = gort::recover();
                if (v) msg = v->text();
            });
            gort::select(gort::on_recv(never), gort::on_send(out, Counted(15)));
        });
        assert_string_equal(msg.c_str(), "send on closed channel");
    });
    assert_int_equal(Counted::live.load(), 0);
}

// ---------------------------------------------------------------- sync

void test_mutex_with_std_locks(void **) {
    in_goroutine([] {
        gort::Mutex mu;
        gort::RWMutex rw;
        long counter = 0, reads = 0;
        gort::WaitGroup wg;
        for (int g = 0; g < 4; g++) {
            wg.add(1);
            gort::go([&] {
                for (int i = 0; i < 1000; i++) {
                    {
                        std::lock_guard<gort::Mutex> lock(mu);
                        counter++;
                    }
                    if (i % 10 == 0) {
                        std::unique_lock<gort::RWMutex> w(rw);
                        reads++;
                    } else {
                        std::shared_lock<gort::RWMutex> r(rw);
                        gort::yield();
                    }
                }
                wg.done();
            });
        }
        wg.wait();
        assert_int_equal(counter, 4000);
        assert_int_equal(reads, 400);
        std::unique_lock<gort::Mutex> l(mu, std::try_to_lock);
        assert_true(l.owns_lock());
        assert_false(mu.try_lock());
    });
}

void test_once_and_cond(void **) {
    in_goroutine([] {
        gort::Once once;
        std::atomic<int> calls{0};
        gort::WaitGroup wg;
        gort::Mutex mu;
        gort::Cond cond(mu);
        int ready = 0;
        for (int g = 0; g < 8; g++) {
            wg.add(1);
            gort::go([&] {
                once.call([&] { calls++; });
                std::lock_guard<gort::Mutex> l(mu);
                ready++;
                cond.broadcast();
                wg.done();
            });
        }
        {
            std::lock_guard<gort::Mutex> l(mu);
            cond.wait([&] { return ready == 8; });
        }
        wg.wait();
        assert_int_equal(calls.load(), 1);
        // a panic in the function counts as done, and goes on
        gort::Once o2;
        bool recovered = gort::call([&] {
            auto r = gort::defer([] { gort::recover(); });
            o2.call([] { gort::panic("once"); });
        });
        assert_true(recovered);
        int again = 0;
        o2.call([&] { again++; });
        assert_int_equal(again, 0);
    });
}

// ---------------------------------------------------------------- timers

void test_timers_with_chrono(void **) {
    in_goroutine([] {
        std::int64_t start = gort::nanotime();
        gort::sleep(2ms);
        assert_true(gort::nanotime() - start >= 2000000);
        gort::Timer t(5ms);
        std::int64_t fired = *t.c().recv();
        assert_true(fired - start >= 5000000);
        assert_false(t.stop());  // fired already
        assert_false(t.reset(1h));
        assert_true(t.stop());
        auto a = gort::after(1ms);
        assert_true(*a.recv() - start >= 1000000);
        gort::Ticker tick(1ms);
        for (int i = 0; i < 3; i++) tick.c().recv();
        tick.stop();
        // select with a timeout, Go's idiom
        gort::Chan<int> never(0);
        int idx = gort::select(gort::on_recv(never), gort::on_recv(gort::after(2ms)));
        assert_int_equal(idx, 1);
    });
}

}  // namespace

int main() {
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_go_arguments_at_spawn_captures_at_run),
        TU_TEST(test_callables_destroyed_once_on_every_path),
        TU_TEST(test_go_move_only_argument),
        TU_TEST(test_inline_callable_32_bytes),
        TU_TEST(test_go_with_name_and_stack),
        TU_TEST(test_main_from_goroutine_is_eperm),
        TU_TEST(test_exit_outside_goroutine_throws),
        TU_TEST(test_pinned_goroutine_owns_its_callable),
        TU_TEST(test_defer_guards_run_at_scope_exit_in_reverse),
        TU_TEST(test_defer_guard_beside_c_defers),
        TU_TEST(test_defer_run_c_api),
        TU_TEST(test_defer_guard_recovers_panic),
        TU_TEST(test_guards_after_recovery_see_live_locals),
        TU_TEST(test_go_call_alias),
        TU_TEST(test_defer_guard_runs_during_exception),
        TU_TEST(test_defer_guard_on_plain_thread),
        TU_TEST(test_exception_becomes_panic),
        TU_TEST(test_typed_panic_value),
        TU_TEST(test_panic_nil),
        TU_TEST(test_chan_values_destroyed_once),
        TU_TEST(test_chan_concurrent_first_copies),
        TU_TEST(test_chan_move_only_and_range),
        TU_TEST(test_chan_direct_values),
        TU_TEST(test_chan_send_on_closed_panics_as_go),
        TU_TEST(test_chan_errors_throw),
        TU_TEST(test_select_typed_cases),
        TU_TEST(test_mutex_with_std_locks),
        TU_TEST(test_once_and_cond),
        TU_TEST(test_timers_with_chrono),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, nullptr);
}
