// hello.cpp - examples/hello.c in C++ (include/gort.hpp): start goroutines
// from lambdas and wait for them with a WaitGroup. Each goroutine gets its
// own copy of i (a go statement's arguments are evaluated when it runs)
// and writes its own slot; main prints the slots in order. Same output as
// hello.c and go/hello.go.
#include <gort.hpp>

#include <cstdio>
#include <string>

int main() {
    return gort::main([] {
        constexpr int n = 10;
        std::string greetings[n];
        gort::WaitGroup wg;
        for (int i = 0; i < n; i++) {
            wg.add(1);
            gort::go([&greetings, &wg](int i) {  // like go greet(i)
                greetings[i] = "hello from goroutine " + std::to_string(i) + " (" + std::to_string(i) +
                               " squared is " + std::to_string(i * i) + ")";
                wg.done();
            }, i);
        }
        wg.wait();
        for (const std::string &g : greetings) std::printf("%s\n", g.c_str());

        // A goroutine that called done() may still be on its way out.
        while (gort::num_goroutine() > 1) gort::yield();
        std::printf("goroutines left: %d\n", gort::num_goroutine());
    }) < 0;
}
