#!/usr/bin/env bash
# Pretext loss against downstream AUC across encoder sizes: pretrain the recipe of run.sh at three
# widths, embed, and train STEM-Net with each encoder's vectors (one seed each, 2023; the 3-seed
# comparison is run.sh). Output in $1 (default runs/clue-sizes): <width>/pretrain, vectors.csv, with/.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/clue-sizes}
data=../shared/data/kuairand-pure
days=20220425,20220426,20220427,20220428,20220429
stem=${STEM:-src/STEM.Recommenders.Cli/bin/Release/net10.0/stem}
[ -n "${STEM:-}" ] || dotnet build -c Release src/STEM.Recommenders.Cli -v quiet -nologo
for spec in "16 1 1 32" "32 1 2 64" "128 2 4 512"; do
  read -r width layers heads ff <<<"$spec"
  dir="$out/w$width"
  "$stem" pretrain --log "$data/log_20220425_20220501.csv.gz" --videos "$data/video_features_basic_pure.csv.gz" \
    --days "$days" --views time:20220428 --temperature 0.2 --fixed-temperature --min-token-count 5 --no-action-tokens \
    --width "$width" --layers "$layers" --heads "$heads" --feed-forward "$ff" --output-dim 64 --output "$dir/pretrain"
  "$stem" embed --encoder "$dir/pretrain/encoder" --log "$data/log_20220425_20220501.csv.gz" \
    --videos "$data/video_features_basic_pure.csv.gz" --days "$days" --output "$dir/vectors.csv"
  "$stem" compare --config benchmarks/clue/kuairand-float32.json --user-vectors "$dir/vectors.csv" \
    --models stem-net --seeds 1 --output "$dir/with"
done
