package bindings

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

// testdata/websocket_test.lua tests stdlib/websocket.lua against
// python3-websockets in both directions: testdata/ws_peer.py serves on a
// loopback port, plain (WS_PEER, "127.0.0.1:port") and with TLS (WSS_PEER,
// its certificate signed by the test CA whose PEM file is WS_CA); and
// testdata/ws_client.py (WS_CLIENT, run with PYTHON through proc.spawn)
// talks to servers the tests start. Bad frames are crafted with raw conns
// in Lua.
func init() {
	luaSetup["websocket"] = func(t *testing.T) map[string]string {
		python := peer.PythonWith(t, "websockets", "python3-websockets")
		server, err := filepath.Abs("testdata/ws_peer.py")
		if err != nil {
			t.Fatal(err)
		}
		client, err := filepath.Abs("testdata/ws_client.py")
		if err != nil {
			t.Fatal(err)
		}
		pki := tlstest.NewPKI(t)
		plain := peer.Start(t, python, func(port int) []string {
			return []string{server, strconv.Itoa(port)}
		}, peer.AcceptsTCP)
		secure := peer.Start(t, python, func(port int) []string {
			return []string{server, strconv.Itoa(port), pki.CertFile, pki.KeyFile}
		}, peer.AcceptsTCP)
		return map[string]string{
			"WS_PEER": plain, "WSS_PEER": secure, "WS_CA": pki.CAFile,
			"WS_CERT": pki.CertFile, "WS_KEY": pki.KeyFile,
			"PYTHON": python, "WS_CLIENT": client,
		}
	}
}
