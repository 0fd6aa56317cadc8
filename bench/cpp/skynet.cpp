// skynet (C++ API): bench/skynet.c with gort.hpp - each node spawns ten
// children from a lambda and sums what they send on its Chan<int64_t>. The
// children hold a reference to their parent's channel (the parent receives
// every send before it returns), as the C twin passes the pointer.
#include "bench_cpp.hpp"

static void skynet(const gort::Chan<std::int64_t> &c, std::int64_t num, std::int64_t size, std::int64_t div) {
    std::int64_t sum = num;
    if (size > 1) {
        gort::Chan<std::int64_t> rc(0);
        sum = 0;
        for (std::int64_t i = 0; i < div; i++) {
            std::int64_t child = num + i * (size / div);
            gort::go([&rc, child, size, div] { skynet(rc, child, size / div, div); });
        }
        for (std::int64_t i = 0; i < div; i++) sum += *rc.recv();
    }
    c.send(sum);
}

int main(int argc, char **argv) {
    long long n = bench::arg_int(argc, argv, 1, 1000000);
    int rc = gort::main([n] {
        gort::Chan<std::int64_t> c(0);
        std::int64_t start = bench::now_ns();
        gort::go([&c, n] { skynet(c, 0, n, 10); });
        std::int64_t result = *c.recv();
        std::int64_t el = bench::now_ns() - start;
        if (result != n * (n - 1) / 2) bench::fail("skynet", "wrong result " + std::to_string(result));
        std::fprintf(stderr, "skynet (C++): N=%lld GOMAXPROCS=%d result=%lld\n", n, gort::gomaxprocs(),
                     static_cast<long long>(result));
        bench::result(static_cast<double>(el) / 1e6, "ms");
    });
    if (rc < 0) bench::fail("skynet", go_strerror(rc));
    return std::fflush(stdout) != 0;
}
