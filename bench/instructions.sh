#!/bin/bash
# Instructions per request of one benchmark variant, counted by valgrind's callgrind: unlike
# req/s on a shared machine, the count repeats within a few percent, so it shows small changes.
#   npm run build:bench && bench/instructions.sh cookie read [requests] [warm-up requests]
# Prints the total, the part in GC and background threads (it varies with when major GCs fall),
# and the rest, the "mutator": compare that one between builds.
# Needs valgrind (apt-get install valgrind); takes about two minutes.
set -euo pipefail
variant=${1:?usage: bench/instructions.sh VARIANT read|write [requests] [warm-up]}
scenario=${2:?usage: bench/instructions.sh VARIANT read|write [requests] [warm-up]}
requests=${3:-4000}
warmup=${4:-15000}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

BENCH_VARIANT=$variant BENCH_SCENARIO=$scenario valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$out/cg.%p" node "$root/bench/out/bench/server.js" >"$out/log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q READY "$out/log" && break; sleep 0.5; done
port=$(grep -o 'READY [0-9]*' "$out/log" | cut -d' ' -f2)

# Sequential keep-alive requests with the session cookie from GET /login.
drive() {
  node -e '
    const http = require("http");
    const [port, count] = [process.argv[1], +process.argv[2]];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path, cookie) => new Promise((done) => http.get(
      { host: "127.0.0.1", port, path, agent, headers: cookie ? { cookie } : {} },
      (res) => { res.resume(); res.on("end", () => done(res.headers["set-cookie"])); }));
    (async () => {
      const cookie = ((await get("/login")) ?? []).map((line) => line.split(";")[0]).join("; ");
      for (let i = 0; i < count; i++) await get("/profile", cookie);
      process.exit(0);
    })();' "$port" "$1"
}
drive "$warmup"
callgrind_control -i on "$pid" >/dev/null 2>&1
drive "$requests"
callgrind_control -i off "$pid" >/dev/null 2>&1
callgrind_control -d "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" || true

total=$(grep -o 'Collected : [0-9]*' "$out/log" | awk '{print $3}')
background=$(callgrind_annotate --inclusive=yes --threshold=100 "$(ls "$out"/cg.* | tail -1)" 2>/dev/null |
  grep -E 'DefaultJobWorker::Run\(\)|Heap::CollectGarbage\(|thunk to v8::internal::CancelableTask::Run\(\)' |
  awk '{gsub(",", "", $1); sum += $1} END {print sum + 0}')
echo "$variant $scenario: $((total / requests)) instructions/request" \
  "($((background / requests)) in GC and background threads, $(((total - background) / requests)) mutator)"
