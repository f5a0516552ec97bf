package bindings

// The packet conn class: UDP and unixgram sockets from net.listen_packet.
// (Issue 4: to be filled in.)

const packetConnSummary = "a datagram socket (udp, unixgram): read_from, write_to, exchange, deadlines"

// packetConnType is the type name of packet conn values.
const packetConnType = "net.packet_conn"

var packetConnMethods = []binding{}

var packetConnClass = &class{name: packetConnType, methods: packetConnMethods}
