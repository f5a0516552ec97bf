package main

// What one client may cost scripts/fake_redis.lua (issue 24, item 5): a
// subscriber that does not read is disconnected at 32 MiB behind without
// holding up the publisher or the other subscribers; a client subscribes
// to at most 10,000 channels; a MULTI queues at most 100,000 commands.
// The tests set smaller caps through the options, and check the defaults
// in --help.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFakeRedisCapDefaults: the caps' defaults, as --help shows them.
func TestFakeRedisCapDefaults(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "scripts/fake_redis.lua", "--help")
	for _, want := range []string{"--max-outbox", "(default 33554432)", "--max-channels", "(default 10000)", "--max-queued", "(default 100000)"} {
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("fake_redis.lua --help: want %q in it; got %v", want, r)
		}
	}
}

// TestFakeRedisSlowSubscriberIsDropped: one subscriber never reads,
// another reads everything. 12 MiB of messages published with a cap of
// 4 MiB (--max-outbox; 32 MiB by default, Redis's pubsub output buffer
// hard limit): every PUBLISH is answered at once, the reader gets every
// message, and the silent one is disconnected once the cap is reached,
// after which PUBLISH counts one receiver.
func TestFakeRedisSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	p, addr := startFakeRedis(t, "--max-outbox", strconv.Itoa(4<<20))
	const size, count = 64 << 10, 192 // 12 MiB
	silent := dialRESP(t, addr)
	silent.command("SUBSCRIBE", "news")
	silent.want("*3\r\n")
	reader := dialRESP(t, addr)
	reader.command("SUBSCRIBE", "news")
	for _, line := range []string{"*3\r\n", "$9\r\n", "subscribe\r\n", "$4\r\n", "news\r\n", ":1\r\n"} {
		reader.want(line)
	}
	received := make(chan error, 1)
	go func() {
		want := cmd("message", "news", strings.Repeat("m", size))
		buf := make([]byte, len(want))
		for i := range count {
			if _, err := io.ReadFull(reader.r, buf); err != nil {
				received <- fmt.Errorf("message %d: %v", i+1, err)
				return
			}
			if string(buf) != want {
				received <- fmt.Errorf("message %d: %q...", i+1, buf[:40])
				return
			}
		}
		received <- nil
	}()

	publisher := dialRESP(t, addr)
	payload := strings.Repeat("m", size)
	counts := map[string]int{}
	start := time.Now()
	for range count {
		publisher.command("PUBLISH", "news", payload)
		counts[publisher.line()]++
	}
	t.Logf("%d PUBLISH of %d KiB in %v; receivers: %v", count, size>>10, time.Since(start), counts)
	if counts[":2\r\n"] == 0 || counts[":1\r\n"] == 0 || counts[":2\r\n"]+counts[":1\r\n"] != count {
		t.Errorf("want PUBLISH to count 2 receivers, then 1 once the silent one is dropped; got %v", counts)
	}
	if err := <-received; err != nil {
		t.Fatalf("the reading subscriber: %v", err)
	}
	// The silent subscriber's conn ends after what was written to it.
	silent.c.SetReadDeadline(time.Now().Add(runTimeout))
	n, err := io.Copy(io.Discard, silent.r)
	if err != nil {
		t.Errorf("the silent subscriber: want its conn closed by the server; got %v after %d bytes", err, n)
	}
	if n >= int64(count*size) {
		t.Errorf("the silent subscriber got %d bytes: it was never dropped", n)
	}
	p.waitLine(p.stderr, `more than 4194304 bytes waiting; disconnecting$`, readyTimeout)
}

// TestFakeRedisChannelCap: 100 channels a client (--max-channels; 10,000
// by default); one more in the same or a later SUBSCRIBE is refused whole.
func TestFakeRedisChannelCap(t *testing.T) {
	t.Parallel()
	_, addr := startFakeRedis(t, "--quiet", "--max-channels", "100")
	c := dialRESP(t, addr)
	args := []string{"SUBSCRIBE"}
	for i := range 101 {
		args = append(args, fmt.Sprintf("ch%d", i))
	}
	refused := "-ERR fake_redis: at most 100 channels per client\r\n"
	c.command(args...)
	c.want(refused)
	c.command(args[:101]...)
	for i := range 100 {
		v, err := rawReply(c.r)
		if want := fmt.Sprintf(":%d\r\n", i+1); err != nil || !strings.HasSuffix(v, want) {
			t.Fatalf("confirmation %d: %q, %v; want one ending %q", i+1, v, err, want)
		}
	}
	c.command("SUBSCRIBE", "ch0", "one-more")
	c.want(refused)
	c.command("SUBSCRIBE", "ch0")
	c.want("*3\r\n")
}

// TestFakeRedisMultiQueueCap: a MULTI queues 1,000 commands
// (--max-queued; 100,000 by default); the next is refused and the
// transaction discarded, so EXEC answers EXECABORT.
func TestFakeRedisMultiQueueCap(t *testing.T) {
	t.Parallel()
	_, addr := startFakeRedis(t, "--quiet", "--max-queued", "1000")
	c := dialRESP(t, addr)
	c.inline("MULTI\r\n")
	c.want("+OK\r\n")
	c.inline(strings.Repeat("INCR n\r\n", 1001))
	for i := range 1000 {
		if line := c.line(); line != "+QUEUED\r\n" {
			t.Fatalf("command %d: %q", i+1, line)
		}
	}
	c.want("-ERR fake_redis: a transaction holds at most 1000 commands and 134217728 bytes\r\n")
	c.inline("INCR n\r\nEXEC\r\nGET n\r\n")
	c.want("+QUEUED\r\n")
	c.want("-EXECABORT Transaction discarded because of previous errors.\r\n")
	c.want("$-1\r\n")
	// Within the cap, EXEC runs them all.
	c.inline("MULTI\r\n" + strings.Repeat("INCR n\r\n", 1000) + "EXEC\r\n")
	c.want("+OK\r\n")
	for range 1000 {
		c.want("+QUEUED\r\n")
	}
	c.want("*1000\r\n")
	for i := range 1000 {
		c.want(fmt.Sprintf(":%d\r\n", i+1))
	}
}
