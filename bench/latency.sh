#!/usr/bin/env bash
# Sampler overhead and throughput, loopback only.
#
# 1. Against a server answering after 20 ms, launchready's open-loop p95 next to oha's at the same
#    rate and sample count (oha with --latency-correction, i.e. also timed from the scheduled start).
# 2. The sampler alone at rising rates: the highest rate it keeps (achieved ≈ asked, schedule lag
#    small, p95 within 1 ms of the delay) is what it sustains on this machine.
#
# Usage: bench/latency.sh [OHA_BINARY]   (oha: cargo install oha --locked)
set -euo pipefail
cd "$(dirname "$0")/.."
OHA=${1:-$(command -v oha || true)}
DELAY_MS=20
RATE=${RATE:-50}
SAMPLES=${SAMPLES:-500}

cargo build -q --release --example latency_bench
BIN=target/release/examples/latency_bench
ADDR_FILE=$(mktemp)
"$BIN" serve "$DELAY_MS" >"$ADDR_FILE" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -f "$ADDR_FILE"' EXIT
for _ in $(seq 50); do [ -s "$ADDR_FILE" ] && break; sleep 0.1; done
URL="http://$(cat "$ADDR_FILE")/delay"
echo "server: $URL (delay ${DELAY_MS} ms); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== same rate and count: ${RATE}/s, ${SAMPLES} samples"
"$BIN" sample "$URL" "$RATE" "$SAMPLES"
if [ -n "$OHA" ]; then
  "$OHA" --no-tui -q "$RATE" -n "$SAMPLES" --latency-correction --output-format json "$URL" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["latencyPercentiles"]; s=d["summary"]; print("oha         rate=%s/s samples=%d p50=%.1f ms p95=%.1f ms p99=%.1f ms max=%.1f ms success=%.3f" % (sys.argv[1], sum(d["statusCodeDistribution"].values()), p["p50"]*1000, p["p95"]*1000, p["p99"]*1000, s["slowest"]*1000, s["successRate"]))' "$RATE"
else
  echo "oha not found: pass its path as the first argument"
fi

echo "== sampler alone at rising rates (4 s each)"
for rate in 250 500 1000 2000 4000; do
  "$BIN" sample "$URL" "$rate" $((rate * 4))
done
