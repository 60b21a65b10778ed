// w10.go: W10 in Go, for make bench: the same four-stage pipeline as
// bench.c's W10 (x*3, keep the even ones, +1, sum) over N ints, one
// goroutine per stage, channels of capacity 64, on one thread
// (GOMAXPROCS=1, as coreasync's single-threaded scheduler).
// Prints: W10 go <N> <seconds> <ns_per_value> cpu_ns_per_value=C check=...
// (CPU time as well as wall time: on a shared machine the wall clock
// counts the other loads too).
//
// The program runs the project's own workloads: W10 here, W11 and W12 in
// w11.go and w12.go; main.go picks one.
package main

import (
	"fmt"
	"runtime"
	"syscall"
	"time"
)

func cpu() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) * 1e-9
}

func stage(in <-chan int64, out chan<- int64, f func(int64) (int64, bool)) {
	for v := range in {
		if w, ok := f(v); ok {
			out <- w
		}
	}
	close(out)
}

func w10(n int64) {
	runtime.GOMAXPROCS(1)
	var expect int64
	for i := int64(0); i < n; i++ {
		if (i*3)%2 == 0 {
			expect += i*3 + 1
		}
	}
	c0, c1, c2, c3 := make(chan int64, 64), make(chan int64, 64),
		make(chan int64, 64), make(chan int64, 64)
	done := make(chan int64)
	t0, cpu0 := time.Now(), cpu()
	go func() {
		for i := int64(0); i < n; i++ {
			c0 <- i
		}
		close(c0)
	}()
	go stage(c0, c1, func(v int64) (int64, bool) { return v * 3, true })
	go stage(c1, c2, func(v int64) (int64, bool) { return v, v%2 == 0 })
	go stage(c2, c3, func(v int64) (int64, bool) { return v + 1, true })
	go func() {
		var sum int64
		for v := range c3 {
			sum += v
		}
		done <- sum
	}()
	sum := <-done
	t, c := time.Since(t0).Seconds(), cpu()-cpu0
	check := "ok"
	if sum != expect {
		check = "FAILED"
	}
	fmt.Printf("W10 go %d %.6f %.2f cpu_ns_per_value=%.2f check=%s\n", n, t,
		t*1e9/float64(n), c*1e9/float64(n), check)
}
