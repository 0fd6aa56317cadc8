//go:build ignore

// chan_panics_recovered.go - the channel panics are ordinary panics: a
// deferred recover stops each one and the program goes on. A select whose
// send case fires on a closed channel panics too; so does a sender blocked
// on a channel that another goroutine closes.
// C twin: chan_panics_recovered.c.
package main

import "fmt"

func catch(what string, f func()) {
	defer func() { fmt.Println(what, "->", recover()) }()
	f()
}

func main() {
	closed := make(chan int, 1)
	close(closed)
	catch("send", func() { closed <- 1 })
	catch("close closed", func() { close(closed) })
	var nilch chan int
	catch("close nil", func() { close(nilch) })
	catch("select send", func() {
		select {
		case closed <- 1:
		}
	})
	catch("select send with default", func() {
		select {
		case closed <- 1:
		default:
			fmt.Println("default: must not run")
		}
	})

	// a sender parked on an unbuffered channel; main closes it
	ch := make(chan int)
	parked := make(chan string)
	go func() {
		catch("blocked send", func() {
			select {
			case ch <- 1:
			case parked <- "about to block":
				ch <- 1
			}
		})
		parked <- "sender done"
	}()
	fmt.Println(<-parked)
	// the sender may not be parked yet: the panic comes either way
	close(ch)
	fmt.Println(<-parked)
	v, ok := <-ch
	fmt.Println("receive after close:", v, ok)
}
