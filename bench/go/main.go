// main.go: bench/go's entry, for make bench:
//
//	w10-go W10 [N]              the pipeline (w10.go)
//	w10-go W11 [N [P [C]]]      the echo server, GOMAXPROCS=P (w11.go)
//	w10-go W12 [N]              idle connections (w12.go)
package main

import (
	"fmt"
	"os"
	"strconv"
)

// arg returns os.Args[i] as a positive number, or def.
func arg(i int, def int64) int64 {
	if len(os.Args) > i {
		if v, err := strconv.ParseInt(os.Args[i], 10, 64); err == nil && v > 0 {
			return v
		}
	}
	return def
}

func main() {
	w := ""
	if len(os.Args) > 1 {
		w = os.Args[1]
	}
	switch w {
	case "W10":
		w10(arg(2, 10000000))
	case "W11":
		w11(arg(2, 1000000), int(arg(3, 1)), int(arg(4, 100)))
	case "W12":
		w12(arg(2, 10000))
	default:
		fmt.Fprintf(os.Stderr, "usage: %s W10|W11|W12 [N]\n", os.Args[0])
		os.Exit(1)
	}
}
