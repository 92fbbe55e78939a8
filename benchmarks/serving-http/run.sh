#!/usr/bin/env bash
# The Serving sample (samples/Serving) under a loopback load generator (wrk, Debian package "wrk"):
# latency p50/p99 and requests/s at 1, 8 and 32 connections for each backend (torch, onnx), each run
# bounded in time, then malformed JSON bodies, which must all be answered 400.
#
#   bash benchmarks/serving-http/run.sh [OUT_DIR] [SECONDS]
#
# Trains the HostedTraining sample's model first when runs/hosted-training/model is absent and
# exports it to ONNX when runs/hosted-training/onnx is absent. Prints one wrk report per run to
# OUT_DIR (default runs/serving-http) and a summary table to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/serving-http}
seconds=${2:-10}
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk not found: sudo apt-get install wrk" >&2; exit 2; }
[ -d runs/hosted-training/model ] || dotnet run -c Release --project samples/HostedTraining
[ -d runs/hosted-training/onnx ] || dotnet run -c Release --project src/STEM.Recommenders.Cli -- export runs/hosted-training/model --format onnx -o runs/hosted-training/onnx
dotnet build -c Release samples/Serving -v q -nologo | tail -1
root=$(pwd)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ)"
echo "| backend | connections | requests/s | p50 | p99 | requests | not 200 | socket errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for backend in torch onnx; do
  port=5180
  (cd samples/Serving && exec dotnet bin/Release/net10.0/Serving.dll --urls=http://127.0.0.1:$port \
      --Stem:ArtifactPath="$root/runs/hosted-training/model" --Serving:OnnxModelPath="$root/runs/hosted-training/onnx" \
      --Serving:Backend=$backend --Logging:LogLevel:Default=Warning) > "$out/server-$backend.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.5; done
  curl -sf http://127.0.0.1:$port/health >/dev/null || { echo "the $backend server did not start: $out/server-$backend.log" >&2; exit 1; }
  wrk -t1 -c1 -d2s -s benchmarks/serving-http/score.lua http://127.0.0.1:$port/score >/dev/null   # warm-up
  for c in 1 8 32; do
    t=$(( c < 2 ? 1 : 2 ))
    log="$out/wrk-$backend-c$c.txt"
    wrk -t$t -c$c -d${seconds}s --latency -s benchmarks/serving-http/score.lua http://127.0.0.1:$port/score > "$log"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$log")
    p50=$(awk '$1=="50%" {print $2}' "$log")
    p99=$(awk '$1=="99%" {print $2}' "$log")
    total=$(awk '/requests in/ {print $1}' "$log")
    non2xx=$(awk '/^unexpected status/ {print $3}' "$log")
    sockets=$(awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10}' "$log"); sockets=${sockets:-0}
    echo "| $backend | $c | $rps | $p50 | $p99 | $total | $non2xx | $sockets |"
  done
  # Malformed bodies: every answer must be 400 with a problem body, never 500.
  for body in '{"rows": [' '{"rows": 5}' '[1,2' '{"rows": [{"hourmin": "noon"}]}' '{"rows": [true]}'; do
    code=$(curl -s -o "$out/bad-$backend.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" http://127.0.0.1:$port/score)
    echo "malformed ($backend) $body -> $code"
    [ "$code" = 400 ] || { echo "expected 400" >&2; exit 1; }
  done
  log="$out/wrk-$backend-malformed.txt"
  STEM_BODY='{"rows": [' STEM_EXPECT=400 wrk -t2 -c8 -d3s -s benchmarks/serving-http/score.lua http://127.0.0.1:$port/score > "$log"
  echo "malformed under load ($backend, 8 connections, 3 s): $(awk '/requests in/ {print $1}' "$log") requests, $(awk '/^unexpected status/ {print $3}' "$log") not answered 400"
  kill $server; wait $server 2>/dev/null || true
  trap - EXIT
done
