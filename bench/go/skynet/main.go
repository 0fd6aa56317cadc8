// skynet: the classic goroutine benchmark (github.com/atemerev/skynet).
//
// gort's own copy of the Go twin of bench/skynet.c (the same program as
// shared/peers/go/skynet, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: skynet [N=1000000]   (N must be a power of 10; set GOMAXPROCS in
// the environment)
//
// A tree of goroutines with N leaves and 10 children per inner node
// (1,111,111 goroutines for N=1000000). A leaf sends its number to its
// parent; an inner node makes one unbuffered channel, starts its 10
// children on it, adds up the 10 values it receives and sends the sum to
// its own parent. The root's sum must be 0+1+...+(N-1) (exit 1 otherwise).
// N must be a power of 10: otherwise some node gets size 0, which never
// reaches the leaf case and keeps spawning (as in the original).
//
// Stdout: "%.1f ms" (the whole run, from the first go statement to the
// root's value arriving). Stderr: one diagnostics line. An argument must be
// a decimal integer > 0; a bad one prints `bad argument "..."`, exit 2.
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

// skynet is one node: the leaves first..first+size-1, fanout children per
// inner node; the sum of its leaves goes to out.
func skynet(out chan int, first, size, fanout int) {
	if size == 1 {
		out <- first
		return
	}
	children := make(chan int)
	step := size / fanout
	for i := 0; i < fanout; i++ {
		go skynet(children, first+i*step, step, fanout)
	}
	sum := 0
	for i := 0; i < fanout; i++ {
		sum += <-children
	}
	out <- sum
}

func main() {
	n := argInt(1, 1000000)
	root := make(chan int)

	t0 := time.Now()
	go skynet(root, 0, n, 10)
	result := <-root
	total := time.Since(t0)

	if want := n * (n - 1) / 2; result != want {
		fmt.Fprintf(os.Stderr, "skynet: wrong result %d, want %d\n", result, want)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "skynet: N=%d GOMAXPROCS=%d result=%d total=%v\n", n, runtime.GOMAXPROCS(0), result, total)
	fmt.Printf("%.1f ms\n", float64(total.Nanoseconds())/1e6)
}
