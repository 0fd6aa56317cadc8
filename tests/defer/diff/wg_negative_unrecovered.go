//go:build ignore

// wg_negative_unrecovered.go - the same misuse, unrecovered: status 2.
// C twin: wg_negative_unrecovered.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer fmt.Println("deferred call runs")
	var wg sync.WaitGroup
	wg.Add(2)
	wg.Add(-3)
}
