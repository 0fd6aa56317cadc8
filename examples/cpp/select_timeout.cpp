// select_timeout.cpp - examples/chan/select_timeout.c in C++: wait for a
// result, but not forever (select over typed cases with a timer, and a
// default case). Same output as select_timeout.c.
#include <gort.hpp>

#include <cstdio>

using namespace std::chrono_literals;

int main() {
    return gort::main([] {
        struct none {};
        gort::Chan<none> gate(0);  // chan struct{}: closed by main to let the slow operation finish
        gort::Chan<int> res(1);    // results: capacity 1, so a late sender never blocks

        // 1. The timeout wins.
        gort::go([gate, res] {
            gate.recv();  // returns once main closes it
            res.send(1);
        });
        gort::select(gort::on_recv(res, [](std::optional<int> v) { std::printf("slow: result %d\n", *v); }),
                     gort::on_recv(gort::after(50ms), [](auto) { std::printf("slow: timed out after 50ms\n"); }));
        gate.close();  // now let it finish
        std::printf("slow: finished later with %d\n", *res.recv());

        // 2. The result wins; the timer is stopped before it fires.
        gort::go([res] { res.send(42); });
        gort::Timer timer(10s);
        gort::select(gort::on_recv(res, [](std::optional<int> v) { std::printf("fast: result %d before the timeout\n", *v); }),
                     gort::on_recv(timer.c(), [](auto) { std::printf("fast: timed out\n"); }));
        std::printf("fast: timer stopped: %s\n", timer.stop() ? "true" : "false");

        // 3. Nothing is ready: the default case runs at once.
        gort::select(gort::on_recv(res, [](std::optional<int> v) { std::printf("poll: result %d\n", *v); }),
                     gort::on_default([] { std::printf("poll: nothing ready, default case\n"); }));
    }) < 0;
}
