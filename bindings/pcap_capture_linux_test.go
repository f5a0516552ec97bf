package bindings

// pcap.open against captures tcpdump makes on lo during the test: curl
// fetching / from python3 -m http.server, and redis-cli's SET and GET
// against redis-server, captured at once on lo (Ethernet frames) and on
// any (Linux cooked v2), then converted to pcapng by Wireshark's editcap.
// Every file must give the same streams, byte for byte what the clients
// sent and got. Capturing needs CAP_NET_RAW: as root the test captures
// on the host, else in a private network namespace, as
// TestTLSKeyLogDecryptsCapture does.

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// pcapNetnsEnv marks the test binary re-run inside a namespace.
const pcapNetnsEnv = "GONETREPL_PCAP_NETNS"

// pcapCheck is the Lua that reads one capture file and checks its
// streams and packets; it prints one summary line a stream, which must
// be the same for every file of the same traffic.
const pcapCheck = `
	local path, HTTP, REDIS, UDP, got = %q, %q, %q, %q, %q
	local f = assert(io.open(got, "rb")); local body = f:read("*a"); f:close()
	local cap = assert(pcap.open(path))
	local http, redis, udp = {}, {}, {}
	for _, s in ipairs(cap:streams()) do
		if s.server == HTTP then http[#http + 1] = s
		elseif s.server == REDIS then redis[#redis + 1] = s
		elseif s.server == UDP then udp[#udp + 1] = s
		else error("a stream nobody made: " .. s.client .. " -> " .. s.server) end
	end
	assert(#http == 1 and #redis == 2, ("%%d http and %%d redis streams"):format(#http, #redis))
	local h = http[1]
	assert(h.protocol == "tcp" and h.complete and h.missing == 0 and not h.reset, "the http stream is not whole")
	assert(h.client_bytes:sub(1, 16) == "GET / HTTP/1.1\r\n", h.client_bytes)
	assert(h.server_bytes:sub(1, 12) == "HTTP/1.0 200", h.server_bytes:sub(1, 200))
	local head, rest = h.server_bytes:match("^(.-\r\n\r\n)(.*)$")
	assert(rest == body, ("the body in the capture (%%d bytes) is not what curl got (%%d bytes)"):format(#rest, #body))
	assert(head:find("Content-Length: " .. #body .. "\r\n", 1, true), head)
	-- the chunks joined by direction are client_bytes and server_bytes
	for _, s in ipairs({h, redis[1], redis[2]}) do
		local c, sv, last = {}, {}, 0
		for _, ch in ipairs(s.chunks) do
			assert(ch.time >= last, "chunk times go back")
			last = ch.time
			if ch.dir == "c2s" then c[#c + 1] = ch.data else assert(ch.dir == "s2c"); sv[#sv + 1] = ch.data end
		end
		assert(table.concat(c) == s.client_bytes and table.concat(sv) == s.server_bytes)
		assert(s.chunks[1].dir == "c2s")
	end
	assert(redis[1].client_bytes == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", redis[1].client_bytes)
	assert(redis[1].server_bytes == "+OK\r\n", redis[1].server_bytes)
	assert(redis[2].client_bytes == "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", redis[2].client_bytes)
	assert(redis[2].server_bytes == "$1\r\nv\r\n", redis[2].server_bytes)
	assert(redis[1].complete and redis[2].complete)
	-- the UDP flow: each datagram a chunk, its boundaries kept
	assert(#udp == 1, #udp .. " udp flows")
	local u = udp[1]
	assert(u.protocol == "udp" and #u.chunks == 6 and not u.complete and u.missing == 0)
	for i, size in ipairs({1, 1000, 1400}) do
		local q, a = u.chunks[2 * i - 1], u.chunks[2 * i]
		assert(q.dir == "c2s" and a.dir == "s2c" and q.data == ("q"):rep(size) .. i and a.data == "echo " .. q.data, "datagram " .. i)
	end
	assert(u.client_bytes == "q1" .. ("q"):rep(1000) .. "2" .. ("q"):rep(1400) .. "3")
	-- packets: the http conn opens with the client's SYN
	local n, syn, data = 0, nil, 0
	for pkt in cap:packets() do
		n = n + 1
		assert(pkt.number == n and (pkt.protocol == "tcp" or pkt.protocol == "udp") and pkt.length >= 28 + #pkt.payload)
		if pkt.protocol == "udp" then assert(pkt.flags == nil and pkt.seq == nil and pkt.dst_port and pkt.src == u.client or pkt.src == UDP) end
		if not syn and pkt.dst == HTTP then syn = pkt end
		if pkt.src == HTTP then data = data + #pkt.payload end
	end
	assert(syn.flags == "S" and syn.src == h.client and syn.src_ip == "127.0.0.1" and syn.dst_ip == "127.0.0.1"
		and syn.dst_port == tonumber(HTTP:match(":(%%d+)$")) and syn.payload == "" and syn.seq >= 0 and syn.ack == 0, "the SYN")
	assert(syn.time >= time.now() - 600 and syn.time <= time.now())
	assert(data >= #h.server_bytes, "the server's packets carry less than its stream")
	for _, s in ipairs({h, redis[1], redis[2], u}) do
		print(s.protocol, s.client, s.server, #s.client_bytes, #s.server_bytes, s.complete, s.missing,
			("%%.6f"):format(s.chunks[1].time), ("%%.6f"):format(s.chunks[#s.chunks].time))
	end
`

