// Command wsbench is the benchmark's Go WebSocket echo server and its
// WebSocket load generator (see ../ws.sh), on github.com/coder/websocket,
// a kept library with no dependencies of its own.
//
//	wsbench echo-server ADDR
//	    Accepts WebSocket upgrades on any path and echoes each message
//	    whole, with its type (c.Read, c.Write: what a user's echo does).
//	    No compression; messages up to 16 MiB (ws_echo.lua's default cap).
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
// Every client gives up after 120 s in all, or 10 s without an echo.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
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

// serve runs the echo server until the process is killed.
func serve(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, http.HandlerFunc(echo))
}

// echo answers one upgrade and echoes its messages until the peer closes.
func echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(maxMessage)
	ctx := r.Context()
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
				c.Close(websocket.StatusNormalClosure, "")
			}
			return
		}
		if err := c.Write(ctx, typ, data); err != nil {
			return
		}
	}
}

func dial(ctx context.Context, url string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(maxMessage)
	return c, nil
}

// clientRTT times n sequential round trips of a size-byte text message.
func clientRTT(url string, n, size int) error {
	ctx, cancel := context.WithTimeout(context.Background(), overall)
	defer cancel()
	c, err := dial(ctx, url)
	if err != nil {
		return err
	}
	defer c.CloseNow()
	msg := bytes.Repeat([]byte("x"), size)
	rtts := make([]time.Duration, 0, n)
	start := time.Now()
	for i := range n {
		// The message changes each time, so a stale echo cannot pass.
		copy(msg, strconv.Itoa(i))
		t0 := time.Now()
		octx, ocancel := context.WithTimeout(ctx, stall)
		err := c.Write(octx, websocket.MessageText, msg)
		var typ websocket.MessageType
		var got []byte
		if err == nil {
			typ, got, err = c.Read(octx)
		}
		ocancel()
		if err != nil {
			return fmt.Errorf("round trip %d: %w", i+1, err)
		}
		if typ != websocket.MessageText || !bytes.Equal(got, msg) {
			return fmt.Errorf("round trip %d: wrong echo (%v, %d bytes)", i+1, typ, len(got))
		}
		rtts = append(rtts, time.Since(t0))
	}
	total := time.Since(start)
	c.Close(websocket.StatusNormalClosure, "")
	sort.Slice(rtts, func(i, j int) bool { return rtts[i] < rtts[j] })
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	p := func(q float64) time.Duration {
		if len(rtts) == 0 {
			return 0
		}
		return rtts[int(q*float64(len(rtts)-1))]
	}
	mean := 0.0
	if n > 0 {
		mean = us(total) / float64(n)
	}
	fmt.Printf("RESULT %.2f µs/rtt n=%d size=%d p50=%.2f p99=%.2f\n", mean, n, size, us(p(0.5)), us(p(0.99)))
	return nil
}

// clientThroughput runs conns connections at once, each pipelining
// size-byte binary messages, and reports the echoed bytes per second.
func clientThroughput(url string, conns, size int, total int64, maxTime time.Duration) error {
	if conns < 1 || size < 8 {
		return errors.New("client-throughput: CONNS >= 1 and SIZE >= 8")
	}
	ctx, cancel := context.WithTimeout(context.Background(), overall)
	defer cancel()
	cs := make([]*websocket.Conn, conns)
	for i := range cs {
		c, err := dial(ctx, url)
		if err != nil {
			return err
		}
		defer c.CloseNow()
		cs[i] = c
	}
	var budget atomic.Int64 // bytes still to send, in all
	budget.Store(total)
	var echoed atomic.Int64
	deadline := time.Now().Add(maxTime)
	start := time.Now()
	errs := make(chan error, 2*conns)
	fail := func(err error) { // the first error stops every connection
		errs <- err
		cancel()
	}
	var wg sync.WaitGroup
	for _, c := range cs {
		sent := make(chan uint64, window) // sequence numbers in flight
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			defer close(sent)
			msg := bytes.Repeat([]byte{0xa5}, size)
			for seq := uint64(0); time.Now().Before(deadline) && budget.Add(-int64(size)) >= 0; seq++ {
				binary.BigEndian.PutUint64(msg, seq)
				select {
				case sent <- seq: // blocks while window messages are unanswered
				case <-ctx.Done():
					fail(ctx.Err())
					return
				}
				if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
					fail(fmt.Errorf("write: %w", err))
					return
				}
			}
		}()
		go func() { // reader
			defer wg.Done()
			for seq := range sent {
				octx, ocancel := context.WithTimeout(ctx, stall)
				typ, got, err := c.Read(octx)
				ocancel()
				if err != nil {
					fail(fmt.Errorf("read: %w", err))
					return
				}
				if typ != websocket.MessageBinary || len(got) != size || binary.BigEndian.Uint64(got) != seq || got[size-1] != 0xa5 {
					fail(fmt.Errorf("wrong echo of message %d (%v, %d bytes)", seq, typ, len(got)))
					return
				}
				echoed.Add(int64(size))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	for _, c := range cs {
		c.Close(websocket.StatusNormalClosure, "")
	}
	fmt.Printf("RESULT %.1f MB/s echoed=%d conns=%d size=%d secs=%.2f\n",
		float64(echoed.Load())/1e6/elapsed.Seconds(), echoed.Load(), conns, size, elapsed.Seconds())
	return nil
}
