#!/usr/bin/env python3
"""A real HTTP/1.1 server for the tests of stdlib/http.lua (http_test.lua).

Only Python's standard library: http.server with protocol_version
"HTTP/1.1", so connections stay open between requests. Started by package
internal/httppeer on a loopback port:

    python3 http_peer.py PORT

Paths:
    /fixed        "hello, world\\n" with Content-Length (HEAD: headers only)
    /chunked      a chunked body of several chunks: "alpha beta gamma\\n"
    /redirect     302 to /fixed
    /redirect2    301 to /redirect (two hops to /fixed)
    /nocontent    204, no body
    /connections  how many TCP connections the server has accepted so far
    /close        an HTTP/1.0-style body: no length, ends when the server closes
    /multi        the header X-Multi twice (a, then b)
    /echo         (POST, PUT) the request body back, its method in X-Method
"""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIXED = b"hello, world\n"
CHUNKS = [b"alpha ", b"beta ", b"gamma", b"\n"]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.accepted = 0

    def process_request(self, request, client_address):
        with self.lock:
            self.accepted += 1
        super().process_request(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("http_peer: " + (fmt % args) + "\n")

    def send_body(self, status, body, content_type="text/plain", extra=(), head=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def answer(self, head):
        path = self.path.split("?", 1)[0]
        if path == "/fixed":
            self.send_body(200, FIXED, head=head)
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if head:
                return
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\nX-Trailer: done\r\n\r\n")
        elif path == "/redirect":
            self.send_body(302, b"", extra=[("Location", "/fixed")], head=head)
        elif path == "/redirect2":
            self.send_body(301, b"", extra=[("Location", "/redirect")], head=head)
        elif path == "/nocontent":
            self.send_response(204)
            self.end_headers()
        elif path == "/connections":
            with self.server.lock:
                n = self.server.accepted
            self.send_body(200, b"%d" % n, head=head)
        elif path == "/close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if not head:
                self.wfile.write(b"until the end\n")
        elif path == "/multi":
            self.send_body(200, b"multi\n", extra=[("X-Multi", "a"), ("X-Multi", "b")], head=head)
        else:
            self.send_body(404, b"not found\n", head=head)

    def do_GET(self):
        self.answer(head=False)

    def do_HEAD(self):
        self.answer(head=True)

    def do_echo(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1 << 20:
            self.send_body(413, b"too large\n")
            return
        body = self.rfile.read(length)
        if self.path.split("?", 1)[0] != "/echo":
            self.send_body(404, b"not found\n")
            return
        self.send_body(200, body, content_type="application/octet-stream",
                       extra=[("X-Method", self.command)])

    do_POST = do_echo
    do_PUT = do_echo


def main():
    port = int(sys.argv[1])
    server = Server(("127.0.0.1", port), Handler)
    sys.stderr.write("http_peer: listening on 127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
