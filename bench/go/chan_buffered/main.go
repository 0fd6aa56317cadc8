// chan_buffered: the cost of one item through a buffered channel.
//
// gort's own copy of the Go twin of bench/chan_buffered.c (the same program
// as shared/peers/go/chan_buffered, kept here so that bench/run.sh works
// from any clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: chan_buffered [N=10000000] [CAP=128]   (set GOMAXPROCS in the
// environment)
//
// A producer goroutine sends 0..N-1 into a channel of capacity CAP and
// closes it; main ranges over the channel and adds the values up. With one
// P the two take turns, about a buffer's worth at a time; with two they run
// at once and the cost includes the channel lock moving between threads
// and parking whenever one side outruns the other. The sum must be
// N(N-1)/2 (exit 1 otherwise).
//
// Stdout: "%.1f ns/item" (the total time / N, from starting the producer to
// the channel running dry). Stderr: one diagnostics line. An argument must
// be a decimal integer > 0; a bad one prints `bad argument "..."`, exit 2.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
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
	size := argInt(2, 128)
	items := make(chan int, size)

	t0 := time.Now()
	go func() {
		for v := 0; v < n; v++ {
			items <- v
		}
		close(items)
	}()
	sum := 0
	for v := range items {
		sum += v
	}
	total := time.Since(t0)

	if want := n * (n - 1) / 2; sum != want {
		fmt.Fprintf(os.Stderr, "chan_buffered: sum=%d want %d\n", sum, want)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "chan_buffered: N=%d cap=%d GOMAXPROCS=%d total=%v\n", n, size, runtime.GOMAXPROCS(0), total)
	fmt.Printf("%.1f ns/item\n", float64(total.Nanoseconds())/float64(n))
}
