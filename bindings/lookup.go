package bindings

// The DNS lookups of the net module. Each goes through rt.block with the
// task's context, so it blocks only its task and a cancel ends it, bounded
// by opts.timeout when given. opts.server sends every query to one DNS
// server ("host:port") through Go's own resolver, instead of the system's.
// Results are Lua lists in the order the resolver returns them.

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const lookupOptsDoc = " opts: timeout (seconds), server (\"host:port\" of the DNS server to ask)."

var lookupFuncs = []binding{
	{"lookup_host", (*Runtime).netLookupHost, "net.lookup_host(host [, opts]) -> {address, ...} | nil, err",
		"The addresses of host, as strings (IPv4 and IPv6)." + lookupOptsDoc,
		`for _, a in ipairs(assert(net.lookup_host("localhost"))) do print(a) end`},
	{"lookup_ip", (*Runtime).netLookupIP, "net.lookup_ip(network, host [, opts]) -> {ip, ...} | nil, err",
		"The addresses of host as ip values: network ip (both), ip4 (A records) or ip6 (AAAA)." + lookupOptsDoc,
		`ips = assert(net.lookup_ip("ip4", "localhost", {timeout = 2})); print(ips[1])`},
	{"lookup_addr", (*Runtime).netLookupAddr, "net.lookup_addr(ip [, opts]) -> {name, ...} | nil, err",
		"Reverse lookup: the names (PTR records, ending in a dot) of ip, an ip value or a string." + lookupOptsDoc,
		`names = assert(net.lookup_addr("127.0.0.1")); print(names[1])`},
	{"lookup_cname", (*Runtime).netLookupCNAME, "net.lookup_cname(host [, opts]) -> name | nil, err",
		"The canonical name of host, after following CNAME records (host itself, with a final dot, if it has none)." + lookupOptsDoc,
		`print(net.lookup_cname("www.example.com", {server = "127.0.0.1:53"}))`},
	{"lookup_mx", (*Runtime).netLookupMX, "net.lookup_mx(name [, opts]) -> {{host=, pref=}, ...} | nil, err",
		"The mail exchangers of name, sorted by preference." + lookupOptsDoc,
		`for _, mx in ipairs(assert(net.lookup_mx("example.com"))) do print(mx.pref, mx.host) end`},
	{"lookup_txt", (*Runtime).netLookupTXT, "net.lookup_txt(name [, opts]) -> {text, ...} | nil, err",
		"The TXT records of name, one string per record (the strings of a record joined)." + lookupOptsDoc,
		`for _, txt in ipairs(assert(net.lookup_txt("example.com"))) do print(txt) end`},
	{"lookup_srv", (*Runtime).netLookupSRV, "net.lookup_srv(service, proto, name [, opts]) -> {{target=, port=, priority=, weight=}, ...} | nil, err",
		`The SRV records of _service._proto.name, sorted by priority and shuffled by weight; with service and proto "", of name itself.` + lookupOptsDoc,
		`for _, s in ipairs(assert(net.lookup_srv("xmpp-server", "tcp", "example.com"))) do print(s.target, s.port) end`},
	{"lookup_ns", (*Runtime).netLookupNS, "net.lookup_ns(name [, opts]) -> {host, ...} | nil, err",
		"The name servers of name, as host names (strings ending in a dot)." + lookupOptsDoc,
		`for _, ns in ipairs(assert(net.lookup_ns("example.com"))) do print(ns) end`},
	{"lookup_port", (*Runtime).netLookupPort, "net.lookup_port(network, service) -> port | nil, err",
		`The port number of a service name ("http") for network tcp or udp (tcp4, tcp6, udp4, udp6), from /etc/services.`,
		`print(net.lookup_port("tcp", "https"))`},
}

// lookupOpts are the options every lookup takes, as optLookup reads them.
var lookupOpts = shape{class: "gonetrepl.lookup_opts", opts: true, code: "optLookup,optLookupServer",
	doc: "The options of the net.lookup_* functions and net.resolve_addr.",
	fields: []field{
		{"timeout", "number", "seconds for the whole lookup"},
		{"server", "string", "\"host:port\" of the DNS server to ask (default: the system's resolver)"},
	}}

