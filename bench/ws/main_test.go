package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
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
	for name, change := range map[string]func(websocket.MessageType, []byte) (websocket.MessageType, []byte){
		"type": func(typ websocket.MessageType, b []byte) (websocket.MessageType, []byte) { return 3 - typ, b },
		"last byte": func(typ websocket.MessageType, b []byte) (websocket.MessageType, []byte) {
			b[len(b)-1]++
			return typ, b
		},
		"first":   func(typ websocket.MessageType, b []byte) (websocket.MessageType, []byte) { b[0]++; return typ, b },
		"shorter": func(typ websocket.MessageType, b []byte) (websocket.MessageType, []byte) { return typ, b[:len(b)-1] },
	} {
		t.Run(name, func(t *testing.T) {
			url := serveTest(t, func(w http.ResponseWriter, r *http.Request) {
				c, err := websocket.Accept(w, r, nil)
				if err != nil {
					return
				}
				defer c.CloseNow()
				for {
					typ, b, err := c.Read(context.Background())
					if err != nil {
						return
					}
					typ, b = change(typ, b)
					if c.Write(context.Background(), typ, b) != nil {
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
