//go:build ignore

// bank.go - the Go twin of bank.c: concurrent transfers between two
// accounts guarded by mutexes (locked in id order), and auditors.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

type Account struct {
	mu      sync.Mutex
	id      int
	balance int
}

var (
	a, b               = &Account{id: 1, balance: 5000}, &Account{id: 2, balance: 2000}
	statsMu            sync.Mutex
	transfers, failed  int
	audits, unbalanced int
	wg                 sync.WaitGroup
)

func lockBoth(x, y *Account) {
	if x.id > y.id {
		x, y = y, x
	}
	x.mu.Lock()
	y.mu.Lock()
}

func unlockBoth(x, y *Account) {
	x.mu.Unlock()
	y.mu.Unlock()
}

func transfer(from, to *Account, amount int) bool {
	lockBoth(from, to)
	ok := from.balance >= amount
	if ok {
		from.balance -= amount
		to.balance += amount
	}
	unlockBoth(from, to)

	statsMu.Lock()
	if ok {
		transfers++
	} else {
		failed++
	}
	statsMu.Unlock()
	return ok
}

func moveMoney(from, to *Account, amount, times int) {
	for i := 0; i < times; i++ {
		transfer(from, to, amount)
		runtime.Gosched()
	}
	wg.Done()
}

func audit(times int) {
	for i := 0; i < times; i++ {
		lockBoth(a, b)
		total := a.balance + b.balance
		unlockBoth(a, b)

		statsMu.Lock()
		audits++
		if total != 7000 {
			unbalanced++
		}
		statsMu.Unlock()
		runtime.Gosched()
	}
	wg.Done()
}

func main() {
	fmt.Printf("start: A=%d B=%d total=%d\n", a.balance, b.balance, a.balance+b.balance)
	wg.Add(10 + 4 + 2)
	for i := 0; i < 10; i++ {
		go moveMoney(a, b, 3, 100)
	}
	for i := 0; i < 4; i++ {
		go moveMoney(b, a, 5, 100)
	}
	for i := 0; i < 2; i++ {
		go audit(50)
	}
	wg.Wait()

	lockBoth(a, b)
	fmt.Printf("end:   A=%d B=%d total=%d\n", a.balance, b.balance, a.balance+b.balance)
	unlockBoth(a, b)
	statsMu.Lock()
	fmt.Printf("transfers: %d done, %d refused\n", transfers, failed)
	fmt.Printf("audits: %d, unbalanced: %d\n", audits, unbalanced)
	statsMu.Unlock()
}
