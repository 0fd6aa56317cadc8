//go:build ignore

// named_result.go - a deferred closure that recovers turns the panic into
// the function's error result. C twin: named_result.c.
package main

import "fmt"

func digit(s string) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n = -1
			err = fmt.Errorf("digit %q: %v", s, r)
		}
	}()
	if len(s) != 1 || s[0] < '0' || s[0] > '9' {
		panic("not a digit")
	}
	return int(s[0] - '0'), nil
}

func main() {
	for _, s := range []string{"7", "x", "42"} {
		n, err := digit(s)
		fmt.Println(n, err)
	}
}
