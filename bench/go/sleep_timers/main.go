// sleep_timers: many goroutines sleeping at once: the timer heap and the
// wake-up of a crowd of parked goroutines.
//
// gort's own copy of the Go twin of bench/sleep_timers.c (the same program
// as shared/peers/go/sleep_timers, kept here so that bench/run.sh works
// from any clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: sleep_timers [N=100000] [SLEEP_MS=10]   (set GOMAXPROCS in the
// environment)
//
// N goroutines each time.Sleep(SLEEP_MS ms) and then call wg.Done(); main
// adds 1 to the WaitGroup before each go statement and waits at the end.
// N timers go into the heap and all expire at about the same moment. The
// ideal wall time is a little over SLEEP_MS; what the spawning itself took
// is reported apart on stderr (spawn_phase).
//
// Stdout: "%.1f ms" (the wall time from the first go statement to Wait
// returning). Stderr: one diagnostics line. An argument must be a decimal
// integer > 0; a bad one prints `bad argument "..."`, exit 2.
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
	n := argInt(1, 100000)
	nap := time.Duration(argInt(2, 10)) * time.Millisecond

	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			time.Sleep(nap)
			wg.Done()
		}()
	}
	spawnPhase := time.Since(t0)
	wg.Wait()
	total := time.Since(t0)

	fmt.Fprintf(os.Stderr, "sleep_timers: N=%d sleep=%v GOMAXPROCS=%d spawn_phase=%v total=%v\n",
		n, nap, runtime.GOMAXPROCS(0), spawnPhase, total)
	fmt.Printf("%.1f ms\n", float64(total.Nanoseconds())/1e6)
}
