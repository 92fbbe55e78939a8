#!/usr/bin/env bash
# The 10 M-row benchmark of the streaming path (issue 9): grow the shared KuaiRand-Pure week 87×
# into a 10,054,938-row log of the same schema (users and videos renamed per copy, so the
# vocabularies grow too; deterministic), build the encoded cache (fit pass + encode pass), measure
# the loader alone, then STEM-Net at its default sizes trained from the cache, with peak RSS.
# Output in $1 (default runs/kuairand-10m): the grown files, cache/, and the four logs.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/kuairand-10m}
dotnet build -c Release benchmarks/STEM.Recommenders.Benchmarks -v quiet -nologo
bench="dotnet benchmarks/STEM.Recommenders.Benchmarks/bin/Release/net10.0/STEM.Recommenders.Benchmarks.dll"
mkdir -p "$out"
$bench grow --output "$out" | tee "$out/grow.log"
$bench cache --data "$out" --cache "$out/cache" | tee "$out/cache.log"
$bench loader --cache "$out/cache" --steps 1000 | tee "$out/loader.log"
$bench cache-train --cache "$out/cache" --steps 20 --warmup 2 --threads 2 | tee "$out/cache-train.log"
$bench cache-train --cache "$out/cache" --steps 20 --warmup 2 --threads 2 --precision bf16 | tee "$out/cache-train-bf16.log"
