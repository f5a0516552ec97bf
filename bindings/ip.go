package bindings

// Address functions of the net module (parse_ip, parse_cidr, resolve_addr,
// split_host_port, join_host_port) and the ip and ipnet classes.
// (Issue 4: to be filled in.)

const ipSummary = "an IP address from net.parse_ip"

const ipnetSummary = "an IP network from net.parse_cidr"

// Type names of ip and ipnet values.
const (
	ipType    = "net.ip"
	ipnetType = "net.ipnet"
)

var addrFuncs = []binding{}

var ipMethods = []binding{}

var ipnetMethods = []binding{}

var ipClass = &class{name: ipType, methods: ipMethods}

var ipnetClass = &class{name: ipnetType, methods: ipnetMethods}
