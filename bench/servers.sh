# bench/servers.sh: the server side that bench/real.sh and bench/ws.sh share, sourced
# by them (not run alone) once they have set BENCH, GO, WORKDIR, OUT (with OUT/logs)
# and SPIN (the taskset prefix, or empty). It builds gonetrepl (unless GONETREPL names
# one) and benchtool when missing, and defines:
#
#   start NAME COMMAND...   runs COMMAND on SPIN with {PORT} and {ADDR} filled in (a
#                           free loopback port, and 127.0.0.1:PORT), its output in
#                           OUT/logs/NAME.log; waits (10 s at most) until it accepts,
#                           then sets PORT_OF[NAME] and ADDR_OF[NAME]; status 1 if not
#   STARTED                 the PIDs of what was started (add your own to it)
#   cleanup                 stops them: TERM, then KILL 0.3 s later; run on exit
#
# Servers are stopped by the PIDs started here, never by name.

ME=${0##*/}
if [[ -z ${GONETREPL:-} ]]; then
  GONETREPL=$WORKDIR/bin/gonetrepl
  "$GO" build -o "$GONETREPL" . || { echo "$ME: cannot build gonetrepl" >&2; exit 1; }
fi
BT=$WORKDIR/bin/benchtool
[[ -x $BT ]] || (cd "$BENCH/tools" && "$GO" build -o "$BT" .) || exit 1

STARTED=()
cleanup() {
  local p
  for p in "${STARTED[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${STARTED[@]}"; do kill -KILL "$p" 2>/dev/null; done
  STARTED=()
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

declare -A PORT_OF ADDR_OF
start() {
  local n=$1 port argv
  shift
  port=$($BT freeport tcp) || return 1
  argv=("${@//\{PORT\}/$port}")
  argv=("${argv[@]//\{ADDR\}/127.0.0.1:$port}")
  "${SPIN[@]}" "${argv[@]}" >"$OUT/logs/$n.log" 2>&1 &
  STARTED+=($!)
  if ! $BT wait-tcp "127.0.0.1:$port" 10 2>>"$OUT/logs/$n.log"; then
    echo "$ME: $n did not come up: $(tail -1 "$OUT/logs/$n.log")" >&2
    return 1
  fi
  PORT_OF[$n]=$port
  ADDR_OF[$n]=127.0.0.1:$port
  echo "  $n 127.0.0.1:$port: ${argv[*]}"
}
