// Command wsbench is the benchmark's Go WebSocket echo server and its
// WebSocket load generator (see ../ws.sh), on github.com/gorilla/websocket
// v1.5.3, a kept library with no dependencies of its own.
//
//	wsbench echo-server ADDR
//	    Accepts WebSocket upgrades on any path and echoes each message
//	    whole, with its type (ReadMessage, WriteMessage: what a user's echo
//	    does), through 64 KiB buffers. No compression; messages up to
//	    16 MiB (ws_echo.lua's default cap).
//
// Clients, each bounded in count and time, print one "RESULT value unit ..."
// line and exit 1 on any error or wrong echo:
//
//	wsbench client-rtt URL N [SIZE]
//	    One connection, N sequential round trips of a SIZE-byte (default 64)
//	    text message; mean µs each (and p50, p99).
//	wsbench client-throughput URL CONNS SIZE BYTES [MAXSEC]
//	    CONNS connections at once, each sending binary messages of SIZE bytes
//	    (at most 8 unanswered) while reading the echoes back, until BYTES in
//	    all were sent or MAXSEC (default 3) passed; MB/s (10^6 B) of echoes.
//
// Every client gives up after 120 s in all, or 10 s without an echo. The
// clients are in client.go.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

const (
	maxMessage = 16 << 20          // the read limit on both sides
	window     = 8                 // messages in flight per throughput connection
	overall    = 120 * time.Second // a client's whole run
	stall      = 10 * time.Second  // the longest wait for one echo
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: wsbench echo-server ADDR
       wsbench client-rtt URL N [SIZE]
       wsbench client-throughput URL CONNS SIZE BYTES [MAXSEC]`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "echo-server":
		err = serve(args[0])
	case "client-rtt":
		if len(args) < 2 {
			usage()
		}
		size := 64
		if len(args) > 2 {
			size = atoi(args[2])
		}
		err = clientRTT(args[0], atoi(args[1]), size)
	case "client-throughput":
		if len(args) < 4 {
			usage()
		}
		maxSec := 3.0
		if len(args) > 4 {
			if maxSec, err = strconv.ParseFloat(args[4], 64); err != nil {
				usage()
			}
		}
		err = clientThroughput(args[0], atoi(args[1]), atoi(args[2]), parseBytes(args[3]), time.Duration(maxSec*float64(time.Second)))
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsbench:", err)
		os.Exit(1)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		usage()
	}
	return n
}

// parseBytes reads a count with an optional K, M or G suffix (binary).
func parseBytes(s string) int64 {
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K', 'k':
			mult, s = 1<<10, s[:n-1]
		case 'M', 'm':
			mult, s = 1<<20, s[:n-1]
		case 'G', 'g':
			mult, s = 1<<30, s[:n-1]
		}
	}
	return int64(atoi(s)) * mult
}
