#!/usr/bin/env bash
# Records public API changes of the packages in their PublicAPI.Unshipped.txt: adds new symbols
# (the RS0016 code fix) and removes entries of symbols that no longer exist (RS0017). The build
# fails until a public API change is recorded this way, so that such a change is always deliberate.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/STEM.Recommenders/STEM.Recommenders.csproj src/STEM.Recommenders.Parquet/STEM.Recommenders.Parquet.csproj src/STEM.Recommenders.Scaling/STEM.Recommenders.Scaling.csproj src/STEM.Recommenders.Reporting/STEM.Recommenders.Reporting.csproj src/STEM.Recommenders.PyTorch/STEM.Recommenders.PyTorch.csproj src/STEM.Recommenders.Onnx/STEM.Recommenders.Onnx.csproj; do
  dir=$(dirname "$project")
  { dotnet build "$project" -nologo 2>&1 || true; } | python3 -c '
import re, sys
gone = set(re.findall(r"error RS0017: Symbol \x27(.*?)\x27 is part of the declared API", sys.stdin.read()))
path = sys.argv[1]
lines = open(path).read().splitlines()
kept = [l for l in lines if l not in gone]
open(path, "w").write("\n".join(kept) + "\n")
print(f"{path}: removed {len(lines) - len(kept)} stale entries")
' "$dir/PublicAPI.Unshipped.txt"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn
done
