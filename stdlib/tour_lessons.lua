-- tour_lessons: the text of the tour's fifteen lessons (see tour.lua,
-- which holds their checks, in the same order).
--
-- Each lesson: title; text, the idea in plain words; go, a complete Go
-- program doing the same with Go's net package (a test runs go vet on
-- each: tour_test.go); here, the line that does it at this prompt; try,
-- the lines to type, which the tour's pty test types as they are.
return {
  {
    title = "Conns and listeners",
    text = [[
A socket program plays one of two parts. A server makes a listener: it
owns an address (an IP and a port) and waits there. A client dials that
address, and each dial that the listener accepts gives a conn at both
ends: a two-way stream of bytes. Port 0 asks the system for any free
port; ln:addr() tells you which one it gave.]],
    go = [[
package main

import (
	"fmt"
	"log"
	"net"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.LocalAddr(), "->", c.RemoteAddr())
}
]],
    here = [[
ln = assert(net.listen("tcp", "127.0.0.1:0"))
c = assert(net.dial("tcp", tostring(ln:addr())))]],
    try = [[
ln = assert(net.listen("tcp", "127.0.0.1:0"))
ln:addr()
c = assert(net.dial("tcp", tostring(ln:addr())))
c:local_addr(), c:remote_addr()]],
  },
  {
    title = "Dial",
    text = [[
Dialing connects to a server that is already there. The tour runs an
echo server at tour.echo: whatever you write to it comes back. A write
puts bytes on the wire; a read returns what has arrived. TCP keeps the
bytes in order but knows nothing of lines or messages: read_line reads
up to the next "\n" for you.]],
    go = [[
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hello\n")); err != nil {
		log.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", line)
}
]],
    here = [[
c = assert(net.dial("tcp", tour.echo)); c:write("hello\n"); c:read_line()]],
    try = [[
c = assert(net.dial("tcp", tour.echo))
c:write("hello\n")
c:read_line()]],
  },
  {
    title = "Listen and accept",
    text = [[
A listener queues the conns that arrive; accept takes the next one (and
waits when there is none). tour.knock(addr) makes the tour dial your
listener in the background and say "knock knock"; accept it, read what
it said, and answer: the knocker waits for a line.]],
    go = [[
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	fmt.Println("listening on", ln.Addr())
	s, err := ln.Accept()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	line, _ := bufio.NewReader(s).ReadString('\n')
	fmt.Printf("they said %q\n", line)
	fmt.Fprintf(s, "who's there?\n")
}
]],
    here = [[
s = assert(ln:accept())]],
    try = [[
ln = assert(net.listen("tcp", "127.0.0.1:0"))
tour.knock(ln:addr())
s = assert(ln:accept())
s:read_line()
s:write("who's there?\n")]],
  },
  {
    title = "An echo server",
    text = [[
A server accepts in a loop and handles each conn on its own, so that a
slow client does not hold up the others: in Go, a goroutine per conn;
here, ln:serve(handler) runs the handler as a task per conn, in the
background, while you keep typing. The check dials your listener and
sends it a line.]],
    go = [[
package main

import (
	"bufio"
	"log"
	"net"
)

func handle(c net.Conn) {
	defer c.Close()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		if _, err := c.Write([]byte(sc.Text() + "\n")); err != nil {
			return
		}
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	log.Println("echo on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go handle(c)
	}
}
]],
    here = [[
ln:serve(function(c) for line in c:lines() do c:write(line .. "\n") end end)]],
    try = [[
ln = assert(net.listen("tcp", "127.0.0.1:0"))
ln:serve(function(c) for line in c:lines() do c:write(line .. "\n") end end)
e = assert(net.dial("tcp", tostring(ln:addr()))); e:write("anyone?\n"); e:read_line()]],
  },
  {
    title = "UDP",
    text = [[
UDP sends datagrams: each write_to is one message to an address, each
read_from one message and the address it came from. There is no
connection, no order and no promise of delivery, and a message is never
split or merged. A packet conn can send to its own address.]],
    go = [[
package main

import (
	"fmt"
	"log"
	"net"
)

func main() {
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer u.Close()
	if _, err := u.WriteTo([]byte("ping"), u.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, from, err := u.ReadFrom(buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q from %v\n", buf[:n], from)
}
]],
    here = [[
u:write_to("ping", u:local_addr()); data, from = u:read_from()]],
    try = [[
u = assert(net.listen_packet("udp", "127.0.0.1:0"))
u:write_to("ping", u:local_addr())
data, from = u:read_from()
data, from]],
  },
  {
    title = "Unix sockets",
    text = [[
A Unix socket is a conn between programs on the same machine, named by
a path in the file system instead of an IP and a port. Everything else
is the same: listen, dial, accept, read, write. The path is a file:
closing the listener removes it. tour.tmp(name) gives a fresh path.]],
    go = [[
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
)

func main() {
	path := filepath.Join(os.TempDir(), "lesson.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected to", c.RemoteAddr())
}
]],
    here = [[
ul = assert(net.listen("unix", path)); uc = assert(net.dial("unix", path))]],
    try = [[
path = tour.tmp("lesson.sock")
ul = assert(net.listen("unix", path))
uc = assert(net.dial("unix", path))
uc:remote_addr()]],
  },
  {
    title = "Addresses",
    text = [[
An address is a host and a port in one string: "127.0.0.1:80". An IPv6
host has colons of its own, so it goes in brackets: "[::1]:80". Build
and take apart addresses with join_host_port and split_host_port rather
than by hand; resolve_addr turns a name into an address value with .ip
and .port.]],
    go = [[
package main

import (
	"fmt"
	"log"
	"net"
)

func main() {
	host, port, err := net.SplitHostPort("[::1]:8080")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(host, port)
	fmt.Println(net.JoinHostPort("::1", "8080"))
	a, err := net.ResolveTCPAddr("tcp", "localhost:80")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.IP, a.Port)
}
]],
    here = [[
a6 = net.join_host_port("::1", 8080)]],
    try = [[
net.split_host_port("[::1]:8080")
a6 = net.join_host_port("::1", 8080)
a = assert(net.resolve_addr("tcp", "localhost:80"))
a.ip, a.port]],
  },
  {
    title = "DNS lookups",
    text = [[
A name becomes addresses by asking a DNS server. Normally the system's
server is asked; the server option asks another one. The tour runs a
tiny DNS server in Lua on UDP at tour.dns that knows echo.tour (and
nothing else), so this lesson works without any network. A name nobody
knows gives an error of kind no_such_host.]],
    go = [[
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	server := os.Args[1] // the DNS server's address
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
	ips, err := r.LookupHost(context.Background(), "echo.tour")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ips)
}
]],
    here = [[
ips = assert(net.lookup_host("echo.tour", {server = tour.dns}))]],
    try = [[
ips = assert(net.lookup_host("echo.tour", {server = tour.dns}))
net.lookup_host("nowhere.tour", {server = tour.dns})]],
  },
  {
    title = "Deadlines",
    text = [[
A read waits until data comes, however long that takes. A deadline is a
point in time after which a read (or write) gives up with an error of
kind timeout, and the conn is still usable: set a new deadline and read
again. The echo server only answers what you send, so a read with
nothing sent waits, until the deadline.]],
    go = [[
package main

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, err = c.Read(make([]byte, 100))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		fmt.Println("timed out:", err)
	}
}
]],
    here = [[
c:set_read_deadline(time.now() + 0.5); line, err = c:read_line()]],
    try = [[
c = assert(net.dial("tcp", tour.echo))
c:set_read_deadline(time.now() + 0.5)
line, err = c:read_line()
err.kind, err]],
  },
  {
    title = "Framing",
    text = [[
TCP is a stream: two writes may arrive as one read, or one write as two
reads. To send messages, frame them. Lines are one framing; another is a
length prefix: two bytes that say how long the message is, then the
message. write_frame and read_frame do that, and read_frame never
returns half a message.]],
    go = [[
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msg := []byte("hello")
	frame := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
	if _, err := c.Write(append(frame, msg...)); err != nil {
		log.Fatal(err)
	}
	var size [2]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		log.Fatal(err)
	}
	got := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(c, got); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", got)
}
]],
    here = [[
f:write_frame("hello", {size = 2}); msg = f:read_frame({size = 2})]],
    try = [[
f = assert(net.dial("tcp", tour.echo))
f:write_frame("hello", {size = 2})
msg = f:read_frame({size = 2})
msg]],
  },
  {
    title = "Half-close",
    text = [[
How does a server know a request is complete when it has no length and
no end marker? The client closes its writing half: close_write sends
EOF, and the conn stays open the other way for the answer. The tour's
server at tour.upper reads until EOF, then answers in capitals. Without
close_write it would wait for more, and so would you.]],
    go = [[
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("shout\n")); err != nil {
		log.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		log.Fatal(err)
	}
	reply, err := io.ReadAll(c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", reply)
}
]],
    here = [[
h:close_write(); reply = h:read_all()]],
    try = [[
h = assert(net.dial("tcp", tour.upper))
h:write("shout\n")
h:close_write()
reply = h:read_all()
reply]],
  },
  {
    title = "Port 0",
    text = [[
A port belongs to one listener at a time. Tests and tools that hard-code
a port collide with whatever already holds it; asking for port 0 gets a
free one, different each time, which you then pass on (ln:addr()).
Listening on a port that is taken fails with kind addr_in_use.]],
    go = [[
package main

import (
	"fmt"
	"log"
	"net"
)

func main() {
	a, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	fmt.Println(a.Addr(), b.Addr())
	_, err = net.Listen("tcp", a.Addr().String())
	fmt.Println("again:", err)
}
]],
    here = [[
_, busy = net.listen("tcp", tostring(a:addr()))]],
    try = [[
a = assert(net.listen("tcp", "127.0.0.1:0"))
b = assert(net.listen("tcp", "127.0.0.1:0"))
a:addr().port, b:addr().port
_, busy = net.listen("tcp", tostring(a:addr()))
busy.kind, busy]],
  },
  {
    title = "In-memory pipes",
    text = [[
net.pipe() gives two conns joined in memory, with no socket and no port:
what one end writes the other reads. A write waits until the other end
reads it, so write from another task. Pipes are how to test code that
takes a conn without any network.]],
    go = [[
package main

import (
	"bufio"
	"fmt"
	"net"
)

func main() {
	p1, p2 := net.Pipe()
	go func() {
		p1.Write([]byte("through the pipe\n"))
		p1.Close()
	}()
	line, err := bufio.NewReader(p2).ReadString('\n')
	fmt.Printf("%q %v\n", line, err)
}
]],
    here = [[
p1, p2 = net.pipe(); task.spawn(function() p1:write("through the pipe\n") end); got = p2:read_line()]],
    try = [[
p1, p2 = net.pipe()
task.spawn(function() p1:write("through the pipe\n") end)
got = p2:read_line()
got]],
  },
  {
    title = "Common errors",
    text = [[
Network failures are not bugs: they come back as nil and an error whose
kind says what happened, so a program can decide. refused: nothing
listens there. no_such_host: the name does not exist. timeout: a
deadline passed. closed: the conn was closed here. eof: the peer has
finished. A wrong argument, like net.dial("tcp"), is a bug and raises.]],
    go = [[
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

func main() {
	_, err := net.Dial("tcp", os.Args[1])
	fmt.Println("refused:", errors.Is(err, syscall.ECONNREFUSED))
	_, err = net.LookupHost("nowhere.invalid")
	var dnsErr *net.DNSError
	fmt.Println("no such host:", errors.As(err, &dnsErr) && dnsErr.IsNotFound)
	a, b := net.Pipe()
	b.Close()
	a.Close()
	_, err = a.Read(make([]byte, 1))
	fmt.Println("closed:", errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed))
}
]],
    here = [[
_, refused = net.dial("tcp", tour.closed); refused.kind]],
    try = [[
_, refused = net.dial("tcp", tour.closed)
_, nohost = net.lookup_host("nowhere.tour", {server = tour.dns})
x = assert(net.dial("tcp", tour.echo)); x:close(); _, closed = x:read()
refused.kind, nohost.kind, closed.kind]],
  },
  {
    title = "An echo client and server",
    text = [[
Put it together: a function that dials, sends each line, reads each
echo back and returns them; and a server that echoes. The check calls
your echo_client against the tour's echo server, and dials your server.]],
    go = [[
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
)

func echoClient(addr string, lines []string) ([]string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	var got []string
	for _, l := range lines {
		if _, err := fmt.Fprintf(c, "%s\n", l); err != nil {
			return got, err
		}
		reply, err := r.ReadString('\n')
		if err != nil {
			return got, err
		}
		got = append(got, reply[:len(reply)-1])
	}
	return got, nil
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					fmt.Fprintf(c, "%s\n", sc.Text())
				}
			}()
		}
	}()
	fmt.Println(echoClient(ln.Addr().String(), []string{"one", "two"}))
}
]],
    here = [[
function echo_client(addr, lines) ... end]],
    try = [[
function echo_client(addr, lines) local c = assert(net.dial("tcp", addr)); local got = {}; for _, l in ipairs(lines) do c:write(l .. "\n"); got[#got + 1] = c:read_line() end; c:close(); return got end
es = assert(net.listen("tcp", "127.0.0.1:0"))
es:serve(function(c) for line in c:lines() do c:write(line .. "\n") end end)
echo_client(tostring(es:addr()), {"one", "two"})]],
  },
}
