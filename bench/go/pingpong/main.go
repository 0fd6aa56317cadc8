// pingpong: the cost of a round trip over two unbuffered channels.
//
// gort's own copy of the Go twin of bench/pingpong.c (the same program as
// shared/peers/go/pingpong, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: pingpong [N=1000000] [PAIRS=1]   (set GOMAXPROCS in the environment)
//
// Main sends a number on ping and receives it back, plus one, on pong, N
// times; an echo goroutine ranges over ping until main closes it. With one
// P a round trip is two rendezvous and two goroutine switches; with two the
// goroutines may run on different threads and a round trip includes waking
// (or spinning for) a parked thread. Only the loop is timed.
//
// PAIRS > 1 (bench/scaling.sh; an argument the reference program does not
// have): PAIRS independent pairs, each a driver goroutine and its echo on
// their own two channels, each making N/PAIRS round trips; the time from
// starting the drivers to the last one's end, divided by the round trips
// made, is printed. N must be >= PAIRS (exit 2 otherwise).
//
// Stdout: "%.1f ns/roundtrip" (the loop's time / N). Stderr: one diagnostics
// line. The number must come back as N (exit 1 otherwise). An argument must
// be a decimal integer > 0; a bad one prints `bad argument "..."`, exit 2.
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

// startPair makes a pair's channels and starts its echo, which ranges over
// ping until it is closed.
func startPair() (ping, pong chan int) {
	ping, pong = make(chan int), make(chan int)
	go func() {
		for x := range ping {
			pong <- x + 1
		}
	}()
	return ping, pong
}

// roundTrips makes n round trips with a pair's echo.
func roundTrips(ping, pong chan int, n int) {
	x := 0
	for i := 0; i < n; i++ {
		ping <- x
		x = <-pong
	}
	if x != n {
		fmt.Fprintf(os.Stderr, "pingpong: wrong result %d\n", x)
		os.Exit(1)
	}
}

func main() {
	n := argInt(1, 1000000)
	pairs := argInt(2, 1)
	if pairs > n {
		fmt.Fprintf(os.Stderr, "pingpong: PAIRS (%d) must not exceed N (%d)\n", pairs, n)
		os.Exit(2)
	}
	total := n
	var el time.Duration
	if pairs == 1 {
		// The echo side: started before the clock, ends when ping is closed.
		ping, pong := startPair()
		t0 := time.Now()
		roundTrips(ping, pong, n)
		el = time.Since(t0)
		close(ping)
	} else {
		per := n / pairs
		total = per * pairs
		var wg sync.WaitGroup
		wg.Add(pairs)
		t0 := time.Now()
		for j := 0; j < pairs; j++ {
			go func() {
				ping, pong := startPair()
				roundTrips(ping, pong, per)
				close(ping)
				wg.Done()
			}()
		}
		wg.Wait()
		el = time.Since(t0)
	}

	if pairs == 1 {
		fmt.Fprintf(os.Stderr, "pingpong: N=%d GOMAXPROCS=%d total=%v\n", total, runtime.GOMAXPROCS(0), el)
	} else {
		fmt.Fprintf(os.Stderr, "pingpong: N=%d pairs=%d GOMAXPROCS=%d total=%v\n", total, pairs, runtime.GOMAXPROCS(0), el)
	}
	fmt.Printf("%.1f ns/roundtrip\n", float64(el.Nanoseconds())/float64(total))
}
