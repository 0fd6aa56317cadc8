//go:build ignore

// unbuffered_pingpong.go - two goroutines take turns through unbuffered
// channels: each send is a rendezvous, so the lines alternate exactly.
// C twin: unbuffered_pingpong.c.
package main

import "fmt"

func main() {
	ping := make(chan int)
	pong := make(chan int)
	done := make(chan struct{})
	go func() {
		for {
			n, ok := <-ping
			if !ok {
				fmt.Println("ponger: ping closed")
				close(done)
				return
			}
			fmt.Println("pong", n)
			pong <- n + 1
		}
	}()
	n := 0
	for i := 0; i < 5; i++ {
		fmt.Println("ping", n)
		ping <- n
		n = <-pong
	}
	close(ping)
	<-done
	fmt.Println("final", n)
}
