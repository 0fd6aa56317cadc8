// memory: how much resident memory one parked goroutine costs.
//
// gort's own copy of the Go twin of bench/memory.c (the same program as
// shared/peers/go/memory, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: memory [N=100000]
//
// VmRSS (from /proc/self/status) is read, N goroutines are started that each
// signal a WaitGroup and then block receiving from one shared channel, and
// VmRSS is read again once all of them are parked. Main then closes the
// channel and waits for them to finish, so that nothing is still running
// when the MemStats for the diagnostics line are read.
//
// Stdout: "%.0f B/goroutine" ((rss_after - rss_before) / N). Stderr: one
// diagnostics line with both readings and Go's StackInuse and Sys. An
// argument must be a decimal integer > 0; a bad one prints
// `bad argument "..."`, exit 2.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

// vmRSS returns the process's resident set size in bytes, from the "VmRSS:"
// line of /proc/self/status (given there in kB). Anything unexpected panics:
// the benchmark cannot report a number without it.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := lines.Text()
		if !strings.HasPrefix(line, "VmRSS:") {
			continue
		}
		// "VmRSS:    12345 kB"
		kb, err := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
		if err != nil {
			panic(err)
		}
		return kb << 10
	}
	panic("no VmRSS")
}

func main() {
	n := argInt(1, 100000)

	release := make(chan struct{}) // closed once RSS has been read
	var parked, finished sync.WaitGroup
	parked.Add(n)
	finished.Add(n)

	before := vmRSS()
	for i := 0; i < n; i++ {
		go func() {
			parked.Done()
			<-release
			finished.Done()
		}()
	}
	parked.Wait()
	// A goroutine may have called parked.Done() and not yet blocked on the
	// channel: give every such goroutine its turn before measuring.
	for i := 0; i < 100; i++ {
		runtime.Gosched()
	}
	after := vmRSS()

	close(release)
	finished.Wait()

	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	fmt.Fprintf(os.Stderr, "memory: N=%d GOMAXPROCS=%d rss_before=%d rss_after=%d StackInuse=%d Sys=%d\n",
		n, runtime.GOMAXPROCS(0), before, after, stats.StackInuse, stats.Sys)
	fmt.Printf("%.0f B/goroutine\n", float64(after-before)/float64(n))
}
