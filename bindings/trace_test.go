package bindings

import (
	"regexp"
	"strings"
	"testing"
)

func TestFormatTrace(t *testing.T) {
	for _, tt := range []struct {
		mode int32
		data string
		want string
	}{
		{traceText, "GET / HTTP/1.0\r\nHost: x\r\n\r\n",
			"> <s> wrote 27 bytes\n" +
				"  \"GET / HTTP/1.0\\r\\n\"\n" +
				"  \"Host: x\\r\\n\"\n" +
				"  \"\\r\\n\"\n"},
		{traceText, "\x00\xff\"q\\\t", "> <s> wrote 27 bytes\n  \"\\0\\255\\\"q\\\\\\t\"\n"},
		{traceText, "é\x1b]0;x\x07\u202e1", "> <s> wrote 27 bytes\n  \"é\\27]0;x\\7\\226\\128\\1741\"\n"},
		{traceText, strings.Repeat("a", 70), "> <s> wrote 27 bytes\n  \"" + strings.Repeat("a", 64) + "\"\n  \"aaaaaa\"\n"},
		{traceText, "", "> <s> wrote 27 bytes\n"},
		{traceHex, "hello, world\n0123",
			"> <s> wrote 27 bytes\n" +
				"00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 30 31 32  |hello, world.012|\n" +
				"00000010  33                                                |3|\n" +
				"00000011\n"},
	} {
		if got := formatTrace(tt.mode, ">", "<s>", "wrote 27 bytes", []byte(tt.data)); got != tt.want {
			t.Errorf("formatTrace(%d, %q):\ngot  %q\nwant %q", tt.mode, tt.data, got, tt.want)
		}
	}
}

func TestTraceConns(t *testing.T) {
	out := runChunkOutput(t, `
		assert(net.trace("text") == false)
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		local s_ch = task.chan(1)
		task.spawn(function() s_ch:send(assert(ln:accept(10))) end)
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		local s = assert(s_ch:recv(10))
		print("client " .. tostring(c))
		print("server " .. tostring(s))
		assert(c:write("hello\n"))
		assert(s:read_line() == "hello")
		s:trace(false) -- this one alone is quiet now
		assert(s:write("quiet"))
		assert(c:read_full(5) == "quiet")
		assert(net.trace("hex") == "text")
		assert(c:write_frame("ABC", {size = 2}))
		assert(s:read_frame({size = 2}) == "ABC")
		c:close_write()
		assert(s:read_all() == "")
		net.trace(false)
		s:trace(nil)
		assert(s:write("not traced"))
		c:close() s:close() ln:close()`)
	client := regexp.MustCompile(`(?m)^client (<tcp conn .*>)$`).FindStringSubmatch(out)
	server := regexp.MustCompile(`(?m)^server (<tcp conn .*>)$`).FindStringSubmatch(out)
	if client == nil || server == nil {
		t.Fatalf("no conn names in output:\n%s", out)
	}
	for _, want := range []string{
		"> " + client[1] + " wrote 6 bytes\n  \"hello\\n\"\n",
		"< " + server[1] + " read 6 bytes\n  \"hello\\n\"\n",
		"< " + client[1] + " read 5 bytes\n  \"quiet\"\n",
		"> " + client[1] + " wrote 5 bytes\n00000000  00 03 41 42 43                                    |..ABC|\n",
		"> " + client[1] + " close_write\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in the output:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{
		"> " + server[1] + " wrote 5 bytes", // s:trace(false)
		"< " + server[1] + " read 5 bytes",  // s:trace(false): not its frame either
		"not traced",
	} {
		if strings.Contains(out, unwanted) {
			t.Errorf("did not want %q in the output:\n%s", unwanted, out)
		}
	}
}

func TestTracePacketConns(t *testing.T) {
	out := runChunkOutput(t, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local c = assert(net.dial("udp", tostring(pc:local_addr())))
		pc:trace("text")
		print("pc " .. tostring(pc))
		print("c " .. tostring(c:local_addr()))
		assert(c:write("ping"))
		local data, from = assert(pc:read_from())
		assert(pc:write_to("pong", from))
		assert(c:read() == "pong") -- c follows net.trace: off
		c:trace("hex")
		pc:trace(nil)
		assert(c:write("x"))
		assert(pc:read_from() == "x")
		c:close() pc:close()`)
	pc := regexp.MustCompile(`(?m)^pc (<udp packet conn .*>)$`).FindStringSubmatch(out)
	c := regexp.MustCompile(`(?m)^c (\S+)$`).FindStringSubmatch(out)
	if pc == nil || c == nil {
		t.Fatalf("no names in output:\n%s", out)
	}
	for _, want := range []string{
		"< " + pc[1] + " read 4 bytes from " + c[1] + "\n  \"ping\"\n",
		"> " + pc[1] + " wrote 4 bytes to " + c[1] + "\n  \"pong\"\n",
		" wrote 1 byte\n00000000  78                                                |x|\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in the output:\n%s", want, out)
		}
	}
	if strings.Count(out, "\n< ")+strings.Count(out, "\n> ") != 3 {
		t.Errorf("want 3 trace entries:\n%s", out)
	}
}
