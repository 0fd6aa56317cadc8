//go:build ignore

// worker_pool.go - the Go twin of worker_pool.c: a pool of workers fed by a
// jobs channel, results (tagged with their job) back over a second channel.
package main

import (
	"fmt"
	"sync"
)

const (
	numWorkers = 4
	numJobs    = 20
)

type result struct {
	job, steps, worker int
}

func collatzSteps(n int) int {
	steps := 0
	for n != 1 {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
		steps++
	}
	return steps
}

func worker(id int, jobs <-chan int, results chan<- result, wg *sync.WaitGroup) {
	for job := range jobs {
		results <- result{job, collatzSteps(job), id}
	}
	wg.Done()
}

func main() {
	jobs := make(chan int, numJobs)
	results := make(chan result, numJobs)
	var wg sync.WaitGroup

	wg.Add(numWorkers)
	for w := 1; w <= numWorkers; w++ {
		go worker(w, jobs, results, &wg)
	}
	for j := 1; j <= numJobs; j++ {
		jobs <- j
	}
	close(jobs)

	var steps [numJobs + 1]int
	var perWorker [numWorkers + 1]int
	for i := 0; i < numJobs; i++ {
		r := <-results
		steps[r.job] = r.steps
		perWorker[r.worker]++
	}
	wg.Wait()

	total, done := 0, 0
	for j := 1; j <= numJobs; j++ {
		fmt.Printf("job %2d: %3d steps\n", j, steps[j])
		total += steps[j]
	}
	for w := 1; w <= numWorkers; w++ {
		done += perWorker[w]
	}
	fmt.Printf("%d workers ran %d jobs, %d steps in all\n", numWorkers, done, total)
}
