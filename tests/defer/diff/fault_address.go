//go:build ignore

// fault_address.go - a fault away from address 0 is no nil dereference:
// Go's fatal "unexpected fault address", "fatal error: fault"; nothing
// recovers it and no deferred call runs. C twin: fault_address.c.
package main

import (
	"fmt"
	"unsafe"
)

func main() {
	defer fmt.Println("deferred call: must not run")
	defer func() { fmt.Println("recovered:", recover()) }()
	p := (*int)(unsafe.Pointer(uintptr(0x12345678)))
	*p = 1
}
