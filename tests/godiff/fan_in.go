//go:build ignore

// fan_in.go - one select drains two producers until both are closed; a
// closed channel is set to nil so that its case stops firing (Go's idiom).
// C twin: fan_in.c.
package main

import "fmt"

func produce(ch chan<- int, from, to int) {
	for i := from; i <= to; i++ {
		ch <- i
	}
	close(ch)
}

func main() {
	a := make(chan int)
	b := make(chan int, 4)
	go produce(a, 1, 100)
	go produce(b, 1000, 1049)
	na, sa, nb, sb := 0, 0, 0, 0
	lastA, lastB := 0, 999
	inOrder := true
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			na++
			sa += v
			inOrder = inOrder && v == lastA+1
			lastA = v
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			nb++
			sb += v
			inOrder = inOrder && v == lastB+1
			lastB = v
		}
	}
	fmt.Println("a:", na, "values, sum", sa)
	fmt.Println("b:", nb, "values, sum", sb)
	fmt.Println("each producer's values in order:", inOrder)
}
