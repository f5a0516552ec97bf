#!/usr/bin/env bash
# Echo-server benchmark: goraw (plain Go, the baseline) against peers and gonetrepl,
# plus two proxy rows (goraw-proxy, gonetrepl-relay: a TCP proxy in front of goraw's
# echo server). Run it from the project root (bench/run.sh) or from anywhere.
#
#   bench/run.sh                      # every registered server that is installed
#   bench/run.sh goraw socat-pipe     # only these (goraw is always added: it is the baseline)
#   bench/run.sh --list               # the registry, and why an entry would be skipped
#   QUICK=1 bench/run.sh              # smoke test: small sizes, 3 repetitions (about a minute)
#   bench/run.sh --check              # (or CHECK=1) a QUICK run, compared with BENCHMARKS.md (below)
#   TESTS=real bench/run.sh           # only the real-servers rows (bench/real.sh: fake_redis.lua
#                                     # against redis-server, http_server.lua against nginx)
#   TESTS=ws bench/run.sh             # only the WebSocket rows (bench/ws.sh: ws_echo.lua against
#                                     # a Go echo server on github.com/gorilla/websocket)
#
# --check: a regression guard that informs. It runs QUICK=1 with the servers of the last
# results block in BENCHMARKS.md (CHECK_AGAINST=path for another file) that are installed,
# with conns at 1000 only (the one level QUICK shares with a full run; CONNS= overrides), the
# conns test last, for the Go servers only (CHECK_CONNS ["goraw* gonetrepl*"]: the peers fork
# or spawn a thread per connection, 3-10 s a repetition) and BUDGET_S=120 (what has not
# started by then is "no time"), then
# `benchtool check` compares each (server, column) both runs have: the server's ratio to
# goraw here against the committed one. It prints each ratio worse beyond the noise band
# (throughput: lower is worse; every other column: higher is worse) and a one-line summary.
# The noise band of a cell is max(CHECK_FLOOR [0.15], 2 standard errors of the change),
# the error summed in quadrature over the four medians behind the two ratios, each one's
# relative standard error estimated from its min-max over n repetitions as
# 1.25*(max-min)/(d2(n)*sqrt(n)*median) (d2: the expected range of n normal samples; n=3: 1.69,
# n=5: 2.33). A QUICK run is noisier and its medians are of 3, not 5: both widen its own
# errors, hence the band; the floor covers what no spread shows (the load changing between
# the runs, QUICK's smaller sizes: 64M not 512M of throughput, 2000 not 20000 round trips).
# VmHWM (the peak over a whole run, set by its largest conns level) and the columns either run
# lacks are listed as "not compared". Exit status 0 when the comparison ran, whatever it
# found; 1 when it could not (no results block, a build failed, goraw did not start).
#
# gonetrepl: $GONETREPL, else gonetrepl on PATH, else ./gonetrepl or ./bin/gonetrepl in the
# folder you run from or in the project root; if none is found and that folder (or the
# project root) is a checkout (main.go, go.mod of github.com/gonetrepl/gonetrepl), it is
# built first: go build -o $BENCH_WORK/bin/gonetrepl . (otherwise its rows are skipped).
#
# Knobs (environment, defaults in brackets):
#   REPS [5]  TESTS ["tp rtt conns udp startup real ws"]  TP_BYTES [512M]  TP_MAXSEC [3]
#   RTT_N [20000]  CONNS ["1000 5000 10000"; each entry only up to its MAXCONNS]
#   CONNS_PAR [8 dials in flight: ncat's listen backlog
#     is a fixed 10, and overflowing it turns the test into a SYN-retransmit timer]  UDP_N [20000]
#   BUDGET_S [2400: measurements not started by then are skipped; a full run takes ~20 min]
#   SERVER_CPU [1]  CLIENT_CPU [0]  RTT_CPU [=SERVER_CPU]: taskset pinning; PIN=0 turns it
#     off. Throughput and conns clients run on CLIENT_CPU (one core each side). The RTT and
#     UDP clients run on RTT_CPU, by default the server's own CPU: on this 2-vCPU VM a
#     ping-pong across CPUs pays ~25 µs of idle-CPU wake-up per hop (RTT ~70 µs for every
#     server, masking their differences) and unpinned it flips at random between the two
#     modes; on one CPU the RTT is the software path (syscalls, context switches, the
#     server's own work) and ranks servers stably.
#   GONETREPL [see above]  GONETREPL_BASE [unset: an older build, measured beside it]  OUT [$BENCH_WORK/results/STAMP; BENCH_WORK defaults to $TMPDIR/gonetrepl-bench]
#   CHECK [unset; 1: as --check]  CHECK_AGAINST [BENCHMARKS.md of the project root]  CHECK_FLOOR [0.15]
#   CHECK_CONNS ["goraw* gonetrepl*"; "*" for all]
#
# Open files: the soft `ulimit -n` is raised to the hard limit (Go programs do that
# themselves; socat, ncat and Lua do not). 10000 connections need 10000 fds in the client
# and, in the server, 1 per connection for a read/write loop but 3 for goraw's io.Copy echo
# (Linux splice goes through a pipe: 2 more fds while a connection is open) and 6 for a
# splicing proxy; the header prints the limit. Each conns measurement dials from its own
# 127.0.0.x source address, so TIME_WAIT left by the earlier ones never runs it out of ports.
#
# Method: all servers run at once, each on its own free 127.0.0.1 port; for each test, for
# each repetition, every server is measured once (the order rotates per repetition), so
# each ratio to goraw compares medians taken side by side in the same run. All traffic is
# loopback; every client is bounded in count and time (see goraw/main.go) and also runs
# under `timeout`. Servers are stopped by the PIDs this script started (and their
# descendants, found through /proc), never by name.
set -uo pipefail

