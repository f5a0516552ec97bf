package bindings

// keylog = path against Wireshark: a TLS session with openssl s_server is
// captured on lo by tcpdump, and tshark decrypts it with the key log file
// gonetrepl wrote, and cannot without it.
//
// Capturing needs CAP_NET_RAW. As root (here and on CI) tcpdump captures
// on the host's lo, filtered to the server's port; otherwise the test
// re-runs itself in this test binary inside a private network namespace,
// as TestMulticastNetns does, but keeping this user's id there (unshare
// --map-current-user --keep-caps: as root in a user namespace, tcpdump
// fails to drop its privileges, which it insists on doing as root).

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

// keylogNetnsEnv marks the test binary re-run inside a namespace.
const keylogNetnsEnv = "GONETREPL_KEYLOG_NETNS"

func TestTLSKeyLogDecryptsCapture(t *testing.T) {
	t.Parallel()
	tcpdump := peer.Find(t, "tcpdump", "tcpdump")
	tshark := peer.Find(t, "tshark", "tshark")
	if os.Geteuid() != 0 && os.Getenv(keylogNetnsEnv) != "1" {
		rerunInCaptureNetns(t, "TestTLSKeyLogDecryptsCapture", keylogNetnsEnv)
		return
	}
	pki := tlstest.NewPKI(t)
	addr := tlstest.Server(t, pki)
	_, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	pcap := filepath.Join(dir, "session.pcap")
	keylog := filepath.Join(dir, "keys.log")

	stop := startCapture(t, tcpdump, pcap, "tcp port "+port)
	secret := fmt.Sprintf("gonetrepl keylog plaintext %d", time.Now().UnixNano())
	reversed := reverse(secret)
	// The chunk prints the client's address: tshark follows that
	// conversation (another conn may have used the port before, under
	// other tests running in parallel).
	client := strings.TrimSpace(runChunkOutput(t, fmt.Sprintf(`
		local c = assert(tls.dial(%q, { ca = %q, keylog = %q, timeout = 20 }))
		print(c:local_addr())
		c:set_timeout(20)
		assert(c:write(%q .. "\n"))
		assert(c:read_line() == %q)
		assert(c:close())`, addr, pki.CA, keylog, secret, reversed)))
	stop()

	fi, err := os.Stat(keylog)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the key log file has mode %v, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Fatalf("the plaintext is in the capture as it is: nothing was encrypted")
	}
	// tshark -z follow,PROTO,ascii,CLIENT,SERVER prints the conversation's
	// bytes: TCP's as sent, TLS's decrypted (if it can).
	follow := func(proto string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, tshark, append([]string{"-n", "-r", pcap, "-d", "tcp.port==" + port + ",tls",
			"-q", "-z", "follow," + proto + ",ascii," + client + "," + addr}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir) // tshark reads and writes its profile there
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tshark %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := follow("tls", "-o", "tls.keylog_file:"+keylog); !strings.Contains(out, secret) || !strings.Contains(out, reversed) {
		t.Errorf("tshark with the key log does not show the session's plaintext:\n%s", out)
	}
	// Without it: the conversation is there, its plaintext is not.
	if out := follow("tcp"); !strings.Contains(out, "Node 0: "+client) || strings.Contains(out, secret) {
		t.Errorf("tshark without the key log, the TCP conversation:\n%s", out)
	}
	if out := follow("tls"); strings.Contains(out, secret) || strings.Contains(out, reversed) {
		t.Errorf("tshark without the key log shows the plaintext:\n%s", out)
	}
}

// startCapture runs tcpdump on lo, writing the packets filter matches to
// pcap, and returns once it captures ("listening on" on its stderr). The
// function it returns stops it (SIGINT: it writes what it holds) and waits.
func startCapture(t *testing.T, tcpdump, pcap, filter string) (stop func()) {
	t.Helper()
	return startCaptureOn(t, tcpdump, "lo", pcap, filter)
}

// startCaptureOn is startCapture on the interface iface ("any": every
// interface, in Linux cooked v2 frames).
func startCaptureOn(t *testing.T, tcpdump, iface, pcap, filter string) (stop func()) {
	t.Helper()
	// --immediate-mode: take each packet from the kernel at once (else
	// those of the last second can be lost at SIGINT); -U: write each
	// packet at once; -B: an 8 MiB kernel buffer, so that a loaded
	// machine drops none; -Z root: as root, keep writing as root
	// (tcpdump would become user tcpdump before opening pcap).
	args := []string{"-i", iface, "-n", "--immediate-mode", "-U", "-B", "8192", "-w", pcap, filter}
	if os.Geteuid() == 0 {
		args = append([]string{"-Z", "root"}, args...)
	}
	cmd := exec.Command(tcpdump, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tcpdump: %v", err)
	}
	// One goroutine reads stderr to its end, tells when tcpdump captures,
	// then waits for it (Wait must come after the reads).
	listening := make(chan bool, 1)
	exited := make(chan error, 1)
	var log strings.Builder // read only after exited
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !said && strings.Contains(sc.Text(), "listening on") {
				said = true
				listening <- true
			}
		}
		io.Copy(io.Discard, stderr)
		if !said {
			listening <- false
		}
		exited <- cmd.Wait()
	}()
	select {
	case ok := <-listening:
		if !ok {
			err := <-exited
			t.Fatalf("tcpdump ended before it captured: %v\n%s", err, log.String())
		}
	case <-time.After(peer.ReadyTimeout):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("tcpdump did not start capturing within %v", peer.ReadyTimeout)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		// SIGINT ends tcpdump's loop at once, without the packets it has
		// not taken from the kernel yet: on a loaded machine those were
		// a session's last ones (its reply and FINs). With -U each packet
		// is written as it is taken, so wait until the file has stopped
		// growing before stopping.
		waitFileSettled(pcap, 300*time.Millisecond, 5*time.Second)
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("tcpdump did not stop on SIGINT")
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitFileSettled returns once path's size has not changed for quiet, or
// after at most limit.
func waitFileSettled(path string, quiet, limit time.Duration) {
	deadline := time.Now().Add(limit)
	last, since := int64(-1), time.Now()
	for time.Now().Before(deadline) {
		var size int64
		if fi, err := os.Stat(path); err == nil {
			size = fi.Size()
		}
		if size != last {
			last, since = size, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// rerunInCaptureNetns re-runs the test named name inside a private
// network namespace where this user has the capabilities to capture and
// lo is up (env set to 1 there); without user namespaces it skips, and
// fails when CI=true.
func rerunInCaptureNetns(t *testing.T, name, env string) {
	unshare := peer.Find(t, "unshare", "util-linux")
	ip := peer.Find(t, "ip", "iproute2")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, "--net", "--map-current-user", "--keep-caps", "sh", "-c", `ip link set lo up && exec "$@"`, "sh",
		os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), env+"=1", "PATH="+os.Getenv("PATH")+":"+dirOf(ip))
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil && strings.Contains(string(out), "--- PASS: "+name):
		if testing.Verbose() {
			t.Logf("in a private network namespace:\n%s", out)
		}
	case err != nil && !strings.Contains(string(out), "=== RUN"):
		msg := fmt.Sprintf("not root, and no private network namespace to capture in (%v): %s", err, strings.TrimSpace(string(out)))
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: required when CI=true", msg)
		}
		t.Skip(msg)
	default:
		t.Fatalf("in a private network namespace: %v\n%s", err, out)
	}
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
