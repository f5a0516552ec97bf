package bindings

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// The bin_openssl Lua tests compare bin's digests with real programs:
// openssl dgst (sha1, sha256, sha512, md5, and HMAC with a text key,
// -hmac, and a binary one, -mac HMAC -macopt hexkey), sha256sum and
// python3's zlib.crc32, on files of random bytes whose sizes cross the
// hashes' 64- and 128-byte blocks and the 1 MiB from which bin hashes off
// the interpreter lock. The setup writes the files, runs the programs and
// hands the Lua test a manifest (the global MANIFEST: lines of program,
// alg, key in hex or "-", file, digest in hex) and the number of its lines
// (CHECKS).

// binOpensslSizes are the sizes of the random files.
var binOpensslSizes = []int{0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 65543, 1<<20 - 1, 1<<20 + 13, 3<<20 + 1}

// binOpensslKeys are the HMAC keys by hash: binary keys shorter than,
// equal to and longer than the hash's block, and a text key for -hmac.
var binOpensslKeys = map[string]int{"sha1": 20, "sha256": 64, "sha512": 131, "md5": 1}

const binOpensslTextKey = "gonetrepl key"

func init() {
	luaSetup["bin_openssl"] = func(t *testing.T) map[string]string {
		openssl := peer.Find(t, "openssl", "openssl")
		sha256sum := peer.Find(t, "sha256sum", "coreutils")
		python3 := peer.Find(t, "python3", "python3")
		dir := t.TempDir()
		var files []string
		for i, n := range binOpensslSizes {
			b := make([]byte, n)
			rand.Read(b)
			f := filepath.Join(dir, fmt.Sprintf("r%02d-%d", i, n))
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		var manifest strings.Builder
		add := func(program, alg, key string, argv ...string) {
			sums := binOpensslRun(t, files, argv...)
			for i, f := range files {
				fmt.Fprintf(&manifest, "%s\t%s\t%s\t%s\t%s\n", program, alg, key, f, sums[i])
			}
		}
		for _, alg := range []string{"sha1", "sha256", "sha512", "md5"} {
			add("openssl", alg, "-", openssl, "dgst", "-"+alg, "-r")
			key := make([]byte, binOpensslKeys[alg])
			rand.Read(key)
			hk := hex.EncodeToString(key)
			add("openssl", "hmac-"+alg, hk, openssl, "dgst", "-"+alg, "-r", "-mac", "HMAC", "-macopt", "hexkey:"+hk)
			add("openssl", "hmac-"+alg, hex.EncodeToString([]byte(binOpensslTextKey)), openssl, "dgst", "-"+alg, "-r", "-hmac", binOpensslTextKey)
		}
		add("sha256sum", "sha256", "-", sha256sum)
		add("python3", "crc32", "-", python3, "-c",
			"import sys, zlib\nfor f in sys.argv[1:]: print('%08x' % zlib.crc32(open(f, 'rb').read()), f)")
		path := filepath.Join(dir, "manifest")
		if err := os.WriteFile(path, []byte(manifest.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"MANIFEST": path, "CHECKS": fmt.Sprint(strings.Count(manifest.String(), "\n"))}
	}
}

// binOpensslRun runs argv with the files as its last arguments and
// returns the digest of each from its output, lines of "hex *file"
// (openssl -r) or "hex  file" (sha256sum) or "hex file", in order.
func binOpensslRun(t *testing.T, files []string, argv ...string) []string {
	t.Helper()
	cmd := exec.Command(argv[0], append(argv[1:], files...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%s: %d lines for %d files:\n%s", strings.Join(argv, " "), len(lines), len(files), out)
	}
	sums := make([]string, len(files))
	for i, line := range lines {
		sum, name, ok := strings.Cut(line, " ")
		if !ok || strings.TrimLeft(name, " *") != files[i] {
			t.Fatalf("%s: line %q is not about %s", strings.Join(argv, " "), line, files[i])
		}
		if _, err := hex.DecodeString(sum); err != nil || sum == "" {
			t.Fatalf("%s: %q is no digest", strings.Join(argv, " "), line)
		}
		sums[i] = sum
	}
	return sums
}