CALLER=$PWD
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
cd "$ROOT"
GO=${GO:-/usr/local/go/bin/go}
# Built helpers and results go to a writable folder: this folder may be read-only.
WORKDIR=${BENCH_WORK:-${TMPDIR:-/tmp}/gonetrepl-bench}
mkdir -p "$WORKDIR/bin"
GORAW=$WORKDIR/bin/goraw
BT=$WORKDIR/bin/benchtool

if [[ ${1:-} == --check ]]; then
  CHECK=1
  shift
fi
CHECK=${CHECK:-}
[[ $CHECK == 0 ]] && CHECK=""
if [[ -n $CHECK ]]; then
  CHECK_AGAINST=${CHECK_AGAINST:-$ROOT/BENCHMARKS.md}
  CHECK_FLOOR=${CHECK_FLOOR:-0.15}
  [[ -f $CHECK_AGAINST ]] || { echo "--check: no $CHECK_AGAINST to compare with" >&2; exit 1; }
  QUICK=1
  # conns last (the slowest, and the budget skips what it has not started);
  # the budget keeps the whole check near two minutes on a quiet machine.
  : "${CONNS:=1000}" "${TESTS:=tp rtt udp conns startup}" "${BUDGET_S:=120}"
  # conns for the Go servers only: the peers' are a process or thread per
  # connection, 3-10 s a repetition at 1000, which would take most of the budget.
  CHECK_CONNS=${CHECK_CONNS-goraw* gonetrepl*}
fi
if [[ -n ${QUICK:-} ]]; then
  : "${REPS:=3}" "${TP_BYTES:=64M}" "${RTT_N:=2000}" "${CONNS:=200 1000}" "${UDP_N:=2000}"
