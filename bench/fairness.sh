#!/usr/bin/env bash
# Fairness under hostile input (issue 23): in ONE gonetrepl process, while (a) a
# task runs a pure-Lua loop for BUSY seconds and (b) another runs a backtracking
# pattern on 1 MiB, how long does a ticker task wait, how long do echo round trips
# through ln:serve take, and how fast do t:cancel() and Ctrl-C at the prompt stop
# the busy task? Prints a small table (goals: ticker gap and echo p99 < 50 ms,
# cancel and Ctrl-C < 100 ms). Under a minute; loopback only.
#
#   bench/fairness.sh                                   # the checkout (built first)
#   GONETREPL_BASE=/tmp/gonetrepl-base bench/fairness.sh  # and an older build beside it
#
# gonetrepl: $GONETREPL, else a fresh build of this checkout
# ($BENCH_WORK/bin/gonetrepl-fairness, as bench/run.sh builds its own), else gonetrepl on PATH.
# Knobs (environment, defaults in brackets): BUSY [3] seconds of the Lua loop (and
# the bound of the prompt's busy lines); RUN [63] blanks per run in the pattern's
# 1 MiB subject (its cost is about 2^20*RUN/2 pattern steps); REPS [1] repetitions per
# build, builds alternating (medians and min-max; each takes ~15 s, ~40 s before
# preemption); OUT [$BENCH_WORK/results/
# fairness-STAMP.txt]. The scenario is bench/lua/fairness.lua, the driver
# bench/tools/fairness (which says exactly what is measured and how).
set -uo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
cd "$ROOT"
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
WORKDIR=${BENCH_WORK:-${TMPDIR:-/tmp}/gonetrepl-bench}
mkdir -p "$WORKDIR/bin" "$WORKDIR/results"
FAIR=$WORKDIR/bin/fairness

(cd bench/tools && "$GO" build -o "$FAIR" ./fairness) || { echo "build of $FAIR failed" >&2; exit 1; }

if [[ -z ${GONETREPL:-} ]]; then
  if [[ -f main.go ]] && grep -qE '^module[[:space:]]+github\.com/gonetrepl/gonetrepl[[:space:]]*$' go.mod; then
    echo "building gonetrepl from $ROOT -> $WORKDIR/bin/gonetrepl-fairness (not run.sh's binary: both may run at once)" >&2
    "$GO" build -o "$WORKDIR/bin/gonetrepl-fairness" . || { echo "go build of gonetrepl failed" >&2; exit 1; }
    GONETREPL=$WORKDIR/bin/gonetrepl-fairness
  else
    GONETREPL=$(command -v gonetrepl) || { echo "no gonetrepl: set GONETREPL=/path" >&2; exit 1; }
  fi
fi
builds=("gonetrepl=$GONETREPL")
[[ -n ${GONETREPL_BASE:-} ]] && builds+=("gonetrepl-base=$GONETREPL_BASE")

OUT=${OUT:-$WORKDIR/results/fairness-$(date +%Y%m%d-%H%M%S).txt}
# Each wait inside is bounded (60 s); this bounds the whole run besides.
(( ${REPS:-1} >= 1 && ${REPS:-1} <= 20 )) || { echo "REPS: 1..20" >&2; exit 2; }
timeout -k 5 900 "$FAIR" -busy "${BUSY:-3}" -run "${RUN:-63}" -reps "${REPS:-1}" -script bench/lua/fairness.lua "${builds[@]}" | tee "$OUT"
status=${PIPESTATUS[0]}
echo "table: $OUT" >&2
exit "$status"
