package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The clients are on gorilla/websocket, whose buffer sizes can be set: a
// message goes out as one frame in one write, and echoes are read through
// a 256 KiB buffer into one reused slice, so that the client spends little
// time per message and the server, not the client, sets the pace.

// dial opens a client connection whose messages of up to size bytes go
// out as one frame each.
func dial(url string, size int) (*websocket.Conn, error) {
	d := websocket.Dialer{
		HandshakeTimeout: stall,
		ReadBufferSize:   256 << 10,
		WriteBufferSize:  max(size+16, 4096),
	}
	c, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(maxMessage)
	return c, nil
}

// readEcho reads the next message into buf, which must be one byte
// longer than the message expected, and returns its type and bytes.
func readEcho(c *websocket.Conn, buf []byte) (int, []byte, error) {
	c.SetReadDeadline(time.Now().Add(stall))
	typ, r, err := c.NextReader()
	if err != nil {
		return 0, nil, err
	}
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	} else if err == nil {
		err = errors.New("wrong echo: longer than the message")
	}
	return typ, buf[:n], err
}

func writeMessage(c *websocket.Conn, typ int, msg []byte) error {
	c.SetWriteDeadline(time.Now().Add(stall))
	return c.WriteMessage(typ, msg)
}

// closeConn sends a normal close and closes the connection without
// waiting for the peer's close.
func closeConn(c *websocket.Conn) {
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.Close()
}

// clientRTT times n sequential round trips of a size-byte text message.
func clientRTT(url string, n, size int) error {
	c, err := dial(url, size)
	if err != nil {
		return err
	}
	defer closeConn(c)
	msg := bytes.Repeat([]byte("x"), size)
	buf := make([]byte, size+1)
	rtts := make([]time.Duration, 0, n)
	start := time.Now()
	for i := range n {
		if time.Since(start) > overall {
			return fmt.Errorf("round trip %d: over %v in all", i+1, overall)
		}
		// The message changes each time, so a stale echo cannot pass.
		copy(msg, strconv.Itoa(i))
		t0 := time.Now()
		if err := writeMessage(c, websocket.TextMessage, msg); err != nil {
			return fmt.Errorf("round trip %d: %w", i+1, err)
		}
		typ, got, err := readEcho(c, buf)
		if err != nil {
			return fmt.Errorf("round trip %d: %w", i+1, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(got, msg) {
			return fmt.Errorf("round trip %d: wrong echo (type %d, %d bytes)", i+1, typ, len(got))
		}
		rtts = append(rtts, time.Since(t0))
	}
	total := time.Since(start)
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
// size-byte binary messages (window unanswered at most), and reports the
// echoed bytes per second.
func clientThroughput(url string, conns, size int, total int64, maxTime time.Duration) error {
	if conns < 1 || size < 8 {
		return errors.New("client-throughput: CONNS >= 1 and SIZE >= 8")
	}
	cs := make([]*websocket.Conn, conns)
	for i := range cs {
		c, err := dial(url, size)
		if err != nil {
			return err
		}
		defer c.Close()
		cs[i] = c
	}
	var budget atomic.Int64 // bytes still to send, in all
	budget.Store(total)
	var echoed atomic.Int64
	start := time.Now()
	deadline := start.Add(min(maxTime, overall))
	var once sync.Once
	var first error
	fail := func(err error) { // the first error stops every connection
		once.Do(func() {
			first = err
			for _, c := range cs {
				c.Close()
			}
		})
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
				sent <- seq // blocks while window messages are unanswered
				if err := writeMessage(c, websocket.BinaryMessage, msg); err != nil {
					fail(fmt.Errorf("write: %w", err))
					return
				}
			}
		}()
		go func() { // reader
			defer wg.Done()
			buf := make([]byte, size+1)
			for seq := range sent {
				typ, got, err := readEcho(c, buf)
				if err != nil {
					fail(fmt.Errorf("read: %w", err))
					// Drain, so that the writer is not blocked on a full window.
					for range sent {
					}
					return
				}
				if typ != websocket.BinaryMessage || len(got) != size || binary.BigEndian.Uint64(got) != seq || got[size-1] != 0xa5 {
					fail(fmt.Errorf("wrong echo of message %d (type %d, %d bytes)", seq, typ, len(got)))
					for range sent {
					}
					return
				}
				echoed.Add(int64(size))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return first
	}
	for _, c := range cs {
		closeConn(c)
	}
	fmt.Printf("RESULT %.1f MB/s echoed=%d conns=%d size=%d secs=%.2f\n",
		float64(echoed.Load())/1e6/elapsed.Seconds(), echoed.Load(), conns, size, elapsed.Seconds())
	return nil
}
