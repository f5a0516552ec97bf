package bindings

// c:send_file and os.stat: serving a file without holding it in memory and
// without blocking the runtime on it. A FIFO opened for reading blocks
// until a writer comes, and a device such as /dev/zero never ends; both
// are refused here: only regular files are sent. The copy runs with the
// interpreter lock released, by sendfile(2) when the conn is a plain TCP
// socket (Go's TCPConn.ReadFrom: TransmitFile on Windows Server, a plain
// copy on Windows editions that limit it to two at a time), else through
// a fixed 32 KiB buffer.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"slices"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const osStatSummary = "Lua's os library, plus stat: what a path is and its size, without opening it; list_dir: a directory's names, bounded; and stdin_is_terminal"

// osFuncs are added to Lua's os table.
var osFuncs = []binding{
	{"stat", (*Runtime).osStat, "os.stat(path) -> {kind, size, mode, mtime} | nil, err",
		"What path is, following symbolic links, without opening it: kind is \"file\" (a regular file), \"directory\", \"fifo\", \"socket\", \"device\" or \"other\"; size in bytes, mode the permission bits, mtime in seconds as time.now() gives. A missing or unreadable path is nil, err (kind 'other', the message says why). Runs with the interpreter lock released, like a socket call.",
		`local st = os.stat("index.html"); if st and st.kind == "file" then print(st.size) end`},
}

// statResult is the table os.stat returns.
var statResult = shape{class: "gonetrepl.stat", code: "osStat",
	doc: "What a path is, from os.stat.",
	fields: []field{
		{"kind", `"file"|"directory"|"fifo"|"socket"|"device"|"other"`, "what the path is, following symbolic links"},
		{"size", "integer", "the size in bytes"},
		{"mode", "integer", "the permission bits"},
		{"mtime", "number", "the modification time, in seconds since the epoch as time.now() gives"},
	}}

// sendFileMethods are conn methods (joined to connMethods in conn.go's class).
var sendFileMethods = []binding{
	{"send_file", (*Runtime).connSendFile, "c:send_file(path [, offset [, count]]) -> n | nil, err",
		"Sends count bytes (default: to the end) of the file at path from offset (default 0) and returns the number sent, fewer than count only when the file is shorter. Regular files only: a directory, FIFO, socket or device is nil, err (kind 'other', message \"... not a regular file\") and is never opened in a way that blocks. The file streams with the interpreter lock released, through sendfile(2) on a tcp conn (TransmitFile on Windows Server; in 32 KiB pieces through TLS, a unix conn, a trace, or on other Windows editions), so a big file costs no memory; up to 16 KiB are read and written in one write, with the bytes c holds before it (c:write(head, {more = true})). The conn's deadlines and idle timeout apply, and a cancel stops it. Stream conns only.",
		`local st = assert(os.stat(path)); c:write(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"):format(st.size)); assert(c:send_file(path, 0, st.size))`},
}

// fileKind names what a file mode is, as os.stat reports it.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "file"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "other"
}

// fileError is a failure on the file side of send_file (open, stat, read),
// as opposed to the conn's.
type fileError struct{ err error }

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// errNotRegular is the error of a path that is not a regular file.
var errNotRegular = errors.New("not a regular file")

func (rt *Runtime) osStat(L *lua.LState) int {
	path := argString(L, 1, "path")
	var fi os.FileInfo
	err := rt.block(L, nil, func(context.Context) error {
		var err error
		fi, err = os.Stat(path)
		return err
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return rt.pushError(L, err, "stat", path)
		}
		return rt.pushError(L, &Error{Kind: kindOther, Op: "stat", Addr: path, Err: err}, "stat", path)
	}
	t := L.NewTable()
	t.RawSetString("kind", lua.LString(fileKind(fi.Mode())))
	t.RawSetString("size", lua.LNumber(fi.Size()))
	t.RawSetString("mode", lua.LNumber(fi.Mode().Perm()))
	t.RawSetString("mtime", lua.LNumber(float64(fi.ModTime().UnixNano())/1e9))
	L.Push(t)
	return 1
}

// optOffset reads an optional non-negative whole number of bytes; def if
// absent.
func optOffset(L *lua.LState, n int, name string, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	f := argNumber(L, n, name)
	if f != math.Trunc(f) || f < 0 || f > 1<<62 {
		argError(L, n, name, "non-negative integer expected, got %v", lua.LNumber(f))
	}
	return int64(f)
}

