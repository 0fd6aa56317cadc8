//go:build ignore

// select_default.go - a select with a default never blocks: the default
// runs when no case is ready (empty buffer, full buffer, no partner on an
// unbuffered channel, the nil channel).
// C twin: select_default.c.
package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	select {
	case v := <-ch:
		fmt.Println("received", v)
	default:
		fmt.Println("empty: default")
	}
	select {
	case ch <- 7:
		fmt.Println("sent 7")
	default:
		fmt.Println("not sent")
	}
	select {
	case ch <- 8:
		fmt.Println("sent 8")
	default:
		fmt.Println("full: default")
	}
	select {
	case v := <-ch:
		fmt.Println("received", v)
	default:
		fmt.Println("default")
	}
	unbuf := make(chan int)
	select {
	case unbuf <- 1:
		fmt.Println("sent on unbuffered")
	default:
		fmt.Println("no receiver: default")
	}
	var nilch chan int
	select {
	case nilch <- 1:
		fmt.Println("sent on nil")
	case <-nilch:
		fmt.Println("received from nil")
	default:
		fmt.Println("nil channel: default")
	}
	close(ch)
	select {
	case v, ok := <-ch:
		fmt.Println("closed: received", v, ok)
	default:
		fmt.Println("closed: default")
	}
}
