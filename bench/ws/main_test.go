package main

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// serveTest runs handler as a WebSocket server on a loopback port and
// returns its ws:// URL.
func serveTest(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + ln.Addr().String() + "/"
}

// The clients pass against the echo server, with small counts.
func TestClientsAgainstEcho(t *testing.T) {
	url := serveTest(t, echo)
	if err := clientRTT(url, 200, 64); err != nil {
		t.Fatalf("client-rtt: %v", err)
	}
	if err := clientRTT(url, 3, 1<<20); err != nil {
		t.Fatalf("client-rtt of 1 MiB messages: %v", err)
	}
	if err := clientThroughput(url, 3, 65536, 8<<20, 5e9); err != nil {
		t.Fatalf("client-throughput: %v", err)
	}
}

// A server that does not echo exactly makes each client fail, so a wrong
// server cannot produce a figure.
func TestClientsCatchWrongEchoes(t *testing.T) {
	for name, change := range map[string]func(int, []byte) (int, []byte){
		"type":      func(typ int, b []byte) (int, []byte) { return 3 - typ, b }, // text <-> binary
		"last byte": func(typ int, b []byte) (int, []byte) { b[len(b)-1]++; return typ, b },
		"first":     func(typ int, b []byte) (int, []byte) { b[0]++; return typ, b },
		"shorter":   func(typ int, b []byte) (int, []byte) { return typ, b[:len(b)-1] },
		"longer":    func(typ int, b []byte) (int, []byte) { return typ, append(b, 'x') },
	} {
		t.Run(name, func(t *testing.T) {
			url := serveTest(t, func(w http.ResponseWriter, r *http.Request) {
				c, err := upgrader.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer c.Close()
				for {
					typ, b, err := c.ReadMessage()
					if err != nil {
						return
					}
					typ, b = change(typ, b)
					if c.WriteMessage(typ, b) != nil {
						return
					}
				}
			})
			if err := clientRTT(url, 5, 64); err == nil || !strings.Contains(err.Error(), "wrong echo") {
				t.Errorf("client-rtt: %v, want a wrong echo", err)
			}
			if err := clientThroughput(url, 2, 1024, 1<<20, 5e9); err == nil || !strings.Contains(err.Error(), "wrong echo") {
				t.Errorf("client-throughput: %v, want a wrong echo", err)
			}
		})
	}
}

// syncWriter collects a process's output for the test log.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