func TestPcapReadsTcpdumpCaptures(t *testing.T) {
	t.Parallel()
	tcpdump := peer.Find(t, "tcpdump", "tcpdump")
	curl := peer.Find(t, "curl", "curl")
	python := peer.Find(t, "python3", "python3")
	editcap := peer.Find(t, "editcap", "wireshark-common")
	cli := redistest.Cli(t)
	peer.Find(t, "redis-server", "redis-server")
	if os.Geteuid() != 0 && os.Getenv(pcapNetnsEnv) != "1" {
		rerunInCaptureNetns(t, "TestPcapReadsTcpdumpCaptures", pcapNetnsEnv)
		return
	}
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	if err := os.Mkdir(www, 0o755); err != nil {
		t.Fatal(err)
	}
	// 300 KB over many segments, every line different.
	var page strings.Builder
	for i := 0; page.Len() < 300_000; i++ {
		fmt.Fprintf(&page, "line %d of the page the capture must give back\n", i)
	}
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte(page.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	httpAddr := peer.Start(t, python, func(port int) []string {
		return []string{"-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", www}
	}, peer.AcceptsTCP)
	redisAddr := redistest.Start(t)
	_, httpPort, _ := strings.Cut(httpAddr, ":")
	_, redisPort, _ := strings.Cut(redisAddr, ":")
	udpAddr := pcapUDPEcho(t)
	_, udpPort, _ := strings.Cut(udpAddr, ":")
	filter := "tcp port " + httpPort + " or tcp port " + redisPort + " or udp port " + udpPort
	loPcap, anyPcap := filepath.Join(dir, "lo.pcap"), filepath.Join(dir, "any.pcap")
	stopLo := startCaptureOn(t, tcpdump, "lo", loPcap, filter)
	stopAny := startCaptureOn(t, tcpdump, "any", anyPcap, filter)

	got := filepath.Join(dir, "got")
	run := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(curl, "-sS", "-o", got, "http://"+httpAddr+"/")
	if out := run(cli, "-h", "127.0.0.1", "-p", redisPort, "SET", "k", "v"); out != "OK\n" {
		t.Fatalf("redis-cli SET: %q", out)
	}
	if out := run(cli, "-h", "127.0.0.1", "-p", redisPort, "GET", "k"); out != "v\n" {
		t.Fatalf("redis-cli GET: %q", out)
	}
	uc, err := net.Dial("udp", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	for i, size := range []int{1, 1000, 1400} {
		q := strings.Repeat("q", size) + strconv.Itoa(i+1)
		uc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := uc.Write([]byte(q)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2000)
		n, err := uc.Read(buf)
		if err != nil || string(buf[:n]) != "echo "+q {
			t.Fatalf("udp echo: %q, %v", buf[:n], err)
		}
	}
	// The last ACKs reach tcpdump before it stops.
	time.Sleep(200 * time.Millisecond)
	stopLo()
	stopAny()
	loNg := filepath.Join(dir, "lo.pcapng")
	run(editcap, "-F", "pcapng", loPcap, loNg)

	summaries := map[string]string{}
	for _, path := range []string{loPcap, loNg, anyPcap} {
		out := runChunkOutput(t, fmt.Sprintf(pcapCheck, path, httpAddr, redisAddr, udpAddr, got))
		summaries[filepath.Base(path)] = out
		if testing.Verbose() {
			t.Logf("%s:\n%s", filepath.Base(path), out)
		}
	}
	if summaries["lo.pcap"] != summaries["lo.pcapng"] {
		t.Errorf("pcap and editcap's pcapng differ:\n%s\n%s", summaries["lo.pcap"], summaries["lo.pcapng"])
	}
	// -i any stamps each packet apart: the times may differ, not the streams.
	cut := func(s string) string {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			f := strings.Split(l, "\t")
			lines = append(lines, strings.Join(f[:len(f)-2], "\t"))
		}
		return strings.Join(lines, "\n")
	}
	if cut(summaries["lo.pcap"]) != cut(summaries["any.pcap"]) {
		t.Errorf("-i lo and -i any (Linux cooked v2) differ:\n%s\n%s", summaries["lo.pcap"], summaries["any.pcap"])
	}
	if out := runChunkOutput(t, fmt.Sprintf(`print(assert(pcap.open(%q)))`, anyPcap)); !strings.Contains(out, "(pcap)") {
		t.Errorf("tostring: %s", out)
	}
}

// pcapUDPEcho serves UDP on loopback for the rest of the test, answering
// each datagram with "echo " and the datagram.
func pcapUDPEcho(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(append([]byte("echo "), buf[:n]...), addr)
		}
	}()
	return pc.LocalAddr().String()
}
