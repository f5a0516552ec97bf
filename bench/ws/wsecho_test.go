package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestClientsAgainstWsEchoLua runs the benchmark's clients, small, against
// scripts/ws_echo.lua, as ws.sh does: the benchmark keeps working, and
// ws_echo.lua echoes every message exactly (type, bytes), 64-byte text
// ones in sequence, 64 KiB binary ones pipelined on several connections,
// and 1 MiB ones. gonetrepl is $GONETREPL, else built from this checkout.
func TestClientsAgainstWsEchoLua(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := os.Getenv("GONETREPL")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "gonetrepl")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build of gonetrepl: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(bin, "scripts/ws_echo.lua", addr)
	srv.Dir = root
	out := &syncWriter{}
	srv.Stdout, srv.Stderr = out, out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() {
		srv.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("ws_echo.lua's output:\n%s", out.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ws_echo.lua does not listen on %s: %v", addr, err)
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("ws_echo.lua exited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	url := "ws://" + addr + "/"
	if err := clientRTT(url, 200, 64); err != nil {
		t.Errorf("client-rtt: %v", err)
	}
	if err := clientRTT(url, 3, 1<<20); err != nil {
		t.Errorf("client-rtt of 1 MiB messages: %v", err)
	}
	if err := clientThroughput(url, 3, 65536, 8<<20, 10e9); err != nil {
		t.Errorf("client-throughput: %v", err)
	}
}
