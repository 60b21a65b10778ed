// w12.go: W12 in Go, as bench.c's W12: N connections to w11.go's echo
// server, each with its goroutine blocked in a Read (bufio's ReadSlice),
// GOMAXPROCS=1. The clients are plain sockets (syscall.Socket and
// Connect), which cost nothing in user space, so the RSS growth from
// before the listen to all parked is the server's. Then each client
// sends a line and hangs up, and every connection must echo it and end
// cleanly. Prints
// W12 go <N> <seconds> <ns_per_conn> rss_bytes_per_conn=B ... check=...
package main

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return -1
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func w12(n int64) {
	asked := n
	// Two descriptors a connection and some for the rest, as bench.c.
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		fmt.Fprintln(os.Stderr, "getrlimit:", err)
		os.Exit(2)
	}
	want := uint64(2*n + 64)
	if rl.Cur < want {
		rl.Cur = rl.Max
		if rl.Cur > want {
			rl.Cur = want
		}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(2)
		}
	}
	if rl.Cur < want {
		n = (int64(rl.Cur) - 64) / 2
	}
	runtime.GOMAXPROCS(1)
	bound(60 * time.Second)
	fds := make([]int, n)
	for i := range fds {
		fds[i] = -1
	}
	var e echoCounts
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	rss0 := rss()
	t0 := time.Now()
	ln := e.listen(n)
	port := ln.Addr().(*net.TCPAddr).Port
	sa := &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	for i := int64(0); i < n; i++ {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err == nil {
			err = syscall.Connect(fd, sa)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "connect:", err)
			atomic.AddInt64(&e.errors, 1)
			break
		}
		fds[i] = fd
		// In steps of 64, so the accept queue never overflows.
		if (i+1)%64 == 0 || i+1 == n {
			for atomic.LoadInt64(&e.accepted) <= i &&
				atomic.LoadInt64(&e.errors) == 0 {
				runtime.Gosched()
			}
		}
	}
	for atomic.LoadInt64(&e.started) < atomic.LoadInt64(&e.accepted) {
		runtime.Gosched()
	}
	// Started is counted just before the first Read: give the last ones
	// the time to get there and park.
	time.Sleep(50 * time.Millisecond)
	rss1 := rss()
	runtime.ReadMemStats(&ms1)
	tParked := time.Since(t0).Seconds()
	for _, fd := range fds {
		if fd < 0 {
			break
		}
		if k, err := syscall.Write(fd, []byte("wake\n")); k != 5 || err != nil {
			atomic.AddInt64(&e.errors, 1)
		}
		syscall.Shutdown(fd, syscall.SHUT_WR)
	}
	e.wg.Wait()
	for _, fd := range fds {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
	t := time.Since(t0).Seconds()
	ln.Close()
	check := "ok"
	if e.accepted != n || e.started != n || e.echoed != n || e.clean != n ||
		e.errors != 0 {
		check = "FAILED"
	}
	fmt.Printf("W12 go %d %.6f %.2f rss_bytes_per_conn=%.1f "+
		"sys_bytes_per_conn=%.1f stack_bytes_per_conn=%.1f asked=%d "+
		"nofile=%d park_ns_per_conn=%.1f check=%s\n", n, t, t*1e9/float64(n),
		float64(rss1-rss0)/float64(n),
		float64(ms1.Sys-ms0.Sys)/float64(n),
		float64(ms1.StackInuse-ms0.StackInuse)/float64(n), asked, rl.Cur,
		tParked*1e9/float64(n), check)
}