fi
REPS=${REPS:-5}
TESTS=${TESTS:-tp rtt conns udp startup real ws}
TP_BYTES=${TP_BYTES:-512M}
TP_MAXSEC=${TP_MAXSEC:-3}
RTT_N=${RTT_N:-20000}
CONNS=${CONNS:-1000 5000 10000}
CONNS_PAR=${CONNS_PAR:-8}
UDP_N=${UDP_N:-20000}
BUDGET_S=${BUDGET_S:-2400}
HOST=127.0.0.1
SPIN=() CPIN=() RPIN=()
if [[ ${PIN:-1} != 0 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  SPIN=(taskset -c "${SERVER_CPU:-1}") CPIN=(taskset -c "${CLIENT_CPU:-0}")
  RPIN=(taskset -c "${RTT_CPU:-${SERVER_CPU:-1}}")
fi

# Open files: raise the soft limit to the hard one (see the header).
NOFILE_HARD=$(ulimit -Hn)
if [[ $(ulimit -Sn) != "$NOFILE_HARD" ]]; then
  ulimit -Sn "$NOFILE_HARD" 2>/dev/null || echo "warning: cannot raise ulimit -n from $(ulimit -Sn) to $NOFILE_HARD" >&2
fi
NOFILE=$(ulimit -Sn)

# gonetrepl: $GONETREPL if set; else, in a checkout, a fresh build of it (below), so
# that a run always measures the code in front of you; else gonetrepl on PATH or a
# ./gonetrepl binary.
GONETREPL_SRC="" # the checkout to build gonetrepl from
if [[ -z ${GONETREPL:-} ]]; then
  for d in "$CALLER" "$ROOT"; do
    if [[ -z $GONETREPL_SRC && -f $d/main.go && -f $d/go.mod ]] &&
      grep -qE '^module[[:space:]]+github\.com/gonetrepl/gonetrepl[[:space:]]*$' "$d/go.mod"; then
      GONETREPL_SRC=$d
    fi
  done
fi
if [[ -z ${GONETREPL:-} && -z $GONETREPL_SRC ]]; then
  GONETREPL=$(command -v gonetrepl || true)
  for c in "$CALLER/gonetrepl" "$CALLER/bin/gonetrepl" "$ROOT/gonetrepl" "$ROOT/bin/gonetrepl"; do
    [[ -z $GONETREPL && -x $c ]] && GONETREPL=$c
  done
fi

# ---------------------------------------------------------------------------
# Server registry: one `reg` line per server.
#   reg NAME MAXCONNS REQUIRES TCP_COMMAND UDP_COMMAND
# MAXCONNS  the largest CONNS level to try (0: serial server, no conns test)
# REQUIRES  space-separated: an executable, or INTERPRETER:MODULE for a Lua module
# *_COMMAND argv template (split on spaces, no quoting); {HOST} {PORT} {ADDR}
#           {GORAW} {GONETREPL} are filled in, and {UPSTREAM} with the address of
#           goraw's TCP echo server (started first); "-" means no such server.
# The server must print nothing needed, stay in the foreground, and echo every
# byte (TCP) or datagram (UDP) back; lines are 64 bytes, so a line echo will do.
# ---------------------------------------------------------------------------
NAMES=()
declare -A MAXC REQ TCPCMD UDPCMD
reg() { NAMES+=("$1"); MAXC[$1]=$2; REQ[$1]=$3; TCPCMD[$1]=$4; UDPCMD[$1]=$5; }

reg goraw          100000 ""              "{GORAW} echo-server {ADDR}"      "{GORAW} udp-echo-server {ADDR}"
reg goraw-line     100000 ""              "{GORAW} line-echo-server {ADDR}" "-"
# goraw-rw: the Go twin of bench/lua/echo.lua (Read/Write, 64 KiB buffer): the reference
# for what a loop that sees the bytes can do, and the raw Go server that can hold 10000
# connections under the fd limit (goraw's splice costs 3 fds a connection).
reg goraw-rw       100000 ""              "{GORAW} rw-echo-server {ADDR}"   "-"
reg lua5.1-socket  0      "lua5.1:socket" "lua5.1 bench/peers/lua_echo.lua tcp {HOST} {PORT}" "lua5.1 bench/peers/lua_echo.lua udp {HOST} {PORT}"
reg luajit-socket  0      "luajit:socket" "luajit bench/peers/lua_echo.lua tcp {HOST} {PORT}" "luajit bench/peers/lua_echo.lua udp {HOST} {PORT}"
# copas: LuaSocket's select() refuses fds >= 1024, so 5000 connections would crash it.
reg lua5.1-copas   1000   "lua5.1:copas"  "lua5.1 bench/peers/copas_echo.lua tcp {HOST} {PORT}" "lua5.1 bench/peers/copas_echo.lua udp {HOST} {PORT}"
reg luajit-copas   1000   "luajit:copas"  "luajit bench/peers/copas_echo.lua tcp {HOST} {PORT}" "luajit bench/peers/copas_echo.lua udp {HOST} {PORT}"
# socat, ncat: one process (socat) or thread (ncat) per connection. With EXEC:cat / --exec a
# cat process more: 5000 connections then take past the client's 60 s, so they stop at 1000.
reg socat-exec-cat 1000   "socat cat"     "socat TCP-LISTEN:{PORT},bind={HOST},reuseaddr,fork,backlog=1024 EXEC:cat" "socat -T 10 UDP-LISTEN:{PORT},bind={HOST},reuseaddr,fork EXEC:cat"
reg socat-pipe     5000   "socat"         "socat TCP-LISTEN:{PORT},bind={HOST},reuseaddr,fork,backlog=1024 PIPE" "socat -T 10 UDP-LISTEN:{PORT},bind={HOST},reuseaddr,fork PIPE"
reg ncat-exec-cat  1000   "ncat cat"      "ncat -l -k -m 10000 {HOST} {PORT} --exec /bin/cat" "ncat -u -l -k {HOST} {PORT} --exec /bin/cat"
reg ncat-lua-exec  5000   "ncat"          "ncat -l -k -m 10000 {HOST} {PORT} --lua-exec bench/peers/ncat_echo.lua" "ncat -u -l -k {HOST} {PORT} --lua-exec bench/peers/ncat_echo.lua"
# Skipped when no binary is found or built (set GONETREPL=path).
reg gonetrepl      100000 "{GONETREPL}"   "{GONETREPL} bench/lua/echo.lua {ADDR}" "{GONETREPL} bench/lua/udp_echo.lua {ADDR}"
# An earlier build beside it, to see a change's cost side by side in one run:
# GONETREPL_BASE=/path/to/old/gonetrepl (skipped when unset).
reg gonetrepl-base 100000 "{GONETREPL_BASE}" "{GONETREPL_BASE} bench/lua/echo.lua {ADDR}" "{GONETREPL_BASE} bench/lua/udp_echo.lua {ADDR}"
# Proxies in front of goraw's echo server (client -> proxy -> goraw echo and back): the
# plain Go one (io.Copy both ways, CloseWrite, splice) and net.relay. TCP only. A
# splicing proxy holds 6 fds per connection, so 1000 connections is its conns level.
reg goraw-proxy     1000  ""              "{GORAW} proxy-server {ADDR} {UPSTREAM}" "-"
reg gonetrepl-relay 1000  "{GONETREPL}"   "{GONETREPL} bench/lua/relay_proxy.lua {ADDR} {UPSTREAM}" "-"
# The report compares these two directly: the goal is relay >= 0.97x the raw Go proxy.
RELAY_PAIR=gonetrepl-relay:goraw-proxy:0.97
# ...and gonetrepl's echo with its Go twin (goal: as fast).
RW_PAIR=gonetrepl:goraw-rw:1.0

# Start-up time (hyperfine -N); "|"-separated; entries whose first word is missing are dropped.
STARTUP_CMDS='{GORAW} noop|lua5.1 -e ""|luajit -e ""|/usr/bin/python3 -c "import socket"|{GONETREPL} bench/lua/noop.lua'

declare -A PID ADDR
expand() { # TEMPLATE [PORT]
  local s=$1 port=${2:-}
  s=${s//\{GORAW\}/$GORAW}; s=${s//\{GONETREPL\}/${GONETREPL:-gonetrepl-not-found}}
  s=${s//\{GONETREPL_BASE\}/${GONETREPL_BASE:-gonetrepl-base-not-set}}
  s=${s//\{UPSTREAM\}/${ADDR[goraw.tcp]:-GORAW_ECHO_ADDR}}
  s=${s//\{HOST\}/$HOST}; s=${s//\{PORT\}/$port}; s=${s//\{ADDR\}/$HOST:$port}
  printf '%s' "$s"
}

missing() { # NAME -> prints why it cannot run, or nothing
  local r
  for r in $(expand "${REQ[$1]}"); do
    if [[ $r == *:* ]]; then
      command -v "${r%%:*}" >/dev/null || { echo "${r%%:*} not installed"; return; }
      "${r%%:*}" -e "require('${r#*:}')" >/dev/null 2>&1 || { echo "Lua module ${r#*:} not loadable by ${r%%:*}"; return; }
    elif ! command -v "$r" >/dev/null; then
      if [[ $r == gonetrepl-not-found ]]; then
        if [[ -n $GONETREPL_SRC ]]; then echo "will be built from $GONETREPL_SRC"
        else echo "no gonetrepl binary and no checkout to build it from (set GONETREPL=/path)"; fi
        return
      fi
      if [[ $r == gonetrepl-base-not-set ]]; then echo "GONETREPL_BASE not set"; return; fi
      echo "$r not found"; return
    fi
  done
}

if [[ ${1:-} == --list || ${1:-} == -l ]]; then
  for n in "${NAMES[@]}"; do
    why=$(missing "$n")
    printf '%-15s maxconns=%-6s %s\n    tcp: %s\n    udp: %s\n' "$n" "${MAXC[$n]}" \
      "${why:+SKIPPED: $why}" "$(expand "${TCPCMD[$n]}" PORT)" "$(expand "${UDPCMD[$n]}" PORT)"
  done
  exit 0
fi

# ---- build the Go helpers (no external modules) ----
for d in goraw tools; do
  bin=$([[ $d == tools ]] && echo "$BT" || echo "$GORAW")
  if [[ ! -x $bin ]] || [[ -n $(find "bench/$d" -maxdepth 1 \( -name '*.go' -o -name go.mod \) -newer "$bin") ]]; then
    (cd "bench/$d" && "$GO" build -o "$bin" .) || { echo "build of $bin failed" >&2; exit 1; }
  fi
done

# --check: a committed table to compare with, before spending time on builds
if [[ -n $CHECK ]]; then
  $BT check -servers "$CHECK_AGAINST" >/dev/null || exit 1
fi

# ---- gonetrepl: build it when no binary was found but this is a checkout ----
if [[ -z ${GONETREPL:-} && -n $GONETREPL_SRC ]]; then
  echo "building gonetrepl from $GONETREPL_SRC -> $WORKDIR/bin/gonetrepl"
  if (cd "$GONETREPL_SRC" && "$GO" build -o "$WORKDIR/bin/gonetrepl" .); then
    GONETREPL=$WORKDIR/bin/gonetrepl
  else
    # --check is about gonetrepl's ratios: without it there is nothing to check
    [[ -n $CHECK ]] && { echo "--check: go build of gonetrepl failed" >&2; exit 1; }
    echo "warning: go build of gonetrepl failed; its rows are skipped" >&2
    GONETREPL_SRC=""
  fi
fi

# ---- which servers ----
want=("$@")
if [[ -n $CHECK && ${#want[@]} -eq 0 ]]; then
  # The committed table's servers that this registry still has; missing() drops
  # the ones not installed, as for a plain run.
  committed=$($BT check -servers "$CHECK_AGAINST") || exit 1
  for n in $committed; do
    if [[ -n ${TCPCMD[$n]+x} ]]; then want+=("$n"); else echo "--check: $n (in $CHECK_AGAINST) is not in the registry" >&2; fi
  done
fi
[[ ${#want[@]} -eq 0 ]] && want=("${NAMES[@]}")
# goraw first: it is the baseline, and {UPSTREAM} is its echo server
SERVERS=()
SKIPPED=()
for n in goraw "${want[@]}"; do
  [[ $n == goraw && " ${SERVERS[*]} " == *" goraw "* ]] && continue
  if [[ -z ${TCPCMD[$n]+x} ]]; then echo "unknown server: $n (see --list)" >&2; exit 2; fi
  why=$(missing "$n")
  if [[ -n $why ]]; then SKIPPED+=("$n: $why"); else SERVERS+=("$n"); fi
done

OUT=${OUT:-$WORKDIR/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
TSV=$OUT/results.tsv
RAW=$OUT/raw.log
: >"$TSV"
: >"$RAW"
T0=$SECONDS

STARTED=()   # every server PID we started
CLIENT=""    # the conns client while it runs

stop_pid() { # PID: TERM it and its descendants (collected first), KILL what is left
  local p=$1 kids k i
  kids=$($BT tree "$p" 2>/dev/null)
  kill -TERM "$p" 2>/dev/null
  for k in $kids; do kill -TERM "$k" 2>/dev/null; done
  for i in $(seq 20); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  for k in $kids; do [[ -d /proc/$k ]] && kill -KILL "$k" 2>/dev/null; done
  wait "$p" 2>/dev/null
}
cleanup() {
  [[ -n $CLIENT ]] && kill -KILL "$CLIENT" 2>/dev/null
  local p
  for p in "${STARTED[@]}"; do stop_pid "$p"; done
  STARTED=()
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

start() { # NAME tcp|udp
  local n=$1 proto=$2 tmpl port argv p
  if [[ $proto == tcp ]]; then tmpl=${TCPCMD[$n]}; else tmpl=${UDPCMD[$n]}; fi
  [[ $tmpl == - ]] && return 0
  port=$($BT freeport "$proto") || return 1
  read -ra argv <<<"$(expand "$tmpl" "$port")"
  "${SPIN[@]}" "${argv[@]}" >"$OUT/logs/$n.$proto.log" 2>&1 &
  p=$!
  STARTED+=("$p")
  if ! $BT wait-"$proto" "$HOST:$port" 10 2>>"$OUT/logs/$n.$proto.log"; then
    echo "  $n ($proto) did not come up: $(tail -1 "$OUT/logs/$n.$proto.log")"
    stop_pid "$p"
    return 1
  fi
  PID[$n.$proto]=$p
  ADDR[$n.$proto]=$HOST:$port
  echo "  $n $proto $HOST:$port pid $p: ${argv[*]}"
}

record() { # NAME METRIC REP VALUE
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$TSV"
}

children() { $BT tree "$1" | wc -l; }
listen_overflows() { # kernel-wide TcpExt ListenOverflows (accept queue full)
  awk '/^TcpExt:/ { if (!h) { split($0, k); h = 1 } else for (i = 2; i <= NF; i++) if (k[i] == "ListenOverflows") print $i }' /proc/net/netstat
}

# One measurement; appends to $TSV. Returns quickly when the server is gone.
measure() { # NAME TEST REP
  local n=$1 t=$2 rep=$3 proto=tcp out val p a
  [[ $t == udp ]] && proto=udp
  p=${PID[$n.$proto]:-}
  a=${ADDR[$n.$proto]:-}
  if [[ -z $p ]]; then return; fi
  if ! kill -0 "$p" 2>/dev/null; then
    record "$n" "$t" "$rep" fail
    echo "$n $t rep $rep: server pid $p is gone" >>"$RAW"
    return
  fi
  if (( SECONDS - T0 > BUDGET_S )); then record "$n" "$t" "$rep" skip:budget; return; fi
  case $t in
    tp)  out=$(timeout -k 2 $((TP_MAXSEC + 45)) "${CPIN[@]}" $GORAW client-throughput "$a" "$TP_BYTES" "$TP_MAXSEC" 2>&1) ;;
    rtt) out=$(timeout -k 2 130 "${RPIN[@]}" $GORAW client-rtt "$a" "$RTT_N" 2>&1) ;;
    udp) out=$(timeout -k 2 70 "${RPIN[@]}" $GORAW client-udp "$a" "$UDP_N" 2>&1) ;;
    c*)
      local N=${t#c} f="$OUT/logs/conns.tmp" base i mem ovf src
      base=$(children "$p")
      ovf=$(listen_overflows)
      # A source address of its own per conns measurement (127.0.0.10 ...): the
      # TIME_WAIT sockets of earlier ones (60 s each) cannot use up its ephemeral ports.
      src=127.0.0.$(( 10 + CONNS_SEQ % 240 ))
      CONNS_SEQ=$(( CONNS_SEQ + 1 ))
      # Not under `timeout` (it would swallow SIGUSR1); the client's own deadlines
      # bound it: 60 s for the dials (10 s without any progress), then at most 90 s of holding.
      "${CPIN[@]}" $GORAW client-conns "$a" "$N" 90000 "$CONNS_PAR" "$src" >"$f" 2>&1 &
      CLIENT=$!
      for i in $(seq 750); do
        grep -q '^RESULT' "$f" && break
        kill -0 "$CLIENT" 2>/dev/null || break
        sleep 0.1
      done
      if grep -q '^RESULT.* fail=0' "$f"; then # sample the server's memory while all N are held
        mem=$($BT treemem "$p")
        echo "$n pss$N rep $rep: $mem" >>"$RAW"
        record "$n" "pss$N" "$rep" "$(awk '{print $2}' <<<"$mem")"
      elif grep -q '^RESULT' "$f"; then
        echo "$n c$N rep $rep: server while the client holds what it got: $($BT treemem "$p")" >>"$RAW"
      fi
      kill -USR1 "$CLIENT" 2>/dev/null
      for i in $(seq 50); do kill -0 "$CLIENT" 2>/dev/null || break; sleep 0.05; done
      kill -0 "$CLIENT" 2>/dev/null && kill -KILL "$CLIENT" 2>/dev/null
      wait "$CLIENT" 2>/dev/null
      CLIENT=""
      out="$(cat "$f") src=$src listen_overflows=$(( $(listen_overflows) - ovf ))"
      # let process-per-connection servers reap their children before the next measurement
      for i in $(seq 150); do (( $(children "$p") <= base )) && break; sleep 0.1; done
      ;;
  esac
  val=$(awk '/^RESULT/{print $2; exit}' <<<"$out")
  if [[ -n $val ]] && ! grep -q 'fail=[1-9]' <<<"$out"; then
    record "$n" "$t" "$rep" "$val"
  elif [[ $t == c* ]] && grep -qi 'too many open files' "$OUT/logs/$n.tcp.log"; then
    record "$n" "$t" "$rep" fail:fd-limit
    CONNS_GAVEUP[$n.$t]=fd-limit
  else
    record "$n" "$t" "$rep" fail
    grep -q 'stalled=true' <<<"$out" && CONNS_GAVEUP[$n.$t]=stalled
  fi
  printf '%s %s rep %s: %s\n' "$n" "$t" "$rep" "$(tr '\n' ' ' <<<"$out")" >>"$RAW"
  local hwm
  hwm=$(awk '/VmHWM/{print $2}' "/proc/${PID[$n.tcp]:-0}/status" 2>/dev/null)
  [[ -n $hwm ]] && HWM[$n]=$hwm
}
declare -A HWM CONNS_GAVEUP
CONNS_SEQ=0

# ---- header ----
{
  echo "# bench/run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# reps=$REPS tests='$TESTS' tp=$TP_BYTES (max ${TP_MAXSEC}s) rtt=$RTT_N conns='$CONNS' (par $CONNS_PAR) udp=$UDP_N"
  echo "# pinning: servers '${SPIN[*]:-none}', tp/conns clients '${CPIN[*]:-none}', rtt/udp clients '${RPIN[*]:-none}'"
  echo "# $("$GO" version); ulimit -n $NOFILE (hard $NOFILE_HARD); somaxconn $(cat /proc/sys/net/core/somaxconn 2>/dev/null); ephemeral ports $(tr '\t' - </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)"
  echo "# gonetrepl: ${GONETREPL:-none}"
  if [[ " $TESTS " == *" conns "* && $NOFILE != unlimited ]]; then
    maxn=0; for N in $CONNS; do (( N > maxn )) && maxn=$N; done
    (( maxn + 50 > NOFILE )) && echo "# warning: ulimit -n $NOFILE is too low for the client's $maxn connections"
    (( 3 * maxn + 50 > NOFILE )) && echo "# note: with ulimit -n $NOFILE goraw's io.Copy echo (3 fds a connection) can hold about $(( (NOFILE - 50) / 3 )) connections"
  fi
  for c in "socat -V" "ncat --version" "lua5.1 -v" "luajit -v"; do
    command -v "${c%% *}" >/dev/null && echo "# $($c 2>&1 | grep -m1 -iE 'version|lua|socat')"
  done
  for s in "${SKIPPED[@]}"; do echo "# skipped $s"; done
  [[ -n $CHECK ]] && echo "# --check against $CHECK_AGAINST; conns measured for: $CHECK_CONNS"
} | tee "$OUT/header.txt"

echo "starting servers:"
for n in "${SERVERS[@]}"; do # goraw is first: the others' {UPSTREAM}
  start "$n" tcp
  [[ -n ${PID[goraw.tcp]:-} ]] || { echo "goraw did not start; no baseline" >&2; exit 1; }
  [[ " $TESTS " == *" udp "* ]] && start "$n" udp
done

# ---- the interleaved measurements ----
conns_checked() { # NAME: does --check measure its conns? (CHECK_CONNS globs)
  local g globs
  read -ra globs <<<"$CHECK_CONNS" # read: no pathname expansion of the globs
  for g in "${globs[@]}"; do
    # shellcheck disable=SC2053 # $g is a glob on purpose
    [[ $1 == $g ]] && return 0
  done
  return 1
}
rotate() { # REP NAME... -> names rotated by REP
  local r=$1; shift
  local a=("$@")
  r=$(( r % ${#a[@]} ))
  printf '%s\n' "${a[@]:r}" "${a[@]:0:r}"
}
plan=()
for t in $TESTS; do
  case $t in
    tp|rtt|udp) plan+=("$t") ;;
    conns) for N in $CONNS; do plan+=("c$N"); done ;;
  esac
done
for t in "${plan[@]}"; do
  echo "test $t ($(( SECONDS - T0 ))s elapsed)"
  for rep in $(seq "$REPS"); do
    for n in $(rotate "$rep" "${SERVERS[@]}"); do
      if [[ $t == c* ]] && (( ${t#c} > ${MAXC[$n]} )); then
        [[ $rep == 1 ]] && record "$n" "$t" "$rep" "skip:maxconns"
        continue
      fi
      if [[ -n $CHECK && $t == c* ]] && ! conns_checked "$n"; then
        [[ $rep == 1 ]] && record "$n" "$t" "$rep" "skip:not-in-check"
        continue
      fi
      # A server that ran out of fds or stopped answering at this level will do it
      # again: don't spend the budget on the other repetitions.
      if [[ $t == c* && -n ${CONNS_GAVEUP[$n.$t]:-} ]]; then
        record "$n" "$t" "$rep" "skip:${CONNS_GAVEUP[$n.$t]}"
        continue
      fi
      measure "$n" "$t" "$rep"
    done
  done
done
for n in "${SERVERS[@]}"; do
  [[ -n ${HWM[$n]:-} ]] && record "$n" hwm 1 "${HWM[$n]}"
done
cleanup

# ---- start-up time ----
STARTUP=""
if [[ " $TESTS " == *" startup "* ]] && (( SECONDS - T0 <= BUDGET_S )); then
  IFS='|' read -ra scmds <<<"$(expand "$STARTUP_CMDS")"
  run=()
  for c in "${scmds[@]}"; do
    read -ra w <<<"$c"
    command -v "${w[0]}" >/dev/null && run+=("$c")
  done
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --min-runs 30 --export-csv "$OUT/startup.csv" "${run[@]}" >"$OUT/logs/hyperfine.log" 2>&1
    # CSV: command,mean,stddev,median,user,system,min,max (command may hold commas)
    STARTUP=$(awk -F, -v cmds="$(printf '%s\n' "${run[@]}")" '
      BEGIN { n = split(cmds, c, "\n"); w = 23; for (k = 1; k <= n; k++) if (length(c[k]) > w) w = length(c[k]) }
      NR > 1 { i++; med[i] = $(NF-4); lo[i] = $(NF-1); hi[i] = $NF }
      END {
        printf "%-*s | %11s | %9s | %s\n", w, "start-up (hyperfine -N)", "median ms", "x goraw", "min-max ms"
        for (k = 1; k <= i; k++)
          printf "%-*s | %11.2f | %9.2f | %.2f-%.2f\n", w, c[k], med[k]*1000, med[k]/med[1], lo[k]*1000, hi[k]*1000
      }' "$OUT/startup.csv")
  else
    STARTUP="hyperfine not installed: start-up time not measured"
  fi
fi

# ---- the real servers (bench/real.sh), medians of REAL_REPS [3] ----
REAL=""
if [[ " $TESTS " == *" real "* ]]; then
  if [[ -z ${GONETREPL:-} ]]; then
    REAL="real servers: no gonetrepl build, not measured"
  elif (( SECONDS - T0 > BUDGET_S )); then
    REAL="real servers: not started within the budget (BUDGET_S=$BUDGET_S)"
  elif GONETREPL=$GONETREPL REAL_OUT=$OUT/real REPS=${REAL_REPS:-3} "$BENCH/real.sh" >"$OUT/logs/real.log" 2>&1; then
    REAL=$(sed '1{/^$/d}' "$OUT/real/real.txt")
  else
    REAL="real servers: bench/real.sh failed: $(tail -1 "$OUT/logs/real.log")"
  fi
fi

# ---- WebSocket echo (bench/ws.sh), medians of WS_REPS [3] ----
WS=""
if [[ " $TESTS " == *" ws "* ]]; then
  if [[ -z ${GONETREPL:-} ]]; then
    WS="websocket echo: no gonetrepl build, not measured"
  elif (( SECONDS - T0 > BUDGET_S )); then
    WS="websocket echo: not started within the budget (BUDGET_S=$BUDGET_S)"
  elif GONETREPL=$GONETREPL WS_OUT=$OUT/ws REPS=${WS_REPS:-3} QUICK=${QUICK:-} "$BENCH/ws.sh" >"$OUT/logs/ws.log" 2>&1; then
    WS=$(sed '1{/^$/d}' "$OUT/ws/ws.txt")
  else
    WS="websocket echo: bench/ws.sh failed: $(tail -1 "$OUT/logs/ws.log")"
  fi
fi

# ---- report ----
{
  echo
  $BT report -pair "$RELAY_PAIR" -pair "$RW_PAIR" "$TSV" goraw "${SERVERS[@]}"
  echo
  [[ -n $STARTUP ]] && echo "$STARTUP"
  echo
  [[ -n $REAL ]] && { echo "$REAL"; echo; }
  [[ -n $WS ]] && { echo "$WS"; echo; }
  echo "VmHWM: peak RSS of the TCP server's own process (children of fork servers not included)."
  echo "PSS@N: summed PSS of the server and all its descendants while N connections are held."
  echo "Raw values: $TSV; client output: $RAW; wall time $(( SECONDS - T0 ))s."
} | tee "$OUT/table.txt"

# ---- --check: this run against the committed table ----
if [[ -n $CHECK ]]; then
  cat "$OUT/header.txt" "$OUT/table.txt" >"$OUT/run.txt"
  echo
  $BT check -floor "$CHECK_FLOOR" "$CHECK_AGAINST" "$OUT/run.txt" | tee "$OUT/check.txt"
  exit "${PIPESTATUS[0]}"
fi
