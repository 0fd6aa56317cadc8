// skynet.cpp - examples/chan/skynet.c in C++: a million-goroutine tree
// (100,000 leaves by default) that sums its leaves over typed channels.
// Each node spawns ten children that send their sums on the node's own
// channel. The children hold a reference to it: the parent outlives every
// send, as it receives all ten before it returns. Same output as skynet.c.
#include <gort.hpp>

#include <cstdio>
#include <cstdlib>

static void skynet(const gort::Chan<long long> &c, long long num, long long size, long long div) {
    long long sum = num;
    if (size > 1) {
        gort::Chan<long long> rc(0);  // make(chan int)
        for (long long i = 0; i < div; i++) {
            long long child = num + i * (size / div);
            gort::go([&rc, child, size, div] { skynet(rc, child, size / div, div); });
        }
        sum = 0;
        for (long long i = 0; i < div; i++) sum += *rc.recv();
    }
    c.send(sum);
}

int main(int argc, char **argv) {
    long long n = 100000;
    if (argc > 1) {
        char *end;
        n = std::strtoll(argv[1], &end, 10);
        if (*end != '\0' || n <= 0) {
            std::fprintf(stderr, "usage: skynet [N]  (N a power of 10)\n");
            return 2;
        }
    }
    return gort::main([n] {
        gort::Chan<long long> c(0);
        std::int64_t start = gort::nanotime();
        gort::go([&c, n] { skynet(c, 0, n, 10); });
        long long result = *c.recv();
        std::int64_t took = gort::nanotime() - start;
        std::printf("Result: %lld\n", result);
        std::fprintf(stderr, "Took %.3f ms\n", static_cast<double>(took) / 1e6);
    }) < 0;
}
