#!/usr/bin/env bash
# Runs `scimgw connector check-spec` for every bundled connector that names its vendor's OpenAPI document
# (an openapi: block in connector.yaml); exits 1 when any has a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for dir in connectors/*/; do
  dir="${dir%/}"
  grep -q '^openapi:' "$dir/connector.yaml" || continue
  echo "== $dir"
  node src/cli/index.ts connector check-spec "$dir" || status=1
done
exit $status
