// schedtrace_prog.go - the Go twin of schedtrace_prog.c.
package main

import "time"

var never = make(chan int)

func parked() {
	<-never
}

func main() {
	for i := 0; i < 3; i++ {
		go parked()
	}
	time.Sleep(150 * time.Millisecond)
}
