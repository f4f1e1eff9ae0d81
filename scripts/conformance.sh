#!/usr/bin/env bash
# Runs Microsoft's and Okta's public SCIM collections (../shared/conformance) under newman against a
# gateway started here in demo mode, on a fresh data directory and a free port. Exit status is newman's.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node 24 from the node@24 devDependency, whether or not this runs under npm.
export PATH="$PWD/node_modules/.bin:$PATH"
# The collections sit in ../shared beside the checkout; a clone made elsewhere from a local checkout
# (a scratch directory for a clean run) finds them beside the checkout it was cloned from.
if [ -z "${CONFORMANCE_DIR:-}" ]; then
  CONFORMANCE_DIR=../shared/conformance
  origin=$(git remote get-url origin 2>/dev/null || true)
  if [ ! -d "$CONFORMANCE_DIR" ] && [ -n "$origin" ] && [ -d "$origin/../shared/conformance" ]; then
    CONFORMANCE_DIR="$origin/../shared/conformance"
  fi
fi
if [ ! -d "$CONFORMANCE_DIR" ]; then
  echo "conformance: $CONFORMANCE_DIR not found; set CONFORMANCE_DIR" >&2
  exit 2
fi
work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
token=$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')
SCIMGW_DATA_DIR="$work/data" DEMO_TOKEN="$token" PORT="$port" LOG_LEVEL=warn node src/main.ts > "$work/gateway.log" 2>&1 &
gateway=$!
cleanup() { kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port/apps/demo/scim/v2"
for _ in $(seq 1 100); do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$base/ServiceProviderConfig" && break
  sleep 0.1
done

# CONFORMANCE_REPORT_DIR: also write each run's newman JSON report there (CI sums them up).
reporters() {
  if [ -n "${CONFORMANCE_REPORT_DIR:-}" ]; then
    mkdir -p "$CONFORMANCE_REPORT_DIR"
    echo "--reporters cli,json --reporter-json-export $CONFORMANCE_REPORT_DIR/newman-$1.json"
  else
    echo "--reporters cli"
  fi
}

status=0
echo "== Microsoft SCIMReferenceCode collection (PR #89), without its Get Token folder"
npx newman run "$CONFORMANCE_DIR/azuread-scimreferencecode.PostmanCollection.pr89-16b6694.json" \
  --env-var Protocol=http --env-var Server=127.0.0.1 --env-var "Port=:$port" --env-var Api=apps/demo/scim/v2 --env-var "token=$token" \
  --folder "Endpoint tests" --folder "User tests" --folder "Group tests" --folder "ComplexAttribute tests" \
  --folder "User tests with garbage" --folder "Group tests with garbage" --folder "Teardown garbage" \
  --folder "Get all users" --folder "Get all groups" \
  --timeout-request 20000 $(reporters microsoft) || status=1

# Okta's first request lists users and expects at least one to exist.
curl -fs -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/scim+json' "$base/Users" \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"okta.seed@example.com","name":{"givenName":"Okta","familyName":"Seed"},"emails":[{"value":"okta.seed@example.com","type":"work","primary":true}],"active":true}'
echo "== Okta SCIM 2.0 SPEC test (converted)"
npx newman run "$CONFORMANCE_DIR/okta.Okta-SCIM-20-SPEC-Test.converted.postman_collection.json" \
  --env-var "SCIMBaseURL=$base" --env-var "auth=Bearer $token" --timeout-request 20000 $(reporters okta) || status=1
exit $status
