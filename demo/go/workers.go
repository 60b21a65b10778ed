// workers.go: demo/workers.c in Go, for the line count only (not built
// by make check). MIT licence, see COPYING.
package main

import (
	"fmt"
	"sync"
)

const workers = 3
const requests = 100

type request struct {
	x     int
	reply chan int
}

func worker(reqs <-chan request) {
	for r := range reqs {
		r.reply <- r.x * r.x
	}
}

func client(id int, reqs chan<- request, sum *int64, wg *sync.WaitGroup) {
	defer wg.Done()
	reply := make(chan int)
	for i := 1; i <= requests; i++ {
		reqs <- request{id * i, reply}
		*sum += int64(<-reply)
	}
}

func main() {
	reqs := make(chan request)
	for i := 0; i < workers; i++ {
		go worker(reqs)
	}
	var sums [2]int64
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go client(i+1, reqs, &sums[i], &wg)
	}
	wg.Wait()
	close(reqs)
	for i := 0; i < 2; i++ {
		fmt.Printf("client %d: sum of squares %d\n", i+1, sums[i])
	}
}
