#!/usr/bin/env bash
# Quality benchmark (one command): STEM-Net, MMoE, PLE, shared-bottom and single-task on the shared
# KuaiRand-Pure week (train 04-25..04-29, validation 04-30, test 05-01), three seeds each, then
# STEM-Net, MMoE and PLE in float32 to show what bfloat16 mixed precision keeps. Reports go to $1
# (default runs/quality): comparison.md / comparison.json per run. About 100 minutes on 2 CPU cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/quality}
dotnet build -c Release src/STEM.Recommenders.Cli -v quiet -nologo
stem=src/STEM.Recommenders.Cli/bin/Release/net10.0/stem
"$stem" compare --config benchmarks/quality/kuairand.json \
  --models stem-net,mmoe,ple,shared-bottom,single-task --seeds 3 --output "$out/bf16"
"$stem" compare --config benchmarks/quality/kuairand-float32.json \
  --models stem-net,mmoe,ple --seeds 3 --output "$out/float32"