func (rt *Runtime) connSendFile(L *lua.LState) int {
	c := rt.checkConn(L)
	path := argString(L, 2, "path")
	offset := optOffset(L, 3, "offset", 0)
	count := optOffset(L, 4, "count", -1)
	if c.datagram {
		return rt.pushError(L, c.notSupported("send_file"), "send_file", "")
	}
	// What c holds (a header written with {more = true}) goes out first,
	// in the same write as a small file.
	head, err := rt.takeHeld(c)
	if err != nil {
		return rt.pushError(L, err, "send_file", "")
	}
	call := c.dl.writeCall(c.nc, time.Time{})
	var n int64
	err = rt.block(L, c.poke, func(ctx context.Context) error {
		var err error
		n, err = c.sendFile(ctx, call, path, offset, count, head)
		return err
	})
	if head != nil {
		releaseHeld(head)
	}
	if err != nil {
		var fe fileError
		if errors.As(err, &fe) {
			return rt.pushError(L, &Error{Kind: kindOther, Op: "send_file", Addr: path, Err: fe.err}, "send_file", path)
		}
		return rt.pushError(L, c.opError("send_file", err), "send_file", "")
	}
	L.Push(lua.LNumber(n))
	return 1
}

// smallFile is the size up to which send_file reads the file and writes
// its bytes, as c:write does, rather than ask the kernel to copy them
// with sendfile(2): for a small file, setting up sendfile cost more than
// the copy (a 1 KiB file: 30 us a send_file, 4 us a write of 1 KiB).
const smallFile = 16 << 10

// smallFileBufs are the buffers of sendSmallFile.
var smallFileBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10+smallFile); return &b }}

// sendSmallFile writes head, then count bytes (at most smallFile) of the
// regular file at path from offset, fewer if the file ends first (as
// sendfile(2) does), in one write. It returns how many of the file's bytes
// went out. The caller holds wop.
func (c *Conn) sendSmallFile(ctx context.Context, call ioCall, path string, offset, count int64, head *[]byte) (int64, error) {
	bp := smallFileBufs.Get().(*[]byte)
	defer smallFileBufs.Put(bp)
	buf := (*bp)[:0]
	if head != nil {
		buf = append(buf, *head...)
	}
	h := len(buf)
	buf = slices.Grow(buf, int(count))[:h+int(count)]
	n, err := readRegularAt(path, buf[h:], offset)
	if err != nil {
		if h > 0 {
			c.writeAll(ctx, call, buf[:h])
		}
		return 0, err
	}
	w, err := c.writeAll(ctx, call, buf[:h+n])
	return int64(max(w-h, 0)), err
}

// sendFileBuffer is the piece size of the copy when sendfile(2) cannot be
// used (TLS, a trace, a pipe).
const sendFileBuffer = 32 << 10

// sendFile copies count bytes (all if negative) of the file at path, from
// offset, to the conn, as one write call: it queues behind other writes,
// and a deadline that was another call's makes it go on where it stopped.
// It runs without the interpreter lock.
//
// head, if not nil, is written first: bytes the conn held (heldwrite.go),
// in one write with the file's when the file is small. They are written
// even when the file cannot be opened; the count returned is the file's.
func (c *Conn) sendFile(ctx context.Context, call ioCall, path string, offset, count int64, head *[]byte) (int64, error) {
	if err := c.wop.LockContext(ctx, call.by); err != nil {
		return 0, err
	}
	defer c.wop.Unlock()
	if c.wshut.Load() {
		return 0, errWriteShut
	}
	if count < 0 {
		// The whole file: small enough to read? (A failure is reported
		// by the open below.)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size()-offset <= smallFile {
			count = max(fi.Size()-offset, 0)
		}
	}
	if count >= 0 && count <= smallFile {
		return c.sendSmallFile(ctx, call, path, offset, count, head)
	}
	if head != nil {
		if _, err := c.writeAll(ctx, call, *head); err != nil {
			return 0, err
		}
	}
	f, err := openRegular(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return 0, fileError{err}
		}
	}
	var r io.Reader = f
	if count >= 0 {
		r = &io.LimitedReader{R: f, N: count}
	}
	// TCPConn.ReadFrom uses sendfile(2) for an *os.File (or an
	// io.LimitedReader of one).
	if nc, ok := c.nc.(*net.TCPConn); ok && c.tr.mode() == traceOff {
		// ReadFrom advances the file and the limit by what it sent, so a
		// retry goes on from there.
		var sent int64
		err := call.do(ctx, func() error {
			n, err := nc.ReadFrom(r)
			sent += n
			return err
		})
		return sent, err
	}
	buf := make([]byte, sendFileBuffer)
	var sent int64
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			w, werr := c.writeAll(ctx, call, buf[:n])
			sent += int64(w)
			if werr != nil {
				return sent, werr
			}
		}
		if rerr == io.EOF {
			return sent, nil
		}
		if rerr != nil {
			return sent, fileError{rerr}
		}
	}
}
