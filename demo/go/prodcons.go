// prodcons.go: demo/prodcons.c in Go, for the line count only (not built
// by make check). MIT licence, see COPYING.
package main

import "fmt"

const n = 1000

func producer(out chan<- int) {
	for i := 1; i <= n; i++ {
		out <- i
	}
	close(out)
}

func consumer(in <-chan int, done chan<- int64) {
	var sum int64
	for v := range in {
		sum += int64(v)
	}
	done <- sum
}

func main() {
	ch := make(chan int, 8)
	done := make(chan int64)
	go producer(ch)
	go consumer(ch, done)
	fmt.Printf("sum %d\n", <-done)
}
