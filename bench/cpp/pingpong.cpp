// pingpong (C++ API): bench/pingpong.c with gort.hpp - main and an echo
// goroutine pass an int64 back and forth over two unbuffered Chan<int64_t>.
#include "bench_cpp.hpp"

int main(int argc, char **argv) {
    long long n = bench::arg_int(argc, argv, 1, 1000000);
    int rc = gort::main([n] {
        // Not destroyed: the echo goroutine may still be in recv() when main
        // returns (as the C twin).
        auto *ping = new gort::Chan<std::int64_t>(0);
        auto *pong = new gort::Chan<std::int64_t>(0);
        gort::go([ping, pong] {
            for (std::int64_t v : *ping) pong->send(v + 1);  // for v := range ping
        });
        std::int64_t v = 0;
        std::int64_t start = bench::now_ns();
        for (long long i = 0; i < n; i++) {
            ping->send(v);
            v = *pong->recv();
        }
        std::int64_t el = bench::now_ns() - start;
        ping->close();
        if (v != n) bench::fail("pingpong", "wrong result " + std::to_string(v));
        std::fprintf(stderr, "pingpong (C++): N=%lld GOMAXPROCS=%d\n", n, gort::gomaxprocs());
        bench::result(static_cast<double>(el) / static_cast<double>(n), "ns/roundtrip");
    });
    if (rc < 0) bench::fail("pingpong", go_strerror(rc));
    return std::fflush(stdout) != 0;
}
