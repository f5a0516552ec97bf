package bindings

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/gonetrepl/gonetrepl/internal/proxydial"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Error kinds: one short stable word per cause, as err.kind shows them.
const (
	kindTimeout    = "timeout"
	kindEOF        = "eof"
	kindClosed     = "closed"
	kindRefused    = "refused"
	kindReset      = "reset"
	kindNoSuchHost = "no_such_host"
	kindAddrInUse  = "addr_in_use"
	kindUnreach    = "unreachable"
	kindTooLarge   = "too_large"
	kindCanceled   = "canceled"
	kindTLS        = "tls"
	kindProxy      = "proxy"
	kindOther      = "other"
)

// errCanceled is returned by a blocking call whose task was canceled. It
// is context.Canceled (errors.Is says so) with a message in the words of
// the kind: Go's "context canceled" names an internal, and reached users
// through pcall and error messages.
var errCanceled error = canceledError{}

type canceledError struct{}

func (canceledError) Error() string        { return "canceled" }
func (canceledError) Is(target error) bool { return target == context.Canceled }

// errWriteShut is a write after this side's own close_write. The OS says
// EPIPE, which reads as the peer's reset; the kind is closed, because this
// side closed it.
var errWriteShut = fmt.Errorf("write after close_write: %w", net.ErrClosed)

// TooLargeError reports a read that would go over its cap. Nothing was
// consumed.
type TooLargeError struct {
	What  string // "line", "frame", "data"
	Limit int
	// Steps, if not 0, is the matching work expect gave up after, on
	// Limit bytes: the cap on a backtracking pattern's time.
	Steps int
}

func (e *TooLargeError) Error() string {
	if e.Steps > 0 {
		return fmt.Sprintf("%s: no match within %d matching steps on %d bytes (a backtracking pattern: anchor it with ^ or end it with something fixed that cannot repeat)", e.What, e.Steps, e.Limit)
	}
	return fmt.Sprintf("%s longer than %d bytes", e.What, e.Limit)
}

// Error is the Lua-visible error value of a network outcome: a stable kind,
// the operation and address where known, and Go's full message.
type Error struct {
	Kind string
	Op   string
	Addr string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// newError classifies err. op and addr fill in what err does not carry.
func newError(err error, op, addr string) *Error {
	e := &Error{Kind: classify(err), Op: op, Addr: addr, Err: err}
	var hopErr *proxydial.Error
	if errors.As(err, &hopErr) {
		return e // a dial through proxies: op and addr are the caller's (the hop is in the message)
	}
	var opErr *net.OpError
	// A lookup's own error names the host looked up, not the address of
	// the server asked that its cause (a read timeout) carries.
	if _, lookup := err.(*net.DNSError); !lookup && errors.As(err, &opErr) {
		e.Op = opErr.Op
		if opErr.Addr != nil {
			e.Addr = opErr.Addr.String()
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && e.Addr == "" {
		e.Addr = dnsErr.Name
	}
	return e
}

// classify maps a Go error to its kind by type and identity, never by
// matching message strings.
func classify(err error) string {
	var tooLarge *TooLargeError
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var alertErr tls.AlertError
	var marked *tlsError // a "tls: ..." failure, marked by the TLS conn (tls.go)
	var hopErr *proxydial.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return kindCanceled
	case errors.As(err, &hopErr) && hopErr.Proxy: // a proxy of opts.via refused or broke the protocol
		return kindProxy
	case errors.As(err, &tooLarge), isErrno(err, errnosMsgSize): // a datagram too big to send (or, on Windows, to receive)
		return kindTooLarge
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return kindNoSuchHost
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return kindTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return kindEOF
	case errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrClosedPipe):
		return kindClosed
	case isErrno(err, errnosRefused):
		return kindRefused
	case isErrno(err, errnosReset):
		return kindReset
	case isErrno(err, errnosAddrInUse):
		return kindAddrInUse
	case isErrno(err, errnosUnreach):
		return kindUnreach
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidCert), errors.As(err, &recordErr), errors.As(err, &alertErr),
		errors.As(err, &marked):
		return kindTLS
	}
	return kindOther
}

// isErrno reports whether err is one of errnos (errno_*.go: the codes
// differ between systems).
func isErrno(err error, errnos []error) bool {
	for _, e := range errnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// errorFields are the fields of an error value (errorClass), for the type
// stubs; its kinds are errorKindDocs'.
var errorFields = shape{class: "gonetrepl.error", code: "errorClass",
	doc: "The error value of a network outcome that failed (the err of nil, err); tostring gives message, .. works.",
	fields: []field{
		{"kind", "gonetrepl.error_kind", "one short stable word: test it rather than the message"},
		{"op", "string?", "the operation (\"dial\", \"read\", \"accept\"...), or nil"},
		{"addr", "string?", "the address involved, or nil"},
		{"message", "string", "Go's full message, as tostring(err) gives it"},
		{"peer_certificates", "gonetrepl.certificate[]?", "kind 'tls', when the peer's certificate chain failed verification: the chain it sent, unverified, from its own certificate up (as c:tls_state() lists it); nil otherwise"},
	}}

// errorClass is the userdata class of error values. It has fields, not
// methods: kind, op, addr, message.
// errorType is the type name of net.error values.
const errorType = "net.error"

var errorClass = &class{
	name: errorType,
	index: func(rt *Runtime, L *lua.LState, v any, key string) (lua.LValue, bool) {
		e := v.(*Error)
		switch key {
		case "kind":
			return lua.LString(e.Kind), true
		case "op":
			return nilIfEmpty(e.Op), true
		case "addr":
			return nilIfEmpty(e.Addr), true
		case "message":
			return lua.LString(e.Err.Error()), true
		case "peer_certificates":
			return unverifiedChain(L, e), true
		}
		return lua.LNil, false
	},
	tostring: func(v any) string { return v.(*Error).Error() },
	concat:   true,
}

// unverifiedChain is the certificate chain a TLS peer sent that failed
// verification, as a list of certificate tables, or nil when e is no such
// failure. Go keeps the chain on the error (tls.CertificateVerificationError),
// so a probe can show what it refused without a second, insecure handshake.
func unverifiedChain(L *lua.LState, e *Error) lua.LValue {
	var ve *tls.CertificateVerificationError
	if !errors.As(e.Err, &ve) || len(ve.UnverifiedCertificates) == 0 {
		return lua.LNil
	}
	certs := L.CreateTable(len(ve.UnverifiedCertificates), 0)
	for _, cert := range ve.UnverifiedCertificates {
		certs.Append(certTable(L, cert))
	}
	return certs
}

func nilIfEmpty(s string) lua.LValue {
	if s == "" {
		return lua.LNil
	}
	return lua.LString(s)
}

// pushError pushes nil and the error value of err: the "nil, err" return of
// every network outcome. It returns 2, the number of values pushed.
func (rt *Runtime) pushError(L *lua.LState, err error, op, addr string) int {
	L.Push(lua.LNil)
	L.Push(rt.errorValue(err, op, addr))
	return 2
}

func (rt *Runtime) errorValue(err error, op, addr string) lua.LValue {
	e, ok := err.(*Error)
	if !ok {
		e = newError(err, op, addr)
	}
	return rt.newUserData(errorType, e)
}

// simpleError makes an error value of a given kind from a message.
func simpleError(kind, op, addr, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Addr: addr, Err: fmt.Errorf(format, args...)}
}
