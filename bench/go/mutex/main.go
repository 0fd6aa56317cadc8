// mutex: the cost of a lock/unlock pair on a contended sync.Mutex.
//
// gort's own copy of the Go twin of bench/mutex.c (the same program as
// shared/peers/go/mutex, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: mutex [N=10000000] [G=2]   (meant for GOMAXPROCS=2)
//
// G goroutines share one sync.Mutex and one counter; each takes the lock,
// increments the counter and releases the lock N/G times (integer division:
// N/G*G pairs in all), and a WaitGroup waits for them. With two or more Ps
// the lock is really contended, so spinning, parking and starvation mode
// all show up. The counter must come out at N/G*G (exit 1 otherwise). A G
// larger than N leaves nothing to do: 0 pairs, and the division gives +Inf.
//
// Stdout: "%.1f ns/op" (the total time / (N/G*G)). Stderr: one diagnostics
// line, its N being N/G*G. An argument must be a decimal integer > 0; a bad
// one prints `bad argument "..."`, exit 2.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// argInt returns os.Args[i] as a positive int, or def when it is absent.
func argInt(i, def int) int {
	if i >= len(os.Args) {
		return def
	}
	n, err := strconv.Atoi(os.Args[i])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
		os.Exit(2)
	}
	return n
}

func main() {
	n := argInt(1, 10000000)
	workers := argInt(2, 2)
	each := n / workers
	ops := each * workers

	var (
		lock    sync.Mutex
		counter int // guarded by lock
		wg      sync.WaitGroup
	)
	wg.Add(workers)
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				lock.Lock()
				counter++
				lock.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	total := time.Since(t0)

	if counter != ops {
		fmt.Fprintf(os.Stderr, "mutex: shared=%d want %d\n", counter, ops)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "mutex: N=%d G=%d GOMAXPROCS=%d total=%v\n", ops, workers, runtime.GOMAXPROCS(0), total)
	fmt.Printf("%.1f ns/op\n", float64(total.Nanoseconds())/float64(ops))
}
