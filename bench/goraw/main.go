// Command goraw is the plain-Go reference echo server and the load generator
// for every server in the benchmark (see ../run.sh). Servers:
//
//	goraw echo-server ADDR         io.Copy echo, one goroutine per connection
//	goraw line-echo-server ADDR    bufio line echo, one goroutine per connection
//	goraw rw-echo-server ADDR      Read/Write loop with a 64 KiB buffer, one goroutine per
//	                               connection: what a Lua read/write loop does, in Go (no splice)
//	goraw udp-echo-server ADDR     datagram echo
//	goraw proxy-server ADDR UPSTREAM  TCP proxy: per connection, dial UPSTREAM and io.Copy
//	                                  both ways (splice on Linux), half-closing each side
//
// Clients (each is bounded in count and time and prints one "RESULT value unit ..." line):
//
//	goraw client-throughput ADDR BYTES [MAXSEC]  write BYTES (64-byte lines, 64 KiB writes) while
//	                                             reading the echo back; stop writing after MAXSEC (default 20)
//	goraw client-rtt ADDR N                      N round trips of one 64-byte line, mean µs each
//	goraw client-conns ADDR N [HOLDMS] [PAR] [SRCIP]
//	                                             N concurrent connections (PAR dials in flight, default 64),
//	                                             one 64-byte round trip each, all held open; prints the time,
//	                                             then holds until SIGUSR1 or HOLDMS (default 0), then closes.
//	                                             SRCIP (e.g. 127.0.0.12): dial from this source address, so
//	                                             TIME_WAIT left by earlier runs cannot use up its ports.
//	                                             Gives up after 60 s, or once nothing completes for 10 s.
//	goraw client-udp ADDR N                      N 64-byte datagram round trips, mean µs each
//	goraw noop                                   exits at once (Go process start-up baseline)
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	lineLen   = 64
	chunkSize = 64 << 10
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: goraw echo-server ADDR | line-echo-server ADDR | udp-echo-server ADDR
       goraw proxy-server ADDR UPSTREAM
       goraw client-throughput ADDR BYTES [MAXSEC] | client-rtt ADDR N
       goraw client-conns ADDR N [HOLDMS] [PAR] [SRCIP] | client-udp ADDR N | noop`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	need := func(n int) {
		if len(args) < n {
			usage()
		}
	}
	var err error
	switch cmd {
	case "echo-server":
		need(1)
		err = serveTCP(args[0], func(c net.Conn) { io.Copy(c, c) })
	case "line-echo-server":
		need(1)
		err = serveTCP(args[0], lineEcho)
	case "rw-echo-server":
		need(1)
		err = serveTCP(args[0], readWriteEcho)
	case "udp-echo-server":
		need(1)
		err = udpEchoServer(args[0])
	case "proxy-server":
		need(2)
		up := args[1]
		err = serveTCP(args[0], func(c net.Conn) { proxy(c, up) })
	case "client-throughput":
		need(2)
		err = clientThroughput(args[0], args[1], optArg(args, 2, "20"))
	case "client-rtt":
		need(2)
		err = clientRTT(args[0], atoi(args[1]))
	case "client-conns":
		need(2)
		err = clientConns(args[0], atoi(args[1]), atoi(optArg(args, 2, "0")), atoi(optArg(args, 3, "64")), optArg(args, 4, ""))
	case "client-udp":
		need(2)
		err = clientUDP(args[0], atoi(args[1]))
	case "noop":
		return
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "goraw %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func optArg(a []string, i int, def string) string {
	if len(a) > i {
		return a[i]
	}
	return def
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "goraw: bad number %q\n", s)
		os.Exit(2)
	}
	return n
}

// parseSize accepts 123, 64K, 512M, 1G (binary multiples).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// payload returns n bytes of 64-byte lines ("goraw 0000000 ...\n"), so line-
// oriented and raw echo servers can both serve every test.
func payload(n int) []byte {
	line := make([]byte, lineLen)
	for i := range line {
		line[i] = 'a' + byte(i%26)
	}
	line[lineLen-1] = '\n'
	b := make([]byte, 0, n)
	for len(b) < n {
		b = append(b, line[:min(lineLen, n-len(b))]...)
	}
	return b
}

// ---- servers ----

func serveTCP(addr string, handle func(net.Conn)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fdWarned := false
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				if !fdWarned && !(errors.As(err, &ne) && ne.Timeout()) {
					// Said once, so the harness can tell an fd limit from a hang.
					// (io.Copy between TCP conns splices through a pipe: 3 fds a connection.)
					var rl syscall.Rlimit
					syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
					fmt.Fprintf(os.Stderr, "goraw: accept: %v (RLIMIT_NOFILE %d); retrying\n", err, rl.Cur)
					fdWarned = true
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		go func() {
			defer c.Close()
			handle(c)
		}()
	}
}

// readWriteEcho is the loop a script writes (data = c:read(65536);
// c:write(data)), in Go: every byte is copied into the process and out
// again, where io.Copy's splice(2) leaves them in the kernel. It also
// holds one fd per connection where splice holds three (a pipe).
func readWriteEcho(c net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func lineEcho(c net.Conn) {
	r := bufio.NewReader(c) // default 4 KiB buffers
	w := bufio.NewWriter(c)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			w.Write(line)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			w.Flush()
			return
		}
		if r.Buffered() == 0 && w.Flush() != nil {
			return
		}
	}
}

// proxy is what a plain Go user writes: dial the upstream, then io.Copy each
// way between the two *net.TCPConn (so Linux uses splice), passing each
// side's EOF on with CloseWrite, until both directions are done.
func proxy(c net.Conn, upstream string) {
	up, err := net.DialTimeout("tcp", upstream, 10*time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(up, c)
		up.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, up)
	c.(*net.TCPConn).CloseWrite()
	<-done
}

func udpEchoServer(addr string) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		pc.WriteTo(buf[:n], from)
	}
}

// ---- clients ----

func clientThroughput(addr, sizeStr, maxSecStr string) error {
	total, err := parseSize(sizeStr)
	if err != nil {
		return err
	}
	total = max(lineLen, total/lineLen*lineLen)
	maxDur := time.Duration(atoi(maxSecStr)) * time.Second
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	start := time.Now()
	c.SetDeadline(start.Add(maxDur + 30*time.Second))

	buf := payload(chunkSize)
	var written, got atomic.Int64
	written.Store(-1) // -1: writer still running
	werrc := make(chan error, 1)
	go func() {
		var w int64
		var err error
		for w < total && time.Since(start) < maxDur {
			var n int
			n, err = c.Write(buf[:min(int64(chunkSize), total-w)])
			w += int64(n)
			if err != nil {
				break
			}
		}
		written.Store(w) // no half-close: ncat drops unsent echo on EOF
		werrc <- err
	}()

	// Monitor: unblock the reader once everything written has come back (the
	// server need not close), and give up after `stall` without progress
	// (ncat --exec can deadlock under full-duplex load).
	const stall = 5 * time.Second
	var readerDone, stalled atomic.Bool
	go func() {
		prev, since := int64(-1), time.Now()
		for !readerDone.Load() {
			g := got.Load()
			if w := written.Load(); w >= 0 && g >= w {
				c.SetReadDeadline(time.Now())
			} else if g != prev {
				prev, since = g, time.Now()
			} else if time.Since(since) > stall {
				stalled.Store(true)
				c.SetDeadline(time.Now())
			}
			time.Sleep(time.Millisecond)
		}
	}()
	defer readerDone.Store(true)

	rbuf := make([]byte, 256<<10)
	var n64 int64
	last := start
	for {
		n, err := c.Read(rbuf)
		if n > 0 {
			if rbuf[0] != buf[n64%lineLen] {
				return fmt.Errorf("echo corrupted at byte %d", n64)
			}
			n64 += int64(n)
			got.Store(n64)
			last = time.Now()
		}
		if w := written.Load(); w >= 0 && n64 >= w {
			break
		}
		if err != nil {
			if stalled.Load() {
				return fmt.Errorf("stalled: no echo for %v after %d bytes", stall, n64)
			}
			return fmt.Errorf("after %d bytes echoed: %v", n64, err)
		}
	}
	if err := <-werrc; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	secs := last.Sub(start).Seconds()
	fmt.Printf("RESULT %.1f MB/s bytes=%d secs=%.3f capped=%v\n", float64(n64)/secs/1e6, n64, secs, n64 < total)
	return nil
}

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[int(p*float64(len(d)-1))].Nanoseconds()) / 1e3
}

func clientRTT(addr string, n int) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(120 * time.Second))
	line := payload(lineLen)
	resp := make([]byte, lineLen)
	rt := func() error { return echoOnce(c, line, resp) }
	for i := 0; i < min(n, 100); i++ { // warm-up, not counted
		if err := rt(); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := rt(); err != nil {
			return fmt.Errorf("round trip %d: %v", i, err)
		}
		lat[i] = time.Since(t)
	}
	el := time.Since(start)
	fmt.Printf("RESULT %.2f us/rtt n=%d secs=%.3f p50=%.1f p99=%.1f\n",
		float64(el.Nanoseconds())/1e3/float64(n), n, el.Seconds(), pct(lat, .5), pct(lat, .99))
	return nil
}

// ipBindAddressNoPort is Linux's IP_BIND_ADDRESS_NO_PORT (not in package
// syscall for amd64): with a source address bound, the port is still chosen at
// connect time per 4-tuple, so every source address has the whole ephemeral range.
const ipBindAddressNoPort = 24

func clientConns(addr string, n, holdMs, par int, src string) error {
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	par = max(1, min(par, n))
	conns := make([]net.Conn, n)
	line := payload(lineLen)
	var next, done, fails atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	d := net.Dialer{Timeout: 15 * time.Second}
	if src != "" {
		ip := net.ParseIP(src)
		if ip == nil {
			return fmt.Errorf("bad source address %q", src)
		}
		d.LocalAddr = &net.TCPAddr{IP: ip}
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			if err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
			}); err != nil {
				return err
			}
			return serr
		}
	}

	// Stall guard: when nothing completes (ok or failed) for `stall`, the server
	// has stopped answering (e.g. it cannot accept: out of file descriptors), so
	// give up at once instead of waiting for the 60 s deadline.
	const stall = 10 * time.Second
	var mu sync.Mutex
	inflight := make([]net.Conn, par)
	var stalled atomic.Bool
	monDone := make(chan struct{})
	go func() {
		prev, since := int64(-1), time.Now()
		for {
			select {
			case <-monDone:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if k := done.Load(); k != prev {
				prev, since = k, time.Now()
			} else if time.Since(since) > stall {
				stalled.Store(true)
				cancel()
				mu.Lock()
				for _, c := range inflight {
					if c != nil {
						c.SetDeadline(time.Now())
					}
				}
				mu.Unlock()
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := make([]byte, lineLen)
			for !stalled.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := func() error {
					c, err := d.DialContext(ctx, "tcp", addr)
					if err != nil {
						return err
					}
					conns[i] = c
					c.SetDeadline(deadline)
					mu.Lock()
					inflight[w] = c
					mu.Unlock()
					defer func() {
						mu.Lock()
						inflight[w] = nil
						mu.Unlock()
					}()
					if stalled.Load() {
						return errors.New("aborted: server stalled")
					}
					return echoOnce(c, line, resp)
				}()
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(monDone)
	el := time.Since(start)
	ok := done.Load() - fails.Load()
	nfail := int64(n) - ok // with a stall, the connections never tried count as failed
	fmt.Printf("RESULT %.1f ms n=%d ok=%d fail=%d stalled=%v\n", float64(el.Microseconds())/1e3, n, ok, nfail, stalled.Load())
	if holdMs > 0 {
		select {
		case <-usr1:
		case <-time.After(time.Duration(holdMs) * time.Millisecond):
		}
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	if nfail > 0 {
		msg := fmt.Sprintf("%d of %d connections failed, first: %v", nfail, n, firstErr.Load())
		if stalled.Load() {
			msg += fmt.Sprintf(" (stalled: nothing completed for %v after %d ok)", stall, ok)
		}
		return errors.New(msg)
	}
	return nil
}

func clientUDP(addr string, n int) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	end := time.Now().Add(60 * time.Second)
	msg := payload(lineLen)
	resp := make([]byte, 2048)
	lost := 0
	rt := func(seq uint64) error {
		copy(msg, fmt.Sprintf("%016x", seq))
		for {
			if time.Now().After(end) {
				return errors.New("time limit reached")
			}
			if _, err := c.Write(msg); err != nil {
				return err
			}
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			for {
				k, err := c.Read(resp)
				if err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						break // resend
					}
					return err
				}
				if k == lineLen && bytes.Equal(resp[:k], msg) {
					return nil
				}
				// stale reply to an earlier resend, or a coalesced stream: keep reading
			}
			if lost++; lost > 100 {
				return fmt.Errorf("more than 100 datagrams lost")
			}
		}
	}
	for i := 0; i < min(n, 100); i++ {
		if err := rt(uint64(1<<40 + i)); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := rt(uint64(i)); err != nil {
			return fmt.Errorf("round trip %d: %v", i, err)
		}
		lat[i] = time.Since(t)
	}
	el := time.Since(start)
	fmt.Printf("RESULT %.2f us/rtt n=%d secs=%.3f lost=%d p50=%.1f p99=%.1f\n",
		float64(el.Nanoseconds())/1e3/float64(n), n, el.Seconds(), lost, pct(lat, .5), pct(lat, .99))
	return nil
}

// echoOnce writes line and reads its echo into resp (len(line) bytes),
// failing on a mismatch.
func echoOnce(c net.Conn, line, resp []byte) error {
	if _, err := c.Write(line); err != nil {
		return err
	}
	if _, err := io.ReadFull(c, resp); err != nil {
		return err
	}
	if !bytes.Equal(resp, line) {
		return errors.New("echo mismatch")
	}
	return nil
}