// mxRecord and srvRecord are the entries of lookup_mx and lookup_srv.
var (
	mxRecord = shape{class: "gonetrepl.mx", code: "netLookupMX", doc: "An MX record, from net.lookup_mx.",
		fields: []field{
			{"host", "string", "the mail server, a name ending in a dot"},
			{"pref", "integer", "its preference: lower is tried first"},
		}}
	srvRecord = shape{class: "gonetrepl.srv", code: "netLookupSRV", doc: "An SRV record, from net.lookup_srv.",
		fields: []field{
			{"target", "string", "the host, a name ending in a dot"},
			{"port", "integer", "the port"},
			{"priority", "integer", "lower is tried first"},
			{"weight", "integer", "the relative weight among records of one priority"},
		}}
)

// lookupOptions are the opts of a lookup.
type lookupOptions struct {
	timeout time.Duration // 0: none but the resolver's own
	server  string        // "host:port", or "" for the system's resolver
}

// optLookup reads the opts argument n of a lookup.
func optLookup(L *lua.LState, n int) lookupOptions {
	opts := argOptions(L, n, lookupOpts)
	o := optLookupServer(L, n, opts)
	o.timeout, _ = fieldSeconds(L, n, opts, "timeout")
	return o
}

// optLookupServer reads opts.server (argument n), for the lookups and for
// net.dial, whose own opts.timeout covers its lookup.
func optLookupServer(L *lua.LState, n int, opts *lua.LTable) lookupOptions {
	var o lookupOptions
	o.server, _ = fieldString(L, n, opts, "server")
	if o.server != "" {
		if _, _, err := net.SplitHostPort(o.server); err != nil {
			argError(L, n, "opts.server", "host:port expected, got %q", o.server)
		}
	}
	return o
}

// resolver is the resolver opts ask for: Go's own resolver sending every
// query to opts.server, or the system's. Either way its queries go through
// dialDNS, so that a cancel interrupts them at once.
func (o lookupOptions) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: o.server != "", Dial: dialDNS(o.server)}
}

// dialDNS dials the DNS server at server, or where the resolver asks if
// server is "". Go's resolver sets a query's conn deadline from its
// context's deadline but does not watch for a cancel, which would then
// wait out the query's timeout (5 s by default); here the end of the
// context sets a deadline of now.
func dialDNS(server string) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if server != "" {
			address = server
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
		return c, nil
	}
}

// lookup runs fn through rt.block with the resolver of o and the task's
// context, bounded by o.timeout when set.
func (rt *Runtime) lookup(L *lua.LState, o lookupOptions, fn func(ctx context.Context, r *net.Resolver) error) error {
	r := o.resolver()
	err := rt.block(L, nil, func(ctx context.Context) error {
		if o.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, o.timeout)
			defer cancel()
		}
		return fn(ctx, r)
	})
	return o.nameServer(err)
}

// nameServer corrects the server a lookup error names: Go's resolver names
// the server of /etc/resolv.conf in its errors even when Dial sent the
// query to opts.server. err may be a dial's *net.OpError around it.
func (o lookupOptions) nameServer(err error) error {
	if o.server == "" {
		return err
	}
	if opErr, ok := err.(*net.OpError); ok {
		if fixed := o.nameServer(opErr.Err); fixed != opErr.Err {
			e := *opErr
			e.Err = fixed
			return &e
		}
		return err
	}
	if dnsErr, ok := err.(*net.DNSError); ok && dnsErr.Server != "" {
		e := *dnsErr
		e.Server = o.server
		return &e
	}
	return err
}

// pushStrings pushes a list of strings.
func pushStrings(L *lua.LState, ss []string) int {
	L.Push(luaStrings(L, ss))
	return 1
}

func (rt *Runtime) netLookupHost(L *lua.LState) int {
	host := argString(L, 1, "host")
	o := optLookup(L, 2)
	var addrs []string
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		addrs, err = r.LookupHost(ctx, host)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", host)
	}
	return pushStrings(L, addrs)
}

var ipNetworks = []string{"ip", "ip4", "ip6"}

