#!/bin/bash
# Two benchmark servers loaded at the same time, both pinned to CPU 0, each by its own wrk on
# CPU 1: the scheduler splits CPU 0 between them, so their req/s ratio is the ratio of their
# costs per request, and the machine's drift falls on both at once (bare against bare: within
# ±5 %, where back-to-back runs differ by ±15 %). For deciding whether a change pays off.
#   npm run build:bench && bench/ab.sh bare cookie read [seconds] [repetitions]
# A=/path/to/other/checkout compares builds: variant A runs from that checkout's bench/out
# (built there with `npm run build:bench`), variant B from this one.
# Needs wrk (apt-get install wrk) and taskset.
set -euo pipefail
usage='usage: bench/ab.sh VARIANT_A VARIANT_B read|write [seconds] [repetitions]'
variant_a=${1:?$usage}
variant_b=${2:?$usage}
scenario=${3:?$usage}
seconds=${4:-5}
repetitions=${5:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
root_a=${A:-$root}
out=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$out"' EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

start() { # checkout variant name
  BENCH_VARIANT=$2 BENCH_SCENARIO=$scenario taskset -c 0 node "$1/bench/out/bench/server.js" \
    >"$out/$3.log" 2>&1 &
  pids+=($!)
}
port_of() {
  for _ in $(seq 1 300); do
    grep -q READY "$out/$1.log" && break
    sleep 0.1
  done
  grep -o 'READY [0-9]*' "$out/$1.log" | cut -d' ' -f2
}
cookie_of() { # the session cookie GET /login sets
  curl -s -D - -o /dev/null "http://127.0.0.1:$1/login" | tr -d '\r' |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | paste -sd';'
}
load() { # seconds: both at once; sets rps_a and rps_b
  taskset -c 1 wrk -t1 -c10 -d"$1"s -H "Cookie: $cookie_a" "http://127.0.0.1:$port_a/profile" \
    >"$out/a" &
  local first=$!
  taskset -c 1 wrk -t1 -c10 -d"$1"s -H "Cookie: $cookie_b" "http://127.0.0.1:$port_b/profile" \
    >"$out/b"
  wait "$first"
  rps_a=$(awk '/Requests\/sec/ {print $2}' "$out/a")
  rps_b=$(awk '/Requests\/sec/ {print $2}' "$out/b")
}

start "$root_a" "$variant_a" a
start "$root" "$variant_b" b
port_a=$(port_of a)
port_b=$(port_of b)
cookie_a=$(cookie_of "$port_a")
cookie_b=$(cookie_of "$port_b")
load 3 # warm-up
for _ in $(seq 1 "$repetitions"); do
  load "$seconds"
  awk -v a="$rps_a" -v b="$rps_b" -v na="$variant_a" -v nb="$variant_b" \
    'BEGIN { printf "%s %.0f req/s, %s %.0f req/s, ratio %.3f\n", na, a, nb, b, b / a }'
done
