// w11.go: W11 in Go, as bench.c's W11: an echo server on 127.0.0.1, a
// goroutine per connection reading lines with bufio (128 bytes, as
// bench.c's read-ahead) and writing them back, and C client goroutines
// in the same process, each sending its share of N 64-byte lines one at
// a time and checking every echo. GOMAXPROCS=P (1 against coreasync's
// one thread, 2 against its pool of 2). Prints
// W11 go <N> <seconds> <ns_per_req> req_per_s=R ... check=ok|FAILED
// (W11p for P > 1), the time from the first connect to the last client
// done.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// What the connections of one run count (W12 too).
type echoCounts struct {
	accepted, started, echoed, clean, errors int64
	wg                                       sync.WaitGroup
}

// serve echoes lines until the client hangs up.
func (e *echoCounts) serve(c net.Conn) {
	defer e.wg.Done()
	defer c.Close()
	atomic.AddInt64(&e.started, 1)
	r := bufio.NewReaderSize(c, 128)
	for {
		line, err := r.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			atomic.AddInt64(&e.clean, 1)
			return
		}
		if err != nil {
			atomic.AddInt64(&e.errors, 1)
			return
		}
		if _, err := c.Write(line); err != nil {
			atomic.AddInt64(&e.errors, 1)
			return
		}
		atomic.AddInt64(&e.echoed, 1)
	}
}

// listen accepts n connections, a serving goroutine each.
func (e *echoCounts) listen(n int64) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	go func() {
		for i := int64(0); i < n; i++ {
			c, err := ln.Accept()
			if err != nil {
				fmt.Fprintln(os.Stderr, "accept:", err)
				atomic.AddInt64(&e.errors, 1)
				return
			}
			e.wg.Add(1)
			atomic.AddInt64(&e.accepted, 1)
			go e.serve(c)
		}
	}()
	return ln
}

// bound fails a run that outlives its limit instead of hanging make bench.
func bound(d time.Duration) {
	time.AfterFunc(d, func() {
		fmt.Fprintln(os.Stderr, "timed out")
		os.Exit(2)
	})
}

// line writes line k of client id: the bytes bench.c's w11_line writes.
func line(b []byte, id int, k int64) {
	for i := 0; i < 63; i++ {
		b[i] = byte('a' + (int64(i+id)+k)%26)
	}
	for i := 7; i >= 0; i, k = i-1, k/10 {
		b[i] = byte('0' + k%10)
	}
	b[8] = ' '
	for i := 11; i >= 9; i, id = i-1, id/10 {
		b[i] = byte('0' + id%10)
	}
	b[63] = '\n'
}

func client(addr string, id int, lines int64, done chan<- int64) {
	var ok int64
	defer func() { done <- ok }()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		return
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 128)
	out := make([]byte, 64)
	for k := int64(0); k < lines; k++ {
		line(out, id, k)
		if _, err := c.Write(out); err != nil {
			return
		}
		in, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if bytes.Equal(in, out) {
			ok++
		}
	}
}

func w11(n int64, procs, clients int) {
	if int64(clients) > n {
		clients = int(n)
	}
	lines := n / int64(clients)
	n = lines * int64(clients)
	runtime.GOMAXPROCS(procs)
	bound(120 * time.Second)
	var e echoCounts
	ln := e.listen(int64(clients))
	done := make(chan int64, clients)
	t0, cpu0 := time.Now(), cpu()
	for i := 0; i < clients; i++ {
		go client(ln.Addr().String(), i, lines, done)
	}
	var ok int64
	for i := 0; i < clients; i++ {
		ok += <-done
	}
	t := time.Since(t0).Seconds()
	e.wg.Wait()
	c := cpu() - cpu0
	ln.Close()
	check := "ok"
	if ok != n || e.echoed != n || e.accepted != int64(clients) ||
		e.clean != int64(clients) || e.errors != 0 {
		check = "FAILED"
	}
	name := "W11"
	if procs > 1 {
		name = "W11p"
	}
	fmt.Printf("%s go %d %.6f %.2f gomaxprocs=%d clients=%d lines=%d "+
		"req_per_s=%.0f cpu_ns_per_req=%.2f check=%s\n", name, n, t,
		t*1e9/float64(n), procs, clients, lines, float64(n)/t,
		c*1e9/float64(n), check)
}
