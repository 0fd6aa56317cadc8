//go:build ignore

// select_nil_chan.go - a nil channel's case never fires, in a blocking
// select too; only the live case does.
// C twin: select_nil_chan.c.
package main

import "fmt"

func main() {
	var nilch chan int
	live := make(chan int)
	go func() {
		for i := 1; i <= 3; i++ {
			live <- i
		}
		close(live)
	}()
	for {
		select {
		case v := <-nilch:
			fmt.Println("nil receive fired:", v)
		case nilch <- 5:
			fmt.Println("nil send fired")
		case v, ok := <-live:
			if !ok {
				fmt.Println("live closed")
				return
			}
			fmt.Println("live", v)
		}
	}
}
