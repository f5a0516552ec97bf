package main

import (
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// The echo server: what a user of the library writes, with the buffers
// set for big messages.

// upgrader answers the server's upgrades: 64 KiB buffers (the default
// is 4 KiB, a system call per 4 KiB), no compression (the default).
var upgrader = websocket.Upgrader{ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10}

// serve runs the echo server until the process is killed.
func serve(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, http.HandlerFunc(echo))
}

// echo answers one upgrade and echoes its messages, each whole with its
// type, until the peer closes or breaks the protocol (the library then
// answers the close or sends its own).
func echo(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadLimit(maxMessage)
	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(typ, data); err != nil {
			return
		}
	}
}