func (rt *Runtime) netLookupIP(L *lua.LState) int {
	// Every argument's type first, then the network's value: a wrong
	// network is a mistake in argument 1 only once the others are right.
	network := argString(L, 1, "network")
	host := argString(L, 2, "host")
	o := optLookup(L, 3)
	if !slices.Contains(ipNetworks, network) {
		argError(L, 1, "network", "one of %s expected, got %q", strings.Join(ipNetworks, ", "), network)
	}
	var ips []net.IP
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		ips, err = r.LookupIP(ctx, network, host)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", host)
	}
	t := L.CreateTable(len(ips), 0)
	for _, ip := range ips {
		a, _ := netip.AddrFromSlice(ip)
		t.Append(rt.newIP(a.Unmap()))
	}
	L.Push(t)
	return 1
}

func (rt *Runtime) netLookupAddr(L *lua.LState) int {
	var addr string
	switch v := L.Get(1).(type) {
	case lua.LString:
		addr = string(v) // Go's resolver reports one that is not an address
	default:
		addr = rt.argIP(L, 1, "ip").String()
	}
	o := optLookup(L, 2)
	var names []string
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		names, err = r.LookupAddr(ctx, addr)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", addr)
	}
	return pushStrings(L, names)
}

func (rt *Runtime) netLookupCNAME(L *lua.LState) int {
	host := argString(L, 1, "host")
	o := optLookup(L, 2)
	var cname string
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		cname, err = r.LookupCNAME(ctx, host)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", host)
	}
	L.Push(lua.LString(cname))
	return 1
}

func (rt *Runtime) netLookupMX(L *lua.LState) int {
	name := argString(L, 1, "name")
	o := optLookup(L, 2)
	var mxs []*net.MX
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		mxs, err = r.LookupMX(ctx, name)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", name)
	}
	t := L.CreateTable(len(mxs), 0)
	for _, mx := range mxs {
		rec := L.CreateTable(0, 2)
		rec.RawSetString("host", lua.LString(mx.Host))
		rec.RawSetString("pref", lua.LNumber(mx.Pref))
		t.Append(rec)
	}
	L.Push(t)
	return 1
}

func (rt *Runtime) netLookupTXT(L *lua.LState) int {
	name := argString(L, 1, "name")
	o := optLookup(L, 2)
	var txts []string
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		txts, err = r.LookupTXT(ctx, name)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", name)
	}
	return pushStrings(L, txts)
}

func (rt *Runtime) netLookupSRV(L *lua.LState) int {
	service := argString(L, 1, "service")
	proto := argString(L, 2, "proto")
	name := argString(L, 3, "name")
	o := optLookup(L, 4)
	var srvs []*net.SRV
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		_, srvs, err = r.LookupSRV(ctx, service, proto, name)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", name)
	}
	t := L.CreateTable(len(srvs), 0)
	for _, srv := range srvs {
		rec := L.CreateTable(0, 4)
		rec.RawSetString("target", lua.LString(srv.Target))
		rec.RawSetString("port", lua.LNumber(srv.Port))
		rec.RawSetString("priority", lua.LNumber(srv.Priority))
		rec.RawSetString("weight", lua.LNumber(srv.Weight))
		t.Append(rec)
	}
	L.Push(t)
	return 1
}

func (rt *Runtime) netLookupNS(L *lua.LState) int {
	name := argString(L, 1, "name")
	o := optLookup(L, 2)
	var nss []*net.NS
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) (err error) {
		nss, err = r.LookupNS(ctx, name)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", name)
	}
	hosts := make([]string, len(nss))
	for i, ns := range nss {
		hosts[i] = ns.Host
	}
	return pushStrings(L, hosts)
}

var portNetworks = []string{"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"}

func (rt *Runtime) netLookupPort(L *lua.LState) int {
	network := argOption(L, 1, "network", portNetworks)
	service := argString(L, 2, "service")
	var port int
	err := rt.lookup(L, lookupOptions{}, func(ctx context.Context, r *net.Resolver) (err error) {
		port, err = r.LookupPort(ctx, network, service)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "lookup", service)
	}
	L.Push(lua.LNumber(port))
	return 1
}
