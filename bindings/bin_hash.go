package bindings

// The bin module's digests and random bytes: sha1, sha256, sha512, md5,
// crc32, hmac, random. Protocols need them (WebSocket's handshake takes
// base64(sha1(key .. GUID)); its client masks frames with random keys),
// and hashing in Lua would hold the interpreter per byte.

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"hash/crc32"
	"unsafe"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// maxRandom caps bin.random: enough for keys, nonces and test payloads;
// bigger is a mistake or a memory hog.
const maxRandom = 1 << 20

// hashAlgs are the hashes bin.hmac takes, by name.
var hashAlgs = map[string]func() hash.Hash{
	"sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New, "md5": md5.New,
}

// hashAlgNames lists hashAlgs' names for the error message.
const hashAlgNames = `"sha1", "sha256", "sha512" or "md5"`

func (rt *Runtime) binSha1(L *lua.LState) int   { return rt.pushDigest(L, sha1.New) }
func (rt *Runtime) binSha256(L *lua.LState) int { return rt.pushDigest(L, sha256.New) }
func (rt *Runtime) binSha512(L *lua.LState) int { return rt.pushDigest(L, sha512.New) }
func (rt *Runtime) binMd5(L *lua.LState) int    { return rt.pushDigest(L, md5.New) }
func (rt *Runtime) binCrc32(L *lua.LState) int {
	return rt.pushDigest(L, func() hash.Hash { return crc32.NewIEEE() })
}

// pushDigest pushes the digest of the string argument s, hashed off the
// interpreter lock when s is big (offLock).
func (rt *Runtime) pushDigest(L *lua.LState, newHash func() hash.Hash) int {
	s := argData(L, 1, "s")
	var sum string
	rt.offLock(L, len(s), func() { sum = digest(newHash(), s) })
	L.Push(lua.LString(sum))
	return 1
}

// digest writes s to h, without copying it, and returns its sum; crc32's
// is big-endian, as Sum makes it.
func digest(h hash.Hash, s string) string {
	h.Write(bytesOf(s))
	return string(h.Sum(nil))
}

func (rt *Runtime) binHmac(L *lua.LState) int {
	alg := argString(L, 1, "alg")
	newHash, ok := hashAlgs[alg]
	if !ok {
		argError(L, 1, "alg", "%s expected, got %q", hashAlgNames, alg)
	}
	key := argData(L, 2, "key")
	data := argData(L, 3, "data")
	var mac string
	rt.offLock(L, len(data)+len(key), func() {
		mac = digest(hmac.New(newHash, []byte(key)), data)
	})
	L.Push(lua.LString(mac))
	return 1
}

func (rt *Runtime) binRandom(L *lua.LState) int {
	n := argSize(L, 1, "n", 0, maxRandom)
	b := make([]byte, n)
	// crypto/rand.Read never fails on the systems Go supports (it
	// crashes the program instead), so there is no error to return. 1 MiB
	// takes about 4 ms: from offLockSize it runs without the lock.
	rt.offLock(L, n, func() { rand.Read(b) })
	L.Push(lua.LString(unsafe.String(unsafe.SliceData(b), len(b))))
	return 1
}
