#!/usr/bin/env bash
# The project's test command, on a fresh machine as on CI:
#   ./test.sh
# installs the Debian packages the tests talk to when they are missing,
# then runs every test, Go and Lua, under the race detector.
set -euo pipefail
cd "$(dirname "$0")"

# Real peers the tests use, as Debian package -> a command it provides,
# or, for a package that provides no command, a command line that fails
# without it (one with a space in it is run, not looked up).
declare -A PACKAGES=(
  # The DNS server of the lookup tests (internal/dnstest). dnsmasq-base is
  # the program alone: the dnsmasq package would also start a system
  # service on port 53, and fail to install where systemd-resolved holds it.
  [dnsmasq-base]=dnsmasq
  # Real Lua 5.3, whose string.pack, utf8 library and table.pack the
  # tests compare with (bindings/pack_test.go, utf8_test.go) and whose
  # luac5.3 parses the type stubs (bindings/stubs_test.go); LuaJIT,
  # whose bit module ours must match (bindings/bit_test.go); hexdump -C,
  # which bin.hexdump must match (bindings/pack_test.go).
  [lua5.3]=lua5.3
  # Real Lua 5.1, whose syntax and runtime error messages and os.date
  # ours must match (lua51_syntax_test.go, lua51_errors_test.go,
  # osdate_lua51_test.go).
  [lua5.1]=lua5.1
  [luajit]=luajit
  [bsdextrautils]=hexdump
  # OpenSSL's s_server and s_client, the TLS peers of the tls tests
  # (internal/tlstest); openssl dgst, which bin's digests and HMAC must
  # match (bindings/bin_openssl_setup_test.go, with sha256sum and
  # python3's zlib.crc32).
  [openssl]=openssl
  # Redis, the server of the resp module's and redis.lua's tests, and
  # redis-cli, the client that talks to fake_redis.lua; curl and Python's
  # http.server, the peers of the http module and http_server.lua.
  [redis-server]=redis-server
  [redis-tools]=redis-cli
  [curl]=curl
  [python3]=python3
  # nginx, the reference HTTP server: http_get.lua must fetch its big
  # files whole, and http_server.lua answer raw requests as it does
  # (internal/nginxtest, scripts_http_clients_test.go). nginx-light is the
  # server alone; the tests run it unprivileged on loopback, everything
  # in a temporary directory.
  [nginx-light]=nginx
  # wget, the download tool whose -N (time-stamping: Last-Modified,
  # If-Modified-Since) http_server.lua --dir must serve
  # (scripts_http_download_test.go).
  [wget]=wget
  # socat, ncat and OpenBSD's nc, the clients echo.lua, unix_echo.lua and
  # chat.lua are tried with (socat and python3 with udp_echo.lua), and
  # socat's echo servers, which echo_client.lua and udp_ping.lua are tried
  # against; nc -z, whose open ports portscan.lua must find
  # (scripts_real_clients_test.go). nc is looked for as
  # nc.openbsd: Debian's netcat-traditional has neither -N nor -U.
  [socat]=socat
  [ncat]=ncat
  [netcat-openbsd]=nc.openbsd
  # redis-py, the client library fake_redis.lua must serve
  # (scripts_redis_py_test.go). A Python module, not a command: Debian's
  # is for /usr/bin/python3 (the python3 on PATH may be another one).
  [python3-redis]="/usr/bin/python3 -c 'import redis'"
  # python3-websockets, the WebSocket server and client the websocket
  # module and ws.lua/ws_echo.lua are tested against, both ways
  # (bindings/testdata/ws_peer.py and ws_client.py; scripts_ws_test.go).
  # A Python module too, for /usr/bin/python3.
  [python3-websockets]="/usr/bin/python3 -c 'import websockets'"
  # ip, which sets up the private network namespace of the multicast
  # tests (bindings/multicast_netns_linux_test.go: lo and a veth pair;
  # unshare comes with util-linux, always there on Debian).
  [iproute2]=ip
  # Real proxies that net.dial's via dials through (internal/proxytest,
  # bindings/testdata/proxy_test.lua): microsocks (SOCKS5, with and
  # without user/password), Dante's danted (SOCKS5 and SOCKS4) and
  # tinyproxy (HTTP CONNECT, Basic auth). The tests run each on loopback
  # with its own configuration in a temporary directory, needing no root
  # (danted runs as nobody too); the system services the packages set up
  # do not start in a container without an init system, and none is used.
  [microsocks]=microsocks
  [dante-server]=danted
  [tinyproxy]=tinyproxy
  # tcpdump, which captures a TLS session on lo, and tshark, which must
  # decrypt it with the key log file that tls.dial's keylog option wrote
  # (bindings/tls_keylog_linux_test.go). tshark's package asks whether
  # non-root users may capture: DEBIAN_FRONTEND=noninteractive takes the
  # default (no), and the test captures as root or in a user namespace.
  [tcpdump]=tcpdump
  [tshark]=tshark
  # editcap, from Wireshark's tools, which converts the captures tcpdump
  # makes to pcapng: pcap.open must read both alike
  # (bindings/pcap_capture_linux_test.go, internal/pcapread). tshark
  # pulls it in; named so that the test's need is written down.
  [wireshark-common]=editcap
)
# Some of these commands live in /usr/sbin, which a user's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"

missing=()
for pkg in "${!PACKAGES[@]}"; do
  check=${PACKAGES[$pkg]}
  if [[ $check == *" "* ]]; then
    bash -c "$check" >/dev/null 2>&1 || missing+=("$pkg")
  else
    command -v "$check" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  # Through env: sudo's env_reset would drop a variable set before it,
  # and tshark's question would then wait for an answer.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# ./... includes the patched interpreter (third_party/gopher-lua), which
# is part of this module. The race detector pauses each exiting process a
# second by default, to let late reports out; a race is still reported
# where it happens, and exit status 66 still marks one (Go's own race
# tests run so).
GORACE=${GORACE:-atexit_sleep_ms=0} go test -race -count=1 -timeout 10m ./...
