//go:build ignore

// recv_closed_zero.go - a closed channel first yields what is buffered,
// then the zero value with ok false, forever; closing wakes a blocked
// receiver with the zero value.
// C twin: recv_closed_zero.c.
package main

import "fmt"

type point struct {
	X, Y int64
}

func main() {
	ch := make(chan point, 2)
	ch <- point{1, 2}
	ch <- point{3, 4}
	close(ch)
	fmt.Println("len after close", len(ch))
	for i := 0; i < 4; i++ {
		p, ok := <-ch
		fmt.Println(p.X, p.Y, ok)
	}

	unbuf := make(chan int64)
	res := make(chan string)
	go func() {
		v, ok := <-unbuf
		res <- fmt.Sprint("woken receiver got ", v, " ", ok)
	}()
	close(unbuf)
	fmt.Println(<-res)

	sig := make(chan struct{})
	close(sig)
	_, ok := <-sig
	fmt.Println("struct{} channel closed, ok", ok)
}
