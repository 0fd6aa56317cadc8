// syscall: what a blocking system call costs the scheduler.
//
// gort's own copy of the Go twin of bench/syscall.c (the same program as
// shared/peers/go/syscall, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
//	handoff   GOMAXPROCS=1. A goroutine blocks in read() on a blocking pipe while
//	          holding the only P; time from "about to block" to "another goroutine
//	          runs" (sysmon's retake). Prints p50, p99 in microseconds.
//	overhead  getpid through syscall.Syscall (entersyscall/exitsyscall around it)
//	          minus getpid through syscall.RawSyscall (no scheduler involvement).
//	          Prints ns per call.
//	blocked   GOMAXPROCS=2. B goroutines block in read() on pipes for the whole run
//	          while P pairs of goroutines ping-pong over unbuffered channels N times
//	          in all; prints ns per round trip. Compare with B=0.
//
// Usage: syscall handoff [N=2000] | syscall overhead [N=2000000]
//
//	| syscall blocked [B=2] [PAIRS=100] [N=1000000]
//
// One line "VALUE UNIT" on stdout (handoff: the p50; p90, p99 and max go to
// stderr). An argument must be a decimal integer >= 0 (0 is allowed: B=0 is
// the baseline of blocked); a bad one prints `bad argument "..."`, exit 2.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func argInt(i, def int) int {
	if len(os.Args) > i {
		n, err := strconv.Atoi(os.Args[i])
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
			os.Exit(2)
		}
		return n
	}
	return def
}

// pipe: a blocking pipe (syscall.Pipe, not os.Pipe: the read end must not be
// non-blocking and must not go through the netpoller).
func pipe() [2]int {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return fds
}

func handoff(n int) {
	runtime.GOMAXPROCS(1)
	fds := pipe()
	var t0 int64
	d := make([]time.Duration, 0, n)
	done := make(chan struct{})
	buf := make([]byte, 1)
	for i := 0; i < n; i++ {
		go func() {
			atomic.StoreInt64(&t0, time.Now().UnixNano())
			syscall.Read(fds[0], buf)
			done <- struct{}{}
		}()
		runtime.Gosched() // the reader runs and blocks in read() holding the only P
		d = append(d, time.Duration(time.Now().UnixNano()-atomic.LoadInt64(&t0)))
		syscall.Write(fds[1], []byte{1})
		<-done
	}
	sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
	fmt.Printf("%.1f us\n", float64(d[n/2].Nanoseconds())/1e3)
	fmt.Fprintf(os.Stderr, "handoff: n=%d p50=%v p90=%v p99=%v max=%v\n", n, d[n/2], d[n*9/10], d[n*99/100], d[n-1])
}

func overhead(n int) {
	s := time.Now()
	for i := 0; i < n; i++ {
		syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
	}
	withSched := time.Since(s)
	s = time.Now()
	for i := 0; i < n; i++ {
		syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	}
	raw := time.Since(s)
	a := float64(withSched.Nanoseconds()) / float64(n)
	b := float64(raw.Nanoseconds()) / float64(n)
	fmt.Printf("%.1f ns\n", a-b)
	fmt.Fprintf(os.Stderr, "overhead: n=%d Syscall=%.1fns RawSyscall=%.1fns\n", n, a, b)
}

func blocked(b, pairs, n int) {
	for i := 0; i < b; i++ {
		fds := pipe()
		go func() {
			buf := make([]byte, 1)
			syscall.Read(fds[0], buf) // never written: blocks for the whole run
		}()
	}
	time.Sleep(time.Millisecond) // let the readers block
	per := n / pairs
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for v := range ping {
				pong <- v + 1
			}
		}()
		go func() {
			defer wg.Done()
			v := 0
			for i := 0; i < per; i++ {
				ping <- v
				v = <-pong
			}
			close(ping)
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("%.1f ns/roundtrip\n", float64(el.Nanoseconds())/float64(per*pairs))
	fmt.Fprintf(os.Stderr, "blocked: B=%d pairs=%d n=%d GOMAXPROCS=%d total=%v\n", b, pairs, per*pairs, runtime.GOMAXPROCS(0), el)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: syscall handoff|overhead|blocked ...")
		os.Exit(2)
	}
	args := os.Args[1:]
	os.Args = args
	switch args[0] {
	case "handoff":
		handoff(argInt(1, 2000))
	case "overhead":
		overhead(argInt(1, 2000000))
	case "blocked":
		blocked(argInt(1, 2), argInt(2, 100), argInt(3, 1000000))
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", args[0])
		os.Exit(2)
	}
}
