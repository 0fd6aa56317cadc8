"""hello.py - start goroutines and wait for them with a WaitGroup.

The Python twin of examples/hello.c (same output, examples/expected/
hello.txt). gort.main runs real_main as the program's main goroutine, as
go_main does in C. It starts ten goroutines; each writes its greeting into
its own slot, so no two goroutines touch the same slot, and wg.wait()
guarantees that main sees every slot filled. Main prints the slots in
order: the output is the same whatever order the goroutines ran in.
"""

import gort

N = 10


def real_main():
    greetings = [None] * N
    wg = gort.WaitGroup()

    def greet(i):
        greetings[i] = "hello from goroutine %d (%d squared is %d)" % (i, i, i * i)
        wg.done()

    for i in range(N):
        wg.add(1)
        gort.go(greet, i)  # like go greet(i): i is evaluated now
    wg.wait()
    for g in greetings:
        print(g)

    # A goroutine that called wg.done() may still be on its way out: let
    # the others finish, then only main is left.
    while gort.num_goroutine() > 1:
        gort.gosched()
    print("goroutines left: %d" % gort.num_goroutine())


if __name__ == "__main__":
    gort.main(real_main)
