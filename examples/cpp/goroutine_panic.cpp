// goroutine_panic.cpp - examples/defer/goroutine_panic.c in C++: a panic
// stays in its goroutine. Worker 1 panics; its gort::defer guards run
// during the panic (innermost first), one of them recovers, and the
// goroutine ends normally; worker 0 never notices. Same output as
// goroutine_panic.c.
#include <gort.hpp>

#include <cstdio>
#include <string>

int main() {
    return gort::main([] {
        std::string results[2];
        gort::WaitGroup wg, recovered;
        wg.add(2);
        recovered.add(1);
        gort::go([&] {
            auto d = gort::defer([&] { wg.done(); });
            recovered.wait();
            results[0] = "worker 0 finished normally";
        });
        gort::go([&] {
            auto d1 = gort::defer([&] { wg.done(); });
            auto d2 = gort::defer([&] { recovered.done(); });
            auto d3 = gort::defer([&] {
                if (auto r = gort::recover()) results[1] = "worker 1 recovered: " + r->text();
            });
            gort::panic("worker 1 failed");
        });
        wg.wait();
        for (const std::string &r : results) std::printf("%s\n", r.c_str());
        std::printf("main: all workers done\n");
        // The WaitGroups are destroyed with main's frame: a worker may still
        // be inside done().
        while (gort::num_goroutine() > 1) gort::yield();
    }) < 0;
}
