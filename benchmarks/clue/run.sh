#!/usr/bin/env bash
# CLUE downstream benchmark (one command): pretrain a CLUE encoder on the training days of the shared
# KuaiRand-Pure week (04-25..04-29; validation 04-30 and test 05-01 are never seen by the encoder),
# embed every user from those days, then train STEM-Net, MMoE and single-task with and without the
# frozen user vectors, three seeds each, and probe the vectors for user attributes.
# Output in $1 (default runs/clue): encoder/, vectors.csv, with/ and without/ comparison reports, probe.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/clue}
data=../shared/data/kuairand-pure
days=20220425,20220426,20220427,20220428,20220429
dotnet build -c Release src/STEM.Recommenders.Cli -v quiet -nologo
stem=src/STEM.Recommenders.Cli/bin/Release/net10.0/stem
mkdir -p "$out"
# The recipe: time views (events before 04-28 against 04-28..29), a fixed temperature of 0.2 and tokens
# seen at least 5 times; chosen on the held-out users' InfoNCE (docs/clue.md), never on a test number.
"$stem" pretrain --log "$data/log_20220425_20220501.csv.gz" --videos "$data/video_features_basic_pure.csv.gz" \
  --days "$days" --views time:20220428 --temperature 0.2 --fixed-temperature --min-token-count 5 \
  --output "$out/pretrain"
"$stem" embed --encoder "$out/pretrain/encoder" --log "$data/log_20220425_20220501.csv.gz" \
  --videos "$data/video_features_basic_pure.csv.gz" --days "$days" --output "$out/vectors.csv"
"$stem" compare --config benchmarks/clue/kuairand-float32.json --user-vectors "$out/vectors.csv" \
  --models stem-net,mmoe,single-task --seeds 3 --output "$out/with"
"$stem" compare --config benchmarks/clue/kuairand-float32.json \
  --models stem-net,mmoe,single-task --seeds 3 --output "$out/without"
