#!/usr/bin/env bash
# The bundled servers beside the real ones, under the same client (issue 24):
#
#   fake_redis.lua        vs redis-server 7   redis-benchmark -c 50 -t get,set,incr
#   same                                      redis-benchmark -c 50 -P 16 (pipelined)
#   http_server.lua --dir vs nginx-light, one worker
#                                             ab -k -c 20, a 1 KiB file
#   same                                      ab -k -c 20, a 4 MiB file
#
# bench/run.sh runs it as its "real" test (TESTS); it also runs alone:
#   bench/real.sh                  # REPS [3] repetitions; QUICK=1: small counts
# Each repetition measures every pair, the real server and the script one after the
# other, so each ratio compares medians taken side by side in one run. Requests per
# second are redis-benchmark's (--csv, the mean of get, set and incr) and ab's. The
# servers run on SERVER_CPU [1], the clients on CLIENT_CPU [0] (taskset; PIN=0: off),
# as in run.sh. Missing programs (redis-server, redis-benchmark, nginx, ab) are
# installed from Debian's packages (redis-server, redis-tools, nginx-light,
# apache2-utils) with apt-get, as test.sh does. All traffic is loopback; every client
# is bounded in count and runs under `timeout`; servers are stopped by the PIDs this
# script started. gonetrepl: $GONETREPL, else built from this checkout.
set -uo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
cd "$ROOT"
GO=${GO:-/usr/local/go/bin/go}
WORKDIR=${BENCH_WORK:-${TMPDIR:-/tmp}/gonetrepl-bench}
OUT=${REAL_OUT:-$WORKDIR/real/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/logs" "$WORKDIR/bin"
PATH="$PATH:/usr/sbin:/sbin"

REPS=${REPS:-3}
if [[ -n ${QUICK:-} ]]; then
  : "${REDIS_N:=10000}" "${REDIS_PN:=50000}" "${AB_SMALL_N:=4000}" "${AB_BIG_N:=60}"
fi
REDIS_N=${REDIS_N:-50000}   # requests per command, -c 50
REDIS_PN=${REDIS_PN:-200000} # requests per command, -c 50 -P 16
AB_SMALL_N=${AB_SMALL_N:-20000}
AB_BIG_N=${AB_BIG_N:-400}
SPIN=() CPIN=()
if [[ ${PIN:-1} != 0 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  SPIN=(taskset -c "${SERVER_CPU:-1}") CPIN=(taskset -c "${CLIENT_CPU:-0}")
fi

# ---- the programs ----
declare -A PACKAGES=([redis-server]=redis-server [redis-tools]=redis-benchmark [nginx-light]=nginx [apache2-utils]=ab)
missing=()
for pkg in "${!PACKAGES[@]}"; do
  command -v "${PACKAGES[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "real.sh: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
for pkg in "${!PACKAGES[@]}"; do
  command -v "${PACKAGES[$pkg]}" >/dev/null 2>&1 || { echo "real.sh: ${PACKAGES[$pkg]} is missing ($pkg)" >&2; exit 1; }
done
# ---- the servers (bench/servers.sh: gonetrepl and benchtool built, start, cleanup) ----
source "$BENCH/servers.sh"

ROOTDIR=$OUT/www
mkdir -p "$ROOTDIR" "$OUT/nginx"
head -c 1024 /dev/urandom >"$ROOTDIR/1k.bin"
head -c $((4 << 20)) /dev/urandom >"$ROOTDIR/4m.bin"
NGINX_PORT=$($BT freeport tcp)
cat >"$OUT/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $OUT/nginx/cb;
  proxy_temp_path $OUT/nginx/p;
  fastcgi_temp_path $OUT/nginx/f;
  uwsgi_temp_path $OUT/nginx/u;
  scgi_temp_path $OUT/nginx/s;
  default_type application/octet-stream;
  server { listen 127.0.0.1:{PORT}; root $ROOTDIR; }
}
EOF
sed -i "s/{PORT}/$NGINX_PORT/" "$OUT/nginx/nginx.conf"

echo "real servers (gonetrepl $GONETREPL):"
start redis-server redis-server --port '{PORT}' --bind 127.0.0.1 --save '' --appendonly no || exit 1
start fake_redis "$GONETREPL" scripts/fake_redis.lua '127.0.0.1:{PORT}' --quiet || exit 1
"${SPIN[@]}" nginx -p "$OUT/nginx" -e "$OUT/nginx/error.log" -c "$OUT/nginx/nginx.conf" >"$OUT/logs/nginx.log" 2>&1 &
STARTED+=($!)
$BT wait-tcp "127.0.0.1:$NGINX_PORT" 10 2>>"$OUT/logs/nginx.log" || { echo "real.sh: nginx did not come up" >&2; exit 1; }
PORT_OF[nginx]=$NGINX_PORT
echo "  nginx 127.0.0.1:$NGINX_PORT (one worker)"
start http_server "$GONETREPL" scripts/http_server.lua '127.0.0.1:{PORT}' --dir "$ROOTDIR" --quiet || exit 1

# ---- the clients ----
TSV=$OUT/real.tsv
: >"$TSV"
redis_rps() { # PORT EXTRA-ARGS...: the mean requests/s of get, set and incr
  local port=$1
  shift
  timeout -k 2 300 "${CPIN[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 "$@" -t get,set,incr --csv 2>>"$OUT/logs/clients.log" |
    tee -a "$OUT/logs/clients.log" |
    awk -F'"' '$2 ~ /^(GET|SET|INCR)$/ { s += $4; n++ } END { if (n == 3) printf "%.0f\n", s / 3 }'
}
ab_rps() { # PORT FILE N
  timeout -k 2 300 "${CPIN[@]}" ab -q -k -c 20 -n "$3" "http://127.0.0.1:$1/$2" 2>>"$OUT/logs/clients.log" |
    tee -a "$OUT/logs/clients.log" |
    awk '/^Failed requests:/ { failed = $3 } /^Requests per second:/ { rps = $4 } END { if (rps != "" && failed == 0) printf "%.0f\n", rps }'
}
row() { # ROW SERVER REP VALUE
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-fail}" >>"$TSV"
}
for rep in $(seq "$REPS"); do
  echo "repetition $rep"
  for s in redis-server fake_redis; do row redis "$s" "$rep" "$(redis_rps "${PORT_OF[$s]}" -n "$REDIS_N")"; done
  for s in redis-server fake_redis; do row redis-P16 "$s" "$rep" "$(redis_rps "${PORT_OF[$s]}" -n "$REDIS_PN" -P 16)"; done
  for s in nginx http_server; do row ab-1k "$s" "$rep" "$(ab_rps "${PORT_OF[$s]}" 1k.bin "$AB_SMALL_N")"; done
  for s in nginx http_server; do row ab-4m "$s" "$rep" "$(ab_rps "${PORT_OF[$s]}" 4m.bin "$AB_BIG_N")"; done
done
cleanup

# ---- the table ----
{
  echo
  echo "real servers, same client, medians of $REPS (requests/s; raw: $TSV)"
  awk -F'\t' -v reps="$REPS" '
    function median(key,   n, i, j, t, v) {
      n = split(vals[key], v, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      if (n == 0) return ""
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    $4 != "fail" { vals[$1 "|" $2] = vals[$1 "|" $2] " " $4 }
    $4 == "fail" { fails[$1 "|" $2]++ }
    END {
      split("redis|redis-server|fake_redis|redis-benchmark -c 50, get/set/incr|0.6;" \
            "redis-P16|redis-server|fake_redis|redis-benchmark -c 50 -P 16|0.3;" \
            "ab-1k|nginx|http_server|ab -k -c 20, 1 KiB file|0.3;" \
            "ab-4m|nginx|http_server|ab -k -c 20, 4 MiB file|0.8", rows, ";")
      printf "%-30s | %-36s | %10s | %10s | %6s | %s\n", "server", "load", "real", "gonetrepl", "ratio", "goal"
      for (r = 1; r <= 4; r++) {
        split(rows[r], f, "|")
        real = median(f[1] "|" f[2]); ours = median(f[1] "|" f[3])
        name = f[1] ~ /^redis/ ? "fake_redis.lua / redis-server" : "http_server.lua --dir / nginx"
        ratio = (real > 0 && ours != "") ? sprintf("%.2f", ours / real) : "-"
        note = (fails[f[1] "|" f[2]] + fails[f[1] "|" f[3]]) ? sprintf(" (%d failed)", fails[f[1] "|" f[2]] + fails[f[1] "|" f[3]]) : ""
        printf "%-30s | %-36s | %10s | %10s | %6s | >= %s%s\n", name, f[4], real, ours, ratio, f[5], note
      }
    }' "$TSV"
} | tee "$OUT/real.txt"
