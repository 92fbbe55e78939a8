#!/usr/bin/env bash
# Adds every new public symbol of the packages to their PublicAPI.Unshipped.txt (the build fails
# with RS0016 until a public API change is recorded this way, so that it is always deliberate).
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/STEM.Recommenders/STEM.Recommenders.csproj src/STEM.Recommenders.Parquet/STEM.Recommenders.Parquet.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn
done
