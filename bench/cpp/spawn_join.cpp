// spawn_join (C++ API): bench/spawn_join.c with gort.hpp - spawn N
// goroutines from a lambda that calls wg.done(), wait for all. Same
// arguments and output line as the C program; bench/cpp/run.sh compares
// the two.
#include "bench_cpp.hpp"

int main(int argc, char **argv) {
    long long n = bench::arg_int(argc, argv, 1, 1000000);
    int rc = gort::main([n] {
        // Not destroyed: a worker may still be inside done() when wait()
        // returns, and the program ends with main (as the C twin).
        auto *wg = new gort::WaitGroup;
        std::int64_t start = bench::now_ns();
        for (long long i = 0; i < n; i++) {
            wg->add(1);
            gort::go([wg] { wg->done(); });
        }
        wg->wait();
        std::int64_t el = bench::now_ns() - start;
        std::fprintf(stderr, "spawn_join (C++): N=%lld GOMAXPROCS=%d\n", n, gort::gomaxprocs());
        bench::result(static_cast<double>(el) / static_cast<double>(n), "ns/goroutine");
    });
    if (rc < 0) bench::fail("spawn_join", go_strerror(rc));
    return std::fflush(stdout) != 0;
}
