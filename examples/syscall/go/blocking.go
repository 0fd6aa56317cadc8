//go:build ignore

// blocking.go - the Go twin of blocking.c: goroutines blocked in read on
// empty pipes and in wait4 on `sleep 3` children while others compute.
// Go's runtime brackets every syscall.Read and syscall.Wait4 with
// entersyscall/exitsyscall; gort's C code does it with go_blocking and
// go_syscall_enter_block/go_syscall_exit.
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

const (
	numSleepers  = 2
	numReaders   = 2
	numComputers = 4
	chunksEach   = 50
	chunks       = numComputers * chunksEach
	steps        = 20000
)

func die(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

// spawnChild starts argv[0] (an absolute path), its stdout on outFd (-1: ours).
func spawnChild(argv []string, outFd int) int {
	out := uintptr(1)
	if outFd >= 0 {
		out = uintptr(outFd)
	}
	pid, err := syscall.ForkExec(argv[0], argv, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, out, 2},
	})
	if err != nil {
		die(argv[0], err)
	}
	return pid
}

func waitChild(pid int) int {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			die("wait4", err)
		}
		break
	}
	if ws.Exited() {
		return ws.ExitStatus()
	}
	return 128 + int(ws.Signal())
}

type waitResult struct {
	index, status int
	atLeast3s     bool
}

func sleeper(index int, started chan<- struct{}, waits chan<- waitResult) {
	start := time.Now()
	pid := spawnChild([]string{"/bin/sleep", "3"}, -1)
	started <- struct{}{}
	status := waitChild(pid)
	waits <- waitResult{index, status, time.Since(start) >= 3*time.Second}
}

type readResult struct {
	index, n int
	text     string
}

func reader(index, fd int, ready chan<- struct{}, reads chan<- readResult) {
	buf := make([]byte, 63)
	ready <- struct{}{}
	var n int
	var err error
	for {
		n, err = syscall.Read(fd, buf) // blocks until a feeder writes
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		die("read", err)
	}
	text := string(buf[:n])
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	reads <- readResult{index, n, text}
}

func chunk(computer, c int) uint64 {
	x := 0x9E3779B97F4A7C15 * uint64(computer*chunksEach+c+1)
	for i := 0; i < steps; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func computer(index int, progress chan<- uint64) {
	for c := 0; c < chunksEach; c++ {
		progress <- chunk(index, c)
	}
}

func feeder(fd int) {
	msg := []byte("hello from a goroutine\n")
	time.Sleep(100 * time.Millisecond)
	if n, err := syscall.Write(fd, msg); err != nil || n != len(msg) {
		die("write", err)
	}
	syscall.Close(fd)
}

func main() {
	// 1. two children run `sleep 3`, a goroutine waits for each.
	started := make(chan struct{})
	waits := make(chan waitResult, numSleepers)
	for i := 0; i < numSleepers; i++ {
		go sleeper(i+1, started, waits)
	}
	for i := 0; i < numSleepers; i++ {
		<-started
	}
	fmt.Printf("%d children run `sleep 3`, a goroutine waits for each in waitpid\n", numSleepers)

	// 2. two goroutines read from empty pipes.
	var pipes [numReaders][2]int
	ready := make(chan struct{})
	reads := make(chan readResult, numReaders)
	for i := 0; i < numReaders; i++ {
		if err := syscall.Pipe2(pipes[i][:], syscall.O_CLOEXEC); err != nil {
			die("pipe2", err)
		}
		go reader(i+1, pipes[i][0], ready, reads)
	}
	for i := 0; i < numReaders; i++ {
		<-ready
	}
	fmt.Printf("%d goroutines read from empty pipes\n", numReaders)

	// 3. four goroutines compute; every chunk is reported to main.
	progress := make(chan uint64, 8)
	for i := 0; i < numComputers; i++ {
		go computer(i, progress)
	}
	var checksum uint64
	for done := 1; done <= chunks; done++ {
		checksum += <-progress
		if done%chunksEach == 0 {
			fmt.Printf("progress: %d of %d chunks\n", done, chunks)
		}
	}
	fmt.Printf("%d goroutines computed %d chunks (checksum %016x) while %d reads and %d waits were blocked\n",
		numComputers, chunks, checksum, numReaders-len(reads), numSleepers-len(waits))

	// 4. feed the pipes: a goroutine after 100ms, a child process at once.
	go feeder(pipes[0][1])
	echoPid := spawnChild([]string{"/bin/echo", "hello from a child process"}, pipes[1][1])
	syscall.Close(pipes[1][1])
	fmt.Printf("feeding the pipes: a goroutine writes after 100ms, a child process (echo) at once\n")
	var got [numReaders]readResult
	for i := 0; i < numReaders; i++ {
		r := <-reads
		got[r.index-1] = r
	}
	for _, r := range got {
		fmt.Printf("reader %d read %d bytes: \"%s\"\n", r.index, r.n, r.text)
	}
	fmt.Printf("echo exited with status %d\n", waitChild(echoPid))
	for i := 0; i < numReaders; i++ {
		syscall.Close(pipes[i][0])
	}

	// 5. the `sleep 3` children exit.
	var w [numSleepers]waitResult
	for i := 0; i < numSleepers; i++ {
		r := <-waits
		w[r.index-1] = r
	}
	for _, r := range w {
		fmt.Printf("sleeper %d: `sleep 3` exited with status %d after at least 3s: %t\n",
			r.index, r.status, r.atLeast3s)
	}
}
