#!/usr/bin/env bash
# WebSocket echo (issue 19): scripts/ws_echo.lua beside a Go WebSocket echo server
# (bench/ws: github.com/gorilla/websocket v1.5.3), under the same Go client:
#
#   round trip   one connection, sequential 64-byte text messages, mean µs (WS_RTT_N [5000])
#   throughput   WS_TP_CONNS [4] connections at once, 64 KiB binary messages (8 in flight
#                each), echoed MB/s (1 MB = 10^6 B) until WS_TP_BYTES [1G] were sent or
#                WS_TP_MAXSEC [3] s passed
#
# bench/run.sh runs it as its "ws" test (TESTS); it also runs alone:
#   bench/ws.sh                    # REPS [3] repetitions; QUICK=1: small counts
# Each repetition measures both servers, one after the other, so each ratio (ws_echo.lua
# / Go) compares medians taken side by side in one run. The servers run on SERVER_CPU [1];
# the throughput client on CLIENT_CPU [0] and the round-trip client on the server's CPU
# (taskset; PIN=0: off), as run.sh pins them. All traffic is loopback; every client is
# bounded in count and time (120 s, 10 s without an echo) and runs under `timeout`;
# servers are stopped by the PIDs this script started. gonetrepl: $GONETREPL, else built
# from this checkout. wsbench is built from bench/ws (its module comes through the Go
# module proxy the first time).
set -uo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
cd "$ROOT"
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
WORKDIR=${BENCH_WORK:-${TMPDIR:-/tmp}/gonetrepl-bench}
OUT=${WS_OUT:-$WORKDIR/ws/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/logs" "$WORKDIR/bin"

REPS=${REPS:-3}
if [[ -n ${QUICK:-} ]]; then
  : "${WS_RTT_N:=1000}" "${WS_TP_BYTES:=64M}"
fi
WS_RTT_N=${WS_RTT_N:-5000}
WS_TP_CONNS=${WS_TP_CONNS:-4}
WS_TP_BYTES=${WS_TP_BYTES:-1G}
WS_TP_MAXSEC=${WS_TP_MAXSEC:-3}
SPIN=() CPIN=() RPIN=()
if [[ ${PIN:-1} != 0 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  SPIN=(taskset -c "${SERVER_CPU:-1}") CPIN=(taskset -c "${CLIENT_CPU:-0}")
  RPIN=(taskset -c "${RTT_CPU:-${SERVER_CPU:-1}}")
fi

[[ -f scripts/ws_echo.lua ]] || { echo "ws.sh: no scripts/ws_echo.lua in this checkout" >&2; exit 1; }
WSB=$WORKDIR/bin/wsbench
if [[ ! -x $WSB ]] || [[ -n $(find bench/ws -maxdepth 1 \( -name '*.go' -o -name 'go.*' \) -newer "$WSB") ]]; then
  (cd bench/ws && "$GO" build -o "$WSB" .) || { echo "ws.sh: build of $WSB failed" >&2; exit 1; }
fi
# ---- the servers (bench/servers.sh: gonetrepl and benchtool built, start, cleanup) ----
source "$BENCH/servers.sh"

echo "websocket servers (gonetrepl $GONETREPL):"
start go "$WSB" echo-server '{ADDR}' || exit 1
start ws_echo "$GONETREPL" scripts/ws_echo.lua '{ADDR}' || exit 1

# ---- the clients ----
TSV=$OUT/ws.tsv
: >"$TSV"
result() { # SERVER COMMAND...: runs the client, prints RESULT's value (nothing on failure)
  local s=$1 out status
  shift
  out=$(timeout -k 2 150 "$@" 2>&1)
  status=$?
  printf '%s: %s\n' "$s" "$out" >>"$OUT/logs/clients.log"
  (( status == 0 )) && awk '/^RESULT/ { print $2; exit }' <<<"$out"
}
row() { # TEST SERVER REP VALUE
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-fail}" >>"$TSV"
}
for rep in $(seq "$REPS"); do
  echo "repetition $rep"
  # The order alternates, so that neither server always runs first.
  servers=(go ws_echo)
  (( rep % 2 == 0 )) && servers=(ws_echo go)
  for s in "${servers[@]}"; do
    row rtt "$s" "$rep" "$(result "$s" "${RPIN[@]}" "$WSB" client-rtt "ws://${ADDR_OF[$s]}/" "$WS_RTT_N" 64)"
  done
  for s in "${servers[@]}"; do
    row tp "$s" "$rep" "$(result "$s" "${CPIN[@]}" "$WSB" client-throughput "ws://${ADDR_OF[$s]}/" "$WS_TP_CONNS" 65536 "$WS_TP_BYTES" "$WS_TP_MAXSEC")"
  done
done
cleanup

# ---- the table ----
{
  echo
  echo "websocket echo, same client (bench/ws), medians of $REPS [min-max] (raw: $TSV)"
  awk -F'\t' -v reps="$REPS" -v rttn="$WS_RTT_N" -v conns="$WS_TP_CONNS" '
    function sorted(key, v,   n, i, j, t) {
      n = split(vals[key], v, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return n
    }
    function median(key,   n, v) {
      n = sorted(key, v)
      if (n == 0) return ""
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function cell(key,   n, v, m) {
      n = sorted(key, v); m = median(key)
      return n ? sprintf("%s [%s-%s]", m, v[1], v[n]) : "-"
    }
    $4 != "fail" { vals[$1 "|" $2] = vals[$1 "|" $2] " " $4 }
    $4 == "fail" { fails[$1 "|" $2]++ }
    END {
      rows[1] = "rtt|round trip µs, " rttn " x 64 B text, 1 conn|lower"
      rows[2] = "tp|throughput MB/s, 64 KiB binary, " conns " conns|higher"
      printf "%-44s | %-28s | %-28s | %s\n", "load", "Go (gorilla/websocket)", "ws_echo.lua", "ws_echo.lua / Go"
      for (r = 1; r <= 2; r++) {
        split(rows[r], f, "|")
        g = median(f[1] "|go"); w = median(f[1] "|ws_echo")
        ratio = (g > 0 && w != "") ? sprintf("%.2f (%s is better)", w / g, f[3]) : "-"
        nf = fails[f[1] "|go"] + fails[f[1] "|ws_echo"]
        # µ is two bytes, and awk pads bytes
        printf "%-*s | %-28s | %-28s | %s%s\n", 44 + (f[2] ~ /µ/), f[2], cell(f[1] "|go"), cell(f[1] "|ws_echo"), ratio, nf ? sprintf(" (%d failed)", nf) : ""
      }
    }' "$TSV"
} | tee "$OUT/ws.txt"
