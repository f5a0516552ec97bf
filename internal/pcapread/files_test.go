package pcapread

// Captures made by tcpdump on lo, kept in testdata (they seed
// FuzzPcapRead too): http.pcap (-i lo, Ethernet) of curl fetching / from
// python3 -m http.server, its pcapng by editcap, and redis-any.pcap (-i
// any, Linux cooked v2) of redis-cli SET k v then GET k, in which the
// kernel dropped the server's "+OK" (tcpdump reported 6 packets dropped):
// a real gap.

import (
	"context"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) *Capture {
	t.Helper()
	c, err := ReadFile(context.Background(), "testdata/"+name, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTcpdumpFiles(t *testing.T) {
	for _, name := range []string{"http.pcap", "http.pcapng"} {
		c := readTestdata(t, name)
		if len(c.Packets) != 12 || len(c.Streams) != 1 || c.LinkType != "Ethernet" {
			t.Fatalf("%s: %d packets, %d streams, link %s", name, len(c.Packets), len(c.Streams), c.LinkType)
		}
		st := c.Streams[0]
		if client := joined(st, false); !strings.HasPrefix(client, "GET / HTTP/1.1\r\n") || !strings.HasSuffix(client, "\r\n\r\n") {
			t.Errorf("%s: client bytes %q", name, client)
		}
		if server := joined(st, true); !strings.HasPrefix(server, "HTTP/1.0 200 OK\r\n") || !strings.HasSuffix(server, "<h1>hello from a capture</h1>\n") {
			t.Errorf("%s: server bytes %q", name, server)
		}
		if !st.Complete() || st.Server != "127.0.0.1:18765" {
			t.Errorf("%s: complete %v, server %s", name, st.Complete(), st.Server)
		}
	}

	c := readTestdata(t, "redis-any.pcap")
	if c.LinkType != "Linux SLL2" || len(c.Packets) != 17 || len(c.Streams) != 2 {
		t.Fatalf("redis-any.pcap: link %s, %d packets, %d streams", c.LinkType, len(c.Packets), len(c.Streams))
	}
	set, get := c.Streams[0], c.Streams[1]
	if got := joined(set, false); got != "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" {
		t.Errorf("SET: client bytes %q", got)
	}
	if got := joined(set, true); got != "" || set.Missing != 5 || set.Complete() {
		t.Errorf("SET: server bytes %q, missing %d (the dropped +OK\\r\\n is 5), complete %v", got, set.Missing, set.Complete())
	}
	if c, s := joined(get, false), joined(get, true); c != "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" || s != "$1\r\nv\r\n" || !get.Complete() {
		t.Errorf("GET: %q, %q, complete %v", c, s, get.Complete())
	}
	if p := c.Packets[0]; p.Flags != "S" || p.SrcIP != "127.0.0.1" || p.DstPort != 18766 {
		t.Errorf("packet 1: %+v", p)
	}
}
