//go:build ignore

// select_only_ready.go - select runs the one case that can proceed, whichever
// its position; a blocking select waits for the case that becomes ready.
// C twin: select_only_ready.c.
package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	c := make(chan int, 1)
	for round := 0; round < 3; round++ {
		switch round {
		case 0:
			a <- 100
		case 1:
			b <- 200
		case 2:
			c <- 300
		}
		for i := 0; i < 20; i++ { // the same case, every time
			select {
			case v := <-a:
				a <- v
				if i == 0 {
					fmt.Println("round", round, "case a", v)
				}
			case v := <-b:
				b <- v
				if i == 0 {
					fmt.Println("round", round, "case b", v)
				}
			case v := <-c:
				c <- v
				if i == 0 {
					fmt.Println("round", round, "case c", v)
				}
			}
		}
		select {
		case <-a:
		case <-b:
		case <-c:
		}
	}

	// a send case and a receive case; only the send can proceed
	full := make(chan int, 1)
	full <- 1
	empty := make(chan int, 1)
	select {
	case full <- 2:
		fmt.Println("sent on the full channel")
	case v := <-empty:
		fmt.Println("received", v, "from the empty channel")
	case empty <- 3:
		fmt.Println("sent 3 on the empty channel")
	}
	fmt.Println("empty now holds", <-empty)

	// blocking: the partner comes later
	in := make(chan string)
	never := make(chan string)
	go func() { in <- "hello" }()
	select {
	case s := <-never:
		fmt.Println("never:", s)
	case s := <-in:
		fmt.Println("in:", s)
	}
}
